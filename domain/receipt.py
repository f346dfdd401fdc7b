"""Command receipts (回执): what a command done under a caller's idempotency key answered,
saved in the same transaction as the command's own events, so a retried request (after a
lost answer, a restart, or on another worker) gets the first answer back and never files
a second application or records a second use.
"""

from __future__ import annotations

from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.values import Context, Value

_NAMESPACE = UUID("9b7f3c1e-52f4-4f53-a8a8-0a6f0e1c2d34")


def receipt_id(user_id: UUID, key: str) -> UUID:
    """One receipt per user and idempotency key: another user's key never collides."""
    return uuid5(_NAMESPACE, f"{user_id}:{key}")


class Outcome(Value, frozen=True):
    """What a command changed: the card and its new version, and the recorded use a
    redemption or its reversal concerned."""

    card_id: UUID
    version: int
    redemption_id: UUID | None = None


class CommandReceipt(Aggregate):
    """The answer to one command done under an idempotency key: the request's fingerprint
    (a different request under the same key is refused, not answered) and the outcome."""

    @staticmethod
    def create_id(user_id: UUID, key: str) -> UUID:
        return receipt_id(user_id, key)

    class CommandReceipted(Aggregate.Created):
        """A command done under an idempotency key answered this."""

        ctx: Context
        user_id: UUID
        key: str
        fingerprint: str
        outcome: Outcome

    @event(CommandReceipted)
    def __init__(
        self, ctx: Context, user_id: UUID, key: str, fingerprint: str, outcome: Outcome
    ) -> None:
        self.user_id = user_id
        self.key = key
        self.fingerprint = fingerprint
        self.outcome = outcome
        self.recorded_at = ctx.recorded_at
