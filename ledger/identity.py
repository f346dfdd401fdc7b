"""Turning a filed ID number into the only thing the ledger keeps: a keyed, salted hash
and the last four characters."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from domain.errors import InvalidInput
from domain.identity import (
    BINDING_SALT_BYTES,
    binding_hash,
    normalise_id_number,
    resident_id_birth_date,
)
from domain.values import IdentityRef
from domain.vocabulary import IdDocumentKind, Scheme


def identity_digest(pepper: bytes, salt: str, canonical_number: str) -> str:
    """HMAC-SHA256 of salt and number under the registry's key (hex)."""
    message = f"{salt}:{canonical_number}".encode()
    return hmac.new(pepper, message, hashlib.sha256).hexdigest()


def reservation_key(
    pepper: bytes, scheme: Scheme, kind: IdDocumentKind, canonical_number: str
) -> str:
    """The deterministic key of one person's reservation in one scheme (one live card per
    person per scheme): HMAC-SHA256 under a key derived from the registry secret, over the
    scheme, the document kind and the normalised number. Unsalted, so every filing for the
    same person finds the same reservation; keyed, so a copy of the event store cannot test
    guessed numbers against it. The document kind is part of it so that a passport number
    and an unrelated resident ID number that happen to be equal never collide."""
    key = hmac.new(pepper, b"talentcard holder reservation", hashlib.sha256).digest()
    message = "\x00".join((str(scheme), str(kind), canonical_number)).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def protect_identity(
    pepper: bytes, kind: IdDocumentKind, number: str, date_of_birth: date
) -> IdentityRef:
    """Check an ID number, then keep only its hash, salt and last four characters.

    A resident ID encodes its holder's date of birth; a mismatch is refused because one
    of the two was mistyped and the card would not match the person at a venue.
    """
    canonical = normalise_id_number(kind, number)
    if kind is IdDocumentKind.RESIDENT_ID and resident_id_birth_date(canonical) != date_of_birth:
        raise InvalidInput("holder.date_of_birth does not match the date in holder.id_number")
    salt = secrets.token_hex(16)
    binding_salt = secrets.token_bytes(BINDING_SALT_BYTES)
    return IdentityRef(
        kind=kind,
        digest=identity_digest(pepper, salt, canonical),
        salt=salt,
        last4=canonical[-4:],
        binding_salt=binding_salt,
        binding_sealed=seal(pepper, binding_hash(canonical, binding_salt)),
    )


def _sealing_key(pepper: bytes) -> AESGCM:
    key = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"talentcard binding seal")
    return AESGCM(key.derive(pepper))


def seal(pepper: bytes, plaintext: bytes) -> bytes:
    """AES-GCM under a key derived from the registry secret; nonce first."""
    nonce = secrets.token_bytes(12)
    return nonce + _sealing_key(pepper).encrypt(nonce, plaintext, b"binding")


def unseal_binding(pepper: bytes, ref: IdentityRef) -> bytes:
    """The venue binding hash of a holder, for their credential."""
    if not ref.binding_sealed:
        raise InvalidInput("this holder was filed without a venue binding")
    nonce, sealed = ref.binding_sealed[:12], ref.binding_sealed[12:]
    try:
        return _sealing_key(pepper).decrypt(nonce, sealed, b"binding")
    except InvalidTag:
        raise InvalidInput("the registry key does not open this holder's binding") from None


def identity_matches(pepper: bytes, ref: IdentityRef, number: str) -> bool:
    """Whether a presented ID number is the one the card was filed with."""
    try:
        canonical = normalise_id_number(ref.kind, number)
    except InvalidInput:
        return False
    return hmac.compare_digest(identity_digest(pepper, ref.salt, canonical), ref.digest)
