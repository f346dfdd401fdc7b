"""Turning a filed ID number into the only thing the ledger keeps: a keyed, salted hash
and the last four characters."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date

from domain.errors import InvalidInput
from domain.identity import normalise_id_number, resident_id_birth_date
from domain.values import IdentityRef
from domain.vocabulary import IdDocumentKind


def identity_digest(pepper: bytes, salt: str, canonical_number: str) -> str:
    """HMAC-SHA256 of salt and number under the registry's key (hex)."""
    message = f"{salt}:{canonical_number}".encode()
    return hmac.new(pepper, message, hashlib.sha256).hexdigest()


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
    return IdentityRef(
        kind=kind,
        digest=identity_digest(pepper, salt, canonical),
        salt=salt,
        last4=canonical[-4:],
    )


def identity_matches(pepper: bytes, ref: IdentityRef, number: str) -> bool:
    """Whether a presented ID number is the one the card was filed with."""
    try:
        canonical = normalise_id_number(ref.kind, number)
    except InvalidInput:
        return False
    return hmac.compare_digest(identity_digest(pepper, ref.salt, canonical), ref.digest)
