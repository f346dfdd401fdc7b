"""The card credential (电子凭证): a CWT (RFC 8392) in a COSE_Sign1 envelope, compressed
and base45 encoded behind the prefix ``TC1:`` for a QR code, as the EU DCC does with
``HC1:``.

Format 2, fixed before any card was handed out, so that a generic CWT verifier reads what
it knows and skips the rest:

- registered claims: ``iss`` (1, the issuing authority), ``exp`` (4, the midnight after the
  card's last day in Asia/Shanghai; absent for a card with no end), ``nbf`` (5, the midnight
  starting its first day), ``iat`` (6, when this credential was signed), ``cti`` (7, the
  card id's 16 bytes), and the status claim (65535, draft-ietf-oauth-status-list §6.3);
- one private-use claim, ``-65537`` (RFC 8392 §9.1 leaves keys below -65536 to private
  use), holding the card's own fields as one array: ``[format, scheme, tier, holder's name,
  binding salt ‖ binding, category, issued on, family]``, where ``issued on`` is null when
  it is the card's first day and an empty family is left out (every byte costs QR size).

Per family member the credential carries what a venue must decide offline, as dates the
registry computed at issuance from the filed date of birth: for a child the last day as a
minor (未成年) and the last day under the legal marriage age; for a relation an article
sets a minimum age for, the first day of that age. Each date is as telling as the birth
date to whoever reads the code, so only those the articles need are written
(``services.venue_rules.min_ages``). Dates are days since 1970-01-01 (business dates);
instants are Unix seconds.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

import cbor2
import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.clock import SHANGHAI_OFFSET
from domain.identity import BINDING_SALT_BYTES
from domain.vocabulary import Relation, Scheme
from signing import base45
from signing.cose import sign1
from signing.status_list import CLAIM_STATUS, read_status_claim, status_claim

PREFIX = "TC1:"
FORMAT = 2  # the credential format: bump it, and keep reading the old one, on any change
MAX_TEXT_CHARS = 2_000  # a QR code holds at most 4,296 alphanumerics; cards are ~400
MAX_COSE_BYTES = 2_000  # decompressed; a card with a family of four is ~400 bytes

_SCHEME_CODES = {Scheme.SHANDONG: 1, Scheme.WEIHAI: 2, Scheme.LIAOCHENG: 3, Scheme.JINAN: 4}
_SCHEMES = {v: k for k, v in _SCHEME_CODES.items()}
_RELATION_CODES = {
    Relation.SPOUSE: 1,
    Relation.CHILD: 2,
    Relation.PARENT: 3,
    Relation.SPOUSE_PARENT: 4,
}
_RELATIONS = {v: k for k, v in _RELATION_CODES.items()}
_EPOCH = date(1970, 1, 1)

# Registered CWT claim keys (RFC 8392 §3.1 / IANA "CBOR Web Token Claims").
ISS, EXP, NBF, IAT, CTI = 1, 4, 5, 6, 7
CARD = -65537  # private use (RFC 8392 §9.1: below -65536)


class CredentialError(ValueError):
    """A credential that cannot be decoded; ``reason`` is the verifier's reason code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class StatusReference(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Where the card's status lives: a status list's URI and an index in it."""

    uri: str
    index: int


class FamilyEntry(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A family member as the credential shows them (家属). ``minor_until`` and
    ``marriage_age_until`` (children only) are their last days under 18 and under the legal
    marriage age; ``age_from`` maps each minimum age an article sets to the first day the
    member has it."""

    relation: Relation
    name: str
    minor_until: date | None = None
    marriage_age_until: date | None = None
    age_from: Mapping[int, date] = msgspec.field(default_factory=dict)


class CardClaims(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What a credential says about a card.

    ``binding`` is (salt, hash) tying the card to the holder's ID document: a venue hashes
    the number on the ID card presented and compares, the token never holding the number.
    ``category`` is the eligibility category the tier rests on, where known (an article's
    condition may name categories). ``valid_until`` is inclusive; None for a card with no
    end date.
    """

    card_id: UUID
    issuer: str
    scheme: Scheme
    tier: str
    holder_name: str
    binding_salt: bytes
    binding: bytes
    category: str | None = None
    valid_from: date
    valid_until: date | None
    issued_on: date
    family: tuple[FamilyEntry, ...] = ()
    status: StatusReference
    issued_at: int

    @property
    def not_before(self) -> int:
        """The ``nbf`` claim: the first instant of ``valid_from`` in Asia/Shanghai."""
        return _start_of(self.valid_from)

    @property
    def expires_at(self) -> int | None:
        """The ``exp`` claim: the midnight after ``valid_until`` in Asia/Shanghai."""
        return None if self.valid_until is None else _start_of(self.valid_until) + _DAY


class _Card(msgspec.Struct, array_like=True, frozen=True):
    """Claim -65537 as it is encoded: one array, dates as day numbers."""

    format: int
    scheme: int
    tier: str
    name: str
    binding: bytes  # the salt (8 bytes) then the hash
    category: str | None
    issued_on: int | None
    family: tuple[tuple[int, str, int | None, int | None, dict[int, int]], ...] = ()


_SALT_BYTES = BINDING_SALT_BYTES


_EPOCH_ORDINAL = _EPOCH.toordinal()


def _days(day: date) -> int:
    return day.toordinal() - _EPOCH_ORDINAL


def _day(days: int) -> date:
    return date.fromordinal(days + _EPOCH_ORDINAL)  # a sixth of the cost of date + timedelta


def encode_claims(claims: CardClaims) -> bytes:
    """The CWT claims set as CBOR."""
    if len(claims.binding_salt) != _SALT_BYTES:
        raise ValueError(f"the binding salt must be {_SALT_BYTES} bytes")
    family = tuple(
        (
            _RELATION_CODES[m.relation],
            m.name,
            None if m.minor_until is None else _days(m.minor_until),
            None if m.marriage_age_until is None else _days(m.marriage_age_until),
            {age: _days(day) for age, day in sorted(m.age_from.items())},
        )
        for m in claims.family
    )
    card = _Card(
        format=FORMAT,
        scheme=_SCHEME_CODES[claims.scheme],
        tier=claims.tier,
        name=claims.holder_name,
        binding=claims.binding_salt + claims.binding,
        category=claims.category,
        issued_on=None if claims.issued_on == claims.valid_from else _days(claims.issued_on),
        family=family,
    )
    cwt: dict[int, Any] = {
        ISS: claims.issuer,
        NBF: claims.not_before,
        IAT: claims.issued_at,
        CTI: claims.card_id.bytes,
        CLAIM_STATUS: status_claim(claims.status.index, claims.status.uri),
        CARD: _card_array(card),
    }
    if claims.expires_at is not None:
        cwt[EXP] = claims.expires_at
    return bytes(cbor2.dumps(cwt))


def _card_array(card: _Card) -> list[Any]:
    encoded: list[Any] = msgspec.to_builtins(card, builtin_types=(bytes,))
    return encoded if card.family else encoded[:-1]  # no family: the array stops before it


def decode_claims(payload: bytes) -> CardClaims:
    """Claims from CBOR; raises CredentialError("bad_format") on anything malformed,
    including a format this verifier does not know."""
    try:
        cwt = cbor2.loads(payload)
        if not isinstance(cwt, Mapping):
            raise TypeError("claims are not a map")
        card = msgspec.convert(cwt[CARD], _Card)
        if card.format != FORMAT:
            raise ValueError(f"credential format {card.format} is not {FORMAT}")
        status_uri, status_index = read_status_claim(cwt[CLAIM_STATUS])
        issuer = cwt[ISS]
        card_id = cwt[CTI]
        if not isinstance(issuer, str) or not isinstance(card_id, bytes):
            raise TypeError("iss or cti has the wrong type")
        nbf = _instant(cwt[NBF], "nbf")
        exp = cwt.get(EXP)
        if len(card.binding) <= _SALT_BYTES:
            raise ValueError("the binding is too short")
        valid_from = _business_day(nbf)
        return CardClaims(
            card_id=msgspec.convert(card_id, UUID),  # a third of UUID(bytes=...)'s cost
            issuer=issuer,
            scheme=_SCHEMES[card.scheme],
            tier=card.tier,
            holder_name=card.name,
            binding_salt=card.binding[:_SALT_BYTES],
            binding=card.binding[_SALT_BYTES:],
            category=card.category,
            valid_from=valid_from,
            # exp is the midnight after the last day: the last day is the second before it.
            valid_until=None if exp is None else _business_day(_instant(exp, "exp") - 1),
            issued_on=valid_from if card.issued_on is None else _day(card.issued_on),
            family=tuple(_member(m) for m in card.family),
            status=StatusReference(uri=status_uri, index=status_index),
            issued_at=_instant(cwt[IAT], "iat"),
        )
    except Exception as e:
        raise CredentialError("bad_format", f"credential claims are malformed: {e}") from None


def _member(entry: tuple[int, str, int | None, int | None, dict[int, int]]) -> FamilyEntry:
    relation, name, minor, marriage, ages = entry
    return FamilyEntry(
        relation=_RELATIONS[relation],
        name=name,
        minor_until=None if minor is None else _day(minor),
        marriage_age_until=None if marriage is None else _day(marriage),
        age_from={age: _day(days) for age, days in ages.items()},
    )


def _instant(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TypeError(f"{name} is not a non-negative integer")
    return value


# domain.clock's Asia/Shanghai is a fixed offset (China has kept UTC+8 since 1991), so a business
# day is a fixed span of Unix seconds: the verifier reads it with integer arithmetic rather
# than building a datetime per card.
_OFFSET = int(SHANGHAI_OFFSET.total_seconds())
_DAY = 86_400


def _business_day(seconds: int) -> date:
    return _day((seconds + _OFFSET) // _DAY)


def _start_of(day: date) -> int:
    return _days(day) * _DAY - _OFFSET


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
    except ValueError:
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
