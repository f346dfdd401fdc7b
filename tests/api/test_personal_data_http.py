"""A person's rights over HTTP: an erasure proposed and approved by two administrators,
after which the file no longer names the person; the auditor's record of reads; a
person's copy."""

from __future__ import annotations

from typing import Any

from ledger.limits import FAMILY_MAX_COUNT
from services.bootstrap import Registry
from tests import factories as f
from tests.api.http_users import Users, request_of
from tests.api.test_lifecycle_http import EMPLOYER, answer


def withdrawn(users: Users) -> str:
    filer = users("employer", "liaocheng")
    done = answer(filer.post("/applications", request_of(f.apply_body(sponsor=EMPLOYER))), 201)
    card_id = str(done["card_id"])
    answer(filer.post(f"/cards/{card_id}/withdraw", {}))
    return card_id


def file_of(users: Users, card_id: str) -> dict[str, Any]:
    return answer(users("auditor", "province").get(f"/cards/{card_id}"))  # type: ignore[no-any-return]


def test_two_administrators_erase_a_holder_over_http(users: Users):
    card_id = withdrawn(users)
    name = file_of(users, card_id)["holder_name"]
    proposal = {"card_id": card_id, "ground": "consent_withdrawn", "decision": "REQ-17"}
    first = users("administrator", "province", name="admin.one")
    erasure = answer(first.post("/erasures", proposal), 201)
    assert (erasure["positions"], erasure["approved_by"]) == ([0], None)
    second = users("administrator", "province", name="admin.two")
    done = answer(second.post(f"/erasures/{erasure['erasure_id']}/approval", {}))
    assert done["approved_by"] == "admin.two"
    after = file_of(users, card_id)
    assert name and name not in str(after)
    assert after["status"] == "withdrawn"


def test_an_administrator_cannot_approve_their_own_erasure_over_http(users: Users):
    card_id = withdrawn(users)
    admin = users("administrator", "province", name="admin.one")
    proposal = {"card_id": card_id, "ground": "purpose_met", "decision": "D-1"}
    erasure = answer(admin.post("/erasures", proposal), 201)
    refused = admin.post(f"/erasures/{erasure['erasure_id']}/approval", {})
    assert refused.status_code == 403
    assert refused.json()["title"] == "not_authorised"


def test_the_auditor_reads_who_read_a_file(users: Users):
    card_id = withdrawn(users)
    file_of(users, card_id)
    reads = answer(users("auditor", "province").get(f"/cards/{card_id}/personal-reads"))
    assert [(r["actor"], r["route"]) for r in reads] == [
        ("auditor.province", "http: GET /cards/{card_id} (card show)")
    ]


def test_a_person_s_copy_over_http_holds_their_file(users: Users):
    card_id = withdrawn(users)
    name = file_of(users, card_id)["holder_name"]
    found = answer(users("auditor", "province").get(f"/cards/{card_id}/personal-data"))
    assert found["file"]["name"] == name
    assert [e["event"] for e in found["events"]] == ["Card.Applied", "Card.Withdrawn"]


def test_a_family_member_added_past_the_filing_s_ten_can_be_erased_by_number(
    users: Users, registry: Registry
):
    # Ten filed, eleven added and removed again: member 21 is the card's latest.
    child = {"relation": "child", "name": "李小雷", "date_of_birth": "2015-09-30"}
    card_id = f.liaocheng_card(registry.ledger, tuple([child] * FAMILY_MAX_COUNT))
    for number in range(FAMILY_MAX_COUNT + 1, FAMILY_MAX_COUNT + 12):
        f.amend_and_approve(registry.ledger, card_id, change="add_member", **child)
        if number < FAMILY_MAX_COUNT + 11:
            f.amend_and_approve(registry.ledger, card_id, change="remove_member", member=number)
    proposal = {"card_id": str(card_id), "family": 21, "ground": "purpose_met", "decision": "D-2"}
    admin = users("administrator", "province", name="admin.one")
    erasure = answer(admin.post("/erasures", proposal), 201)
    assert erasure["positions"] == [21]
