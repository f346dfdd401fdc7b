"""COSE_Sign1 with Ed25519 (RFC 9052), the envelope of every signed document here: card
credentials (CWT, RFC 8392), trust lists and status lists.

Written on cbor2 rather than a COSE library because one algorithm and one structure are
all we sign, and the verifier must control every size cap and failure mode itself.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

COSE_SIGN1_TAG = 18
CWT_TAG = 61
HEADER_ALG = 1
HEADER_KID = 4
HEADER_TYPE = 16  # RFC 9596 "typ"
ALG_ED25519 = -19  # RFC 9864: the fully specified Ed25519, which we sign with
ALG_EDDSA = -8  # the polymorphic EdDSA RFC 9864 deprecates; still accepted on verify
ACCEPTED_ALGS = frozenset({ALG_ED25519, ALG_EDDSA})


class CoseError(ValueError):
    """The bytes are not a well-formed COSE_Sign1 of the kind expected."""


@dataclass(frozen=True)
class Sign1:
    """A parsed, not yet verified COSE_Sign1."""

    protected: bytes
    protected_headers: Mapping[int, Any]
    unprotected: dict[int, Any]
    payload: bytes
    signature: bytes

    @property
    def kid(self) -> bytes | None:
        """The key id, from the protected or the unprotected header."""
        kid = self.protected_headers.get(HEADER_KID, self.unprotected.get(HEADER_KID))
        return kid if isinstance(kid, bytes) else None

    def verify(self, key: Ed25519PublicKey) -> bool:
        """Whether the signature is the key's over this structure."""
        if self.protected_headers.get(HEADER_ALG) not in ACCEPTED_ALGS:
            return False
        try:
            key.verify(self.signature, _to_be_signed(self.protected, self.payload))
        except InvalidSignature:
            return False
        return True


_SIG_STRUCTURE_HEAD = b"\x84\x6aSignature1"  # array(4), text(10) "Signature1"


def _to_be_signed(protected: bytes, payload: bytes) -> bytes:
    """The Sig_structure (RFC 9052 §4.4) ``["Signature1", protected, h'', payload]`` in
    deterministic CBOR, written out directly: it is built once per card checked, and this
    is what cbor2 would produce (a test holds the two equal)."""
    return b"".join(
        (
            _SIG_STRUCTURE_HEAD,
            _bstr_head(len(protected)),
            protected,
            b"\x40",
            _bstr_head(len(payload)),
            payload,
        )
    )


def _bstr_head(length: int) -> bytes:
    if length < 24:
        return bytes((0x40 + length,))
    if length < 0x100:
        return bytes((0x58, length))
    if length < 0x10000:
        return b"\x59" + length.to_bytes(2, "big")
    return b"\x5a" + length.to_bytes(4, "big")


def sign1(
    payload: bytes,
    key: Ed25519PrivateKey,
    kid: bytes,
    *,
    content_type: str | None = None,
    cwt_tag: bool = False,
) -> bytes:
    """Sign ``payload`` with alg, kid (and type) in the protected header, so the key id
    is covered by the signature too."""
    headers: dict[int, Any] = {HEADER_ALG: ALG_ED25519, HEADER_KID: kid}
    if content_type is not None:
        headers[HEADER_TYPE] = content_type
    protected = bytes(cbor2.dumps(headers))
    signature = key.sign(_to_be_signed(protected, payload))
    message = cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature])
    return bytes(cbor2.dumps(cbor2.CBORTag(CWT_TAG, message) if cwt_tag else message))


def parse_sign1(data: bytes) -> Sign1:
    """Parse a COSE_Sign1 (optionally inside the CWT tag); raises CoseError, never
    anything else, on malformed input."""
    try:
        item = cbor2.loads(data)
    except Exception as e:
        raise CoseError(f"not CBOR: {e}") from None
    if isinstance(item, cbor2.CBORTag) and item.tag == CWT_TAG:
        item = item.value
    if isinstance(item, cbor2.CBORTag) and item.tag == COSE_SIGN1_TAG:
        item = item.value
    if not (isinstance(item, list | tuple) and len(item) == 4):
        raise CoseError("not a COSE_Sign1 array of four")
    protected, unprotected, payload, signature = item
    if not (
        isinstance(protected, bytes)
        and isinstance(unprotected, Mapping)
        and isinstance(payload, bytes)
        and isinstance(signature, bytes)
    ):
        raise CoseError("COSE_Sign1 members have the wrong types")
    return Sign1(protected, _protected_headers(protected), dict(unprotected), payload, signature)


# Every credential one key signs carries the same protected header bytes (alg, kid): a venue
# decodes each distinct header once. Bounded, since the bytes come from untrusted tokens;
# a malformed header raises and so is never remembered.
@functools.lru_cache(maxsize=1_024)
def _protected_headers(protected: bytes) -> Mapping[int, Any]:
    try:
        headers = cbor2.loads(protected) if protected else {}
    except Exception as e:
        raise CoseError(f"protected header is not CBOR: {e}") from None
    if not isinstance(headers, Mapping):
        raise CoseError("protected header is not a map")
    return MappingProxyType(dict(headers))  # shared between messages: read-only


def root_signed_claims(data: bytes, root: Ed25519PublicKey, content_type: str, what: str) -> Any:
    """The CBOR-decoded payload of a document the root signs (the trust list, the venue
    rules), once its type and signature are checked; raises CoseError naming ``what``."""
    try:
        message = parse_sign1(data)
    except CoseError as e:
        raise CoseError(f"{what}: {e}") from None
    if message.protected_headers.get(HEADER_TYPE) != content_type:
        raise CoseError(f"{what}: not a {content_type} document")
    if not message.verify(root):
        raise CoseError(f"{what} signature does not verify with the root key")
    try:
        return cbor2.loads(message.payload)
    except Exception as e:
        raise CoseError(f"{what} content is malformed: {e}") from None
