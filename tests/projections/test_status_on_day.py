"""The read models' SQL decides a card's status on a day as the domain does.

``card list --status`` and ``stats --by status`` filter and count in SQL, which cannot call
``domain.card_status.status_on``; these tests generate cards (recorded status, term,
day asked about) and hold both stores' answers to the domain function's."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.card_status import status_on
from domain.vocabulary import CardStatus
from ledger.app import CardLedger
from projections import card_current, statistics
from projections.card_current import CardFilter
from projections.engine import ReadModels

RECORDED = [s for s in CardStatus if s is not CardStatus.EXPIRED]
DAY0 = date(2026, 3, 2)


@dataclass(frozen=True)
class Generated:
    """A card as a read model row holds it, and the day asked about."""

    recorded: CardStatus
    valid_from: date | None
    valid_until: date | None


def days(span: int = 5) -> st.SearchStrategy[date]:
    """Days close together, so terms end before, on and after the day asked about."""
    return st.integers(-span, span).map(lambda n: DAY0 + timedelta(days=n))


cards = st.builds(
    Generated,
    recorded=st.sampled_from(RECORDED),
    valid_from=st.none() | days(),
    valid_until=st.none() | days(),
)
examples = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _text(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _store(models: ReadModels, generated: list[Generated]) -> list[str]:
    """Replace both read models' rows by the generated cards; their ids in order."""
    ids = [f"card-{i:04d}" for i in range(len(generated))]
    current, counted = models.card_current, models.statistics
    with current.view.transaction() as cursor:
        current.clear(cursor)
        counted.clear(cursor)
        current.save(
            cursor,
            card_current.CARDS,
            [_current(i, g) for i, g in zip(ids, generated, strict=True)],
        )
        counted.save(
            cursor, statistics.FILES, [_counted(i, g) for i, g in zip(ids, generated, strict=True)]
        )
    return ids


def _current(card_id: str, card: Generated) -> dict[str, Any]:
    row = dict.fromkeys(card_current.CARDS.column_names, "")
    row.update(
        card_id=card_id,
        filed_at=1,
        status=str(card.recorded),
        approved=0,
        next_stage=None,
        valid_from=_text(card.valid_from),
        valid_until=_text(card.valid_until),
        version=1,
    )
    return row


def _counted(card_id: str, card: Generated) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(statistics.FILES.column_names)
    row.update(card_id=card_id, status=str(card.recorded), valid_until=_text(card.valid_until))
    return row


def _expected(card: Generated, day: date) -> CardStatus:
    return status_on(card.recorded, card.valid_until, day)


def test_card_list_filters_each_status_as_the_domain_decides_it(ledger: CardLedger):
    models = ReadModels(ledger)

    @examples
    @given(generated=st.lists(cards, max_size=12), day=days(7))
    def check(generated: list[Generated], day: date) -> None:
        ids = _store(models, generated)
        for status in CardStatus:
            listed = models.card_current.list_cards(
                CardFilter(status=str(status)), as_of=day, limit=500
            ).rows
            wanted = [i for i, g in zip(ids, generated, strict=True) if _expected(g, day) is status]
            assert [row.card_id for row in listed] == wanted, status
            assert {row.status for row in listed} <= {str(status)}

    check()


def test_a_listed_row_shows_the_status_the_domain_decides(ledger: CardLedger):
    models = ReadModels(ledger)

    @examples
    @given(generated=st.lists(cards, max_size=12), day=days(7))
    def check(generated: list[Generated], day: date) -> None:
        _store(models, generated)
        listed = models.card_current.list_cards(CardFilter(), as_of=day, limit=500).rows
        assert [row.status for row in listed] == [str(_expected(g, day)) for g in generated]

    check()


def test_statistics_count_each_status_as_the_domain_decides_it(ledger: CardLedger):
    models = ReadModels(ledger)

    @examples
    @given(generated=st.lists(cards, max_size=12), day=days(7))
    def check(generated: list[Generated], day: date) -> None:
        _store(models, generated)
        counted = models.statistics.counts("status", as_of=day)
        assert counted == dict(Counter(str(_expected(g, day)) for g in generated))

    check()
