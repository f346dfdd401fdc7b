"""Issuer keys (签发密钥): one Ed25519 key per issuing authority, plus the provincial root
that signs the trust list.

Private keys never enter the event store: each lives in its own PKCS#8 file encrypted with
a passphrase (cryptography's BestAvailableEncryption), readable by its owner only. The
public metadata (kid, authority, schemes, windows) is kept beside them in ``keys.json``.
A key id is the first 8 bytes of SHA-256 over the raw public key, as in the EU DCC.

Rotation: a new key signs from the moment it is made; the previous key stops signing then
but keeps verifying the credentials it signed until it is retired.

Every operation that uses or changes the keys (init when keys exist, rotate, retire,
signing) first proves the passphrase by decrypting an existing private key, and only then
acts: a wrong passphrase changes nothing on disk. Passphrases are at least
:data:`MIN_PASSPHRASE_CHARS` characters. The folder is 0700, every file in it 0600
(``keys.json`` is written to a 0600 temporary file and renamed over the old one).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from domain.authority import AUTHORITY_SCHEMES
from domain.vocabulary import Scheme
from signing.root import LOG as LOG
from signing.root import ROOT as ROOT

MIN_PASSPHRASE_CHARS = 12
"""Shorter passphrases are refused when making and when using keys: the key files are
only as strong as the passphrase that encrypts them."""


class KeystoreError(Exception):
    """A key operation that cannot be done (missing, short or wrong passphrase, unknown
    key, no key)."""


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
    return hashlib.sha256(public_key.public_bytes_raw()).digest()[:8]


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
        records = self.records()
        self._prove_passphrase(records)
        made = [
            self._make_key(authority, at)
            for authority in (ROOT, LOG, *AUTHORITY_SCHEMES)
            if not any(r.authority == authority and r.signs_at(at) for r in records)
        ]
        if made:
            self._write([*records, *made])
        return made

    def rotate(self, authority: str, at: datetime) -> KeyRecord:
        """Make a new key for ``authority``; the current one stops signing at ``at``."""
        if authority not in (ROOT, LOG) and authority not in AUTHORITY_SCHEMES:
            raise KeystoreError(f"unknown authority {authority!r}")
        records = self.records()
        self._prove_passphrase(records, prefer=authority)
        made = self._make_key(authority, at)
        self._write(
            [
                msgspec.structs.replace(r, signs_until=at)
                if r.authority == authority and r.signs_until is None
                else r
                for r in records
            ]
            + [made]
        )
        return made

    def retire(self, kid: str, at: datetime) -> KeyRecord:
        """Stop a key from verifying anything from ``at`` on (a compromised or old key).
        It changes what the trust list says, so it too proves the passphrase first."""
        records = self.records()
        self._prove_passphrase(records)
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
        if len(self._passphrase.decode("utf-8", "replace")) < MIN_PASSPHRASE_CHARS:
            raise KeystoreError(
                f"TALENTCARD_KEY_PASSPHRASE must be at least {MIN_PASSPHRASE_CHARS} characters"
            )
        return self._passphrase

    def _prove_passphrase(self, records: list[KeyRecord], prefer: str = ROOT) -> None:
        """Decrypt one existing private key (``prefer``'s newest, else the root's, else
        any) before anything is changed; with no key yet, only check the passphrase."""
        self._require_passphrase()
        order = sorted(
            reversed(records), key=lambda r: (r.authority != prefer, r.authority != ROOT)
        )
        for record in order:
            if (self.folder / f"{record.kid}.key.pem").exists():
                self._load_private(record)
                return
        if records:
            raise KeystoreError(
                f"no private key file in {self.folder} to prove the passphrase with"
            )

    def _make_key(self, authority: str, at: datetime) -> KeyRecord:
        """A new key pair: its encrypted file written (0600), its record returned for the
        caller to add to keys.json."""
        # Imported here and in _load_private only: cryptography's serialization module
        # loads every key format it reads (SSH, EC, RSA, ~20 ms), and the verifier, which
        # imports this module for KeyRecord, never reads a key file.
        from cryptography.hazmat.primitives import serialization

        passphrase = self._require_passphrase()
        private = Ed25519PrivateKey.generate()
        public = private.public_key()
        kid = key_id(public).hex()
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase),
        )
        self._ensure_folder()
        fd = os.open(self.folder / f"{kid}.key.pem", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        raw = public.public_bytes_raw()
        return KeyRecord(
            kid=kid,
            authority=authority,
            schemes=AUTHORITY_SCHEMES.get(authority, ()),
            public_key=raw.hex(),
            created_at=at,
        )

    def _load_private(self, record: KeyRecord) -> Ed25519PrivateKey:
        from cryptography.hazmat.primitives import serialization

        path = self.folder / f"{record.kid}.key.pem"
        passphrase = self._require_passphrase()
        try:
            data = path.read_bytes()
        except OSError as e:
            raise KeystoreError(f"cannot read key {record.kid}: {e.strerror}") from None
        try:
            key = serialization.load_pem_private_key(data, password=passphrase)
        except (ValueError, TypeError):
            raise KeystoreError(f"cannot decrypt key {record.kid}: wrong passphrase?") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise KeystoreError(f"key {record.kid} is not an Ed25519 key")
        return key

    def _ensure_folder(self) -> None:
        """The keys folder, created 0700, and tightened to 0700 if it was looser: it holds
        nothing but keys, and who may list it learns which keys exist."""
        missing = [p for p in (self.folder, *self.folder.parents) if not p.exists()]
        for folder in reversed(missing):  # parents too: mkdir(parents=True) makes them 0755
            folder.mkdir(mode=0o700, exist_ok=True)
        if self.folder.stat().st_mode & 0o077:
            self.folder.chmod(0o700)

    def _write(self, records: Iterable[KeyRecord]) -> None:
        """keys.json replaced atomically: a crash leaves the old file or the new one, and
        neither is ever readable by others (the temporary file is made 0600)."""
        self._ensure_folder()
        path = self.folder / "keys.json"
        temporary = path.with_suffix(".json.tmp")
        temporary.unlink(missing_ok=True)  # a crash's leftover
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(msgspec.json.format(msgspec.json.encode(list(records))))
            f.flush()
            os.fsync(f.fileno())
        temporary.replace(path)
