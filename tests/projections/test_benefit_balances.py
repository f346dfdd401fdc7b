"""entitlements' balances: what is left of each counted item per beneficiary, from the
recorded uses in the log (Liaocheng art. 21 films, art. 22 care-home subsidy)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from domain.errors import IllegalTransition
from ledger.app import CardLedger
from projections.engine import ReadModels
from projections.entitlements import BenefitBalance
from tests import factories as f
from tests.conftest import FakeClock

TODAY = date(2026, 3, 2)
PARENT = {"relation": "parent", "name": "李父", "date_of_birth": "1950-01-01"}
PAY = {
    "actor": "sun.pay",
    "role": "paying_office",
    "venue": "聊城市民政局",
    "beneficiary": "parent",
    "in_city_care_home": True,
}


def left(balances: list[BenefitBalance]) -> dict[tuple[str, int, str], tuple[object, ...]]:
    """Per (beneficiary, family place, item): what is left this year, in all, in months."""
    return {
        (b.kind, b.family_member, b.item): tuple(
            (x.left_this_year, x.left_in_all, x.months_left) for x in b.balances
        )
        for b in balances
    }


def card_with_uses(ledger: CardLedger) -> tuple[UUID, UUID, UUID]:
    """A tier-B card with a parent: 5 films and 2 months of the subsidy recorded, one
    film reversed. Returns the card, the use record of the films, the reversed use."""
    card_id = f.liaocheng_card(ledger, family=(PARENT,))
    record, _ = ledger.redeem(card_id, f.redeem(quantity=4))
    _, mistaken = ledger.redeem(card_id, f.redeem())
    ledger.redeem(card_id, f.redeem("liaocheng.22", quantity=1, **PAY))
    ledger.reverse_redemption(record.id, card_id, f.reverse_redemption(mistaken.redemption_id))
    return card_id, record.id, mistaken.redemption_id


def test_each_beneficiary_s_counted_items_show_what_is_left(ledger: CardLedger):
    card_id, _, _ = card_with_uses(ledger)
    models = ReadModels(ledger)
    models.catch_up()
    assert left(models.entitlements.balances(card_id, TODAY)) == {
        ("holder", 0, "liaocheng.21.films"): ((8, 32, None),),
        ("parent", 1, "liaocheng.22"): ((None, None, 35),),
    }


def test_a_balance_names_the_limit_and_its_source(ledger: CardLedger):
    card_id, _, _ = card_with_uses(ledger)
    models = ReadModels(ledger)
    models.catch_up()
    films = models.entitlements.balances(card_id, TODAY)[0].balances[0]
    assert films.rule == "liaocheng.limit.films"
    assert films.source.startswith("liaocheng-2022-green-channel-rules art. 21")
    assert (films.per_year, films.in_all, films.until) == (12, 36, date(2029, 3, 1))


def test_a_new_calendar_year_gives_the_year_s_films_again_but_not_the_total(
    ledger: CardLedger,
):
    card_id, _, _ = card_with_uses(ledger)
    models = ReadModels(ledger)
    models.catch_up()
    next_year = left(models.entitlements.balances(card_id, date(2027, 1, 1)))
    assert next_year[("holder", 0, "liaocheng.21.films")] == ((12, 32, None),)


def test_a_balance_as_of_a_day_counts_only_the_uses_by_then(ledger: CardLedger, clock: FakeClock):
    card_id = f.liaocheng_card(ledger)
    clock.advance(days=3)
    ledger.redeem(card_id, f.redeem(quantity=3))
    models = ReadModels(ledger)
    models.catch_up()
    assert left(models.entitlements.balances(card_id, TODAY))[
        ("holder", 0, "liaocheng.21.films")
    ] == ((12, 36, None),)


def test_a_reversed_use_is_found_with_its_record_and_the_day_it_was_reversed(
    ledger: CardLedger,
):
    card_id, record_id, reversed_id = card_with_uses(ledger)
    models = ReadModels(ledger)
    models.catch_up()
    found = models.entitlements.recorded_use(reversed_id)
    assert found is not None
    assert (found.use_id, found.card_id, found.reversed_on) == (
        str(record_id),
        str(card_id),
        TODAY.isoformat(),
    )


def test_a_rebuild_from_the_log_gives_the_same_balances(ledger: CardLedger):
    card_id, _, _ = card_with_uses(ledger)
    models = ReadModels(ledger)
    models.catch_up()
    live, checksum = models.entitlements.balances(card_id, TODAY), models.checksum()
    models.rebuild(["entitlements"])
    assert models.entitlements.balances(card_id, TODAY) == live
    assert models.checksum() == checksum


def test_a_card_never_issued_has_no_balances(ledger: CardLedger):
    card_id, _ = ledger.apply(f.apply_body())
    models = ReadModels(ledger)
    models.catch_up()
    with pytest.raises(IllegalTransition, match="not issued"):
        models.entitlements.balances(card_id, TODAY)
