"""card import: existing cards with their history, each by the live rules, all or nothing
per card, with a report of what was refused and why."""

from __future__ import annotations

from typing import Any

import msgspec

from domain.vocabulary import CardStatus
from ledger.app import CardLedger
from ledger.importing import import_lines
from tests import factories as f
from tests.conftest import FakeClock


def command(name: str, at: str, body: Any) -> dict[str, Any]:
    fields = msgspec.to_builtins(body)
    fields.pop("effective_at", None)
    return {"command": name, "effective_at": at, "body": fields}


def line(ref: str, *commands: dict[str, Any]) -> bytes:
    return msgspec.json.encode({"ref": ref, "commands": list(commands)})


def weihai_2020() -> bytes:
    apply = f.apply_body(
        scheme="weihai",
        category="2",
        facts={"selected_yingcai_programme": True},
        sponsor={"kind": "employer", "name": "威海市立医院"},
    )
    return line(
        "WH-2020-0007",
        command("apply", "2020-06-01T09:00:00+08:00", apply),
        command("issue", "2020-06-03T09:00:00+08:00", f.issue()),
    )


def liaocheng(ref: str, holder_id: str, *, with_talent_office: bool) -> bytes:
    apply = f.apply_body(holder=f.holder(holder_id))
    steps = [
        command("apply", "2023-05-04T10:00:00+08:00", apply),
        command("review", "2023-05-10T10:00:00+08:00", f.review("city_hrss")),
    ]
    if with_talent_office:
        steps.append(command("review", "2023-05-20T10:00:00+08:00", f.review("talent_office")))
    steps.append(command("issue", "2023-05-22T10:00:00+08:00", f.issue()))
    return line(ref, *steps)


def test_a_file_with_one_bad_card_imports_the_others_and_writes_nothing_of_the_bad_one(
    ledger: CardLedger,
):
    bad_holder = f.resident_id(9001)
    report = import_lines(
        ledger,
        [
            weihai_2020(),
            liaocheng("LC-2023-0042", bad_holder, with_talent_office=False),
            b"",
            liaocheng("LC-2023-0043", f.resident_id(9002), with_talent_office=True),
        ],
        importer="admin.sun",
    )
    assert [(c.line, c.ref) for c in report.imported] == [(1, "WH-2020-0007"), (4, "LC-2023-0043")]
    ((refused),) = report.refused
    assert (refused.line, refused.ref, refused.command_index, refused.code) == (
        2,
        "LC-2023-0042",
        2,
        "review_incomplete",
    )
    assert len(list(ledger.card_ids())) == 2
    # nothing of the refused card was kept: not even its holder's place in the scheme
    ledger.apply(f.apply_body(holder=f.holder(bad_holder)))


def test_an_imported_card_is_decided_at_its_effective_instants(
    ledger: CardLedger, clock: FakeClock
):
    report = import_lines(ledger, [weihai_2020()], importer="admin.sun")
    card = ledger.get_card(report.imported[0].card_id)
    assert card.term is not None
    assert (str(card.term.valid_from), card.term.policy_version) == ("2020-06-03", "weihai-2019")
    assert card.status_on(clock().date()) is CardStatus.EXPIRED


def test_the_importer_is_the_recorded_actor_and_the_source_s_actor_is_kept(ledger: CardLedger):
    report = import_lines(ledger, [weihai_2020()], importer="admin.sun")
    applied = ledger.history(report.imported[0].card_id)[0]
    ctx = applied.ctx  # type: ignore[attr-defined]
    assert (ctx.actor, ctx.original_actor, ctx.role) == ("admin.sun", "wang.employer", "employer")


def test_a_line_that_is_not_json_is_reported_and_the_next_is_imported(ledger: CardLedger):
    report = import_lines(ledger, [b"{not json", weihai_2020()], importer="admin.sun")
    (refused,) = report.refused
    assert (refused.line, refused.command_index, refused.code) == (1, -1, "invalid_input")
    assert [c.line for c in report.imported] == [2]


def test_a_card_with_more_commands_than_the_limit_is_refused_whole(ledger: CardLedger):
    apply = command("apply", "2023-05-04T10:00:00+08:00", f.apply_body())
    review = command("review", "2023-05-10T10:00:00+08:00", f.review("city_hrss"))
    report = import_lines(ledger, [line("BIG", apply, *[review] * 200)], importer="admin.sun")
    (refused,) = report.refused
    assert (refused.ref, refused.command_index) == ("BIG", -1)
    assert "commands" in refused.message
    assert list(ledger.card_ids()) == []


def test_a_future_effective_instant_in_an_import_is_refused(ledger: CardLedger):
    apply = command("apply", "2027-01-04T10:00:00+08:00", f.apply_body())
    report = import_lines(ledger, [line("LATE", apply)], importer="admin.sun")
    assert [(r.command_index, r.code) for r in report.refused] == [(0, "effective_in_future")]


def test_an_imported_issue_cannot_claim_what_a_credential_would_have_shown(ledger: CardLedger):
    # RD-2026-95: evidence is what the registry read from a credential it verified at a
    # live issue; an import line could only claim it.
    claimed = {
        "card_id": "00000000-0000-4000-8000-000000000001",
        "scheme": "shandong",
        "status_uri": "https://example.invalid/status-lists/shandong/sl-0000",
        "status_index": 1,
        "valid_from": "2020-01-01",
        "valid_until": "2040-01-01",
        "verified_at": "2020-06-03T09:00:00+08:00",
    }
    apply = f.apply_body(
        scheme="weihai",
        category="2",
        facts={"selected_yingcai_programme": True},
        sponsor={"kind": "employer", "name": "威海市立医院"},
    )
    issue = {**command("issue", "2020-06-03T09:00:00+08:00", f.issue())}
    issue["body"] = {**issue["body"], "credentials": [claimed]}
    report = import_lines(
        ledger,
        [line("WH-2020-0008", command("apply", "2020-06-01T09:00:00+08:00", apply), issue)],
        importer="admin.sun",
    )
    ((refused),) = report.refused
    assert refused.code == "evidence_not_importable"
