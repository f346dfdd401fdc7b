"""Status on a day, and the snapshot a venue sees: a card expires after its last valid
day without any event."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import DomainError
from domain.policy import CardSnapshot
from domain.vocabulary import CardStatus, Scheme
from tests.domain.factories import issued_card, reviewed_card


def test_a_card_expires_after_its_last_valid_day_without_any_event():
    card = issued_card(Scheme.JINAN, "C")
    assert card.status_on(date(2031, 3, 1)) is CardStatus.ACTIVE
    assert card.status_on(date(2031, 3, 2)) is CardStatus.EXPIRED
    assert "Expired" not in [type(e).__name__ for e in card.collect_events()]


def test_an_unissued_application_has_no_snapshot():
    card = reviewed_card()
    with pytest.raises(DomainError) as info:
        card.snapshot(date(2026, 3, 2))
    assert info.value.code == "not_issued"


def test_a_snapshot_shows_the_card_as_venues_see_it():
    card = issued_card(Scheme.JINAN, "C")
    assert card.snapshot(date(2026, 3, 2)) == CardSnapshot(
        scheme=Scheme.JINAN,
        tier="C",
        category="C",
        status="active",
        valid_from=date(2026, 3, 2),
        valid_until=date(2031, 3, 1),
        issued_on=date(2026, 3, 2),
    )
