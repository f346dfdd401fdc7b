"""The card credential (电子凭证): a CWT in a COSE_Sign1 envelope, compressed and base45
encoded behind the prefix ``TC1:`` for a QR code, as the EU DCC does with ``HC1:``.

Claims use small integer keys to keep a typical card near 200 bytes of CBOR: the QR code
stays scannable at ECC level M. Dates are days since 1970-01-01 (business dates); times
are Unix seconds.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import cbor2
import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.clock import SHANGHAI
from domain.vocabulary import Scheme
from signing import base45
from signing.cose import sign1
from signing.status_list import (
    CLAIM_STATUS,
    StatusRef,
    parse_status_uri,
    read_status_claim,
    status_claim,
)

PREFIX = "TC1:"
MAX_TEXT_CHARS = 2_000  # a QR code holds at most 4,296 alphanumerics; cards are ~400
MAX_COSE_BYTES = 1_000  # decompressed; a card credential is ~200 bytes

_SCHEME_CODES = {Scheme.SHANDONG: 1, Scheme.WEIHAI: 2, Scheme.LIAOCHENG: 3, Scheme.JINAN: 4}
_SCHEMES = {v: k for k, v in _SCHEME_CODES.items()}
_EPOCH = date(1970, 1, 1)

# CWT claim keys (RFC 8392) and ours (negative, private use); the status claim's key and
# shape belong to the status-list module (draft-ietf-oauth-status-list §6.3).
ISS, EXP, IAT, CTI = 1, 4, 6, 7
SCHEME, TIER, NAME, BINDING, VALID_FROM, VALID_UNTIL = -1, -2, -3, -4, -5, -6
ITEMS, FAMILY_ITEMS, COMPANION_ITEMS = -7, -8, -9


class CredentialError(ValueError):
    """A credential that cannot be decoded; ``reason`` is the verifier's reason code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class StatusReference(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Where the card's status lives: a status list and an index in it."""

    uri: str
    index: int


class CardClaims(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What a credential says about a card.

    ``binding`` is (salt, hash) tying the card to the holder's ID document: a venue hashes
    the number on the ID card presented and compares, the token never holding the number.
    Item sets are the numbers of the scheme's service items (1..n): those granted to the
    holder, and those family members and one companion may share.
    """

    card_id: UUID
    issuer: str
    scheme: Scheme
    tier: str
    holder_name: str
    binding_salt: bytes
    binding: bytes
    valid_from: date
    valid_until: date | None
    items: frozenset[int]
    family_items: frozenset[int] = frozenset()
    companion_items: frozenset[int] = frozenset()
    status: StatusReference
    issued_at: int
    expires_at: int | None


def _days(day: date) -> int:
    return (day - _EPOCH).days


def _bitmap(numbers: Iterable[int]) -> bytes:
    value = 0
    for n in numbers:
        if not 0 <= n < 64:
            raise ValueError(f"item number {n} out of range")
        value |= 1 << n
    return value.to_bytes((value.bit_length() + 7) // 8, "little") if value else b""


def _numbers(bitmap: bytes) -> frozenset[int]:
    bits = bin(int.from_bytes(bitmap, "little"))[:1:-1]  # least significant first
    return frozenset(n for n, bit in enumerate(bits) if bit == "1")


def encode_claims(claims: CardClaims) -> bytes:
    """The CWT claims set as CBOR."""
    cwt: dict[int, Any] = {
        ISS: claims.issuer,
        IAT: claims.issued_at,
        CTI: claims.card_id.bytes,
        SCHEME: _SCHEME_CODES[claims.scheme],
        TIER: claims.tier,
        NAME: claims.holder_name,
        BINDING: [claims.binding_salt, claims.binding],
        VALID_FROM: _days(claims.valid_from),
        ITEMS: _bitmap(claims.items),
        CLAIM_STATUS: status_claim(
            StatusRef(list_id=_list_id_of(claims.status.uri), index=claims.status.index),
            claims.status.uri,
        ),
    }
    if claims.expires_at is not None:
        cwt[EXP] = claims.expires_at
    if claims.valid_until is not None:
        cwt[VALID_UNTIL] = _days(claims.valid_until)
    if claims.family_items:
        cwt[FAMILY_ITEMS] = _bitmap(claims.family_items)
    if claims.companion_items:
        cwt[COMPANION_ITEMS] = _bitmap(claims.companion_items)
    return bytes(cbor2.dumps(cwt))


def decode_claims(payload: bytes) -> CardClaims:
    """Claims from CBOR; raises CredentialError("bad_format") on anything malformed.

    Each field's type is checked by hand rather than through msgspec.convert: this runs
    once per card a venue scans, and the checks are few."""
    try:
        cwt = cbor2.loads(payload)
        if not isinstance(cwt, Mapping):
            raise TypeError("claims are not a map")
        status_uri, status_index = read_status_claim(cwt[CLAIM_STATUS])
        salt, binding = _typed(cwt[BINDING], tuple | list, "binding")
        until = cwt.get(VALID_UNTIL)
        expires = cwt.get(EXP)
        return CardClaims(
            card_id=UUID(bytes=_typed(cwt[CTI], bytes, "cti")),
            issuer=_typed(cwt[ISS], str, "iss"),
            scheme=_SCHEMES[cwt[SCHEME]],
            tier=_typed(cwt[TIER], str, "tier"),
            holder_name=_typed(cwt[NAME], str, "name"),
            binding_salt=_typed(salt, bytes, "binding salt"),
            binding=_typed(binding, bytes, "binding"),
            valid_from=_day(cwt[VALID_FROM]),
            valid_until=None if until is None else _day(until),
            items=_numbers(_typed(cwt[ITEMS], bytes, "items")),
            family_items=_numbers(_typed(cwt.get(FAMILY_ITEMS, b""), bytes, "family items")),
            companion_items=_numbers(
                _typed(cwt.get(COMPANION_ITEMS, b""), bytes, "companion items")
            ),
            status=StatusReference(uri=status_uri, index=status_index),
            issued_at=_integer(cwt[IAT], "iat"),
            expires_at=None if expires is None else _integer(expires, "exp"),
        )
    except Exception as e:
        raise CredentialError("bad_format", f"credential claims are malformed: {e}") from None


def _typed(value: Any, kind: Any, name: str) -> Any:
    if not isinstance(value, kind):
        raise TypeError(f"{name} has the wrong type")
    return value


def _integer(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TypeError(f"{name} is not a non-negative integer")
    return value


def _day(value: Any) -> date:
    return _EPOCH + timedelta(days=_integer(value, "date"))


def sign_credential(claims: CardClaims, key: Ed25519PrivateKey, kid: bytes) -> bytes:
    """The signed credential (COSE_Sign1 around the CWT claims)."""
    return sign1(encode_claims(claims), key, kid, cwt_tag=False)


def to_text(cose: bytes) -> str:
    """``TC1:`` + base45(zlib(cose)), the QR code's content."""
    return PREFIX + base45.b45encode(zlib.compress(cose, 9))


def from_text(text: str) -> bytes:
    """The COSE bytes inside a ``TC1:`` text, with hard caps checked before any parsing."""
    text = text.strip()
    if len(text) > MAX_TEXT_CHARS:
        raise CredentialError("too_large", f"token text is over {MAX_TEXT_CHARS} characters")
    if not text.startswith(PREFIX):
        raise CredentialError("bad_format", f"token does not start with {PREFIX}")
    try:
        compressed = base45.b45decode(text[len(PREFIX) :])
    except Exception:
        raise CredentialError("bad_format", "token is not valid base45") from None
    inflater = zlib.decompressobj()
    try:
        cose = inflater.decompress(compressed, MAX_COSE_BYTES)
    except zlib.error:
        raise CredentialError("bad_format", "token is not valid zlib data") from None
    if inflater.unconsumed_tail:
        raise CredentialError("too_large", f"token inflates past {MAX_COSE_BYTES} bytes")
    if not inflater.eof or inflater.unused_data:
        raise CredentialError("bad_format", "token's compressed data is truncated or padded")
    return cose


def expiry_instant(valid_until: date | None) -> datetime | None:
    """The end of the last valid day (midnight after it), in Asia/Shanghai."""
    if valid_until is None:
        return None
    return datetime.combine(valid_until + timedelta(days=1), time(0), SHANGHAI)


def _list_id_of(uri: str) -> str:
    parsed = parse_status_uri(uri)
    if parsed is None:
        raise ValueError(f"status uri {uri!r} is not of the form sl:AUTHORITY:LIST")
    return parsed[1]
