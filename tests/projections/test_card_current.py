"""card_current: one row per card, listed with filters and a cursor."""

from __future__ import annotations

from datetime import date

import ledger.card_commands as cc
from ledger.app import CardLedger
from projections.card_current import CardFilter, CardRow
from projections.engine import ReadModels
from tests import factories as f
from tests.conftest import FakeClock
from tests.projections import scenario

TODAY = date(2026, 3, 2)
ANY = CardFilter()


def listed(models: ReadModels, where: CardFilter = ANY, as_of: date = TODAY) -> list[CardRow]:
    return models.card_current.list_cards(where, as_of=as_of, limit=500).rows


def test_every_card_is_listed_with_its_recorded_status_across_the_four_schemes(
    ledger: CardLedger, clock: FakeClock
):
    r = scenario.build(ledger, clock)
    models = ReadModels(ledger)
    models.catch_up()
    by_id = {row.card_id: row for row in listed(models)}
    assert {k: (v.scheme, v.status) for k, v in by_id.items()} == {
        str(r.applied): ("weihai", "under_review"),
        str(r.rejected): ("shandong", "rejected"),
        str(r.withdrawn): ("weihai", "withdrawn"),
        str(r.issued): ("shandong", "active"),
        str(r.upgraded): ("liaocheng", "active"),
        str(r.suspended): ("jinan", "suspended"),
        str(r.revoked): ("liaocheng", "revoked"),
    }
    upgraded = by_id[str(r.upgraded)]
    assert (upgraded.tier, upgraded.last_event, upgraded.version) == (
        "A",
        "Upgraded",
        ledger.get_card(r.upgraded).version,
    )
    term = ledger.get_card(r.upgraded).term
    assert term is not None
    assert (upgraded.valid_from, upgraded.valid_until) == (str(term.valid_from), None)


def test_an_application_under_review_shows_the_stage_that_decides_next(ledger: CardLedger):
    card_id, _ = ledger.apply(f.apply_body())
    models = ReadModels(ledger)
    models.catch_up()
    before = models.card_current.get(str(card_id), as_of=TODAY)
    ledger.run(cc.REVIEW, card_id, f.review("city_hrss"))
    models.catch_up()
    after = models.card_current.get(str(card_id), as_of=TODAY)
    assert before is not None and after is not None
    assert (before.next_stage, after.next_stage) == ("city_hrss", "talent_office")


def test_an_active_card_past_its_valid_until_is_listed_as_expired_on_a_later_date(
    ledger: CardLedger,
):
    card_id, _ = ledger.apply(f.jinan_body("C"))
    ledger.run(cc.ISSUE, card_id, f.issue())
    models = ReadModels(ledger)
    models.catch_up()
    row = models.card_current.get(str(card_id), as_of=TODAY)
    assert row is not None and row.valid_until is not None
    later = date.fromisoformat(row.valid_until).replace(year=2040)
    assert [c.card_id for c in listed(models, CardFilter(status="active"))] == [str(card_id)]
    assert listed(models, CardFilter(status="expired")) == []
    assert [c.card_id for c in listed(models, CardFilter(status="expired"), as_of=later)] == [
        str(card_id)
    ]
    assert listed(models, CardFilter(status="active"), as_of=later) == []


def test_the_list_filters_by_scheme_authority_tier_status_and_sponsor(
    ledger: CardLedger, clock: FakeClock
):
    r = scenario.build(ledger, clock)
    models = ReadModels(ledger)
    models.catch_up()

    def ids(**where: str) -> set[str]:
        return {row.card_id for row in listed(models, CardFilter(**where))}

    assert ids(scheme="liaocheng") == {str(r.upgraded), str(r.revoked)}
    assert ids(authority="jinan") == {str(r.suspended)}
    assert ids(scheme="liaocheng", tier="A") == {str(r.upgraded)}
    assert ids(status="suspended") == {str(r.suspended)}
    assert ids(sponsor_name="威海职业学院") == {str(r.applied)}
    assert ids(sponsor_kind="investment_department") == {str(r.withdrawn)}


def test_pages_follow_the_cursor_without_repeating_or_skipping_a_card(ledger: CardLedger):
    cards = {str(ledger.apply(f.jinan_body("C"))[0]) for _ in range(7)}
    models = ReadModels(ledger)
    models.catch_up()
    seen: list[str] = []
    after = None
    while True:
        page = models.card_current.list_cards(CardFilter(), as_of=TODAY, limit=3, after=after)
        assert len(page.rows) <= 3
        seen.extend(row.card_id for row in page.rows)
        after = page.next_after
        if after is None:
            break
    assert len(seen) == len(set(seen)) == 7
    assert set(seen) == cards
