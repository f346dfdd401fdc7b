"""One live card per person per scheme: the reservation refuses a second live filing."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.errors import DomainError
from domain.reservation import ENDED, HolderReservation, reservation_id
from domain.vocabulary import CardStatus
from tests.domain.factories import ctx


def opened() -> HolderReservation:
    return HolderReservation.open(ctx(), reservation_id("key"), uuid4())


def test_the_reservation_id_is_the_same_for_the_same_key_only():
    assert reservation_id("a") == reservation_id("a")
    assert reservation_id("a") != reservation_id("b")


def test_opening_gives_the_place_to_the_first_card_in_one_event():
    card_id = uuid4()
    reservation = HolderReservation.open(ctx(), reservation_id("key"), card_id)
    assert reservation.id == reservation_id("key")
    assert reservation.card_id == card_id
    assert len(reservation.collect_events()) == 1


@pytest.mark.parametrize(
    "status", [CardStatus.UNDER_REVIEW, CardStatus.ACTIVE, CardStatus.SUSPENDED]
)
def test_a_live_card_keeps_the_place(status: CardStatus):
    reservation = opened()
    held = reservation.card_id
    with pytest.raises(DomainError) as info:
        reservation.claim(ctx(), uuid4(), status)
    assert info.value.code == "already_holds_card"
    assert str(held) not in str(info.value)
    assert reservation.card_id == held


@pytest.mark.parametrize("status", sorted(ENDED))
def test_an_ended_card_gives_the_place_to_the_next_application(status: CardStatus):
    reservation = opened()
    new = uuid4()
    reservation.claim(ctx(), new, status)
    assert reservation.card_id == new


def test_every_status_is_either_live_or_ended():
    live = {CardStatus.UNDER_REVIEW, CardStatus.ACTIVE, CardStatus.SUSPENDED}
    assert live | ENDED == set(CardStatus)
