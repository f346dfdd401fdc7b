"""The bytes an event signature (事件签名) signs, and the hash that links the next record.

The payload is the MessagePack array, written deterministically (msgspec, as the leaves)::

    ["talentcard-event-signature/1", chain (16 bytes), sequence, previous (bytes),
     signed_at (integer microseconds since the Unix epoch), kid (8 bytes),
     [[originator_id (16 bytes), version, topic, digest (32 bytes)], ...]]

The link to a record is ``SHA-256(payload)``: the next record of the chain carries it as
``previous``, so verifying one signature vouches for every record behind it.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain.event_signature import ChainRecord

SIGNATURE_TAG = "talentcard-event-signature/1"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ENCODER = msgspec.msgpack.Encoder()


def micros(instant: datetime) -> int:
    """An aware instant as whole microseconds since the Unix epoch (exact, no float)."""
    delta = instant - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def payload(record: ChainRecord) -> bytes:
    """The canonical bytes a record's signature covers: every field but the signature."""
    return _ENCODER.encode(
        (
            SIGNATURE_TAG,
            record.chain.bytes,
            record.sequence,
            record.previous,
            micros(record.signed_at),
            record.kid,
            [(e.originator_id.bytes, e.version, e.topic, e.digest) for e in record.events],
        )
    )


def link(data: bytes) -> bytes:
    """What the next record of the chain names as ``previous``."""
    return hashlib.sha256(data).digest()


def verifies(data: bytes, signature: bytes, key: Ed25519PublicKey) -> bool:
    """Whether ``signature`` is the key's over ``data``."""
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True
