"""An eventsourcing Application whose every save carries an event signature
(ledger.event_signer), in the same transaction as the events it covers.

The library's ``save`` gathers the events and hands them to ``_record``, which maps
them to stored events and inserts them; here ``_record`` maps them itself, adds the
signature record over their stored form and inserts the lot in one ``insert_events``
call, with the data keys the mapper sealed their people under (ledger.personal_mapper),
so the events, their record and their keys are written together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext, suppress
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import IntegrityError, Notification, Recording

from domain.event_signature import EVENT_SIGNING_ID, ChainRecord, EventSigning, SignatureChain
from domain.tree_head import TREE_HEADS_ID
from ledger.event_keys import EventKeys
from ledger.event_signer import EventSigner
from ledger.leaves import NOT_LEAVES

A = TypeVar("A")

class SignedApplication(Application[UUID]):
    """Saves signed by this process's event key, once :meth:`sign_events_with` is called."""

    event_signer: EventSigner | None = None

    _signing_started = False  # known to be recorded in the store (then it stays so)

    def sign_events_with(
        self, keys: EventKeys, clock: Callable[[], datetime], *, salt_key: bytes
    ) -> None:
        """Sign every save from now on. Opening writes nothing: where signing started is
        recorded with the first signed save any process makes (a process that only
        reads, such as ``init`` checking for users as the store's owner, signs nothing)."""
        self.event_signer = EventSigner(keys, clock, salt_key=salt_key, head=self.chain_head)

    def find(self, aggregate_id: UUID, kind: type[A], *, version: int | None = None) -> A | None:
        """The aggregate stored under ``aggregate_id`` (as it was at ``version``), if there
        is one of ``kind``: None for no events, or for another kind's id (e.g. a quota's id
        asked for as a card)."""
        try:
            found: object = self.repository.get(aggregate_id, version=version)
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, kind) else None

    def chain_head(self, chain: UUID) -> ChainRecord | None:
        """The last record of a signature chain, as stored."""
        for stored in self.events.get(chain, desc=True, limit=1):
            if isinstance(stored, SignatureChain.Opened | SignatureChain.Signed):
                return stored.record
        return None

    def _signing_start(self, now: datetime) -> DomainEventProtocol[UUID] | None:
        """:class:`EventSigning`'s one event, to save first in this save, unless the store
        has it: how many events came before it and how many the last checkpoint covered."""
        if self._signing_started:
            return None
        with suppress(AggregateNotFoundError):
            self.repository.get(EVENT_SIGNING_ID)
            self._signing_started = True
            return None
        legacy, checkpointed = self._legacy_counts()
        started = EventSigning(legacy_leaves=legacy, checkpointed=checkpointed, recorded_at=now)
        (event,) = started.collect_events()
        return event

    def _legacy_counts(self) -> tuple[int, int]:
        """The leaves stored so far, and the size of the last checkpoint."""
        recorder: Any = self.recorder
        head = recorder.max_notification_id()
        leaves, start = 0, None
        while head is not None:
            page = recorder.select_notifications(start, 2_000, stop=head)
            leaves += sum(1 for n in page if n.topic not in NOT_LEAVES)
            if len(page) < 2_000:
                break
            start = page[-1].id + 1
        try:
            heads: Any = self.repository.get(TREE_HEADS_ID)
            checkpointed = int(heads.size)
        except AggregateNotFoundError:
            checkpointed = 0
        return leaves, checkpointed

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        signer = self.event_signer
        events = list(processing_event.events)
        with self._collecting_keys() as person_keys:
            stored = [self.mapper.to_stored_event(e) for e in events]
        if signer is None or not signer.needs_signature(stored):
            ids = self.recorder.insert_events(
                stored,
                tracking=processing_event.tracking,
                person_keys=person_keys,
                **processing_event.saved_kwargs,
            )
            return self._recordings(processing_event, events, stored, ids)
        # Twice at most: the first signed save of a store may lose the race to record where
        # signing started to another process's; it is then made again without it.
        for attempt in (1, 2):
            now = signer.now()
            start = self._signing_start(now)
            batch = [start, *events] if start is not None else list(events)
            rows = [self.mapper.to_stored_event(start), *stored] if start is not None else stored
            with signer.signing():
                record = signer.record(rows, now)
                batch.append(record)
                rows = [*rows, self.mapper.to_stored_event(record)]
                try:
                    ids = self.recorder.insert_events(
                        rows,
                        tracking=processing_event.tracking,
                        person_keys=person_keys,
                        **processing_event.saved_kwargs,
                    )
                except IntegrityError:
                    signer.failed()
                    if start is None or attempt == 2:
                        raise
                    continue
                except Exception:
                    signer.failed()
                    raise
                signer.saved()
            self._signing_started = True
            events, stored = batch, rows
            break
        return self._recordings(processing_event, events, stored, ids)

    def _collecting_keys(self) -> AbstractContextManager[list[Any]]:
        """Where the mapper puts the data keys it seals people under while mapping
        (ledger.personal_mapper); an application without one seals nothing."""
        collecting = getattr(self.mapper, "collecting", None)
        return collecting() if collecting is not None else nullcontext([])

    def _recordings(
        self,
        processing_event: ProcessingEvent[UUID],
        events: list[DomainEventProtocol[UUID]],
        stored: list[Any],
        ids: Sequence[int] | None,
    ) -> list[Recording[UUID]]:
        recordings: list[Recording[UUID]] = []
        if ids:
            for d, s, n_id in zip(events, stored, ids, strict=True):
                notification = Notification(
                    originator_id=s.originator_id,
                    originator_version=s.originator_version,
                    topic=s.topic,
                    state=s.state,
                    id=n_id,
                )
                recordings.append(Recording(d, notification))
        if self.repository.cache and not self.repository.fastforward:
            for aggregate_id, aggregate in processing_event.aggregates.items():
                self.repository.cache.put(aggregate_id, aggregate)
        return recordings
