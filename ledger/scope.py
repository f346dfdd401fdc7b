"""How the application services bound one command: who may reach the card, and the
receipt saved with the command's events (``domain.receipt``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from domain.card import Card
from domain.receipt import CommandReceipt, Outcome
from domain.values import Context


@dataclass(frozen=True, kw_only=True)
class CommandScope:
    """``guard`` sees the card as loaded, before the domain decides anything, and raises
    to stop the command (jurisdiction: a card outside the caller's is ``CardNotFound``);
    ``receipt`` builds the receipt saved in the same transaction as the command's events,
    from the command's context and outcome."""

    guard: Callable[[Card], None] | None = None
    receipt: Callable[[Context, Outcome], CommandReceipt] | None = None

    def check(self, card: Card) -> None:
        """Run the guard on the card, if there is one."""
        if self.guard is not None:
            self.guard(card)

    def receipt_for(self, ctx: Context, outcome: Outcome) -> CommandReceipt | None:
        """The receipt to save with the command, if one was asked for."""
        return None if self.receipt is None else self.receipt(ctx, outcome)


UNSCOPED = CommandScope()
