"""Whether a presented card is in force on a day: the check every venue makes first."""

from __future__ import annotations

from datetime import date

from domain.policy.results import CardSnapshot
from domain.vocabulary import CardStatus


def card_refusal(card: CardSnapshot, day: date) -> str | None:
    """Why the card cannot be used on ``day`` (not active, not yet valid, expired), or None.
    ``valid_until`` is inclusive: the card is usable on that day and expired the next."""
    if card.status != CardStatus.ACTIVE.value:
        return f"the card is {card.status}, not active"
    if day < card.valid_from:
        return f"the card is valid from {card.valid_from}, not yet on {day}"
    if card.valid_until is not None and day > card.valid_until:
        return f"the card expired after {card.valid_until}"
    return None
