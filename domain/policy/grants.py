"""Which service items a card grants to one kind of beneficiary on a day: the item numbers
a credential carries (``items``, ``family_items``, ``companion_items``) and the
entitlements read model lists."""

from __future__ import annotations

from datetime import date

from domain.errors import InvalidInput
from domain.policy.catalogue import service_items
from domain.policy.entitlement import decide_entitlement
from domain.policy.results import Beneficiary, BeneficiaryKind, CardSnapshot

_NO_BENEFICIARY_RULE = "no_beneficiary_rule"


def granted_items(card: CardSnapshot, kind: BeneficiaryKind, day: date) -> frozenset[int]:
    """The numbers of the scheme's items the card grants to a ``kind`` beneficiary on
    ``day``; an item with parts counts when any part is granted. An item the scheme's
    rules name no beneficiary for is not granted to anyone (the data says nothing, so
    nothing is promised); every other refusal is the engine's own decision."""
    numbers = set()
    for item in service_items(card.scheme):
        for code in [p.code for p in item.parts] or [item.code]:
            try:
                decision = decide_entitlement(card, code, Beneficiary(kind=kind), day)
            except InvalidInput as e:
                if e.code != _NO_BENEFICIARY_RULE:
                    raise
                continue
            if decision.granted:
                numbers.add(item.number)
                break
    return frozenset(numbers)
