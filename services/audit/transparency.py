"""Tamper evidence (防篡改): the Merkle tree over the ledger's events, signed checkpoints,
inclusion and consistency proofs (RFC 9162's design, signing.merkle).

Leaves are the stored events in log order (ledger.leaves), numbered from 0 by the tree
itself: notification ids can skip (a PostgreSQL sequence leaves gaps), positions cannot.
The checkpoints' own events (domain.tree_head) are not leaves.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from uuid import UUID

import msgspec
from eventsourcing.persistence import Notification

from domain.clock import Clock
from domain.errors import DomainError, InvalidInput
from domain.tree_head import (
    LEAF_HASH_BYTES,
    LEAVES_PER_BATCH,
    TREE_HEADS_ID,
    CheckpointNotNewer,
    LeafHashes,
    TreeHeads,
    leaf_batch_id,
    leaf_batch_starts,
)
from domain.values import Context
from domain.vocabulary import Role
from ledger.app import CardLedger
from ledger.event_keys import EventKeys
from ledger.leaves import NOT_LEAVES, SALT_PURPOSE, Leaf, make_leaf
from ledger.sealing import key_ids
from services.audit.signatures import SignatureFinding, SignatureReport, SignatureWalk
from services.issuance import event_key_record
from signing import merkle
from signing.checkpoint import TreeHead, sign_checkpoint, unverified_head
from signing.keys import LOG, Keystore, KeystoreError
from signing.trust import trusted_key

_PAGE = 2_000


class LogRewritten(DomainError):
    """The log no longer extends a checkpoint it signed: events before it were changed,
    removed, reordered or inserted."""

    code = "log_rewritten"


class EventsNotSigned(DomainError):
    """Events in the log that their event signatures do not prove: the checkpoint would
    sign history that the registry's process did not write."""

    code = "events_not_signed"

    def __init__(self, findings: Sequence[SignatureFinding]) -> None:
        named = "; ".join(
            f"{f.aggregate} v{f.version} at position {f.position}: {f.code}" for f in findings[:5]
        )
        more = f" and {len(findings) - 5} more" if len(findings) > 5 else ""
        super().__init__(
            f"{len(findings)} event(s) not proven by an event signature ({named}{more}); "
            "run `talentcard audit verify` on an export for every finding",
            rule="every event is signed by the registry's event key (issue 23)",
        )
        self.findings = list(findings)


class UnknownCheckpoint(DomainError):
    """No checkpoint of that size was signed."""

    code = "unknown_checkpoint"


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """One leaf of the tree with the stored event it was made from."""

    position: int
    notification_id: int
    originator_id: UUID
    originator_version: int
    topic: str
    leaf: Leaf
    state: bytes = b""  # the stored state (its sealed holder goes into a full export)


class InclusionProof(msgspec.Struct, frozen=True, kw_only=True):
    """That the event at ``position`` is leaf ``position`` of the tree of ``size``: hash
    the leaf (``leaf_hash``), fold in ``path`` (RFC 9162 §2.1.3.2) and compare with the
    checkpoint's root."""

    position: int
    size: int
    leaf_hash: str  # hex
    path: tuple[str, ...]  # hex, leaf to root
    root: str  # hex


class ConsistencyProof(msgspec.Struct, frozen=True, kw_only=True):
    """That the tree of ``old_size`` is a prefix of the tree of ``new_size``."""

    old_size: int
    new_size: int
    old_root: str
    new_root: str
    path: tuple[str, ...]  # hex


class Checkpoint(msgspec.Struct, frozen=True, kw_only=True):
    """A signed checkpoint as it is served: its tree head and the COSE_Sign1 bytes."""

    size: int
    root: str  # hex
    timestamp: int
    signed: bytes


def _checkpoint(signed: bytes) -> Checkpoint:
    head = unverified_head(signed)
    return Checkpoint(size=head.size, root=head.root.hex(), timestamp=head.timestamp, signed=signed)


class TransparencyLog:
    """The ledger's Merkle tree and its checkpoints."""

    def __init__(
        self, ledger: CardLedger, keystore: Keystore, clock: Clock, event_keys: EventKeys
    ) -> None:
        self._ledger = ledger
        self._keystore = keystore
        self._clock = clock
        self._event_keys = event_keys
        self._recorded: list[bytes] | None = None

    # ---- the leaves ---------------------------------------------------------------------

    def events(self, *, with_keys: bool = False) -> Iterator[LoggedEvent]:
        """Every leaf in order, up to the log's head when the walk began (``with_keys``:
        the data keys of each page's sealed holders read ahead, for :meth:`data_keys`)."""
        recorder = self._ledger.recorder
        head = recorder.max_notification_id()
        if head is None:
            return
        salt_key = self._ledger.derived_secret(SALT_PURPOSE)
        # From the lowest id there is, not from 1: a row given an id below 1 (which the
        # table lets a writer choose) would otherwise stand outside the log unseen.
        start: int | None = None
        position = 0
        while True:
            page: Sequence[Notification] = recorder.select_notifications(start, _PAGE, stop=head)
            if with_keys:
                self._ledger.person_keys.warm(page)  # an export's data keys: a query a page
            for n in page:
                if n.topic in NOT_LEAVES:
                    continue
                oid = (
                    n.originator_id
                    if isinstance(n.originator_id, UUID)
                    else UUID(str(n.originator_id))
                )
                version = int(n.originator_version)
                leaf = make_leaf(position, oid, version, n.topic, n.state, salt_key=salt_key)
                yield LoggedEvent(position, n.id, oid, version, n.topic, leaf, n.state)
                position += 1
            if len(page) < _PAGE:
                return
            start = page[-1].id + 1

    def data_keys(self, state: bytes) -> dict[str, bytes]:
        """The data keys (hex id → key) of the people a stored state seals; an erased
        person's is absent."""
        return {k.hex: v for k, v in self._ledger.person_keys.get(key_ids(state)).items()}

    def hashed_leaves(self) -> list[bytes]:
        """Every leaf's hash, in order."""
        return [merkle.leaf_hash(e.leaf.data) for e in self.events()]

    def signed_leaves(self) -> tuple[list[bytes], SignatureReport]:
        """Every leaf's hash, in order, and what the event signatures prove of them
        (services.audit.signatures), from one walk of the log."""
        keys = {
            r.kid_bytes: trusted_key(event_key_record(r)) for r in self._event_keys.records()
        }
        walk = SignatureWalk(keys)
        hashed = []
        for e in self.events():
            hashed.append(merkle.leaf_hash(e.leaf.data))
            walk.add(e.position, e.leaf.data)
        return hashed, walk.finish()

    def recorded_hashes(self) -> list[bytes]:
        """The leaf hashes recorded with the checkpoints, positions 0 to the last
        checkpoint's size: what the signed roots were computed from. Kept between calls
        until a newer checkpoint is recorded (they are written once, never changed)."""
        checkpoints = self.checkpoints()
        latest = checkpoints[-1].size if checkpoints else 0
        if self._recorded is not None and len(self._recorded) == latest:
            return self._recorded
        hashes: list[bytes] = []
        previous = 0
        for checkpoint in checkpoints:
            for start in leaf_batch_starts(previous, checkpoint.size):
                batch = next(iter(self._ledger.events.get(leaf_batch_id(start))))
                if not isinstance(batch, LeafHashes.Recorded):  # a uuid5 collision: never
                    raise AssertionError(f"{leaf_batch_id(start)} is not a batch of leaf hashes")
                data = batch.hashes
                hashes.extend(
                    data[i : i + LEAF_HASH_BYTES] for i in range(0, len(data), LEAF_HASH_BYTES)
                )
            previous = checkpoint.size
        self._recorded = hashes
        return hashes

    # ---- checkpoints --------------------------------------------------------------------

    def checkpoints(self) -> list[Checkpoint]:
        """Every checkpoint signed, oldest first."""
        return [
            _checkpoint(e.signed)
            for e in self._ledger.events.get(TREE_HEADS_ID)
            if isinstance(e, TreeHeads.Checkpointed)
        ]

    def latest(self) -> Checkpoint | None:
        """The newest checkpoint, or None before the first."""
        for e in self._ledger.events.get(TREE_HEADS_ID, desc=True, limit=1):
            if isinstance(e, TreeHeads.Checkpointed):
                return _checkpoint(e.signed)
        return None

    def at(self, size: int) -> Checkpoint:
        """The checkpoint over exactly ``size`` leaves."""
        found = next((c for c in self.checkpoints() if c.size == size), None)
        if found is None:
            raise UnknownCheckpoint(f"no checkpoint was signed at tree size {size}")
        return found

    def checkpoint(self, actor: str, role: Role = Role.ADMINISTRATOR) -> Checkpoint:
        """Sign the tree head over every event so far, after proving it consistent with
        the last checkpoint; refused (nothing signed) if the log no longer extends it,
        or if no event was added since, or if any event is not proven by its event
        signature (legacy events apart)."""
        hashed, signatures = self.signed_leaves()
        size = len(hashed)
        heads = self._tree_heads(actor, role)
        previous = heads.size
        root = merkle.subtree_root(hashed)
        if heads.size:
            recorded = self.recorded_hashes()
            changed = first_difference(recorded, hashed)
            if changed is not None or merkle.subtree_root(recorded) != heads.root:
                where = f"at position {changed}" if changed is not None else "before it"
                raise LogRewritten(
                    f"the log no longer extends checkpoint {heads.size}: the event {where} "
                    "is not the one it signed (changed, removed, reordered or inserted)",
                    rule="append-only: every checkpoint's events stay in the log",
                )
        if heads.size and size > heads.size:
            # The proof an auditor holding only the two tree heads would check.
            proof = merkle.consistency_proof(hashed, heads.size, size)
            if not merkle.verify_consistency(heads.size, heads.root, size, root, proof):
                raise LogRewritten(
                    f"the tree of {size} events is not consistent with checkpoint {heads.size}",
                    rule="append-only: every checkpoint's events stay in the log",
                )
        if signatures.findings:
            raise EventsNotSigned(signatures.findings)
        now = self._clock()
        head = TreeHead(size=size, root=root, timestamp=int(now.timestamp()))
        record, key = self._keystore.signing_key(LOG, now)
        signed = sign_checkpoint(head, key, record.kid_bytes)
        ctx = Context(actor=actor, role=role, effective_at=now, recorded_at=now)
        heads.record(ctx, size=size, root=root, signed=signed)
        batches = [
            LeafHashes.record(start, b"".join(hashed[start : start + LEAVES_PER_BATCH]))
            for start in leaf_batch_starts(previous, size)
        ]
        self._ledger.save(heads, *batches)  # the head and its leaves, or nothing
        return _checkpoint(signed)

    def checkpoint_if_grown(self, actor: str, role: Role = Role.ADMINISTRATOR) -> Checkpoint | None:
        """:meth:`checkpoint`, or None when no event was added since the last one (what a
        periodic task wants: nothing to sign is not a failure)."""
        try:
            return self.checkpoint(actor, role)
        except CheckpointNotNewer:
            return None

    def run_periodically(
        self,
        every: float,
        stop: threading.Event,
        *,
        actor: str,
        report: Callable[[str], None],
    ) -> None:
        """Sign a checkpoint now and every ``every`` seconds until ``stop`` is set (the
        projector's periodic task). A log that no longer extends the last checkpoint is
        reported each time and never signed over; a missing log key ends the task."""
        while True:
            try:
                made = self.checkpoint_if_grown(actor)
                if made is not None:
                    report(f"checkpoint {made.size}: root {made.root}")
            except (LogRewritten, EventsNotSigned) as e:
                report(f"REFUSED to checkpoint: {e}")
            except KeystoreError as e:
                report(f"checkpoints stopped: {e}")
                return
            if stop.wait(every):
                return

    def _tree_heads(self, actor: str, role: Role) -> TreeHeads:
        from eventsourcing.application import AggregateNotFoundError

        try:
            heads: TreeHeads = self._ledger.repository.get(TREE_HEADS_ID)
        except AggregateNotFoundError:
            now = self._clock()
            heads = TreeHeads(Context(actor=actor, role=role, effective_at=now, recorded_at=now))
        return heads

    # ---- proofs -------------------------------------------------------------------------

    def position_of(self, originator_id: UUID, version: int) -> int:
        """The tree position of one stored event (a walk of the log)."""
        for e in self.events():
            if (e.originator_id, e.originator_version) == (originator_id, version):
                return e.position
        raise InvalidInput(f"no event version {version} of {originator_id} in the log")

    def inclusion(self, size: int, position: int) -> InclusionProof:
        """The inclusion proof of the event at ``position`` in the checkpoint of ``size``,
        from the leaf hashes recorded with the checkpoints (no walk of the log)."""
        checkpoint = self.at(size)
        if not 0 <= position < size:
            raise InvalidInput(f"position {position} is not in the checkpoint of size {size}")
        hashed = self.recorded_hashes()
        return InclusionProof(
            position=position,
            size=size,
            leaf_hash=hashed[position].hex(),
            path=tuple(h.hex() for h in merkle.inclusion_proof(hashed, position, size)),
            root=checkpoint.root,
        )

    def consistency(self, old_size: int, new_size: int) -> ConsistencyProof:
        """The consistency proof between two checkpoints, from the recorded leaf hashes."""
        if old_size > new_size:
            raise InvalidInput(f"the old size {old_size} is larger than the new {new_size}")
        old, new = self.at(old_size), self.at(new_size)
        hashed = self.recorded_hashes()
        return ConsistencyProof(
            old_size=old_size,
            new_size=new_size,
            old_root=old.root,
            new_root=new.root,
            path=tuple(h.hex() for h in merkle.consistency_proof(hashed, old_size, new_size)),
        )


def first_difference(recorded: Sequence[bytes], current: Sequence[bytes]) -> int | None:
    """The first position where the current leaves differ from the recorded ones (a
    missing current leaf counts), or None if the current ones extend the recorded."""
    for position, was in enumerate(recorded):
        if position >= len(current) or current[position] != was:
            return position
    return None
