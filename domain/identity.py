"""Identity document numbers: checking them before they are hashed and forgotten.

The registry never stores a national ID number (居民身份证号码) in clear; it checks it here,
then the ledger keeps only a keyed hash and the last four characters.
"""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import date

from domain.errors import InvalidInput
from domain.vocabulary import IdDocumentKind

# GB 11643-1999 check digit: weights 2^(17-i) mod 11, remainder mapped to "10X98765432".
_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_CHECK = "10X98765432"


def normalise_id_number(kind: IdDocumentKind, number: str) -> str:
    """The canonical form of a document number, checked where the document has a checksum.
    Raises InvalidInput naming what is wrong.

    NFKC first, so fullwidth digits typed on a Chinese keyboard ("１１０１…") become the
    ASCII digits they stand for; whatever is still not ASCII afterwards (Arabic-Indic
    digits, look-alike letters) is refused rather than allowed to hash as another number.
    Then whitespace goes and letters are upper-cased."""
    canonical = "".join(unicodedata.normalize("NFKC", number).split())
    if not canonical:
        raise InvalidInput("holder.id_number must not be empty")
    if not canonical.isascii():  # checked before upper(): "ß".upper() is ASCII "SS"
        raise InvalidInput("holder.id_number must be ASCII letters and digits (after NFKC)")
    canonical = canonical.upper()
    if kind is IdDocumentKind.RESIDENT_ID:
        _check_resident_id(canonical)
    elif not 5 <= len(canonical) <= 32 or not canonical.isalnum():
        raise InvalidInput("holder.id_number must be 5 to 32 letters or digits")
    return canonical


def resident_id_birth_date(number: str) -> date:
    """The date of birth a resident ID number encodes (characters 7 to 14)."""
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidInput("holder.id_number encodes no valid date of birth") from None


def _check_resident_id(number: str) -> None:
    if len(number) != 18 or not number[:17].isdigit():
        raise InvalidInput("holder.id_number: a resident ID has 17 digits and a check character")
    expected = _CHECK[sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS, strict=True)) % 11]
    if number[17] != expected:
        raise InvalidInput("holder.id_number: the check character does not match (GB 11643)")
    resident_id_birth_date(number)


# scrypt cost for the venue binding (N=256, r=8: 256 KiB, ~1 ms here). Guessing an ID
# number from a scanned token means trying ~10^11 numbers (the token holds no date of
# birth): ~3 CPU-years per card. Knowing the date of birth cuts that to ~3.5 million
# numbers, about an hour: the binding deters bulk harvesting, not a targeted attacker.
# Each doubling of N doubles both figures and the cost of filing an application
# (BENCHMARKS.md, ledger throughput); 256 keeps filing within the ledger's goal.
BINDING_SCRYPT_N = 2**8
BINDING_BYTES = 8
BINDING_SALT_BYTES = 8  # per holder; the credential carries salt and hash side by side


def binding_hash(canonical_number: str, salt: bytes) -> bytes:
    """The hash a card credential carries to bind it to its holder's ID document; a venue
    recomputes it from the ID card presented (the token never holds the number)."""
    return hashlib.scrypt(
        canonical_number.encode(), salt=salt, n=BINDING_SCRYPT_N, r=8, p=1, dklen=BINDING_BYTES
    )
