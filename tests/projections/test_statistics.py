"""statistics: files counted by scheme, tier, status, authority and month filed."""

from __future__ import annotations

from datetime import date

import pytest

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
    ledger.issue(card_id, f.issue())
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
