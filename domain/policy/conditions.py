"""Conditions an article sets beyond the tier (事项条件), decided from the card where it
can, from what the clerk or venue has seen where it cannot, and otherwise left for them to
check (the decision's ``requires``)."""

from __future__ import annotations

from collections.abc import Mapping

from domain.policy.model import ItemConditionRule
from domain.policy.results import CardSnapshot


def condition_outcome(
    rule: ItemConditionRule, card: CardSnapshot, facts: Mapping[str, bool | str]
) -> bool | None:
    """True when met, False when it refuses, None while nothing decides it.

    The card's category meets it outright when listed; a fact given decides it either way;
    a condition of categories only refuses a card whose category is known and not listed.
    """
    if rule.categories and card.category is not None and card.category in rule.categories:
        return True
    given = facts.get(rule.fact) if rule.fact else None
    if isinstance(given, bool):
        return given
    if rule.categories and not rule.fact and card.category is not None:
        return False
    return None
