"""The trust list (信任列表): every authority's public keys, their windows and the schemes
each may issue for, signed by the provincial root key, with an issue time and an expiry.

The log key (signing.root.LOG) is listed too, with no schemes: it signs checkpoints only.
A verifier accepts a credential only if its key is on a trust list it holds that has not
expired, for that scheme. Like the EU DCC's daily lists, it is meant to be re-fetched
often; an expired list is reported as such, never silently used.

The payload is a CWT claims set, so a generic reader sees when it was issued and when it
expires: ``iat`` (6), ``exp`` (4), and the keys under the private-use claim ``-65537``
(RFC 8392 §9.1), each a map with text keys.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

import cbor2
import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from domain.vocabulary import Scheme
from signing.cose import CoseError, root_signed_claims, sign1
from signing.keys import KeyRecord
from signing.root import EVENTS, LOG

TRUST_LIST_TYPE = "application/talentcard-trust+cwt"
CLAIM_EXP, CLAIM_IAT, CLAIM_KEYS = 4, 6, -65537


class TrustListError(ValueError):
    """The trust list is malformed or not signed by the root key."""


class TrustedKey(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One authority key as the verifier sees it. Times are Unix seconds."""

    kid: bytes
    public_key: bytes
    authority: str
    schemes: tuple[Scheme, ...]
    not_before: int
    signs_until: int | None
    retired_at: int | None

    def public(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.public_key)

    def signed_within(self, seconds: int) -> bool:
        """Whether something dated ``seconds`` (Unix) falls in this key's signing window."""
        return self.not_before <= seconds and (
            self.signs_until is None or seconds < self.signs_until
        )


class TrustList(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The verified content of a trust list."""

    issued_at: int
    expires_at: int
    keys: tuple[TrustedKey, ...]

    def key(self, kid: bytes) -> TrustedKey | None:
        return next((k for k in self.keys if k.kid == kid), None)


def _end_seconds(instant: datetime | None) -> int | None:
    """An end instant in whole seconds, rounded up: a credential stamped (rounded down) in
    the same second as a rotation was signed before it."""
    return None if instant is None else math.ceil(instant.timestamp())


def trusted_key(record: KeyRecord) -> TrustedKey:
    """A key's public facts as a trust list states them."""
    return TrustedKey(
        kid=record.kid_bytes,
        public_key=bytes.fromhex(record.public_key),
        authority=record.authority,
        schemes=record.schemes,
        not_before=int(record.created_at.timestamp()),
        signs_until=_end_seconds(record.signs_until),
        retired_at=_end_seconds(record.retired_at),
    )


def sign_trust_list(
    records: Sequence[KeyRecord],
    *,
    root_key: Ed25519PrivateKey,
    root_kid: bytes,
    issued_at: datetime,
    expires_at: datetime,
) -> bytes:
    """Sign the authority keys (not the root itself) into a trust list."""
    keys = [trusted_key(r) for r in records if r.schemes or r.authority in (LOG, EVENTS)]
    claims = {
        CLAIM_IAT: int(issued_at.timestamp()),
        CLAIM_EXP: int(expires_at.timestamp()),
        CLAIM_KEYS: msgspec.to_builtins(keys, builtin_types=(bytes,)),
    }
    payload = bytes(cbor2.dumps(claims))
    return sign1(payload, root_key, root_kid, content_type=TRUST_LIST_TYPE)


def read_trust_list(data: bytes, root: Ed25519PublicKey) -> TrustList:
    """Verify a trust list against the pinned root key and decode it."""
    try:
        claims = root_signed_claims(data, root, TRUST_LIST_TYPE, "trust list")
    except CoseError as e:
        raise TrustListError(str(e)) from None
    try:
        return msgspec.convert(
            {
                "issued_at": claims[CLAIM_IAT],
                "expires_at": claims[CLAIM_EXP],
                "keys": claims[CLAIM_KEYS],
            },
            TrustList,
        )
    except Exception as e:
        raise TrustListError(f"trust list content is malformed: {e}") from None
