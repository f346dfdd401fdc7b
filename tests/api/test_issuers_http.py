"""Who issues over HTTP once each seed's issuer decides (from 2026-12-07, issue 27), and
who reads the user list: the authorization matrix runs on 2026-03-02, under the
registry's practice of those days, so the corrected rules are tried here."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from services.bootstrap import Registry
from tests import factories as f
from tests.api.http_users import Users, request_of
from tests.conftest import FakeClock

RECTIFIED = datetime(2026, 12, 8, 2, tzinfo=UTC)
EMPLOYER = {"kind": "employer", "name": "聊城大学", "credit_code": f.CREDIT_CODE}


def reviewed_liaocheng(users: Users) -> str:
    done = users("employer").post("/applications", request_of(f.apply_body(sponsor=EMPLOYER)))
    assert done.status_code == 201, done.text
    card_id = str(done.json()["card_id"])
    for stage in ("city_hrss", "talent_office"):
        review = {"stage": stage, "decision": "approved"}
        assert users(stage).post(f"/cards/{card_id}/reviews", review).status_code == 200
    return card_id


def test_liaocheng_art_32_only_the_city_hrss_issues_a_gold_card_over_http(
    users: Users, clock: FakeClock
):
    clock.now = RECTIFIED
    card_id = reviewed_liaocheng(users)
    for role in ("city_window", "county_window", "talent_office"):
        refused = users(role).post(f"/cards/{card_id}/issue", {})
        assert refused.status_code == 403, refused.text
        problem: dict[str, Any] = refused.json()
        assert (problem["title"], problem["rule"]) == ("issuer_not_authorised", "liaocheng.issuers")
    assert users("city_hrss").post(f"/cards/{card_id}/issue", {}).status_code == 200


def test_the_actions_a_user_may_take_follow_the_issuer_rule_in_force_today(
    users: Users, clock: FakeClock, registry: Registry
):
    card_id = reviewed_liaocheng(users)
    window = registry.users.authenticate(users("city_window").headers["Authorization"][7:])
    assert "issue" in registry.cards.actions(window, UUID(card_id))  # the practice (RD-2026-80)
    clock.now = RECTIFIED
    assert "issue" not in registry.cards.actions(window, UUID(card_id))


def test_the_provincial_auditor_reads_every_user_and_a_city_auditor_its_own(users: Users):
    users("city_hrss", "weihai")
    users("city_hrss", "liaocheng")
    every = users("auditor", "province").get("/users")
    assert every.status_code == 200, every.text
    names = {u["name"] for u in every.json()}
    assert {"city_hrss.weihai", "city_hrss.liaocheng", "auditor.province"} <= names
    assert all("key" not in u and "key_hash" not in u for u in every.json())
    own = users("auditor", "liaocheng").get("/users")
    assert own.status_code == 200, own.text
    assert {u["authority"] for u in own.json()} == {"liaocheng"}
    assert users("city_hrss", "weihai").get("/users").status_code == 403


def test_jinan_art_24_3_a_card_the_talent_obtained_alone_can_be_revoked(
    users: Users, clock: FakeClock
):
    # Art. 24(3) has the unit propose; a card filed with sponsor none has no unit. From
    # 2026-12-07 the window proposes (RD-2026-82), then the city HRSS and the talent office.
    clock.now = RECTIFIED
    talent = users("applicant", "jinan", name="li.talent")
    done = talent.post("/applications", request_of(f.jinan_body("C")))
    assert done.status_code == 201, done.text
    card_id = str(done.json()["card_id"])
    assert users("city_window", "jinan").post(f"/cards/{card_id}/issue", {}).status_code == 200
    proposal = {"reason": "违法", "ground": "misconduct"}
    proposed = users("city_window", "jinan", name="qin.window").post(
        f"/cards/{card_id}/revocation", proposal
    )
    assert proposed.status_code == 200, proposed.text
    for role in ("city_hrss", "talent_office"):
        agreed = users(role, "jinan").post(f"/cards/{card_id}/revocation/approvals", {})
        assert agreed.status_code == 200, agreed.text
    view = users("auditor", "province").get(f"/cards/{card_id}").json()
    assert view["status"] == "revoked"
