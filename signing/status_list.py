"""Token Status List (draft-ietf-oauth-status-list-18): the revocation and suspension
status of every card credential, published as one signed CWT per list of 131,072 entries.

What the draft fixes and this module follows (section numbers of draft -18):

- §4.1: each entry is ``bits`` wide (1, 2, 4 or 8); entries are packed into bytes from
  the least significant bit ("0") to the most significant ("7"), so index 0 sits in the
  low bits of byte 0; the byte array is compressed with DEFLATE (RFC 1951) in the ZLIB
  data format (RFC 1950), at the highest compression level.
- §4.3: the Status List is the CBOR map ``{"bits": uint, "lst": bstr}``, with an
  optional ``"aggregation_uri": tstr``.
- §5.2: the Status List Token is a CWT that is a COSE_Sign1_Tagged (tag 18) and is NOT
  wrapped in the CWT tag (61); protected header 16 (typ, RFC 9596) is
  ``application/statuslist+cwt``; claims 2 (sub, the list's URI), 6 (iat),
  4 (exp), 65534 (ttl, a positive uint) and 65533 (the Status List).
- §6.3: a referenced token carries claim 65535 (status) holding
  ``{"status_list": {"idx": uint, "uri": tstr}}``.
- §7.1: status values 0x00 VALID, 0x01 INVALID (our REVOKED), 0x02 SUSPENDED; and
  0x03, which §7.1 permanently reserves as application specific, our SUPERSEDED: the
  credential was replaced by a newer one after a change to the people it names (a card
  amended after issuance gets a new index; its old index reads SUPERSEDED). Every other
  value is unknown here and makes no statement.
- §8.3 step 6: an index outside the list means no statement can be made, and the
  referenced token is rejected.
- §12.4, §12.5.1, §13.2, §13.3: indexes are pseudo-random (not issuance order), never
  allocated twice, and unused entries read VALID so the list hides how many are in use.

Profile choices beyond the draft: ``exp`` and ``ttl`` are REQUIRED here (the draft says
RECOMMENDED) because an offline verifier must know when a list stops being usable; the
signature is EdDSA only, checked by the caller with the key it trusts (``signing.cose``).

Every failure on untrusted bytes raises :class:`StatusListError` with a stable
``code`` of ``"bad_format"`` or ``"too_large"``, never another exception type.
"""

from __future__ import annotations

import enum
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Literal, TypeGuard

import cbor2
import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from signing import cose

LIST_SIZE = 131_072
"""Entries per status list: 2**17, the smallest herd the project accepts (§12.1)."""

DEFAULT_BITS = 2
"""Bits per entry: two, because SUSPENDED (0x02) and SUPERSEDED (0x03) do not fit in one
(§4.1)."""

ALLOWED_BITS = (1, 2, 4, 8)
STATUS_LIST_TYPE = "application/statuslist+cwt"  # §5.2, §8.1

CLAIM_SUB = 2
CLAIM_EXP = 4
CLAIM_IAT = 6
CLAIM_STATUS_LIST = 65533  # §5.2, in the Status List Token
CLAIM_TTL = 65534  # §5.2
CLAIM_STATUS = 65535  # §6.3, in the referenced token

_COSE_SIGN1_TAGGED_PREFIX = b"\xd2"  # CBOR tag 18, the first byte of COSE_Sign1_Tagged
_FEISTEL_ROUNDS = 4
_DOMAIN_BITS = LIST_SIZE.bit_length() - 1
_ROUND_LABEL = b"talentcard/status-list-index/v1"
_MIN_SEED_BYTES = 16
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S+")  # RFC 3986: a scheme, then no blanks

assert 1 << _DOMAIN_BITS == LIST_SIZE, "the Feistel permutation needs a power of two"

ReasonCode = Literal["bad_format", "too_large"]


class StatusListError(ValueError):
    """Untrusted status-list bytes were refused; ``code`` is stable, ``detail`` is for
    people and logs only."""

    def __init__(self, code: ReasonCode, detail: str = "") -> None:
        super().__init__(code)
        self.code: ReasonCode = code
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}" if self.detail else self.code


class StatusCode(enum.IntEnum):
    """The status types of §7.1 that this registry uses."""

    VALID = 0x00
    REVOKED = 0x01  # the draft's INVALID
    SUSPENDED = 0x02
    SUPERSEDED = 0x03  # §7.1: application specific; still valid for the holder alone


class StatusRef(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Where a card's status lives: which list, and the entry within it."""

    list_id: str
    index: int


def list_id(list_no: int) -> str:
    """The identifier of list number ``list_no``, e.g. ``"sl-0003"``."""
    if not _is_int(list_no) or list_no < 0:
        raise ValueError(f"list number must be a non-negative integer, got {list_no!r}")
    return f"sl-{list_no:04d}"


# --- the Status List (§4.1) ---------------------------------------------------------


class StatusList:
    """A fixed-size array of ``size`` status entries, ``bits`` wide each, packed as §4.1
    prescribes. New entries are VALID (§13.3)."""

    __slots__ = ("_bits", "_data", "_size")

    def __init__(self, size: int, bits: int = DEFAULT_BITS) -> None:
        _check_bits(bits)
        if not _is_int(size) or size <= 0:
            raise ValueError(f"size must be a positive integer, got {size!r}")
        self._bits = bits
        self._size = size
        self._data = bytearray((size * bits + 7) // 8)

    @classmethod
    def from_bytes(cls, raw: bytes, bits: int) -> StatusList:
        """The list whose uncompressed byte array is ``raw``; its size is every entry
        the bytes hold (8 / bits per byte), since the draft does not carry a size."""
        _check_bits(bits)
        if not raw:
            raise ValueError("a status list needs at least one byte")
        status_list = cls(len(raw) * 8 // bits, bits)
        status_list._data[:] = raw
        return status_list

    @classmethod
    def from_compressed(cls, data: bytes, bits: int, *, max_bytes: int) -> StatusList:
        """Decompress a ZLIB/DEFLATE byte array (§4.1, §8.3 step 5) of at most
        ``max_bytes`` uncompressed bytes. Never inflates more than ``max_bytes + 1``
        bytes: a zip bomb is ``too_large``; truncated, trailing or garbage data is
        ``bad_format``."""
        _check_bits(bits)
        if not _is_int(max_bytes) or max_bytes <= 0:
            raise ValueError(f"max_bytes must be a positive integer, got {max_bytes!r}")
        if not isinstance(data, bytes | bytearray | memoryview):
            raise StatusListError("bad_format", "compressed list is not bytes")
        inflater = zlib.decompressobj()  # wbits=15: the ZLIB format only, no gzip or raw
        try:
            raw = inflater.decompress(data, max_bytes + 1)
        except (zlib.error, ValueError, OverflowError) as e:
            raise StatusListError("bad_format", f"not a ZLIB stream: {e}") from None
        if len(raw) > max_bytes:
            raise StatusListError("too_large", f"list inflates beyond {max_bytes} bytes")
        if not inflater.eof:
            raise StatusListError("bad_format", "ZLIB stream is truncated")
        if inflater.unused_data:
            raise StatusListError("bad_format", "bytes follow the ZLIB stream")
        if not raw:
            raise StatusListError("bad_format", "status list is empty")
        return cls.from_bytes(raw, bits)

    @property
    def bits(self) -> int:
        """Bits per entry."""
        return self._bits

    @property
    def size(self) -> int:
        """Number of entries."""
        return self._size

    def __len__(self) -> int:
        return self._size

    def get(self, index: int) -> int:
        """The status value at ``index`` (compare it with :class:`StatusCode`)."""
        self._check_index(index)
        byte, shift = divmod(index * self._bits, 8)
        return (self._data[byte] >> shift) & ((1 << self._bits) - 1)

    def set(self, index: int, code: int) -> None:
        """Set the entry at ``index`` to ``code``, a value that fits in ``bits``."""
        self._check_index(index)
        top = (1 << self._bits) - 1
        if not _is_int(code) or not 0 <= code <= top:
            raise ValueError(
                f"status value {code!r} does not fit in {self._bits} bit(s) (0..{top})"
            )
        byte, shift = divmod(index * self._bits, 8)
        self._data[byte] = (self._data[byte] & ~(top << shift) & 0xFF) | (code << shift)

    def to_bytes(self) -> bytes:
        """The uncompressed byte array of §4.1."""
        return bytes(self._data)

    def compressed(self) -> bytes:
        """The byte array compressed with DEFLATE in the ZLIB format at level 9 (§4.1)."""
        deflater = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS, 9)
        return deflater.compress(self._data) + deflater.flush()

    def _check_index(self, index: int) -> None:
        if not _is_int(index) or not 0 <= index < self._size:
            raise ValueError(f"index {index!r} is out of range for a list of {self._size} entries")


# --- herd-privacy index allocation (§12.4, §12.5.1, §13.2, §13.3) -------------------


def allocate(seed: bytes, sequence: int) -> StatusRef:
    """The status entry of the ``sequence``-th card ever given one (counting from 0).

    List number ``sequence // LIST_SIZE``; within it, the index is a keyed permutation
    of ``sequence % LIST_SIZE`` over ``[0, LIST_SIZE)``: a 4-round unbalanced Feistel
    network on 17 bits whose round functions are HMAC-SHA256(seed, label, list number,
    round, half). A permutation never gives two sequences the same index (§13.3), the
    order of issuance does not show in the index (§12.4), and the same seed and
    sequence always give the same entry, so the allocation replays from the event log.
    """
    if not isinstance(seed, bytes) or len(seed) < _MIN_SEED_BYTES:
        raise ValueError(f"seed must be at least {_MIN_SEED_BYTES} bytes")
    if not _is_int(sequence) or sequence < 0:
        raise ValueError(f"sequence must be a non-negative integer, got {sequence!r}")
    list_no, position = divmod(sequence, LIST_SIZE)
    return StatusRef(list_id=list_id(list_no), index=_permute(seed, list_no, position))


def _permute(seed: bytes, list_no: int, value: int) -> int:
    import hmac  # the issuing side only: a venue's verify never allocates

    left_bits = (_DOMAIN_BITS + 1) // 2
    right_bits = _DOMAIN_BITS // 2
    left, right = value >> right_bits, value & ((1 << right_bits) - 1)
    prefix = _ROUND_LABEL + list_no.to_bytes(8, "big")
    for round_no in range(_FEISTEL_ROUNDS):
        message = prefix + bytes([round_no]) + right.to_bytes(4, "big")
        mask = int.from_bytes(hmac.digest(seed, message, "sha256")[:4], "big")
        left, right = right, left ^ (mask & ((1 << left_bits) - 1))
        left_bits, right_bits = right_bits, left_bits
    return (left << right_bits) | right


# --- the referenced token's status claim (§6.3) -------------------------------------


_PATH = "/status-lists/"


def status_uri(base_url: str, authority: str, list_name: str) -> str:
    """The URL a credential names for an authority's status list:
    ``{base}/status-lists/{authority}/{list}``, where the registry's HTTP API serves it
    (``GET /status-lists/{authority}/{list}``). The one place the form is written;
    ``parse_status_uri`` is the one place it is read."""
    return f"{base_url.rstrip('/')}{_PATH}{authority}/{list_name}"


def parse_status_uri(uri: str) -> tuple[str, str] | None:
    """``(authority, list id)`` from a status-list URL, or None when it is not of the
    registry's form (a verifier then has no list for it)."""
    head, found, tail = uri.rpartition(_PATH)
    parts = tail.split("/")
    if not found or not head or len(parts) != 2 or not parts[0] or not parts[1]:
        return None
    return parts[0], parts[1]


def status_claim(index: int, uri: str) -> dict[str, Any]:
    """The value of claim 65535 (status) in a card credential pointing at entry ``index``
    of the list at ``uri``."""
    _check_uri(uri)
    if not _is_int(index) or index < 0:
        raise ValueError(f"index must be a non-negative integer, got {index!r}")
    return {"status_list": {"idx": index, "uri": uri}}


def read_status_claim(claim: object) -> tuple[str, int]:
    """``(uri, index)`` from a status claim value (§6.3, §8.3 step 1); other status
    mechanisms and extra members are allowed, a missing or mistyped one is not."""
    if not isinstance(claim, Mapping):
        raise StatusListError("bad_format", "status claim is not a map")
    reference = claim.get("status_list")
    if not isinstance(reference, Mapping):
        raise StatusListError("bad_format", "status claim has no status_list map")
    index, uri = reference.get("idx"), reference.get("uri")
    if not _is_int(index) or index < 0:
        raise StatusListError("bad_format", "idx is not an unsigned integer")
    if not isinstance(uri, str):
        raise StatusListError("bad_format", "uri is not a URI")
    if not _is_uri(uri):
        raise StatusListError("bad_format", "uri is not a URI")
    return uri, index


# A venue sees a few lists' URIs all day: each is matched once (bounded: they come from
# untrusted tokens).
@lru_cache(maxsize=1_024)
def _is_uri(text: str) -> bool:
    return _URI.fullmatch(text) is not None


# --- the Status List Token (§5.2) ---------------------------------------------------


@dataclass(frozen=True)
class StatusListToken:
    """A parsed, NOT yet verified Status List Token; verify ``sign1`` with the key you
    trust, and check ``expires_at`` and ``ttl`` (§8.3 step 4) before using ``status``."""

    uri: str
    issued_at: int
    expires_at: int
    ttl: int
    bits: int
    lst: bytes
    sign1: cose.Sign1 = field(repr=False)
    max_list_bytes: int = field(repr=False)
    aggregation_uri: str | None = None

    @cached_property
    def status_list(self) -> StatusList:
        """The decompressed list, inflated once under ``max_list_bytes``."""
        return StatusList.from_compressed(self.lst, self.bits, max_bytes=self.max_list_bytes)

    def status(self, index: int) -> StatusCode:
        """The status at ``index``. An index outside the list, or a value this registry
        does not define, is ``bad_format``: no statement can be made (§8.3 step 6)."""
        status_list = self.status_list
        if not _is_int(index) or not 0 <= index < status_list.size:
            raise StatusListError("bad_format", f"index {index!r} is outside the list")
        value = status_list.get(index)
        try:
            return StatusCode(value)
        except ValueError:
            raise StatusListError("bad_format", f"unknown status value {value}") from None


def sign_status_list(
    uri: str,
    status_list: StatusList,
    *,
    key: Ed25519PrivateKey,
    kid: bytes,
    issued_at: int,
    expires_at: int,
    ttl: int,
) -> bytes:
    """The Status List Token for ``status_list`` published at ``uri`` (§5.2): an
    untagged-CWT COSE_Sign1_Tagged with typ ``application/statuslist+cwt``."""
    _check_uri(uri)
    if not _is_int(issued_at) or issued_at < 0:
        raise ValueError(f"issued_at must be a non-negative integer, got {issued_at!r}")
    if not _is_int(expires_at) or expires_at <= issued_at:
        raise ValueError("expires_at must be an integer after issued_at")
    if not _is_int(ttl) or ttl <= 0:
        raise ValueError(f"ttl must be a positive integer, got {ttl!r}")
    claims = {
        CLAIM_SUB: uri,
        CLAIM_IAT: issued_at,
        CLAIM_EXP: expires_at,
        CLAIM_TTL: ttl,
        CLAIM_STATUS_LIST: {"bits": status_list.bits, "lst": status_list.compressed()},
    }
    payload = bytes(cbor2.dumps(claims))
    return cose.sign1(payload, key, kid, content_type=STATUS_LIST_TYPE, cwt_tag=False)


def parse_status_list_token(
    data: bytes, *, max_token_bytes: int, max_list_bytes: int
) -> StatusListToken:
    """Parse a Status List Token and check its form and claim types (§5.2, §8.3 steps
    3b and 4). Does NOT verify the signature: that is the caller's, on ``.sign1``.
    Tokens over ``max_token_bytes`` are refused before any decoding (``too_large``)."""
    if not isinstance(data, bytes | bytearray):
        raise StatusListError("bad_format", "token is not bytes")
    if len(data) > max_token_bytes:
        raise StatusListError("too_large", f"token is over {max_token_bytes} bytes")
    if bytes(data[:1]) != _COSE_SIGN1_TAGGED_PREFIX:
        raise StatusListError("bad_format", "not a COSE_Sign1_Tagged (§5.2)")
    try:
        sign1 = cose.parse_sign1(bytes(data))
    except cose.CoseError as e:
        raise StatusListError("bad_format", str(e)) from None
    if sign1.protected_headers.get(cose.HEADER_TYPE) != STATUS_LIST_TYPE:
        raise StatusListError("bad_format", f"typ is not {STATUS_LIST_TYPE}")
    try:
        claims = cbor2.loads(sign1.payload)
    except Exception as e:  # cbor2 raises many exception types on garbage
        raise StatusListError("bad_format", f"payload is not CBOR: {e}") from None
    if not isinstance(claims, Mapping):
        raise StatusListError("bad_format", "payload is not a claims map")

    uri = claims.get(CLAIM_SUB)
    if not isinstance(uri, str) or not _URI.fullmatch(uri):
        raise StatusListError("bad_format", "sub (2) is not a URI")
    issued_at = _uint_claim(claims, CLAIM_IAT, "iat (6)")
    expires_at = _uint_claim(claims, CLAIM_EXP, "exp (4)")
    ttl = _uint_claim(claims, CLAIM_TTL, "ttl (65534)")
    if expires_at <= issued_at:
        raise StatusListError("bad_format", "exp (4) is not after iat (6)")
    if ttl == 0:
        raise StatusListError("bad_format", "ttl (65534) is not positive")

    status_map = claims.get(CLAIM_STATUS_LIST)
    if not isinstance(status_map, Mapping):
        raise StatusListError("bad_format", "status_list (65533) is not a map")
    if not set(status_map) <= {"bits", "lst", "aggregation_uri"}:
        raise StatusListError("bad_format", "status_list (65533) has unknown members")
    bits, lst = status_map.get("bits"), status_map.get("lst")
    if not _is_int(bits) or bits not in ALLOWED_BITS:
        raise StatusListError("bad_format", "bits is not 1, 2, 4 or 8")
    if not isinstance(lst, bytes) or not lst:
        raise StatusListError("bad_format", "lst is not a byte string")
    aggregation_uri = status_map.get("aggregation_uri")
    if aggregation_uri is not None and not isinstance(aggregation_uri, str):
        raise StatusListError("bad_format", "aggregation_uri is not a text string")

    return StatusListToken(
        uri=uri,
        issued_at=issued_at,
        expires_at=expires_at,
        ttl=ttl,
        bits=bits,
        lst=lst,
        sign1=sign1,
        max_list_bytes=max_list_bytes,
        aggregation_uri=aggregation_uri,
    )


# --- the size benchmark (Appendix B) ------------------------------------------------


def compressed_size(entries: int, revoked_fraction: float, *, seed: int) -> int:
    """Compressed bytes of a 2-bit list of ``entries`` with ``revoked_fraction`` of
    them REVOKED at random positions (``random.Random(seed)``); compare with the
    draft's Appendix B, Table 1."""
    import random  # a benchmark's helper: kept out of the verifier's start-up

    if not 0.0 <= revoked_fraction <= 1.0:
        raise ValueError(f"revoked_fraction must be within [0, 1], got {revoked_fraction}")
    status_list = StatusList(entries, DEFAULT_BITS)
    rng = random.Random(seed)  # noqa: S311 - a reproducible benchmark, not a secret
    for index in rng.sample(range(entries), round(entries * revoked_fraction)):
        status_list.set(index, StatusCode.REVOKED)
    return len(status_list.compressed())


# --- helpers ------------------------------------------------------------------------


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_bits(bits: int) -> None:
    if not _is_int(bits) or bits not in ALLOWED_BITS:
        raise ValueError(f"bits must be one of {ALLOWED_BITS}, got {bits!r}")


def _check_uri(uri: str) -> None:
    if not isinstance(uri, str) or not _URI.fullmatch(uri):
        raise ValueError(f"not a URI: {uri!r}")


def _uint_claim(claims: Mapping[Any, Any], key: int, name: str) -> int:
    value = claims.get(key)
    if not _is_int(value) or value < 0:
        raise StatusListError("bad_format", f"{name} is missing or not an unsigned integer")
    return value
