"""The ledger's mapper: the library's, sealing each person's data on the way into the store
and opening it on the way out (ledger.sealing), so that nothing above it changes.

A holder is sealed under data keys made for them here; the keys must be written with the
events, so sealing happens only inside :meth:`PersonalDataMapper.collecting`, which the
application's save (``ledger.signed_application``) opens around mapping its events and
whose keys it hands to the recorder in the same transaction. An event with a holder mapped
anywhere else is refused rather than sealed under a key nobody would keep.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from uuid import UUID, uuid4

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, StoredEvent, Transcoder
from eventsourcing.utils import get_topic

from ledger.person_keys import PersonKeys
from ledger.sealing import NewKey, SealingError, key_ids, new_data_key, open_state, seal_state

_NEW_KEYS: ContextVar[list[NewKey] | None] = ContextVar("talentcard_new_person_keys", default=None)


class PersonalDataMapper(Mapper[UUID]):
    """Seals holders per person when storing; opens them when reading."""

    def __init__(self, transcoder: Transcoder, *, salt_key: bytes) -> None:
        super().__init__(transcoder=transcoder)
        self.salt_key = salt_key
        self.person_keys: PersonKeys | None = None  # set by the application once it has a recorder

    @contextmanager
    def collecting(self) -> Iterator[list[NewKey]]:
        """The data keys the events mapped inside this block were sealed under."""
        made: list[NewKey] = []
        token = _NEW_KEYS.set(made)
        try:
            yield made
        finally:
            _NEW_KEYS.reset(token)

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        stored = super().to_stored_event(domain_event)
        if b"holder" not in stored.state:
            return stored
        made = _NEW_KEYS.get()
        if made is None:
            raise SealingError(
                f"{get_topic(type(domain_event))} names a holder and may only be stored by a "
                "save that writes its data keys with it"
            )
        originator_id = UUID(str(stored.originator_id))
        version = int(stored.originator_version)
        # A later event naming the card's people (a change to them, 信息变更) seals each
        # person already named under their own key, so that erasing a person destroys the
        # one key that opens them in every event; only a person new to the card gets one.
        # Read only once a holder is found to seal: most events that mention "holder"
        # (a use by the holder, say) hold none, and must not cost a query.
        existing: dict[int, tuple[UUID, bytes]] | None = None
        person_keys = self.person_keys

        def key(position: int) -> tuple[UUID, bytes]:
            nonlocal existing
            if existing is None:
                later = version > 1 and person_keys is not None
                existing = person_keys.current(originator_id) if person_keys and later else {}
            if position in existing:
                return existing[position]
            key_id, key = uuid4(), new_data_key()
            made.append(NewKey(key_id=key_id, key=key, card_id=originator_id, position=position))
            if self.person_keys is not None:
                self.person_keys.remember(key_id, key)
            return key_id, key

        state = seal_state(
            stored.state, originator_id, version, stored.topic, salt_key=self.salt_key, keys=key
        )
        return StoredEvent(
            originator_id=stored.originator_id,
            originator_version=stored.originator_version,
            topic=stored.topic,
            state=state,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        if b"$sealed" in stored_event.state:
            stored_event = self.opened(stored_event)
        return super().to_domain_event(stored_event)

    def opened(self, stored_event: StoredEvent) -> StoredEvent:
        """A stored event with its holder opened (erased people as placeholders)."""
        if self.person_keys is None:
            raise SealingError("the mapper has no key store to open personal data with")
        originator_id = UUID(str(stored_event.originator_id))
        version = int(stored_event.originator_version)
        keys = self.person_keys.get(key_ids(stored_event.state))
        return StoredEvent(
            originator_id=stored_event.originator_id,
            originator_version=stored_event.originator_version,
            topic=stored_event.topic,
            state=open_state(stored_event.state, originator_id, version, keys),
        )
