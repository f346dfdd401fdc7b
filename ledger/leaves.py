"""The canonical leaf of each stored event (叶子): what the Merkle tree commits to.

A leaf is the MessagePack array

    ["talentcard-leaf/1", originator_id, originator_version, topic, public, personal_digest,
     position]

written deterministically: every map's keys in sorted order, every integer and length in
its shortest form, floats as float64, instants as the MessagePack timestamp extension
(type -1), text as UTF-8 (this is msgspec's encoder with ``order="sorted"``; any encoder
following those rules writes the same bytes).

* ``originator_id``: the aggregate's UUID as 16 bytes (bin); ``originator_version``: uint;
  ``topic``: the event class's eventsourcing topic (text);
* ``public``: the event's stored state, decoded from the stored MessagePack without any
  schema (so that a field added to a class later cannot change an old event's leaf),
  with every value stored under the key ``holder`` taken out and replaced by the map
  ``{"$personal": i}``, ``i`` its place in the personal part (0, 1, …). Values appear in
  their stored forms: text, integers, floats, booleans, byte strings, arrays, maps,
  timestamps; UUIDs, dates (``YYYY-MM-DD``) and decimals as text;
* ``personal_digest``: ``SHA-256(salt || personal)``, ``personal`` being the array of the
  values taken out (names, birth dates, identity digests, family) in marker order,
  encoded the same way, or nil when there were none. The salt is the first 16 bytes of
  ``HMAC-SHA256(K, originator_id || version as 8 bytes big-endian)`` with
  ``K = CardLedger.derived_secret("merkle-leaf-salt")`` (from the registry key): stored
  nowhere, it survives rebuilds, and a redacted export that leaves the personal part
  out gives nobody a digest to test guesses of a birth date against;
* ``position``: the leaf's index in the tree (0, 1, …), so that a leaf copied to another
  place in the log is caught where it was put.

A holder stored sealed (``ledger.sealing``) is taken out the same way; its leaf's
``personal_digest`` is the one its envelope kept from the plaintext, so sealing changes no
leaf, and an erased person's leaf is still the leaf the checkpoints signed.

This encoding is version 1 and never changes: a new one would be a new leaf tag, since the
signed tree heads already published commit to these bytes.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.utils import get_topic

from domain.tree_head import LeafHashes, TreeHeads

LEAF_TAG = "talentcard-leaf/1"
NOT_LEAVES = frozenset(
    get_topic(cls)
    for cls in (
        TreeHeads.Started,
        TreeHeads.Checkpointed,
        LeafHashes.Recorded,
    )
)
"""The checkpoint's own events (domain.tree_head): chained by consistency proofs, never
leaves of the tree they sign."""
SALT_PURPOSE = "merkle-leaf-salt"
SALT_BYTES = 16
PERSONAL_KEYS = frozenset({"holder"})
"""Keys whose values are the holder's personal data (domain.values.Holder: name, identity
digest and its salts, date of birth, family). Every event that names a person does so
through its application's holder; nothing else in an event is personal."""

PERSONAL_MARKER = "$personal"
SEALED_MARKER = "$sealed"  # ledger.sealing.SEALED

# The transcoder's extension codes (ledger.transcoder): each wraps one top-level value.
_EXT_STRUCT, _EXT_UUID, _EXT_DATE, _EXT_DECIMAL, _EXT_ENUM = 1, 2, 3, 4, 5


class LeafError(ValueError):
    """Stored bytes or a leaf that cannot be read as this encoding."""


class Leaf(msgspec.Struct, frozen=True, kw_only=True):
    """One event's leaf: its canonical bytes, and the personal part left out of them
    (None when there is none, or when it is stored sealed: ledger.sealing opens it)."""

    data: bytes
    personal: bytes | None  # the canonical encoding of what was taken out, or None
    salt: bytes | None


class LeafContent(msgspec.Struct, frozen=True, kw_only=True):
    """A leaf read back."""

    originator_id: UUID
    originator_version: int
    topic: str
    public: dict[str, Any]
    personal_digest: bytes | None
    position: int


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
_ENCODER = msgspec.msgpack.Encoder(order="sorted")
_LEAF_DECODER = msgspec.msgpack.Decoder()


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


def _sealed(value: Any) -> bool:
    """A holder stored sealed (ledger.sealing's envelope)."""
    return isinstance(value, dict) and value.get(SEALED_MARKER) == 1


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
    # Only an event whose bytes name a holder has one to take out: the walk is skipped
    # for the others (most of the log).
    public = _split(decoded, taken) if b"holder" in state else decoded
    personal = salt = digest = None
    if taken and all(_sealed(v) for v in taken):
        # Sealed per person (ledger.sealing): the digest of the plaintext was kept with
        # it, so the leaf is the one the plaintext made, and stays so after an erasure.
        if len(taken) != 1 or not isinstance(taken[0].get("digest"), bytes):
            raise LeafError(f"event {originator_id} v{version}: a sealed holder is malformed")
        salt = salt_for(salt_key, originator_id, version)
        digest = taken[0]["digest"]
    elif taken:
        if any(_sealed(v) for v in taken):
            raise LeafError(f"event {originator_id} v{version}: sealed and plain holders mixed")
        personal = _ENCODER.encode(taken)
        salt = salt_for(salt_key, originator_id, version)
        digest = personal_digest(salt, personal)
    data = _ENCODER.encode(
        (LEAF_TAG, originator_id.bytes, version, topic, public, digest, position)
    )
    return Leaf(data=data, personal=personal, salt=salt)


def read_leaf(data: bytes) -> LeafContent:
    """A leaf's content; raises LeafError if the bytes are not a version 1 leaf. (The
    hash commits to the bytes as given, so a leaf need not be re-encoded to be checked.)"""
    try:
        item = _LEAF_DECODER.decode(data)
    except msgspec.DecodeError as e:
        raise LeafError(f"leaf is not MessagePack: {e}") from None
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
    if isinstance(public, dict) and personal is not None and len(personal) == 1:
        # The usual case, an application's holder: found one level down, no full walk.
        for key, value in public.items():
            if isinstance(value, dict) and _is_marker(value.get("holder"), 0):
                return {**public, key: {**value, "holder": personal[0]}}
    return _join(public, personal, placeholder)


def _is_marker(value: Any, index: int) -> bool:
    return isinstance(value, dict) and len(value) == 1 and value.get(PERSONAL_MARKER) == index


def _join(public: Any, personal: list[Any] | None, placeholder: Any) -> Any:
    if isinstance(public, dict):
        if len(public) == 1 and PERSONAL_MARKER in public:
            index = public[PERSONAL_MARKER]
            if personal is None:
                return placeholder
            if not (isinstance(index, int) and 0 <= index < len(personal)):
                raise LeafError(f"personal marker {index!r} names no part of the personal data")
            return personal[index]
        return {k: _join(v, personal, placeholder) for k, v in public.items()}
    if isinstance(public, list):
        return [_join(v, personal, placeholder) for v in public]
    return public


def encode_personal(values: list[Any]) -> bytes:
    """A personal part's canonical encoding (what its digest is taken of)."""
    return _ENCODER.encode(values)


def read_personal(data: bytes) -> list[Any]:
    """A full export's personal part, decoded."""
    try:
        value = _LEAF_DECODER.decode(data)
    except msgspec.DecodeError as e:
        raise LeafError(f"personal part is not MessagePack: {e}") from None
    if not isinstance(value, list):
        raise LeafError("personal part is not an array")
    return value


# ---- the digest an event signature covers -------------------------------------------

EVENT_DIGEST_TAG = b"talentcard-event/1"
"""An event's digest is ``SHA-256(tag || leaf without its array head and position)``: the
leaf's content less where it stands, which is not known when the event is signed. It
commits to the personal part through the leaf's salted digest, so a redacted export can
be checked too."""


class LeafHead(msgspec.Struct, frozen=True, array_like=True):
    """A leaf's members with its public part left undecoded (fast to read)."""

    tag: str
    originator_id: bytes
    originator_version: int
    topic: str
    public: msgspec.Raw
    personal_digest: bytes | None
    position: int


_HEAD_DECODER = msgspec.msgpack.Decoder(LeafHead)


def leaf_head(data: bytes) -> LeafHead:
    """A leaf's members but its public part; raises LeafError if it is not a leaf."""
    try:
        head = _HEAD_DECODER.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError) as e:
        raise LeafError(f"not a {LEAF_TAG} leaf: {e}") from None
    if head.tag != LEAF_TAG or len(head.originator_id) != 16:
        raise LeafError(f"not a {LEAF_TAG} leaf")
    return head


def event_digest(
    originator_id: UUID, version: int, topic: str, state: bytes, *, salt_key: bytes
) -> bytes:
    """The digest of a stored event that its signature record names."""
    leaf = make_leaf(0, originator_id, version, topic, state, salt_key=salt_key)
    return _digest(leaf.data, 0)


def event_digest_of_leaf(data: bytes, head: LeafHead) -> bytes:
    """The same digest, from a leaf's bytes (and its head, read with :func:`leaf_head`)."""
    return _digest(data, head.position)


def _digest(data: bytes, position: int) -> bytes:
    tail = len(_ENCODER.encode(position))
    if len(data) <= tail + 1 or data[0] != 0x97:  # a fixarray of the leaf's 7 members
        raise LeafError(f"not a {LEAF_TAG} leaf")
    return hashlib.sha256(EVENT_DIGEST_TAG + data[1:-tail]).digest()
