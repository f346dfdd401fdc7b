"""Personal data sealed per person inside a stored event (个人信息加密存储, PIPL art. 51).

An event that names a holder stores, under its ``holder`` key (``ledger.leaves``
``PERSONAL_KEYS``: the key the leaves already take the personal part from), not the
holder but this envelope (MessagePack map)::

    {"$sealed": 1,
     "digest": <32 bytes: the leaf's personal digest of the plaintext, SHA-256(salt || personal)>,
     "family": <bool: whether the plaintext holder had a family member list>,
     "people": [{"key": <16 bytes: the data key's id>, "nonce": <12 bytes>, "ct": <bytes>,
                 "relation": <text, family members only>}, ...]}

``people[0]`` is the holder (name, identity, date of birth); ``people[1:]`` the family in
filing order (name, date of birth). Each part is AES-256-GCM under that person's own data
key, with the event it sits in as associated data (``aad``): a part copied into another
event, or to another person's place, does not open. A family member's relation stays
beside the ciphertext: it is what the entitlements read model already shows in clear (no
names), and what keeps a card's beneficiary counts after the member is erased.

The leaf commits to ``digest``, computed from the plaintext when the event was sealed, so
sealing an old event in place (``ledger.sealing_migration``) leaves every signed
checkpoint and event signature valid, and an erased person's event still verifies.

Opening puts the plaintext back (a person whose key is gone comes back as an ``erased``
placeholder: ``domain.values.Holder.erased``), so nothing above the mapper sees a
difference.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from typing import Any
from uuid import UUID

import msgspec
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ledger.leaves import make_leaf, personal_digest

SEALED = "$sealed"
VERSION = 1
AAD_TAG = b"talentcard-personal/1"
KEY_BYTES = 32
# What an erased person is read back as: the domain's placeholder (domain.values).
ERASED_HOLDER: dict[str, Any] = {
    "name": "",
    "identity": {"kind": "other", "digest": "", "salt": "", "last4": ""},
    "date_of_birth": "1900-01-01",
    "erased": True,
}
_ERASED_MEMBER: dict[str, Any] = {"name": "", "date_of_birth": "1900-01-01", "erased": True}
_EXT_STRUCT = 1  # ledger.transcoder's code for a Struct: its import path, NUL, its body
_SEP = b"\x00"


class SealingError(ValueError):
    """A stored event whose personal data cannot be sealed or opened as this format."""


class NewKey(msgspec.Struct, frozen=True):
    """A data key made while sealing: the store writes it with the event (ledger.person_keys)."""

    key_id: UUID
    key: bytes
    card_id: UUID
    position: int  # 0 the holder, then the family in filing order


def aad(originator_id: UUID, version: int, position: int) -> bytes:
    """What each part is bound to: its event and its place in it."""
    return AAD_TAG + originator_id.bytes + version.to_bytes(8, "big") + position.to_bytes(2, "big")


def is_envelope(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SEALED) == VERSION


# ---- finding the holder in a stored state ----------------------------------------------

_RAW_STATE = msgspec.msgpack.Decoder(dict[str, msgspec.Raw])
_ENCODER = msgspec.msgpack.Encoder()


def _rewrite(state: bytes, change: Callable[[Any], Any]) -> bytes:
    """``state`` with ``change`` applied to the one ``holder`` value in it (the event's
    application Struct holds it); ``state`` itself when it names no holder."""
    if b"holder" not in state:
        return state
    top = _RAW_STATE.decode(state)
    out: dict[str, Any] = {}
    found = 0
    for name, raw in top.items():
        value = msgspec.msgpack.decode(raw)
        if isinstance(value, msgspec.msgpack.Ext) and value.code == _EXT_STRUCT:
            topic, _, body = bytes(value.data).partition(_SEP)
            if b"holder" in body:
                decoded = msgspec.msgpack.decode(body)
                count = _replace(decoded, change)
                if count:
                    found += count
                    new = topic + _SEP + _ENCODER.encode(decoded)
                    out[name] = msgspec.msgpack.Ext(_EXT_STRUCT, new)
                    continue
        out[name] = raw
    if found > 1:
        raise SealingError("an event names more than one holder; the format seals one")
    return _ENCODER.encode(out) if found else state


def _replace(value: Any, change: Callable[[Any], Any]) -> int:
    count = 0
    if isinstance(value, dict):
        for key in list(value):
            if key == "holder" and value[key] is not None:
                value[key] = change(value[key])
                count += 1
            else:
                count += _replace(value[key], change)
    elif isinstance(value, list):
        for item in value:
            count += _replace(item, change)
    return count


# ---- sealing ------------------------------------------------------------------------


def seal_state(
    state: bytes,
    originator_id: UUID,
    version: int,
    topic: str,
    *,
    salt_key: bytes,
    keys: Callable[[int], tuple[UUID, bytes]],
) -> bytes:
    """``state`` with its holder sealed. ``keys(position)`` gives the data key (id, key)
    of the person at that place: a new one for a filing, the existing one when an old
    event is sealed in place. A state already sealed, or naming no holder, is returned
    as it is."""
    if b"holder" not in state or b"$sealed" in state:
        return state
    leaf = make_leaf(0, originator_id, version, topic, state, salt_key=salt_key)
    if leaf.personal is None or leaf.salt is None:
        return state
    digest = personal_digest(leaf.salt, leaf.personal)

    def seal(holder: Any) -> Any:
        if not isinstance(holder, dict):
            raise SealingError("the stored holder is not a map")
        person = {k: v for k, v in holder.items() if k != "family"}
        people = [_part(person, 0, None, originator_id, version, keys)]
        for i, member in enumerate(holder.get("family") or (), start=1):
            if not isinstance(member, dict):
                raise SealingError("a stored family member is not a map")
            body = {k: v for k, v in member.items() if k != "relation"}
            people.append(_part(body, i, member.get("relation"), originator_id, version, keys))
        # Whether the plaintext named its family (an empty one is left out by newer
        # encodings): opening gives back the very map the digest was taken of.
        return {SEALED: VERSION, "digest": digest, "family": "family" in holder, "people": people}

    return _rewrite(state, seal)


def _part(
    body: dict[str, Any],
    position: int,
    relation: Any,
    originator_id: UUID,
    version: int,
    keys: Callable[[int], tuple[UUID, bytes]],
) -> dict[str, Any]:
    key_id, key = keys(position)
    nonce = secrets.token_bytes(12)
    ct = AESGCM(key).encrypt(nonce, _ENCODER.encode(body), aad(originator_id, version, position))
    part: dict[str, Any] = {"key": key_id.bytes, "nonce": nonce, "ct": ct}
    if relation is not None:
        part["relation"] = relation
    return part


# ---- opening ------------------------------------------------------------------------


def open_holder(
    envelope: Mapping[str, Any],
    originator_id: UUID,
    version: int,
    keys: Mapping[UUID, bytes],
) -> tuple[dict[str, Any], list[int]]:
    """The holder a sealed envelope holds (as its stored map), with the positions whose
    key is gone (erased) read as placeholders, and those positions."""
    people = envelope.get("people")
    if not isinstance(people, list) or not people:
        raise SealingError("a sealed holder names no people")
    erased: list[int] = []
    opened: list[dict[str, Any]] = []
    for position, part in enumerate(people):
        body = _open_part(part, position, originator_id, version, keys)
        if body is None:
            erased.append(position)
            body = dict(ERASED_HOLDER if position == 0 else _ERASED_MEMBER)
        if position > 0:
            body = {"relation": part.get("relation"), **body}
        opened.append(body)
    holder = dict(opened[0])
    if envelope.get("family", True) or len(opened) > 1:
        holder["family"] = opened[1:]
    return holder, erased


def _open_part(
    part: Any, position: int, originator_id: UUID, version: int, keys: Mapping[UUID, bytes]
) -> dict[str, Any] | None:
    if not isinstance(part, dict) or not isinstance(part.get("key"), bytes):
        raise SealingError(f"sealed person {position} is malformed")
    key = keys.get(UUID(bytes=part["key"]))
    if key is None:
        return None
    try:
        plain = AESGCM(key).decrypt(
            part["nonce"], part["ct"], aad(originator_id, version, position)
        )
    except (InvalidTag, KeyError, TypeError, ValueError):
        raise SealingError(
            f"sealed person {position} of {originator_id} v{version} does not open under "
            "its data key: the stored event was changed"
        ) from None
    body = msgspec.msgpack.decode(plain)
    if not isinstance(body, dict):
        raise SealingError(f"sealed person {position} is not a map")
    return body


def key_ids(state: bytes) -> list[UUID]:
    """The data keys a stored state's sealed holder names, in place order."""
    found: list[UUID] = []

    def collect(value: Any) -> Any:
        if is_envelope(value):
            found.extend(UUID(bytes=p["key"]) for p in value["people"])
        return value

    if b"$sealed" in state:
        _rewrite(state, collect)
    return found


def envelope_of(state: bytes) -> dict[str, Any] | None:
    """The sealed envelope in a stored state, if it has one."""
    seen: list[dict[str, Any]] = []

    def collect(value: Any) -> Any:
        if is_envelope(value):
            seen.append(value)
        return value

    if b"$sealed" in state:
        _rewrite(state, collect)
    return seen[0] if seen else None


def open_state(
    state: bytes, originator_id: UUID, version: int, keys: Mapping[UUID, bytes]
) -> bytes:
    """``state`` with its sealed holder opened (erased people as placeholders)."""
    if b"$sealed" not in state:
        return state

    def unseal(value: Any) -> Any:
        if not is_envelope(value):
            return value
        holder, _ = open_holder(value, originator_id, version, keys)
        return holder

    return _rewrite(state, unseal)


def new_data_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)
