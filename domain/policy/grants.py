"""Which service items a card grants to a beneficiary on a day: the item numbers a
credential carries (``items``, ``family_items``, ``companion_items``) and the item codes
the entitlements read model lists. One reading, so the two never disagree."""

from __future__ import annotations

from datetime import date

from domain.errors import InvalidInput
from domain.policy.catalogue import service_items
from domain.policy.entitlement import decide_entitlement
from domain.policy.results import Beneficiary, BeneficiaryKind, CardSnapshot

_NO_BENEFICIARY_RULE = "no_beneficiary_rule"


def grants(card: CardSnapshot, code: str, beneficiary: Beneficiary, day: date) -> bool:
    """Whether the card grants the item (or item part) ``code`` to ``beneficiary`` on
    ``day``. An item the scheme's rules name no beneficiary for is granted to no one (the
    data says nothing, so nothing is promised); every other refusal is the engine's own
    decision, and any other error is raised."""
    try:
        return decide_entitlement(card, code, beneficiary, day).granted
    except InvalidInput as e:
        if e.code != _NO_BENEFICIARY_RULE:
            raise
        return False


def granted_codes(card: CardSnapshot, beneficiary: Beneficiary, day: date) -> tuple[str, ...]:
    """The codes of every item, or item part, the card grants to ``beneficiary``."""
    return tuple(
        code
        for item in service_items(card.scheme)
        for code in [p.code for p in item.parts] or [item.code]
        if grants(card, code, beneficiary, day)
    )


def granted_items(card: CardSnapshot, kind: BeneficiaryKind, day: date) -> frozenset[int]:
    """The numbers of the items the card grants to a ``kind`` beneficiary; an item with
    parts counts when any part is granted."""
    person = Beneficiary(kind=kind)
    return frozenset(
        item.number
        for item in service_items(card.scheme)
        if any(
            grants(card, code, person, day) for code in [p.code for p in item.parts] or [item.code]
        )
    )
