"""The issuer keys' life cycle (make, rotate, retire, list), on the registry's clock."""

from __future__ import annotations

from datetime import datetime

from domain.clock import Clock
from signing.keys import KeyRecord, Keystore


class KeyService:
    """Key commands; each decrypts an existing key first (the passphrase is proved)."""

    def __init__(self, keystore: Keystore, clock: Clock) -> None:
        self._keys = keystore
        self._clock = clock

    def now(self) -> datetime:
        """The instant key states are read at."""
        return self._clock()

    def init(self) -> list[KeyRecord]:
        """Make a signing key for each authority (and the root) that has none."""
        return self._keys.init(self._clock())

    def rotate(self, authority: str) -> KeyRecord:
        """A new key for ``authority``; the current one only verifies from now on."""
        return self._keys.rotate(authority, self._clock())

    def retire(self, kid: str) -> KeyRecord:
        """Retire a key: it verifies nothing from now on."""
        return self._keys.retire(kid, self._clock())

    def records(self) -> list[KeyRecord]:
        """Every key's public record."""
        return self._keys.records()
