"""The ledger's signed checkpoints (检查点), in the order they were made: one event per
checkpoint, so they are stored append-only by the same guarded table as every card's
history, and two processes checkpointing at once cannot both record one (the second
loses on the version, as any concurrent change does).

With each checkpoint the hashes of the leaves it adds are recorded too (``LeafHashes``,
in batches that fit an event), as a CT log keeps its tree: they are what the signed root
was computed from, so when an event is later changed in the table the first position whose
event no longer hashes to its recorded leaf names where, not only that, history changed.

Neither is a leaf of the tree it signs (signing.merkle): checkpoints are chained to each
other by consistency proofs, and a leaf for each would make every checkpoint find one new
event to sign.
"""

from __future__ import annotations

from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError, InvalidInput
from domain.values import Context

_NAMESPACE = UUID("5f0b8a53-1c1e-4d0e-9d38-7b8f3e4f2a11")
TREE_HEADS_ID = uuid5(_NAMESPACE, "tree-heads")
LEAF_HASH_BYTES = 32
LEAVES_PER_BATCH = 3_500
"""3,500 hashes of 32 bytes make 112 KB: inside the store's largest event (128 KiB)."""


def leaf_batch_id(start: int) -> UUID:
    """The id of the batch of leaf hashes that starts at tree position ``start``."""
    return uuid5(_NAMESPACE, f"leaf-hashes:{start}")


def leaf_batch_starts(previous_size: int, size: int) -> range:
    """Where the batches a checkpoint from ``previous_size`` to ``size`` records start."""
    return range(previous_size, size, LEAVES_PER_BATCH)


class CheckpointNotNewer(DomainError):
    """A checkpoint that covers no event the last one did not."""

    code = "checkpoint_not_newer"


class TreeHeads(Aggregate):
    """Every checkpoint the registry signed: tree size, root hash and the signed bytes."""

    @staticmethod
    def create_id() -> UUID:
        return TREE_HEADS_ID

    class Started(Aggregate.Created):
        """The store's checkpoints were started."""

        ctx: Context

    @event(Started)
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.size = 0
        self.root = b""

    def record(self, ctx: Context, *, size: int, root: bytes, signed: bytes) -> None:
        """Record a checkpoint over ``size`` leaves: refused unless it covers more than the
        last one (the consistency of the two is the caller's to prove before signing)."""
        if size <= self.size:
            raise CheckpointNotNewer(
                f"the last checkpoint already covers {self.size} events; the log has {size}",
                rule="a checkpoint covers every event of the last one and more (RFC 9162 §2.1.4)",
            )
        self._checkpointed(ctx, size, root, signed)

    class Checkpointed(Aggregate.Event):
        """A checkpoint over ``size`` leaves was signed."""

        ctx: Context
        size: int
        root: bytes
        signed: bytes

    @event(Checkpointed)
    def _checkpointed(self, ctx: Context, size: int, root: bytes, signed: bytes) -> None:
        self.ctx = ctx
        self.size = size
        self.root = root


class LeafHashes(Aggregate):
    """The hashes of the leaves at positions ``start`` … ``start + count - 1``, recorded
    with the checkpoint that first covered them; written once, never changed."""

    @staticmethod
    def create_id(start: int) -> UUID:
        return leaf_batch_id(start)

    @classmethod
    def record(cls, start: int, hashes: bytes) -> LeafHashes:
        """A batch of whole 32-byte hashes, at most :data:`LEAVES_PER_BATCH` of them."""
        count, rest = divmod(len(hashes), LEAF_HASH_BYTES)
        if rest or not 0 < count <= LEAVES_PER_BATCH:
            raise InvalidInput(
                f"a batch holds 1 to {LEAVES_PER_BATCH} whole {LEAF_HASH_BYTES}-byte hashes, "
                f"not {len(hashes)} bytes"
            )
        return cls(start=start, hashes=hashes)

    class Recorded(Aggregate.Created):
        """A batch of leaf hashes was recorded with the checkpoint that covered it."""

        start: int
        hashes: bytes

    @event(Recorded)
    def __init__(self, start: int, hashes: bytes) -> None:
        self.start = start
        self.hashes = hashes
