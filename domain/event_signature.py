"""Event signatures (事件签名): what proves that the registry's own process wrote an event,
so that a database role that can INSERT cannot add history.

Every save the registry makes appends one record to the saving process's
:class:`SignatureChain`, in the same transaction as the events it covers. A record names
each event of the save (aggregate, version, topic and the digest of its leaf without the
tree position, ledger.leaves), the hash of the chain's previous record, the signing key's
id and an Ed25519 signature by a key the database does not hold (ledger.event_keys).

Records of one chain link by hash, and the chain's versions are unique in the table, so
a verifier that checks every link needs to check only the last record's signature: any
record written without the key ends a chain of its own, whose last signature fails.

:class:`EventSigning` records, once per store, where signing started: events before it,
covered by the last checkpoint made before it, are legacy (written before this existed),
not tampering.

The records are built and signed outside (ledger.event_signer): ``@event`` bodies here
only keep what they are given, as replay requires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid5

import msgspec
from eventsourcing.domain import Aggregate, event

_NAMESPACE = UUID("0c7f4f55-8f0e-4f57-9a8e-2f6a1d5c9b31")
EVENT_SIGNING_ID = uuid5(_NAMESPACE, "event-signing")


class SignedEvent(msgspec.Struct, frozen=True, array_like=True):
    """One event a record vouches for: its aggregate, version, topic and leaf digest."""

    originator_id: UUID
    version: int
    topic: str
    digest: bytes


class ChainRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One save's signature: ``signature`` is over the canonical payload of every other
    field (ledger.event_record.payload)."""

    chain: UUID
    sequence: int
    previous: bytes  # SHA-256 of the previous record's payload; empty for the first
    signed_at: datetime
    kid: bytes
    events: tuple[SignedEvent, ...]
    signature: bytes


class SignatureChain(Aggregate):
    """One writing process's records, in order: version ``n`` is record ``n``. The writer
    keeps only the head, so a record after the first is made as a :class:`Signed` event
    directly (:meth:`signed`), never by loading the chain."""

    @staticmethod
    def create_id(record: ChainRecord) -> UUID:
        return record.chain

    class Opened(Aggregate.Created):
        """A writing process's chain of records was opened with its first record."""

        record: ChainRecord

    @event(Opened)
    def __init__(self, record: ChainRecord) -> None:
        self.record = record

    @dataclass(frozen=True)
    class Signed(Aggregate.Event):
        """Record ``record.sequence`` of chain ``record.chain``."""

        record: ChainRecord

    @event(Signed)
    def _signed(self, record: ChainRecord) -> None:
        self.record = record

    @classmethod
    def signed(cls, record: ChainRecord) -> SignatureChain.Signed:
        """The event of a record after the first: the chain's version is its sequence."""
        return cls.Signed(
            originator_id=record.chain,
            originator_version=record.sequence,
            timestamp=cls.Signed.create_timestamp(),
            record=record,
        )


class EventSigning(Aggregate):
    """Where event signing started in this store: ``legacy_leaves`` events came before it,
    of which the first ``checkpointed`` were covered by the last checkpoint then."""

    @staticmethod
    def create_id() -> UUID:
        return EVENT_SIGNING_ID

    class Started(Aggregate.Created):
        """Event signing started in this store."""

        legacy_leaves: int
        checkpointed: int
        recorded_at: datetime

    @event(Started)
    def __init__(self, legacy_leaves: int, checkpointed: int, recorded_at: datetime) -> None:
        self.legacy_leaves = legacy_leaves
        self.checkpointed = checkpointed
        self.recorded_at = recorded_at  # by the registry's clock (the library's reads the system's)
