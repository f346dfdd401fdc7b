"""The ledger's signed checkpoints (检查点), in the order they were made: one event per
checkpoint, so they are stored append-only by the same guarded table as every card's
history, and two processes checkpointing at once cannot both record one (the second
loses on the version, as any concurrent change does).

The checkpoints are not leaves of the tree they sign (signing.merkle): each is chained to
the one before it by a consistency proof, checked before it is signed, and a leaf for
each checkpoint would make every checkpoint find one new event to sign.
"""

from __future__ import annotations

from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError
from domain.values import Context

TREE_HEADS_ID = uuid5(UUID("5f0b8a53-1c1e-4d0e-9d38-7b8f3e4f2a11"), "tree-heads")


class CheckpointNotNewer(DomainError):
    """A checkpoint that covers no event the last one did not."""

    code = "checkpoint_not_newer"


class TreeHeads(Aggregate):
    """Every checkpoint the registry signed: tree size, root hash and the signed bytes."""

    @staticmethod
    def create_id() -> UUID:
        return TREE_HEADS_ID

    @event("Started")
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.size = 0
        self.root = b""
        self.count = 0

    def record(self, ctx: Context, *, size: int, root: bytes, signed: bytes) -> None:
        """Record a checkpoint over ``size`` leaves: refused unless it covers more than the
        last one (the consistency of the two is the caller's to prove before signing)."""
        if size <= self.size:
            raise CheckpointNotNewer(
                f"the last checkpoint already covers {self.size} events; the log has {size}",
                rule="a checkpoint covers every event of the one before it and more",
            )
        self._checkpointed(ctx, size, root, signed)

    @event("Checkpointed")
    def _checkpointed(self, ctx: Context, size: int, root: bytes, signed: bytes) -> None:
        self.ctx = ctx
        self.size = size
        self.root = root
        self.count += 1
