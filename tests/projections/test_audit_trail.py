"""audit_trail: every event in log order, queried and exported without personal data."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import ledger.card_commands as cc
from ledger.app import CardLedger
from ledger.event_signer import SIGNING_TOPICS
from projections.audit_trail import AuditQuery, write_csv, write_jsonl
from projections.engine import ReadModels
from tests import factories as f
from tests.conftest import FakeClock
from tests.projections import scenario


def test_every_event_is_in_the_trail_in_log_order_with_who_acted_and_the_rules(
    ledger: CardLedger, clock: FakeClock
):
    r = scenario.build(ledger, clock)
    models = ReadModels(ledger)
    models.catch_up()
    rows, after = models.audit_trail.trail(AuditQuery(), limit=10_000)
    assert after is None
    events = [
        n.id
        for n in ledger.recorder.select_notifications(1, 10_000)
        if n.topic not in SIGNING_TOPICS  # which process wrote them: audit verify's to check
    ]
    assert [row.notification_id for row in rows] == events
    revoked = [row for row in rows if row.card_id == str(r.revoked)]
    assert [row.event for row in revoked] == [
        "Card.Applied",
        "Card.ReviewRecorded",
        "Card.ReviewRecorded",
        "Card.Issued",
        "Card.RevocationProposed",
        "Card.RevocationApproved",  # the same-level window forwards it
        "Card.RevocationApproved",
        "Card.Revoked",
    ]
    assert [row.version for row in revoked] == list(range(1, 9))
    last = revoked[-1]
    assert (last.actor, last.role, last.authority) == (
        "city_hrss.approver",
        "city_hrss",
        "liaocheng",
    )
    assert last.rules and last.policy_version == "liaocheng-2022"


def test_the_trail_is_queried_by_card_actor_authority_and_effective_dates(
    ledger: CardLedger, clock: FakeClock
):
    first, _ = ledger.apply(f.jinan_body("C"))
    clock.advance(days=2)
    second, _ = ledger.apply(f.apply_body())
    ledger.run(cc.REVIEW, second, f.review("city_hrss"))
    models = ReadModels(ledger)
    models.catch_up()
    trail = models.audit_trail.trail

    def events(query: AuditQuery) -> list[tuple[str, str]]:
        return [(row.card_id, row.event) for row in trail(query)[0]]

    assert events(AuditQuery(card_id=str(first))) == [(str(first), "Card.Applied")]
    assert events(AuditQuery(actor="city_hrss.reviewer")) == [(str(second), "Card.ReviewRecorded")]
    assert events(AuditQuery(authority="liaocheng")) == [
        (str(second), "Card.Applied"),
        (str(second), "Card.ReviewRecorded"),
    ]
    # the first filing (with its holder's reservation) on 3-2, the rest two days later
    early = trail(AuditQuery(until=date(2026, 3, 2)))[0]
    late = trail(AuditQuery(since=date(2026, 3, 3), until=date(2026, 3, 4)))[0]
    assert [row.event for row in early] == ["Card.Applied", "HolderReservation.ReservationOpened"]
    assert [row.event for row in late] == [
        "Card.Applied",
        "HolderReservation.ReservationOpened",
        "Card.ReviewRecorded",
    ]
    assert early[-1].notification_id < late[0].notification_id


def test_the_trail_pages_by_notification_id(ledger: CardLedger):
    for _ in range(3):
        ledger.apply(f.jinan_body("C"))
    models = ReadModels(ledger)
    models.catch_up()
    first, after = models.audit_trail.trail(AuditQuery(), limit=4)
    rest, end = models.audit_trail.trail(AuditQuery(), limit=4, after=after)
    events = [
        n.id for n in ledger.recorder.select_notifications(1, 100) if n.topic not in SIGNING_TOPICS
    ]
    assert [r.notification_id for r in first + rest] == events and len(events) == 6
    assert end is None


def test_exports_carry_no_names_or_identity_numbers(ledger: CardLedger, clock: FakeClock):
    scenario.build(ledger, clock)
    models = ReadModels(ledger)
    models.catch_up()
    rows, _ = models.audit_trail.trail(AuditQuery(), limit=10_000)
    as_csv, as_jsonl = io.BytesIO(), io.BytesIO()
    write_csv(rows, as_csv)
    write_jsonl(rows, as_jsonl)
    for data in (as_csv.getvalue().decode(), as_jsonl.getvalue().decode()):
        for secret in ("李雷", "韩梅梅", "李小雷", f.RESIDENT_ID[:10], "1949-12-31"):
            assert secret not in data
    parsed_csv = list(csv.DictReader(io.StringIO(as_csv.getvalue().decode())))
    parsed_jsonl = [json.loads(line) for line in as_jsonl.getvalue().decode().splitlines()]
    assert len(parsed_csv) == len(parsed_jsonl) == len(rows)
    assert parsed_csv[0]["event"] == parsed_jsonl[0]["event"] == "Card.Applied"
    assert int(parsed_csv[-1]["notification_id"]) == parsed_jsonl[-1]["notification_id"]


def test_a_note_that_looks_like_a_formula_opens_as_text_in_the_csv(ledger: CardLedger):
    formula = '=HYPERLINK("http://evil.example","open")'
    ledger.apply(f.apply_body(note=formula))
    models = ReadModels(ledger)
    models.catch_up()
    rows, _ = models.audit_trail.trail(AuditQuery(), limit=100)
    as_csv, as_jsonl = io.BytesIO(), io.BytesIO()
    write_csv(rows, as_csv)
    write_jsonl(rows, as_jsonl)
    notes = [r["note"] for r in csv.DictReader(io.StringIO(as_csv.getvalue().decode()))]
    assert "'" + formula in notes and formula not in notes
    assert formula in [json.loads(line)["note"] for line in as_jsonl.getvalue().splitlines()]


def test_a_recorded_use_is_in_the_trail_under_the_card_s_authority_with_its_rules(
    ledger: CardLedger,
):
    card_id = f.liaocheng_card(ledger)
    record, _ = ledger.redeem(card_id, f.redeem())
    models = ReadModels(ledger)
    models.catch_up()
    rows, _ = models.audit_trail.trail(AuditQuery(card_id=str(record.id)))
    assert [(row.event, row.actor, row.role, row.authority) for row in rows] == [
        ("BenefitUse.BenefitUseOpened", "zhang.cinema", "venue", "liaocheng"),
        ("BenefitUse.BenefitRedeemed", "zhang.cinema", "venue", "liaocheng"),
    ]
    assert "liaocheng.limit.films" in rows[1].rules.split(",")
