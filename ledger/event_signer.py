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

RECORD_TOPICS = frozenset(
    (get_topic(SignatureChain.Opened), get_topic(SignatureChain.Signed))
)
SIGNING_TOPICS = RECORD_TOPICS | {get_topic(EventSigning.Started)}
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
        # The newest record known committed, and its link (what the next one names as
        # ``previous``), kept so that no save encodes its predecessor's payload again.
        self._last: tuple[ChainRecord, bytes] | None = None
        self._stale = False
        self._pending: tuple[ChainRecord, bytes] | None = None

    @contextmanager
    def signing(self) -> Iterator[None]:
        """Held across building a record and inserting the save it belongs to."""
        with self._lock:
            yield

    def needs_signature(self, stored: Sequence[StoredEvent]) -> bool:
        """Whether a save of these events gets a record: any event but the checkpoint's,
        which the log key signs itself."""
        return any(s.topic not in NOT_LEAVES for s in stored)

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
            head, previous = last
            chain_id, sequence = head.chain, head.sequence + 1
        unsigned = ChainRecord(
            chain=chain_id,
            sequence=sequence,
            previous=previous,
            signed_at=now,
            kid=key.kid,
            events=covered,
            signature=b"",
        )
        data = event_record.payload(unsigned)
        record = msgspec.structs.replace(unsigned, signature=key.sign(data))
        self._pending = (record, event_record.link(data))
        if last is None:
            (opened,) = SignatureChain(record=record).collect_events()
            return opened
        return SignatureChain.signed(record)

    def saved(self) -> None:
        """The save with the last record committed: it is the chain's head now."""
        self._last = self._pending

    def failed(self) -> None:
        """The save did not commit, as far as this process knows: read the head back
        before the next record, in case it did."""
        self._stale = True

    def _last_record(self) -> tuple[ChainRecord, bytes] | None:
        if self._stale and self._last is not None:
            stored = self._head(self._last[0].chain)
            if stored is not None:
                self._last = (stored, event_record.link(event_record.payload(stored)))
        self._stale = False
        return self._last


def _uuid(value: object) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))
