"""The canonical leaf of each stored event (叶子): what the Merkle tree commits to.

A leaf is the deterministic CBOR (RFC 8949 §4.2.1, ``cbor2`` canonical) of the array

    ["talentcard-leaf/1", originator_id, originator_version, topic, public, personal_digest,
     position]

* ``originator_id``: the 16 bytes of the aggregate's UUID; ``originator_version``: uint;
  ``topic``: the event class's eventsourcing topic (text);
* ``public``: the event's stored state, decoded from the stored MessagePack without any
  schema (so that a field added to a class later cannot change an old event's leaf),
  with every value stored under the key ``holder`` taken out and replaced by the map
  ``{"$personal": i}``, ``i`` its place in the personal part (0, 1, …).
  Values appear as their stored forms: text, integers, floats, booleans, byte strings,
  lists, maps; UUIDs as text, dates as ``YYYY-MM-DD``, decimals as text, instants as
  RFC 3339 UTC text with microseconds (``2023-06-01T00:00:00.000000Z``);
* ``position``: the leaf's index in the tree (0, 1, …), so that a leaf copied to another
  place in the log is caught where it was put;
* ``personal_digest``: ``SHA-256(salt || personal)``, ``personal`` being the canonical
  CBOR array of the values taken out (names, birth dates, identity digests, family) in
  marker order, or ``null`` when there were none. The salt is the first 16 bytes of
  ``HMAC-SHA256(K, originator_id || version as 8 bytes big-endian)`` with
  ``K = CardLedger.derived_secret("merkle-leaf-salt")`` (from the registry key): stored
  nowhere, it survives rebuilds, and a redacted export that leaves the personal part
  out gives nobody a digest to test guesses of a birth date against.

This encoding is version 1 and never changes: a new one would be a new leaf tag, since the
signed tree heads already published commit to these bytes.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import cbor2
import msgspec

LEAF_TAG = "talentcard-leaf/1"
SALT_PURPOSE = "merkle-leaf-salt"
SALT_BYTES = 16
PERSONAL_KEYS = frozenset({"holder"})
"""Keys whose values are the holder's personal data (domain.values.Holder: name, identity
digest and its salts, date of birth, family). Every event that names a person does so
through its application's holder; nothing else in an event is personal."""

PERSONAL_MARKER = "$personal"

# The transcoder's extension codes (ledger.transcoder): each wraps one top-level value.
_EXT_STRUCT, _EXT_UUID, _EXT_DATE, _EXT_DECIMAL, _EXT_ENUM = 1, 2, 3, 4, 5


class LeafError(ValueError):
    """Stored bytes or a leaf that cannot be read as this encoding."""


class Leaf(msgspec.Struct, frozen=True, kw_only=True):
    """One event's leaf: its canonical bytes, and the personal part left out of them."""

    data: bytes
    personal: bytes | None  # canonical CBOR of what was taken out, or None
    salt: bytes | None


class LeafContent(msgspec.Struct, frozen=True, kw_only=True):
    """A leaf read back."""

    originator_id: UUID
    originator_version: int
    topic: str
    public: dict[str, Any]
    personal_digest: bytes | None
    position: int


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _plain(value: Any) -> Any:
    """The stored form of a value, as CBOR will carry it."""
    if isinstance(value, datetime):
        return _instant(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _ext(code: int, data: memoryview) -> Any:
    raw = bytes(data)
    if code in (_EXT_STRUCT, _EXT_ENUM):
        _, _, body = raw.partition(b"\x00")
        return msgspec.msgpack.decode(body)
    if code == _EXT_UUID:
        return str(UUID(bytes=raw))
    if code in (_EXT_DATE, _EXT_DECIMAL):
        return raw.decode()
    raise LeafError(f"unknown MessagePack extension code {code} in a stored event")


_DECODER = msgspec.msgpack.Decoder(dict[str, Any], ext_hook=_ext)


def _split(value: Any, personal: list[Any]) -> Any:
    """``value`` with every personal subtree replaced by its marker, appended to
    ``personal`` in the order of a depth-first walk over sorted keys."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key in sorted(value):
            if key in PERSONAL_KEYS and value[key] is not None:
                out[key] = {PERSONAL_MARKER: len(personal)}
                personal.append(value[key])
            else:
                out[key] = _split(value[key], personal)
        return out
    if isinstance(value, list):
        return [_split(v, personal) for v in value]
    return value


def salt_for(secret: bytes, originator_id: UUID, version: int) -> bytes:
    """The salt of one event's personal digest."""
    message = originator_id.bytes + version.to_bytes(8, "big")
    return hmac.new(secret, message, hashlib.sha256).digest()[:SALT_BYTES]


def personal_digest(salt: bytes, personal: bytes) -> bytes:
    """``SHA-256(salt || personal)``."""
    return hashlib.sha256(salt + personal).digest()


def make_leaf(
    position: int,
    originator_id: UUID,
    version: int,
    topic: str,
    state: bytes,
    *,
    salt_key: bytes,
) -> Leaf:
    """The leaf of one stored event, from its stored (transcoded) state bytes."""
    try:
        decoded = _DECODER.decode(state)
    except (msgspec.DecodeError, UnicodeDecodeError) as e:
        raise LeafError(f"event {originator_id} v{version}: stored state unreadable: {e}") from None
    taken: list[Any] = []
    public = _split(_plain(decoded), taken)
    personal = salt = digest = None
    if taken:
        personal = cbor2.dumps(taken, canonical=True)
        salt = salt_for(salt_key, originator_id, version)
        digest = personal_digest(salt, personal)
    data = cbor2.dumps(
        [LEAF_TAG, originator_id.bytes, version, topic, public, digest, position], canonical=True
    )
    return Leaf(data=data, personal=personal, salt=salt)


def read_leaf(data: bytes) -> LeafContent:
    """A leaf's content; raises LeafError if the bytes are not a version 1 leaf. (The
    hash commits to the bytes as given, so a leaf need not be re-encoded to be checked.)"""
    try:
        item = cbor2.loads(data)
    except Exception as e:  # cbor2 raises several types for malformed input
        raise LeafError(f"leaf is not CBOR: {e}") from None
    if not (isinstance(item, list) and len(item) == 7 and item[0] == LEAF_TAG):
        raise LeafError(f"not a {LEAF_TAG} leaf")
    _, oid, version, topic, public, digest, position = item
    if not (
        isinstance(oid, bytes)
        and len(oid) == 16
        and isinstance(version, int)
        and isinstance(topic, str)
        and isinstance(public, dict)
        and (digest is None or (isinstance(digest, bytes) and len(digest) == 32))
        and isinstance(position, int)
    ):
        raise LeafError("leaf members have the wrong types")
    return LeafContent(
        originator_id=UUID(bytes=oid),
        originator_version=version,
        topic=topic,
        public=public,
        personal_digest=digest,
        position=position,
    )


def join_personal(public: Any, personal: list[Any] | None, placeholder: Any = None) -> Any:
    """``public`` with each personal marker replaced by its value from ``personal`` (a
    full export), or by ``placeholder`` (a redacted one)."""
    if isinstance(public, dict):
        if len(public) == 1 and PERSONAL_MARKER in public:
            index = public[PERSONAL_MARKER]
            if personal is None:
                return placeholder
            if not (isinstance(index, int) and 0 <= index < len(personal)):
                raise LeafError(f"personal marker {index!r} names no part of the personal data")
            return personal[index]
        return {k: join_personal(v, personal, placeholder) for k, v in public.items()}
    if isinstance(public, list):
        return [join_personal(v, personal, placeholder) for v in public]
    return public
