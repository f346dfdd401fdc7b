"""Signing each save (事件签名), as the ledger writes it: one record of the process's
signature chain (domain.event_signature) added to the save, over the events in it.

A process keeps one chain, made on its first save. Saves within a process are signed and
inserted one at a time (a lock held across both), which costs nothing the stores did not
already pay: both serialise inserts into the events table. A save that fails leaves the
chain where it was; after an integrity error the chain's head is read back from the store
before the next save, in case the failed answer hid a commit.

The checkpoint's own events (domain.tree_head) are not signed here: the log key signs
the tree head itself, and a record for them would be a new leaf after every checkpoint.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from uuid import UUID, uuid4

import msgspec
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from domain.event_signature import ChainRecord, EventSigning, SignatureChain, SignedEvent
from ledger import event_record
from ledger.event_keys import EventKeys
from ledger.leaves import NOT_LEAVES, event_digest

UNSIGNED_TOPICS = NOT_LEAVES
"""The checkpoint's events: signed by the log key, and never leaves of the tree."""

RECORD_TOPICS = frozenset(
    get_topic(cls)
    for cls in (SignatureChain.Opened, SignatureChain.Signed)  # type: ignore[attr-defined]
)
SIGNING_TOPICS = RECORD_TOPICS | {get_topic(EventSigning.Started)}  # type: ignore[attr-defined]
"""Every event the signing itself writes: the records and where signing started."""


class EventSigner:
    """Makes the signature record of each save of one process."""

    def __init__(
        self,
        keys: EventKeys,
        clock: Callable[[], datetime],
        *,
        salt_key: bytes,
        head: Callable[[UUID], ChainRecord | None],
    ) -> None:
        self._keys = keys
        self._clock = clock
        self._salt_key = salt_key
        self._head = head  # reads a chain's last record back from the store
        self._lock = threading.Lock()
        self._last: ChainRecord | None = None  # the newest record known committed
        self._stale = False
        self._pending: ChainRecord | None = None

    @contextmanager
    def signing(self) -> Iterator[None]:
        """Held across building a record and inserting the save it belongs to."""
        with self._lock:
            yield

    def needs_signature(self, stored: Sequence[StoredEvent]) -> bool:
        """Whether a save of these events gets a record (any event not the checkpoint's)."""
        return any(s.topic not in UNSIGNED_TOPICS for s in stored)

    def now(self) -> datetime:
        """The instant to sign at: read before :meth:`signing` is entered, never while the
        lock is held (a clock may wait on other threads, as the tests' rendezvous does)."""
        return self._clock()

    def record(self, stored: Sequence[StoredEvent], now: datetime) -> DomainEventProtocol[UUID]:
        """The next record of this process's chain over ``stored``, signed at ``now``, not
        yet kept as the chain's head (:meth:`saved` does that once the save committed).
        Call it holding :meth:`signing`."""
        key = self._keys.signer_at(now)
        covered = tuple(
            SignedEvent(
                originator_id=_uuid(s.originator_id),
                version=int(s.originator_version),
                topic=s.topic,
                digest=event_digest(
                    _uuid(s.originator_id),
                    int(s.originator_version),
                    s.topic,
                    s.state,
                    salt_key=self._salt_key,
                ),
            )
            for s in stored
        )
        last = self._last_record()
        if last is None:
            chain_id, sequence, previous = uuid4(), 1, b""
        else:
            chain_id, sequence = last.chain, last.sequence + 1
            previous = event_record.link(_payload(last))
        unsigned = ChainRecord(
            chain=chain_id,
            sequence=sequence,
            previous=previous,
            signed_at=now,
            kid=key.kid,
            events=covered,
            signature=b"",
        )
        record = _with_signature(unsigned, key.sign(_payload(unsigned)))
        self._pending = record
        if last is None:
            (opened,) = SignatureChain(record=record).collect_events()
            return opened
        # The next event of a chain whose head is known: made as SignatureChain.extend
        # would, without loading the chain (its head is all a record needs).
        signed: DomainEventProtocol[UUID] = SignatureChain.Signed(  # type: ignore[attr-defined]
            originator_id=chain_id,
            originator_version=sequence,
            timestamp=SignatureChain.Signed.create_timestamp(),  # type: ignore[attr-defined]
            record=record,
        )
        return signed

    def saved(self) -> None:
        """The save with the last record committed: it is the chain's head now."""
        self._last = self._pending

    def failed(self) -> None:
        """The save did not commit, as far as this process knows: read the head back
        before the next record, in case it did."""
        self._stale = True

    def _last_record(self) -> ChainRecord | None:
        if self._stale and self._last is not None:
            self._last = self._head(self._last.chain) or self._last
        self._stale = False
        return self._last


def _uuid(value: object) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _payload(record: ChainRecord) -> bytes:
    return event_record.payload(
        chain=record.chain,
        sequence=record.sequence,
        previous=record.previous,
        signed_at=record.signed_at,
        kid=record.kid,
        events=[(e.originator_id, e.version, e.topic, e.digest) for e in record.events],
    )


def _with_signature(record: ChainRecord, signature: bytes) -> ChainRecord:
    return msgspec.structs.replace(record, signature=signature)
