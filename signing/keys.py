"""Issuer keys (签发密钥): one Ed25519 key per issuing authority, plus the provincial root
that signs the trust list.

Private keys never enter the event store: each lives in its own PKCS#8 file encrypted with
a passphrase (cryptography's BestAvailableEncryption), readable by its owner only. The
public metadata (kid, authority, schemes, windows) is kept beside them in ``keys.json``.
A key id is the first 8 bytes of SHA-256 over the raw public key, as in the EU DCC.

Rotation: a new key signs from the moment it is made; the previous key stops signing then
but keeps verifying the credentials it signed until it is retired.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import msgspec
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from domain.vocabulary import Scheme

ROOT = "root"
# Who issues which card (POLICY.md "The card schemes"): the provincial window the 惠才卡,
# each city's HRSS bureau its own card.
AUTHORITY_SCHEMES: dict[str, tuple[Scheme, ...]] = {
    "shandong": (Scheme.SHANDONG,),
    "weihai": (Scheme.WEIHAI,),
    "liaocheng": (Scheme.LIAOCHENG,),
    "jinan": (Scheme.JINAN,),
}


class KeystoreError(Exception):
    """A key operation that cannot be done (missing passphrase, unknown key, no key)."""


class KeyRecord(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A key's public facts. ``signs_until`` is set when a newer key replaces it;
    ``retired_at`` when it may no longer even verify."""

    kid: str
    authority: str
    schemes: tuple[Scheme, ...]
    public_key: str  # raw 32 bytes, hex
    created_at: datetime
    signs_until: datetime | None = None
    retired_at: datetime | None = None

    @property
    def kid_bytes(self) -> bytes:
        return bytes.fromhex(self.kid)

    def public(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(bytes.fromhex(self.public_key))

    def signs_at(self, instant: datetime) -> bool:
        """Whether this key may sign at ``instant``."""
        return (
            self.created_at <= instant
            and (self.signs_until is None or instant < self.signs_until)
            and (self.retired_at is None or instant < self.retired_at)
        )


def key_id(public_key: Ed25519PublicKey) -> bytes:
    """The first 8 bytes of SHA-256 over the raw public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).digest()[:8]


class Keystore:
    """Encrypted key files and their metadata in one folder."""

    def __init__(self, folder: Path, passphrase: bytes | None) -> None:
        self.folder = folder
        self._passphrase = passphrase

    # ---- reading ------------------------------------------------------------------------

    def records(self) -> list[KeyRecord]:
        """Every key ever made here, oldest first."""
        path = self.folder / "keys.json"
        if not path.exists():
            return []
        return msgspec.json.decode(path.read_bytes(), type=list[KeyRecord])

    def signing_key(self, authority: str, at: datetime) -> tuple[KeyRecord, Ed25519PrivateKey]:
        """The key that signs for ``authority`` at ``at``, decrypted."""
        for record in reversed(self.records()):
            if record.authority == authority and record.signs_at(at):
                return record, self._load_private(record)
        raise KeystoreError(
            f"no {authority} key may sign at {at.isoformat()}; run `talentcard keys init`"
        )

    # ---- changing -----------------------------------------------------------------------

    def init(self, at: datetime) -> list[KeyRecord]:
        """Make the root key and one key per authority where none can sign yet."""
        made = []
        for authority in (ROOT, *AUTHORITY_SCHEMES):
            if not any(r.authority == authority and r.signs_at(at) for r in self.records()):
                made.append(self._create(authority, at))
        return made

    def rotate(self, authority: str, at: datetime) -> KeyRecord:
        """Make a new key for ``authority``; the current one stops signing at ``at``."""
        if authority != ROOT and authority not in AUTHORITY_SCHEMES:
            raise KeystoreError(f"unknown authority {authority!r}")
        records = [
            msgspec.structs.replace(r, signs_until=at)
            if r.authority == authority and r.signs_until is None
            else r
            for r in self.records()
        ]
        self._write(records)
        return self._create(authority, at)

    def retire(self, kid: str, at: datetime) -> KeyRecord:
        """Stop a key from verifying anything from ``at`` on (a compromised or old key)."""
        records = self.records()
        if kid not in {r.kid for r in records}:
            raise KeystoreError(f"no key {kid}")
        updated = [
            msgspec.structs.replace(r, retired_at=at, signs_until=r.signs_until or at)
            if r.kid == kid
            else r
            for r in records
        ]
        self._write(updated)
        return next(r for r in updated if r.kid == kid)

    # ---- internals ----------------------------------------------------------------------

    def _require_passphrase(self) -> bytes:
        if not self._passphrase:
            raise KeystoreError("set TALENTCARD_KEY_PASSPHRASE to use the private keys")
        return self._passphrase

    def _create(self, authority: str, at: datetime) -> KeyRecord:
        passphrase = self._require_passphrase()
        private = Ed25519PrivateKey.generate()
        public = private.public_key()
        kid = key_id(public).hex()
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase),
        )
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.folder / f"{kid}.key.pem", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        record = KeyRecord(
            kid=kid,
            authority=authority,
            schemes=AUTHORITY_SCHEMES.get(authority, ()),
            public_key=raw.hex(),
            created_at=at,
        )
        self._write([*self.records(), record])
        return record

    def _load_private(self, record: KeyRecord) -> Ed25519PrivateKey:
        path = self.folder / f"{record.kid}.key.pem"
        try:
            key = serialization.load_pem_private_key(
                path.read_bytes(), password=self._require_passphrase()
            )
        except ValueError:
            raise KeystoreError(f"cannot decrypt key {record.kid}: wrong passphrase?") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise KeystoreError(f"key {record.kid} is not an Ed25519 key")
        return key

    def _write(self, records: Iterable[KeyRecord]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / "keys.json"
        temporary = path.with_suffix(".json.tmp")
        temporary.write_bytes(msgspec.json.format(msgspec.json.encode(list(records))))
        temporary.replace(path)  # atomic: a crash leaves the old file or the new one
