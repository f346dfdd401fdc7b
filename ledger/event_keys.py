"""The event-signing keys (事件签名密钥): the Ed25519 keys with which every writing process
signs the events it saves (domain.event_signature).

They live in ``<data dir>/event-keys/`` beside the registry key (``id-pepper``), never in
the database, so a role that can write to the database cannot sign. Unlike the issuer
keys they are not under the keystore passphrase: every process that writes an event
needs one without a person typing anything, as it needs the registry key; the files are
the owner's alone (folder 0700, files 0600; looser modes are refused).

``keys.json`` holds their public records (:class:`EventKeyRecord`); the trust list
publishes them as it does the log key (authority ``events``, no schemes). The first writer
makes the first key; ``talentcard ledger rotate-event-key`` makes a new one, after which the old one
signs no more but still verifies what it signed. Making and rotating hold an exclusive
lock on the folder, so two processes starting at once agree on one key.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import msgspec
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.settings import private_dir


class EventKeyError(Exception):
    """An event key that cannot be made or used (a folder or file others may read, one
    that cannot be written or read): the operator's to fix."""


class EventKeyRecord(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An event key's public facts. The kid is the first 8 bytes of SHA-256 over the raw
    public key, as for the issuer keys; ``signs_until`` is set when a newer one replaces it."""

    kid: str
    public_key: str  # raw 32 bytes, hex
    created_at: datetime
    signs_until: datetime | None = None

    @property
    def kid_bytes(self) -> bytes:
        return bytes.fromhex(self.kid)

    def signs_at(self, instant: datetime) -> bool:
        """Whether this key may sign at ``instant``."""
        return self.created_at <= instant and (
            self.signs_until is None or instant < self.signs_until
        )


class EventSigningKey(msgspec.Struct, frozen=True):
    """A key that signs now: its id and private key."""

    kid: bytes
    private: Ed25519PrivateKey

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)


class EventKeys:
    """The event-signing keys in one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._cached: tuple[EventKeyRecord, EventSigningKey] | None = None
        self._seen: float | None = None

    def records(self) -> list[EventKeyRecord]:
        """Every event key made here, oldest first."""
        path = self.folder / "keys.json"
        if not path.exists():
            return []
        self._check_private(self.folder)
        self._check_private(path)
        try:
            return msgspec.json.decode(path.read_bytes(), type=list[EventKeyRecord])
        except msgspec.DecodeError as e:
            raise EventKeyError(f"{path}: not a list of key records: {e}") from None

    def _signing_key(self, at: datetime) -> tuple[EventKeyRecord, Ed25519PrivateKey]:
        """The key that signs events at ``at``; the first one is made if there is none."""
        found = self._current(self.records(), at)
        if found is not None:
            return found, self._load(found)
        with self._locked():
            records = self.records()  # another process may have made one meanwhile
            found = self._current(records, at)
            if found is None:
                found = self._make(at)
                self._write([*records, found])
        return found, self._load(found)

    def signer_at(self, at: datetime) -> EventSigningKey:
        """The key that signs events at ``at`` (the first one is made if there is none),
        kept while ``keys.json`` is unchanged and the key may still
        sign: a rotation by another process rewrites the file, so no process goes on
        signing with a key that was told to stop."""
        try:
            seen: float | None = os.stat(self.folder / "keys.json").st_mtime
        except FileNotFoundError:
            seen = None
        cached = self._cached
        if cached is None or seen != self._seen or not cached[0].signs_at(at):
            record, private = self._signing_key(at)
            cached = self._cached = (record, EventSigningKey(record.kid_bytes, private))
            self._seen = os.stat(self.folder / "keys.json").st_mtime
        return cached[1]

    def rotate(self, at: datetime) -> EventKeyRecord:
        """A new event key; the current one stops signing at ``at``."""
        with self._locked():
            records = self.records()
            made = self._make(at)
            self._write(
                [
                    msgspec.structs.replace(r, signs_until=at) if r.signs_until is None else r
                    for r in records
                ]
                + [made]
            )
        return made

    # ---- internals ----------------------------------------------------------------------

    @staticmethod
    def _current(records: list[EventKeyRecord], at: datetime) -> EventKeyRecord | None:
        return next((r for r in reversed(records) if r.signs_at(at)), None)

    def _check_private(self, path: Path) -> None:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise EventKeyError(
                f"{path} is readable or writable by others (mode {mode:04o}); "
                f"only its owner may have it: chmod go-rwx {path}"
            )

    @contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            private_dir(self.folder)  # missing parents too are made 0700, not 0755
            self._check_private(self.folder)
            fd = os.open(self.folder / ".lock", os.O_WRONLY | os.O_CREAT, 0o600)
        except OSError as e:
            raise EventKeyError(
                f"cannot make an event key in {self.folder}: {e.strerror} (a process that "
                "writes events needs its own writable event-keys folder)"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _make(self, at: datetime) -> EventKeyRecord:
        private = Ed25519PrivateKey.generate()
        public = private.public_key()
        kid = hashlib.sha256(public.public_bytes_raw()).digest()[:8].hex()
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_new(self.folder / f"{kid}.key.pem", pem)
        return EventKeyRecord(kid=kid, public_key=public.public_bytes_raw().hex(), created_at=at)

    def _load(self, record: EventKeyRecord) -> Ed25519PrivateKey:
        path = self.folder / f"{record.kid}.key.pem"
        try:
            self._check_private(path)
            data = path.read_bytes()
        except OSError as e:
            raise EventKeyError(f"cannot read event key {record.kid}: {e.strerror}") from None
        key = serialization.load_pem_private_key(data, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise EventKeyError(f"event key {record.kid} is not an Ed25519 key")
        return key

    def _write(self, records: list[EventKeyRecord]) -> None:
        path = self.folder / "keys.json"
        temporary = path.with_suffix(".json.tmp")
        temporary.unlink(missing_ok=True)  # a crash's leftover
        _write_new(temporary, msgspec.json.format(msgspec.json.encode(records)))
        temporary.replace(path)  # atomic: readers see the old list or the new one


def _write_new(path: Path, data: bytes) -> None:
    """A new file only its owner may read, written through to the disk."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
