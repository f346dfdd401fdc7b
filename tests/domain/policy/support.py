"""Small builders shared by the policy tests."""

from __future__ import annotations

from datetime import date

from domain.policy import (
    Beneficiary,
    BeneficiaryKind,
    CardSnapshot,
    EntitlementDecision,
    Policy,
    decide_entitlement,
)
from domain.vocabulary import Scheme


def card(
    scheme: Scheme,
    tier: str,
    *,
    valid_from: date = date(2024, 1, 10),
    valid_until: date | None = date(2029, 1, 9),
    issued_on: date | None = None,
    status: str = "active",
    category: str | None = None,
) -> CardSnapshot:
    """An active card, valid 2024-01-10..2029-01-09 unless told otherwise."""
    return CardSnapshot(
        scheme=scheme,
        tier=tier,
        category=category,
        status=status,
        valid_from=valid_from,
        valid_until=valid_until,
        issued_on=issued_on or valid_from,
    )


HOLDER = Beneficiary(kind=BeneficiaryKind.HOLDER)
SPOUSE = Beneficiary(kind=BeneficiaryKind.SPOUSE)
COMPANION = Beneficiary(kind=BeneficiaryKind.COMPANION)


def child(born: date) -> Beneficiary:
    """A child of the holder born on ``born``."""
    return Beneficiary(kind=BeneficiaryKind.CHILD, date_of_birth=born)


def parent(born: date, *, in_care_home: bool = True) -> Beneficiary:
    """A parent of the holder born on ``born``."""
    return Beneficiary(
        kind=BeneficiaryKind.PARENT, date_of_birth=born, in_city_care_home=in_care_home
    )


def at_venue(
    venue: Scheme,
    item: str,
    presented: CardSnapshot,
    day: date,
    *,
    beneficiary: Beneficiary | None = None,
    policy: Policy | None = None,
) -> EntitlementDecision:
    """The decision at a ``venue`` city for the card's holder (or ``beneficiary``)."""
    return decide_entitlement(
        presented, item, beneficiary or HOLDER, day, venue=venue, policy=policy
    )
