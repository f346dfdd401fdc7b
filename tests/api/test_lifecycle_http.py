"""The whole life of one card per scheme over HTTP, each step taken by the user whose
part it is, with its own key: filing, the scheme's reviews, issue, the credential,
upgrade or extension where the scheme has one, recorded uses up to a limit and their
reversal, suspension, two-person revocation, and the reads of history and benefits.

Who takes each step is written here from the policy brief and the seeds, not read from
the app: a path or a role the app got wrong fails the test."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from tests import factories as f
from tests.api.http_users import Client, User, Users, request_of
from tests.conftest import FakeClock

TODAY = date(2026, 3, 2)  # the fake clock's business date
EMPLOYER = {"kind": "employer", "name": "聊城大学", "credit_code": f.CREDIT_CODE}
Who = tuple[str, str]  # role, authority


@dataclass(frozen=True)
class Scheme:
    """One scheme's card and who acts on it."""

    filer: Who
    body: Any  # () -> ApplyBody
    intake: Who | None
    stages: tuple[tuple[Who, tuple[str, ...]], ...]  # each stage's user and joint departments
    issuer: Who
    interim: Who  # suspends and reinstates
    proposer: Who
    approvers: tuple[Who, ...]


SCHEMES = {
    # 惠才卡: the employer's commissioner files; the city window, then the provincial
    # window (7.1); the provincial window issues and decides in between; revocation is
    # proposed to the same-level window and approved by the provincial window.
    "shandong": Scheme(
        filer=("employer", "jinan"),
        body=lambda: f.shandong_body(sponsor={**EMPLOYER, "name": "山东大学"}),
        intake=None,
        stages=((("city_window", "jinan"), ()), (("provincial_window", "province"), ())),
        issuer=("provincial_window", "province"),
        interim=("provincial_window", "province"),
        proposer=("employer", "jinan"),
        approvers=(("provincial_window", "province"),),
    ),
    # Weihai 2023 business elite: the investment department proposes, the talent
    # institute takes the file in, city HRSS decides with the Organisation Department and
    # the Commerce Bureau, the talent office agrees, city HRSS issues.
    "weihai": Scheme(
        filer=("investment_department", "weihai"),
        body=lambda: f.business_elite_body("P-2026-HTTP"),
        intake=("talent_institute", "weihai"),
        stages=(
            (("city_hrss", "weihai"), ("市委组织部", "市商务局")),
            (("talent_office", "weihai"), ()),
        ),
        issuer=("city_hrss", "weihai"),
        interim=("city_hrss", "weihai"),
        proposer=("investment_department", "weihai"),
        approvers=(("city_window", "weihai"), ("city_hrss", "weihai")),
    ),
    # Liaocheng art. 5(3), tier B: city HRSS reviews, the talent office agrees (art. 32).
    "liaocheng": Scheme(
        filer=("employer", "liaocheng"),
        body=lambda: f.apply_body(sponsor=EMPLOYER),
        intake=None,
        stages=((("city_hrss", "liaocheng"), ()), (("talent_office", "liaocheng"), ())),
        issuer=("city_hrss", "liaocheng"),
        interim=("city_hrss", "liaocheng"),
        proposer=("employer", "liaocheng"),
        approvers=(("city_window", "liaocheng"), ("city_hrss", "liaocheng")),
    ),
    # Jinan class C: claimed by the talent on certification data, no review; revocation
    # is approved by city HRSS and the talent office as well.
    "jinan": Scheme(
        filer=("applicant", "jinan"),
        body=lambda: f.jinan_body("C", sponsor={**EMPLOYER, "name": "济南大学"}),
        intake=None,
        stages=(),
        issuer=("city_window", "jinan"),
        interim=("talent_office", "jinan"),
        proposer=("employer", "jinan"),
        approvers=(("city_window", "jinan"), ("city_hrss", "jinan"), ("talent_office", "jinan")),
    ),
}


def answer(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def user(users: Users, who: Who) -> User:
    return users(*who)


def filed(users: Users, scheme: str) -> str:
    s = SCHEMES[scheme]
    done = answer(user(users, s.filer).post("/applications", request_of(s.body())), 201)
    return str(done["card_id"])


def reviewed(users: Users, scheme: str, card_id: str) -> None:
    s = SCHEMES[scheme]
    if s.intake is not None:
        window = s.intake[0]
        answer(user(users, s.intake).post(f"/cards/{card_id}/receipt", {"window": window}))
    for who, joint in s.stages:
        review = {"stage": who[0], "decision": "approved", "joint_with": list(joint)}
        answer(user(users, who).post(f"/cards/{card_id}/reviews", review))


def issued(users: Users, scheme: str) -> str:
    card_id = filed(users, scheme)
    reviewed(users, scheme, card_id)
    answer(user(users, SCHEMES[scheme].issuer).post(f"/cards/{card_id}/issue", {}))
    return card_id


def card(users: Users, card_id: str) -> dict[str, Any]:
    return answer(users("auditor", "province").get(f"/cards/{card_id}"))  # type: ignore[no-any-return]


# ---- filing, reviews and issue ---------------------------------------------------------


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_filing_waits_for_the_scheme_s_stages_in_order(users: Users, scheme: str):
    card_id = filed(users, scheme)
    view = card(users, card_id)
    assert view["status"] == "under_review"
    assert view["required_stages"] == [who[0] for who, _ in SCHEMES[scheme].stages]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_each_stage_s_user_approves_and_the_issuer_issues(users: Users, scheme: str):
    card_id = issued(users, scheme)
    view = card(users, card_id)
    assert (view["status"], view["valid_from"]) == ("active", TODAY.isoformat())
    assert view["approved_stages"] == view["required_stages"]


@pytest.mark.parametrize("scheme", ["shandong", "weihai", "liaocheng"])
def test_the_issuer_cannot_issue_before_the_last_stage_approves(users: Users, scheme: str):
    card_id = filed(users, scheme)
    refused = user(users, SCHEMES[scheme].issuer).post(f"/cards/{card_id}/issue", {})
    assert refused.status_code == 409
    assert refused.json()["title"] == "review_incomplete"


def test_a_stage_taken_by_a_user_of_another_role_is_refused(users: Users):
    card_id = filed(users, "liaocheng")
    review = {"stage": "city_hrss", "decision": "approved"}
    refused = users("talent_office", "liaocheng").post(f"/cards/{card_id}/reviews", review)
    assert refused.status_code == 403
    assert card(users, card_id)["approved_stages"] == []


# ---- the credential ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media_type", "starts"),
    [
        ("text/plain", "text/plain; charset=utf-8", b"TC1:"),
        ("image/png", "image/png", b"\x89PNG\r\n\x1a\n"),
        ("image/svg+xml", "image/svg+xml", b"<?xml"),
    ],
)
def test_the_holder_s_credential_is_served_by_accept(
    users: Users, accept: str, media_type: str, starts: bytes
):
    card_id = issued(users, "jinan")
    response = users("applicant", "jinan").get(f"/cards/{card_id}/credential", Accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.content.startswith(starts)


def test_a_credential_in_a_media_type_not_served_is_a_406_problem(users: Users):
    card_id = issued(users, "jinan")
    response = users("applicant", "jinan").get(
        f"/cards/{card_id}/credential", Accept="application/pdf"
    )
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"


def test_the_text_credential_verifies_as_valid(users: Users, client: Client):
    card_id = issued(users, "jinan")
    text = users("applicant", "jinan").get(f"/cards/{card_id}/credential").text
    verdict = answer(client.post("/verify", json={"credential": text}))
    assert (verdict["verdict"], verdict["card_id"]) == ("valid", card_id)


# ---- upgrade and extension -----------------------------------------------------------------


def test_a_jinan_card_moves_up_a_class_on_certification_and_its_term_restarts(
    users: Users, clock: FakeClock
):
    card_id = issued(users, "jinan")
    clock.advance(days=400)
    upgrade = {"tier": "B", "facts": {"certified_class_b": True}}
    # On 2027-04-06 the city window upgrades a Jinan card (jinan.issuers, from 2026-12-07).
    answer(users("city_window", "jinan").post(f"/cards/{card_id}/upgrade", upgrade))
    view = card(users, card_id)
    assert (view["tier"], view["valid_from"]) == ("B", "2027-04-06")
    assert view["valid_until"] > "2032-01-01"


def test_a_jinan_upgrade_without_the_certification_is_refused_naming_the_rule(users: Users):
    card_id = issued(users, "jinan")
    refused = users("city_hrss", "jinan").post(f"/cards/{card_id}/upgrade", {"tier": "B"})
    assert refused.status_code == 409
    assert refused.json()["rule"]
    assert card(users, card_id)["tier"] == "C"


def test_a_liaocheng_card_moves_to_tier_a_on_the_platform_s_certification(users: Users):
    # Art. 32: categories (1)(2) are issued directly from the certified data, so the
    # request for art. 5(2) has no reviews to wait for.
    card_id = issued(users, "liaocheng")
    ask = {"category": "art5.2", "facts": {"certified_top_or_leading": True}}
    answer(users("employer", "liaocheng").post(f"/cards/{card_id}/upgrade-request", ask))
    answer(users("city_hrss", "liaocheng").post(f"/cards/{card_id}/upgrade", {"tier": "A"}))
    assert card(users, card_id)["tier"] == "A"


def test_a_weihai_business_elite_card_runs_a_year_and_five_once_the_project_lands(
    users: Users,
):
    card_id = issued(users, "weihai")
    assert card(users, card_id)["valid_until"] == "2027-03-01"
    extension = {
        "event_on": TODAY.isoformat(),
        "evidence": ["doc://project-landing/1"],
        "shows": ["project_landed"],
    }
    answer(users("city_hrss", "weihai").post(f"/cards/{card_id}/extend", extension))
    assert card(users, card_id)["valid_until"] == "2031-03-01"


# ---- recorded uses -----------------------------------------------------------------------

FILM = {"item": "liaocheng.21.films", "beneficiary": "holder"}


def test_a_cinema_records_films_up_to_art_21_s_twelve_and_the_next_is_refused(users: Users):
    card_id = issued(users, "liaocheng")
    cinema = users("venue", "liaocheng", name="东昌影城")
    for _ in range(12):
        answer(cinema.post(f"/cards/{card_id}/redemptions", FILM), 201)
    refused = cinema.post(f"/cards/{card_id}/redemptions", FILM)
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert "liaocheng.limit.films" in refused.json()["rule"]


def test_a_reversed_use_no_longer_counts_against_the_limit(users: Users):
    card_id = issued(users, "liaocheng")
    cinema = users("venue", "liaocheng", name="东昌影城")
    uses = [answer(cinema.post(f"/cards/{card_id}/redemptions", FILM), 201) for _ in range(12)]
    reversal = {"redemption_id": uses[0]["redemption_id"], "reason": "recorded twice"}
    answer(cinema.post(f"/cards/{card_id}/redemptions/reversals", reversal))
    answer(cinema.post(f"/cards/{card_id}/redemptions", FILM), 201)


def test_the_benefits_read_shows_what_is_left_of_the_films(users: Users):
    card_id = issued(users, "liaocheng")
    cinema = users("venue", "liaocheng", name="东昌影城")
    for _ in range(3):
        answer(cinema.post(f"/cards/{card_id}/redemptions", FILM), 201)
    benefits = answer(users("city_hrss", "liaocheng").get(f"/cards/{card_id}/benefits"))
    films = next(b for b in benefits if b["item"] == "liaocheng.21.films")
    assert [b["left_this_year"] for b in films["balances"]] == [9]


def test_another_city_s_venue_finds_no_such_card_to_record_a_use_on(users: Users):
    # A Liaocheng card is not honoured in Weihai (only the 惠才卡 is, by stacking): to a
    # Weihai venue it is outside its jurisdiction, answered as a card that does not exist.
    card_id = issued(users, "liaocheng")
    refused = users("venue", "weihai").post(f"/cards/{card_id}/redemptions", FILM)
    assert refused.status_code == 404
    assert refused.json()["title"] == "card_not_found"


# ---- suspension and revocation -------------------------------------------------------------

SUSPENSION = {"reason": "under investigation", "decision_ref": "REF-2026-1"}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_interim_authority_suspends_and_reinstates_a_card(users: Users, scheme: str):
    card_id = issued(users, scheme)
    interim = user(users, SCHEMES[scheme].interim)
    answer(interim.post(f"/cards/{card_id}/suspend", SUSPENSION))
    assert card(users, card_id)["status"] == "suspended"
    answer(interim.post(f"/cards/{card_id}/reinstate", SUSPENSION))
    assert card(users, card_id)["status"] == "active"


def propose(users: Users, scheme: str, card_id: str) -> None:
    proposal = {"reason": "left the city for good", "ground": "misconduct"}
    answer(user(users, SCHEMES[scheme].proposer).post(f"/cards/{card_id}/revocation", proposal))


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_proposal_and_each_approver_s_approval_revoke_the_card(users: Users, scheme: str):
    card_id = issued(users, scheme)
    propose(users, scheme, card_id)
    for approver in SCHEMES[scheme].approvers:
        assert card(users, card_id)["status"] == "active"
        answer(user(users, approver).post(f"/cards/{card_id}/revocation/approvals", {}))
    assert card(users, card_id)["status"] == "revoked"


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_proposer_cannot_approve_its_own_proposal(users: Users, scheme: str):
    card_id = issued(users, scheme)
    propose(users, scheme, card_id)
    proposer = user(users, SCHEMES[scheme].proposer)
    refused = proposer.post(f"/cards/{card_id}/revocation/approvals", {})
    assert refused.status_code == 403
    assert refused.json()["title"] == "revocation_step_role"
    assert card(users, card_id)["status"] == "active"


def test_one_user_cannot_give_two_of_jinan_s_approvals(users: Users):
    card_id = issued(users, "jinan")
    propose(users, "jinan", card_id)
    answer(users("city_window", "jinan").post(f"/cards/{card_id}/revocation/approvals", {}))
    hrss = users("city_hrss", "jinan")
    answer(hrss.post(f"/cards/{card_id}/revocation/approvals", {}))
    refused = hrss.post(f"/cards/{card_id}/revocation/approvals", {})
    assert refused.status_code == 403
    assert card(users, card_id)["status"] == "active"


# ---- reads ---------------------------------------------------------------------------------


STEP_EVENTS = {"Applied", "FileReceived", "ReviewRecorded", "Issued"}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_history_names_the_user_who_took_each_step(users: Users, scheme: str):
    card_id = issued(users, scheme)
    history = answer(users("auditor", "province").get(f"/cards/{card_id}/history"))
    s = SCHEMES[scheme]
    steps = [s.filer, *([s.intake] if s.intake else []), *(w for w, _ in s.stages), s.issuer]
    acts = [e["actor"] for e in history if e["event"] in STEP_EVENTS]
    assert acts == [f"{role}.{authority}" for role, authority in steps]


# ---- a change to the card's people (issue 26) -------------------------------------------

# Who asks and who decides, from the seeds: Liaocheng art. 33 (the employer reports) and
# art. 32 (the city HRSS issues, so decides); elsewhere the filer asks and the issuer
# decides (recorded decisions: the sources are silent).
AMENDERS = {scheme: (s.filer, s.issuer) for scheme, s in SCHEMES.items()}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_spouse_added_by_the_filer_and_approved_by_the_issuer_is_granted_from_that_day(
    users: Users, scheme: str
):
    card_id = issued(users, scheme)
    filer, issuer = AMENDERS[scheme]
    change = {
        "change": "add_member",
        "relation": "spouse",
        "name": "陈静",
        "date_of_birth": "1988-09-02",
        "takes_effect_on": TODAY.isoformat(),
        "evidence": ["doc://marriage/1"],
        "reason": "married",
    }
    answer(user(users, filer).post(f"/cards/{card_id}/amendment", change))
    answer(
        user(users, issuer).post(f"/cards/{card_id}/amendment/decision", {"decision": "approved"})
    )
    reader = users("auditor", "province")
    granted = answer(reader.get(f"/cards/{card_id}/entitlements"))
    assert "spouse" in [e["kind"] for e in granted]
    response = reader.get(f"/cards/{card_id}/credential")
    assert response.headers["credential-generation"] == "1"


def test_a_removed_member_starts_the_card_s_second_credential(users: Users):
    card_id = issued(users, "jinan")
    filer, issuer = AMENDERS["jinan"]
    base = {"takes_effect_on": TODAY.isoformat(), "evidence": ["doc://x/1"], "reason": "r"}
    added = {
        **base,
        "change": "add_member",
        "relation": "child",
        "name": "李小雷",
        "date_of_birth": "2015-09-30",
    }
    for change in (added, {**base, "change": "remove_member", "member": 1}):
        answer(user(users, filer).post(f"/cards/{card_id}/amendment", change))
        approve = {"decision": "approved"}
        answer(user(users, issuer).post(f"/cards/{card_id}/amendment/decision", approve))
    response = users("applicant", "jinan").get(f"/cards/{card_id}/credential")
    assert response.headers["credential-generation"] == "2"
    view = card(users, card_id)
    assert [e["event"] for e in view["history"]][-2:] == ["AmendmentRequested", "AmendmentDecided"]
