"""Personal values in read-model rows, encrypted deterministically under the person's key.

A read model is rebuilt from the log and must come out byte-identical (its checksum is how
a rebuild is checked), so its personal columns use AES-SIV (RFC 5297), which gives the
same ciphertext for the same value, key and associated data, under a key derived from
the person's data key (``ledger.person_keys``): erasing the person's key leaves those
columns unreadable too, and a rebuild after the erasure writes NULL there, as the
erasure's purge does. The associated data names the card, the person's place and the
column, so a value moved to another row does not open.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ledger.person_keys import PersonKeys

PREFIX = "siv1:"


def is_sealed(stored: str | None) -> bool:
    return stored is not None and stored.startswith(PREFIX)


@functools.lru_cache(maxsize=1024)
def _siv(data_key: bytes) -> AESSIV:
    """The read-model cipher of one person (its key derived once per process)."""
    derived = HKDF(algorithm=SHA256(), length=64, salt=None, info=b"talentcard read model")
    return AESSIV(derived.derive(data_key))


def _ad(card_id: UUID, position: int, column: str) -> list[bytes]:
    return [card_id.bytes, position.to_bytes(2, "big"), column.encode()]


class CardKeys:
    """The data keys of some cards, loaded in one query, to seal or open their columns."""

    def __init__(self, keys: dict[tuple[UUID, int], bytes]) -> None:
        self._keys = keys

    def has(self, card_id: UUID, position: int) -> bool:
        """Whether the key of that person of that card was found."""
        return (card_id, position) in self._keys

    def merged(self, other: CardKeys) -> CardKeys:
        """These keys and ``other``'s."""
        return CardKeys({**self._keys, **other._keys})

    def seal(self, card_id: UUID, position: int, column: str, value: str | None) -> str | None:
        """``value`` encrypted for its row (None stays None). A card with no key was
        filed before personal data was sealed and is not sealed yet: its value stays as
        the old read model held it, until ``talentcard ledger seal-personal-data``."""
        key = self._keys.get((card_id, position))
        if value is None or key is None:
            return value
        sealed = _siv(key).encrypt(value.encode(), _ad(card_id, position, column))
        return PREFIX + base64.urlsafe_b64encode(sealed).decode()

    def open(self, card_id: UUID, position: int, column: str, stored: str | None) -> str | None:
        """A stored column's value; None when empty or when the person was erased."""
        if not is_sealed(stored):
            return stored  # a row projected before personal data was sealed (or NULL)
        assert stored is not None
        key = self._keys.get((card_id, position))
        if key is None:
            return None
        try:
            raw = base64.urlsafe_b64decode(stored[len(PREFIX) :])
            return _siv(key).decrypt(raw, _ad(card_id, position, column)).decode()
        except (InvalidTag, ValueError):
            return None


class PersonalColumns:
    """What the read models seal their personal columns with (one per ledger)."""

    def __init__(self, keys: PersonKeys) -> None:
        self._keys = keys

    def of_cards(
        self, card_ids: Iterable[UUID], *, cursor: Any = None, fresh: bool = False
    ) -> CardKeys:
        found = self._keys.of_cards(card_ids, cursor=cursor, fresh=fresh)
        return CardKeys({place: key for place, (_, key) in found.items()})
