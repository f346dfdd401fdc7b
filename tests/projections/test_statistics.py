"""statistics: files counted by scheme, tier, status, authority and month filed."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

import ledger.card_commands as cc
from ledger import commands as c
from ledger.app import CardLedger
from projections.engine import ReadModels
from tests import factories as f
from tests.conftest import FakeClock
from tests.projections import scenario


def test_files_are_counted_by_scheme_status_and_authority(ledger: CardLedger, clock: FakeClock):
    scenario.build(ledger, clock)
    models = ReadModels(ledger)
    models.catch_up()
    counts = models.statistics.counts
    today = date(2026, 3, 2)
    assert counts("scheme", as_of=today) == {"jinan": 1, "liaocheng": 2, "shandong": 2, "weihai": 2}
    assert counts("authority", as_of=today) == counts("scheme", as_of=today)
    assert counts("status", as_of=today) == {
        "active": 2,
        "rejected": 1,
        "revoked": 1,
        "suspended": 1,
        "under_review": 1,
        "withdrawn": 1,
    }
    assert counts("tier", as_of=today)["A"] == 1


def test_a_card_past_its_term_is_counted_as_expired_on_a_later_date(ledger: CardLedger):
    card_id, _ = ledger.apply(f.jinan_body("C"))
    ledger.run(cc.ISSUE, card_id, f.issue())
    models = ReadModels(ledger)
    models.catch_up()
    assert models.statistics.counts("status", as_of=date(2026, 3, 2)) == {"active": 1}
    assert models.statistics.counts("status", as_of=date(2040, 1, 1)) == {"expired": 1}


def test_files_are_counted_by_the_month_they_were_filed_in_shanghai(
    ledger: CardLedger, clock: FakeClock
):
    clock.now = clock.now.replace(day=31, month=3, hour=17)  # 01:00 on April 1st in Shanghai
    ledger.apply(f.jinan_body("C"))
    clock.now = clock.now.replace(hour=10)
    ledger.apply(f.jinan_body("C"))
    models = ReadModels(ledger)
    models.catch_up()
    assert models.statistics.counts("month", as_of=date(2026, 4, 2)) == {
        "2026-03": 1,
        "2026-04": 1,
    }


def test_grouping_by_an_unknown_column_is_refused(ledger: CardLedger):
    with pytest.raises(ValueError, match="cannot group by"):
        ReadModels(ledger).statistics.counts("holder_name", as_of=date(2026, 3, 2))


def shandong_direct(ledger: CardLedger, serial: int) -> UUID:
    """A Shandong direct file, received by the provincial window at once (its deadline
    clock: 7 working days)."""
    card_id, _ = ledger.apply(f.shandong_body(holder=f.holder(f.resident_id(serial))))
    window = "provincial_window"
    ledger.run(cc.RECEIVE, card_id, c.ReceiveBody(actor="sun", role=window, window=window))  # type: ignore[arg-type]
    return card_id


def issue_shandong(ledger: CardLedger, card_id: UUID) -> None:
    f.approve_all(ledger, card_id)
    ledger.run(cc.ISSUE, card_id, f.issue())


def test_each_file_s_deadline_is_met_missed_pending_or_overdue_as_of_the_day_asked(
    ledger: CardLedger, clock: FakeClock
):
    on_time = shandong_direct(ledger, 1)  # received Mon 2026-03-02: due Wed 2026-03-11
    late = shandong_direct(ledger, 2)
    waiting = shandong_direct(ledger, 3)
    issue_shandong(ledger, on_time)
    clock.advance(days=12)  # 2026-03-14
    issue_shandong(ledger, late)
    models = ReadModels(ledger)
    models.catch_up()
    states = {
        d.card_id: (d.due_on, d.state) for d in models.statistics.deadlines(date(2026, 3, 10))
    }
    assert states == {
        str(on_time): ("2026-03-11", "met"),
        str(late): ("2026-03-11", "missed"),
        str(waiting): ("2026-03-11", "pending"),
    }
    overdue = models.statistics.overdue(date(2026, 3, 12))
    assert {d.card_id: d.state for d in overdue} == {
        str(late): "missed",
        str(waiting): "overdue",
    }


def test_a_clock_with_no_fixed_count_is_listed_without_a_due_date(ledger: CardLedger):
    card_id, _ = ledger.apply(f.apply_body(holder=f.holder(f.resident_id(4))))  # Liaocheng
    ledger.run(cc.RECEIVE, card_id, c.ReceiveBody(actor="li", role="city_hrss", window="city_hrss"))  # type: ignore[arg-type]
    models = ReadModels(ledger)
    models.catch_up()
    [deadline] = models.statistics.deadlines(date(2030, 1, 1))
    assert (deadline.due_on, deadline.working_days, deadline.state) == (
        None,
        None,
        "no_fixed_deadline",
    )
    assert models.statistics.overdue(date(2030, 1, 1)) == []


def test_liaocheng_art_13_sla_lists_the_spouse_transfer_month_until_it_is_done(
    ledger: CardLedger, clock: FakeClock
):
    from datetime import UTC, datetime

    import msgspec

    spouse = {"relation": "spouse", "name": "韩梅梅", "date_of_birth": "1980-03-04"}
    card_id = f.liaocheng_card(ledger, family=(spouse,))
    clock.now = datetime(2026, 12, 8, 2, tzinfo=UTC)

    def transfer(step: str) -> c.SpouseTransferBody:
        fields = {"actor": "liu.hrss", "role": "city_hrss", "step": step}
        facts = {"spouse_public_payroll_transferable": True}
        return msgspec.convert({**fields, "facts": facts}, c.SpouseTransferBody)

    ledger.run(cc.SPOUSE_TRANSFER, card_id, transfer("requested"))
    models = ReadModels(ledger)
    models.catch_up()
    (late,) = models.statistics.overdue(date(2027, 1, 9))
    assert (late.card_id, late.clock, late.starts_on, late.due_on, late.state) == (
        str(card_id),
        "spouse_transfer",
        "2026-12-08",
        "2027-01-08",
        "overdue",
    )
    clock.now = datetime(2027, 1, 5, 2, tzinfo=UTC)
    ledger.run(cc.SPOUSE_TRANSFER, card_id, transfer("completed"))
    models.catch_up()
    listed = models.statistics.deadlines(date(2027, 2, 1))
    (done,) = [d for d in listed if d.card_id == str(card_id)]
    assert (done.state, done.done_on) == ("met", "2027-01-05")


def test_liaocheng_art_13_a_transfer_clock_on_a_card_revoked_before_it_was_done_is_closed(
    ledger: CardLedger, clock: FakeClock
):
    from datetime import UTC, datetime

    import msgspec

    spouse = {"relation": "spouse", "name": "韩梅梅", "date_of_birth": "1980-03-04"}
    card_id = f.liaocheng_card(ledger, family=(spouse,))
    clock.now = datetime(2026, 12, 8, 2, tzinfo=UTC)
    fields = {"actor": "liu.hrss", "role": "city_hrss", "step": "requested"}
    facts = {"spouse_public_payroll_transferable": True}
    asked = msgspec.convert({**fields, "facts": facts}, c.SpouseTransferBody)
    ledger.run(cc.SPOUSE_TRANSFER, card_id, asked)
    f.revoke(ledger, card_id)
    models = ReadModels(ledger)
    models.catch_up()
    assert models.statistics.overdue(date(2027, 3, 1)) == []
    (closed,) = [
        d for d in models.statistics.deadlines(date(2027, 3, 1)) if d.clock == "spouse_transfer"
    ]
    assert closed.state == "closed"
