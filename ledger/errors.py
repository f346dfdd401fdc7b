"""Errors the ledger raises around the domain's own: a missing card, a lost race."""

from __future__ import annotations

from domain.errors import DomainError


class CardNotFound(DomainError):
    """No card has that id."""

    code = "card_not_found"


class ConcurrencyConflict(DomainError):
    """Another command changed the card first; nothing was written. Reload and retry."""

    code = "conflict"
