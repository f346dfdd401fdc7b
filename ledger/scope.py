"""How the application services bound one command: who may reach the card, and the
receipt saved with the command's events (``domain.receipt``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from domain.card import Card
from domain.jurisdiction import FileScope
from domain.receipt import CommandReceipt, Outcome
from domain.values import Context


@dataclass(frozen=True, kw_only=True)
class CommandScope:
    """``guard`` sees the card as loaded, before the domain decides anything, and raises
    to stop the command (jurisdiction: a card outside the caller's is ``CardNotFound``);
    ``files`` sees a new filing's file (from the body alone) before anything the filing
    names is looked up, and raises to stop it; ``reads`` says whether a card a command
    names but does not act on (an application's basis) exists for the caller: one it may
    not see is answered as a card that does not exist. ``receipt`` builds the receipt
    saved in the same transaction as the command's events, from the command's context and
    outcome."""

    guard: Callable[[Card], None] | None = None
    files: Callable[[FileScope], None] | None = None
    reads: Callable[[Card], bool] | None = None
    receipt: Callable[[Context, Outcome], CommandReceipt] | None = None

    def check(self, card: Card) -> None:
        """Run the guard on the card, if there is one."""
        if self.guard is not None:
            self.guard(card)

    def check_filing(self, file: FileScope) -> None:
        """Run the filing check on a new file, if there is one."""
        if self.files is not None:
            self.files(file)

    def may_read(self, card: Card) -> bool:
        """Whether a card the command names exists for the caller (unscoped: every card)."""
        return self.reads is None or self.reads(card)

    def receipt_for(self, ctx: Context, outcome: Outcome) -> CommandReceipt | None:
        """The receipt to save with the command, if one was asked for."""
        return None if self.receipt is None else self.receipt(ctx, outcome)


UNSCOPED = CommandScope()
