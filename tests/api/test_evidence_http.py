"""``POST /cards/{id}/issue`` with a 惠才卡's credential as evidence (weihai-2019 part 2(3),
RD-2026-95): the term is the credential's, the token is size-limited, and what the
registry read can never be sent in its place."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from ledger.app import CardLedger
from services.bootstrap import Registry
from services.evidence import EVIDENCE_REFUSED
from signing.credential import MAX_TEXT_CHARS
from tests import factories as f
from tests.api.http_users import Users, request_of
from tests.api.test_problems_http import problem
from tests.conftest import FakeClock

PERSON = f.resident_id(6161)


@pytest.fixture
def filed(
    users: Users, ledger: CardLedger, registry: Registry, clock: FakeClock
) -> tuple[UUID, str]:
    """On 2026-12-08: PERSON's 惠才卡 credential and their Weihai category 1 file, which
    shows the 惠才卡 by that credential (weihai.recognition.huicai_card_credential)."""
    clock.now = datetime(2026, 12, 8, 2, tzinfo=UTC)
    token = registry.issuance.credential(f.shandong_card(ledger, id_number=PERSON)).text
    body = f.apply_body(
        actor="zhang.hrss",
        role="city_hrss",
        scheme="weihai",
        category="1",
        facts={"works_in_weihai": True},
        holder=f.holder(PERSON),
        sponsor={"kind": "employer", "name": "威海市立医院"},
    )
    request = {**request_of(body), "evidence_credential": token}
    answer = users("city_hrss", "weihai").post("/applications", request)
    assert answer.status_code == 201, answer.text
    return UUID(answer.json()["card_id"]), token


def issue(users: Users, card_id: UUID, body: dict[str, Any]) -> Any:
    return users("city_hrss", "weihai").post(f"/cards/{card_id}/issue", body)


def test_weihai_2019_part_2_3_the_issue_takes_the_huicai_card_s_term_from_its_credential(
    users: Users, filed: tuple[UUID, str]
):
    card_id, token = filed
    answer = issue(users, card_id, {"evidence_credential": token, "evidence_holder_id": PERSON})
    assert answer.status_code in (200, 201), answer.text
    card = users("auditor", "province").get(f"/cards/{card_id}").json()
    assert card["valid_until"] == "2031-12-07"


def test_a_wrong_credential_is_one_problem_line(users: Users, filed: tuple[UUID, str]):
    card_id, token = filed
    answer = issue(
        users, card_id, {"evidence_credential": token, "evidence_holder_id": f.RESIDENT_ID}
    )
    body = problem(answer, 422)
    assert (body["title"], body["detail"]) == ("evidence_not_accepted", EVIDENCE_REFUSED)


def test_an_oversized_credential_is_refused_naming_the_field(users: Users, filed: tuple[UUID, str]):
    card_id, _ = filed
    answer = issue(users, card_id, {"evidence_credential": "TC1:" + "A" * MAX_TEXT_CHARS})
    assert answer.status_code == 400, answer.text
    assert "evidence_credential" in answer.text


def test_what_the_registry_reads_cannot_be_sent_in_its_place(users: Users, filed: tuple[UUID, str]):
    card_id, _ = filed
    read = {  # a whole CredentialEvidence, as the registry would record it
        "card_id": str(card_id),
        "scheme": "shandong",
        "status_uri": "https://registry.example/status/shandong",
        "status_index": 0,
        "valid_from": "2026-12-08",
        "valid_until": "2040-01-01",
        "verified_at": "2026-12-08T02:00:00Z",
    }
    answer = issue(users, card_id, {"credentials": [read]})
    assert "credentials" in problem(answer, 400)["detail"]  # a field nobody may send
