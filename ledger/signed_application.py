"""An eventsourcing Application whose every save carries an event signature
(ledger.event_signer), in the same transaction as the events it covers.

The library's ``save`` gathers the events and hands them to ``_record``, which maps
them to stored events and inserts them; here ``_record`` maps them itself, adds the
signature record over their stored form and inserts the lot in one ``insert_events``
call, so the events and their record are written together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import IntegrityError, Notification, Recording

from domain.event_signature import EVENT_SIGNING_ID, ChainRecord, EventSigning
from domain.tree_head import TREE_HEADS_ID
from ledger.event_keys import EventKeys
from ledger.event_signer import UNSIGNED_TOPICS, EventSigner


class SignedApplication(Application[UUID]):
    """Saves signed by this process's event key, once :meth:`sign_events_with` is called."""

    event_signer: EventSigner | None = None

    def sign_events_with(
        self, keys: EventKeys, clock: Callable[[], datetime], *, salt_key: bytes
    ) -> None:
        """Sign every save from now on, and record where signing started if no process
        did before (the events already stored are then legacy)."""
        self.event_signer = EventSigner(keys, clock, salt_key=salt_key, head=self.chain_head)
        self.start_event_signing(clock())

    def chain_head(self, chain: UUID) -> ChainRecord | None:
        """The last record of a signature chain, as stored."""
        for stored in self.events.get(chain, desc=True, limit=1):
            record: ChainRecord = stored.record  # type: ignore[attr-defined]
            return record
        return None

    def start_event_signing(self, now: datetime) -> None:
        """Save :class:`EventSigning` once per store: how many events came before it and
        how many of them the last checkpoint covered."""
        with suppress(AggregateNotFoundError):
            self.repository.get(EVENT_SIGNING_ID)
            return
        legacy, checkpointed = self._legacy_counts()
        # Another process may record it first: one is all there is.
        with suppress(IntegrityError):
            self.save(
                EventSigning(legacy_leaves=legacy, checkpointed=checkpointed, recorded_at=now)
            )

    def _legacy_counts(self) -> tuple[int, int]:
        """The leaves stored so far, and the size of the last checkpoint."""
        recorder: Any = self.recorder
        head = recorder.max_notification_id()
        leaves, start = 0, None
        while head is not None:
            page = recorder.select_notifications(start, 2_000, stop=head)
            leaves += sum(1 for n in page if n.topic not in UNSIGNED_TOPICS)
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
        stored = [self.mapper.to_stored_event(e) for e in events]
        if signer is None or not signer.needs_signature(stored):
            return super()._record(processing_event)
        now = signer.now()
        with signer.signing():
            record = signer.record(stored, now)
            events.append(record)
            stored.append(self.mapper.to_stored_event(record))
            try:
                ids = self.recorder.insert_events(
                    stored, tracking=processing_event.tracking, **processing_event.saved_kwargs
                )
            except Exception:
                signer.failed()
                raise
            signer.saved()
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
