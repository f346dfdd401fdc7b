"""Issuer keys (签发密钥): one Ed25519 key per issuing authority, plus the provincial root
that signs the trust list.

Private keys never enter the event store: each lives in a file of its own,
``<kid>.key.json`` (:class:`KeyFile`), readable by its owner only. The public metadata
(kid, authority, schemes, windows) is kept beside them in ``keys.json``. A key id is the
first 8 bytes of SHA-256 over the raw public key, as in the EU DCC.

A key file wraps the raw private key with AES-256-GCM under a key derived from the
passphrase by Argon2id (RFC 9106), a salt of its own per file. The production cost is
RFC 9106's second recommended option (:data:`KDF_COST`: t=3, m=64 MiB, p=4); the file
records the cost it was made with, so a cheaper cost (the tests') is read back as written.
The GCM associated data is the file's whole header (format, version, kdf and its cost,
salt, nonce) with the kid the caller expects, so one key's file renamed to another kid,
or a header edited to a cheaper cost, does not decrypt.

Files from before (PKCS#8 PEM, ``<kid>.key.pem``, under cryptography's
BestAvailableEncryption: PBKDF2-SHA256 at 2,048 iterations) still open with the
passphrase, and are then re-wrapped in the new format, as is a file made at a cost below
this keystore's; when the folder cannot be written (the projector's read-only mount) the
key is used as it is and another process re-wraps it.

Rotation: a new key signs from the moment it is made; the previous key stops signing then
but keeps verifying the credentials it signed until it is retired.

Every operation that uses or changes the keys (init when keys exist, rotate, retire,
signing) first proves the passphrase by decrypting an existing private key, and only then
acts: a wrong passphrase changes nothing on disk. A decrypted key is kept in memory for
the file it came from (the same inode, size and mtime): Argon2id makes each decryption
cost a fraction of a second, and a process holding the passphrase can decrypt every key
anyway. Passphrases are at least :data:`MIN_PASSPHRASE_CHARS` characters. The folder is
0700, every file in it 0600 (each written to a 0600 temporary file and renamed over the
old one); once keys exist, a folder or file that group or others may read or write is
refused, naming the file, its mode and the chmod that fixes it.

:meth:`Keystore.health` answers whether the keys can be opened (``/health``, ``/ready``),
re-checking only when a file in the folder changed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import tempfile
import threading
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Literal

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from domain.authority import AUTHORITY_SCHEMES
from domain.vocabulary import Scheme
from signing.root import LOG as LOG
from signing.root import ROOT as ROOT

MIN_PASSPHRASE_CHARS = 12
"""Shorter passphrases are refused when making and when using keys: the key files are
only as strong as the passphrase that encrypts them."""

KEY_FILE_SUFFIX = ".key.json"
LEGACY_KEY_FILE_SUFFIX = ".key.pem"  # PKCS#8 under PBKDF2 (2,048 iterations): re-wrapped
KEY_FILE_FORMAT = "talentcard-issuer-key"
KEY_FILE_VERSION = 1
_LOOSE_BITS = 0o066  # read or write for group or others (their x bit alone exposes nothing)

_log = logging.getLogger(__name__)


class KeystoreError(Exception):
    """A key operation that cannot be done (missing, short or wrong passphrase, unknown
    key, no key, a key file others may read)."""


class KdfCost(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Argon2id's cost (RFC 9106): ``iterations`` passes (t) over ``memory_kib`` KiB of
    memory (m) in ``lanes`` lanes (p)."""

    iterations: int
    memory_kib: int
    lanes: int

    def problem(self) -> str | None:
        """Why this cost cannot be used, or None. The bounds also keep a key file that
        names an absurd cost from making a probe allocate gigabytes."""
        if not 1 <= self.lanes <= MAX_KDF_LANES:
            return f"p (lanes) must be 1 to {MAX_KDF_LANES}"
        if not 1 <= self.iterations <= MAX_KDF_ITERATIONS:
            return f"t (iterations) must be 1 to {MAX_KDF_ITERATIONS}"
        if not 8 * self.lanes <= self.memory_kib <= MAX_KDF_MEMORY_KIB:
            return f"m (memory, KiB) must be 8 × p to {MAX_KDF_MEMORY_KIB}"
        return None

    def below(self, other: KdfCost) -> bool:
        """Whether this cost is cheaper than ``other`` in time or memory (a file made at
        it is re-wrapped at ``other``)."""
        return self.iterations < other.iterations or self.memory_kib < other.memory_kib

    def __str__(self) -> str:
        return f"m={self.memory_kib},t={self.iterations},p={self.lanes}"


MAX_KDF_LANES = 16
MAX_KDF_ITERATIONS = 16
MAX_KDF_MEMORY_KIB = 1 << 20  # 1 GiB
KDF_COST = KdfCost(iterations=3, memory_kib=1 << 16, lanes=4)
"""RFC 9106 §4's second recommended option (t=3, m=64 MiB, p=4), for memory-constrained
environments: 64 MiB per decryption, once per key per process."""


class KeyFileHeader(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Everything in a key file but the ciphertext: all of it, with the kid the reader
    expects, is the AES-GCM associated data."""

    format: str
    version: int
    kid: str
    kdf: Literal["argon2id"]
    cost: KdfCost
    cipher: Literal["aes-256-gcm"]
    salt: bytes
    nonce: bytes


class KeyFile(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A key file (JSON; bytes as base64): the header and the AES-256-GCM ciphertext of
    the raw 32-byte Ed25519 private key, tag appended."""

    header: KeyFileHeader
    ciphertext: bytes


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


class KeystoreHealth(msgspec.Struct, frozen=True, kw_only=True):
    """Whether the keys can be used: ``state`` is ``ok``, ``none`` (no key made yet:
    nothing to open) or ``unavailable``, with ``problem`` saying why (never the
    passphrase)."""

    state: Literal["ok", "none", "unavailable"]
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.state != "unavailable"


def key_id(public_key: Ed25519PublicKey) -> bytes:
    """The first 8 bytes of SHA-256 over the raw public key."""
    return hashlib.sha256(public_key.public_bytes_raw()).digest()[:8]


def wrap_key(private: Ed25519PrivateKey, kid: str, passphrase: bytes, cost: KdfCost) -> bytes:
    """A key file's bytes: ``private`` under a key Argon2id derives from ``passphrase``."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    header = KeyFileHeader(
        format=KEY_FILE_FORMAT,
        version=KEY_FILE_VERSION,
        kid=kid,
        kdf="argon2id",
        cost=cost,
        cipher="aes-256-gcm",
        salt=os.urandom(16),
        nonce=os.urandom(12),
    )
    wrapping = _derive(passphrase, header.salt, cost)
    ciphertext = AESGCM(wrapping).encrypt(
        header.nonce, private.private_bytes_raw(), msgspec.json.encode(header)
    )
    return msgspec.json.format(msgspec.json.encode(KeyFile(header=header, ciphertext=ciphertext)))


def unwrap_key(data: bytes, kid: str, passphrase: bytes) -> tuple[Ed25519PrivateKey, KdfCost]:
    """The private key in a key file's bytes, and the cost it was wrapped at; it must be
    key ``kid`` (the associated data binds the file to it)."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        wrapped = msgspec.json.decode(data, type=KeyFile)
    except msgspec.DecodeError as e:
        raise KeystoreError(f"key {kid}: not a talentcard key file ({e})") from None
    header = wrapped.header
    if header.format != KEY_FILE_FORMAT or header.version != KEY_FILE_VERSION:
        raise KeystoreError(
            f"key {kid}: format {header.format!r} version {header.version} is not one this "
            f"release reads ({KEY_FILE_FORMAT!r} version {KEY_FILE_VERSION})"
        )
    problem = header.cost.problem()
    if problem is not None:
        raise KeystoreError(f"key {kid}: its file names a cost this release refuses: {problem}")
    if header.kid != kid:
        raise KeystoreError(f"key {kid}: its file holds key {header.kid}")
    if len(header.salt) < 16 or len(header.nonce) != 12:
        raise KeystoreError(f"key {kid}: its file's salt or nonce has the wrong length")
    # The header as read is the associated data: its kid is the expected one (checked
    # above), so a file whose kid or cost was edited fails the tag like a wrong passphrase.
    associated = msgspec.json.encode(header)
    try:
        raw = AESGCM(_derive(passphrase, header.salt, header.cost)).decrypt(
            header.nonce, wrapped.ciphertext, associated
        )
    except InvalidTag:
        raise KeystoreError(f"cannot decrypt key {kid}: wrong passphrase?") from None
    try:
        private = Ed25519PrivateKey.from_private_bytes(raw)
    except ValueError:
        raise KeystoreError(f"key {kid} is not an Ed25519 key") from None
    if key_id(private.public_key()).hex() != kid:
        raise KeystoreError(f"key {kid}: its file holds another key")
    return private, header.cost


def _derive(passphrase: bytes, salt: bytes, cost: KdfCost) -> bytes:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    try:
        kdf = Argon2id(
            salt=salt,
            length=32,
            iterations=cost.iterations,
            lanes=cost.lanes,
            memory_cost=cost.memory_kib,
        )
    except UnsupportedAlgorithm:  # cryptography built on an OpenSSL older than 3.2
        raise KeystoreError(
            "this cryptography build has no Argon2id (it needs OpenSSL 3.2 or later)"
        ) from None
    return kdf.derive(passphrase)


def _stamp(st: os.stat_result) -> tuple[int, int, int]:
    """What changes when a file is replaced or rewritten."""
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _refuse_loose(path: Path, st: os.stat_result) -> None:
    """A key file, keys.json or the keys folder that group or others may read or write is
    not used: the key may have been copied or replaced. The fix is the operator's."""
    if st.st_mode & _LOOSE_BITS:
        mode = stat.S_IMODE(st.st_mode)
        fix = "chmod 700" if stat.S_ISDIR(st.st_mode) else "chmod 600"
        raise KeystoreError(
            f"{path} is mode {mode:04o}: group or others may read or write it, so the keys "
            f"are not used; run `{fix} {path}` (and replace the keys if others copied them)"
        )


class Keystore:
    """Encrypted key files and their metadata in one folder.

    ``kdf_cost`` is the Argon2id cost new and re-wrapped key files are made at
    (production: :data:`KDF_COST`; the tests pass a trivial one to stay fast)."""

    def __init__(
        self, folder: Path, passphrase: bytes | None, *, kdf_cost: KdfCost = KDF_COST
    ) -> None:
        problem = kdf_cost.problem()
        if problem is not None:
            raise KeystoreError(f"key derivation cost {kdf_cost}: {problem}")
        self.folder = folder
        self._passphrase = passphrase
        self._cost = kdf_cost
        self._lock = threading.Lock()  # one decryption at a time: each may take 64 MiB
        self._unwrapped: dict[str, tuple[Path, tuple[int, int, int], Ed25519PrivateKey]] = {}
        self._health_lock = threading.Lock()
        self._health: tuple[object, KeystoreHealth] | None = None

    # ---- reading ------------------------------------------------------------------------

    def records(self) -> list[KeyRecord]:
        """Every key ever made here, oldest first."""
        path = self.folder / "keys.json"
        try:
            st = path.stat()
        except FileNotFoundError:
            return []
        _refuse_loose(self.folder, self.folder.stat())
        _refuse_loose(path, st)
        try:
            return msgspec.json.decode(path.read_bytes(), type=list[KeyRecord])
        except msgspec.DecodeError as e:
            raise KeystoreError(f"{path} is not a list of key records: {e}") from None

    def signing_key(self, authority: str, at: datetime) -> tuple[KeyRecord, Ed25519PrivateKey]:
        """The key that signs for ``authority`` at ``at``, decrypted."""
        for record in reversed(self.records()):
            if record.authority == authority and record.signs_at(at):
                return record, self._load_private(record)
        raise KeystoreError(
            f"no {authority} key may sign at {at.isoformat()}; run `talentcard keys init`"
        )

    def health(self) -> KeystoreHealth:
        """Whether the keys can be opened: the passphrase decrypts a current key (the
        root's by preference), every key that may still sign has its file, and no key
        file, keys.json or the folder is open to others. Computed once, and again only
        when something in the folder changed (a name, size, mtime or mode): a probe calls
        it every few seconds and proving the passphrase costs an Argon2id derivation."""
        with self._health_lock:
            fingerprint = self._fingerprint()
            if self._health is not None and self._health[0] == fingerprint:
                return self._health[1]
            answer = self._check()
            self._health = (fingerprint, answer)
            return answer

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

    def _key_file(self, kid: str) -> Path:
        return self.folder / f"{kid}{KEY_FILE_SUFFIX}"

    def _legacy_key_file(self, kid: str) -> Path:
        return self.folder / f"{kid}{LEGACY_KEY_FILE_SUFFIX}"

    def _has_file(self, kid: str) -> bool:
        return self._key_file(kid).exists() or self._legacy_key_file(kid).exists()

    def _prove_passphrase(self, records: list[KeyRecord], prefer: str = ROOT) -> None:
        """Decrypt one existing private key (``prefer``'s newest, else the root's, else
        any) before anything is changed; with no key yet, only check the passphrase."""
        self._require_passphrase()
        order = sorted(
            reversed(records), key=lambda r: (r.authority != prefer, r.authority != ROOT)
        )
        for record in order:
            if self._has_file(record.kid):
                self._load_private(record)
                return
        if records:
            raise KeystoreError(
                f"no private key file in {self.folder} to prove the passphrase with"
            )

    def _make_key(self, authority: str, at: datetime) -> KeyRecord:
        """A new key pair: its encrypted file written (0600), its record returned for the
        caller to add to keys.json."""
        passphrase = self._require_passphrase()
        private = Ed25519PrivateKey.generate()
        public = private.public_key()
        kid = key_id(public).hex()
        self._ensure_folder()
        self._replace(self._key_file(kid), wrap_key(private, kid, passphrase, self._cost))
        return KeyRecord(
            kid=kid,
            authority=authority,
            schemes=AUTHORITY_SCHEMES.get(authority, ()),
            public_key=public.public_bytes_raw().hex(),
            created_at=at,
        )

    def _load_private(self, record: KeyRecord) -> Ed25519PrivateKey:
        """The key's private half, from memory if its file is the one it was read from,
        else decrypted (and re-wrapped when the file is old or cheaper than ours)."""
        passphrase = self._require_passphrase()
        kid = record.kid
        with self._lock:
            path = self._key_file(kid)
            try:
                st = path.stat()
            except FileNotFoundError:
                path = self._legacy_key_file(kid)
                try:
                    st = path.stat()
                except FileNotFoundError:
                    # Another process may have re-wrapped it between the two looks.
                    path = self._key_file(kid)
                    try:
                        st = path.stat()
                    except OSError as e:
                        raise KeystoreError(f"cannot read key {kid}: {e.strerror}") from None
            _refuse_loose(path, st)  # every use: a chmod after the first one counts too
            cached = self._unwrapped.get(kid)
            if cached is not None and cached[:2] == (path, _stamp(st)):
                return cached[2]
            try:
                data = path.read_bytes()
            except OSError as e:
                raise KeystoreError(f"cannot read key {kid}: {e.strerror}") from None
            if path.name.endswith(LEGACY_KEY_FILE_SUFFIX):
                key = _load_legacy(data, kid, passphrase)
                stale = True
            else:
                key, cost = unwrap_key(data, kid, passphrase)
                stale = cost.below(self._cost)
            if stale:
                path = self._rewrap(kid, key, passphrase, path)
                st = path.stat()
            self._unwrapped[kid] = (path, _stamp(st), key)
            return key

    def _rewrap(self, kid: str, key: Ed25519PrivateKey, passphrase: bytes, old: Path) -> Path:
        """Write the key in the current format at this keystore's cost, then drop an old
        PKCS#8 file; the path now holding the key. A folder this process may not write
        (mounted read-only) leaves the file as it was: it still opens."""
        new = self._key_file(kid)
        try:
            self._replace(new, wrap_key(key, kid, passphrase, self._cost))
            if old != new:
                old.unlink(missing_ok=True)
        except OSError as e:
            _log.warning("key %s kept in its old file %s: cannot re-wrap it: %s", kid, old, e)
            return old if old.exists() else new
        return new

    def _check(self) -> KeystoreHealth:
        try:
            records = self.records()
            if not records:
                return KeystoreHealth(state="none")
            self._require_passphrase()
            current = [r for r in records if r.signs_until is None and r.retired_at is None]
            for record in current:
                if not self._has_file(record.kid):
                    raise KeystoreError(
                        f"the {record.authority} key {record.kid} has no file in {self.folder}"
                    )
            for record in records:  # an old key's file others may read leaks it as well
                for path in (self._key_file(record.kid), self._legacy_key_file(record.kid)):
                    if path.exists():
                        _refuse_loose(path, path.stat())
            self._prove_passphrase(current or records)
        except KeystoreError as e:
            return KeystoreHealth(state="unavailable", problem=str(e))
        except OSError as e:
            return KeystoreHealth(
                state="unavailable", problem=f"cannot read {self.folder}: {e.strerror}"
            )
        return KeystoreHealth(state="ok")

    def _fingerprint(self) -> object:
        """Every name in the folder with what changes when it is rewritten or chmodded."""
        try:
            folder = self.folder.stat()
            entries = sorted(os.scandir(self.folder), key=lambda e: e.name)
            files = tuple(
                (e.name, *_stamp(st), st.st_mode)
                for e in entries
                for st in (e.stat(follow_symlinks=True),)
            )
        except OSError as e:  # missing (no key yet) or unreadable: a state of its own
            return ("unreadable", e.errno)
        return (folder.st_mode, folder.st_mtime_ns, files)

    def _ensure_folder(self) -> None:
        """The keys folder, created 0700, and tightened to 0700 if it was looser while it
        held no keys yet (once it does, :meth:`records` refuses it instead): it holds
        nothing but keys, and who may list it learns which keys exist."""
        missing = [p for p in (self.folder, *self.folder.parents) if not p.exists()]
        for folder in reversed(missing):  # parents too: mkdir(parents=True) makes them 0755
            folder.mkdir(mode=0o700, exist_ok=True)
        if self.folder.stat().st_mode & 0o077:
            self.folder.chmod(0o700)

    def _replace(self, path: Path, data: bytes) -> None:
        """``path`` replaced atomically: a crash leaves the old file or the new one, and
        neither is ever readable by others (the temporary file is made 0600, with a name
        of its own so two processes re-wrapping at once do not collide)."""
        fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def _write(self, records: Iterable[KeyRecord]) -> None:
        """keys.json replaced atomically (0600)."""
        self._ensure_folder()
        self._replace(
            self.folder / "keys.json", msgspec.json.format(msgspec.json.encode(list(records)))
        )


def _load_legacy(data: bytes, kid: str, passphrase: bytes) -> Ed25519PrivateKey:
    """A PKCS#8 PEM key file as releases before the Argon2id format wrote them."""
    # Imported here only: cryptography's serialization module loads every key format it
    # reads (SSH, EC, RSA, ~20 ms), and the verifier, which imports this module for
    # KeyRecord, never reads a key file.
    from cryptography.hazmat.primitives import serialization

    try:
        key = serialization.load_pem_private_key(data, password=passphrase)
    except (ValueError, TypeError):
        raise KeystoreError(f"cannot decrypt key {kid}: wrong passphrase?") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeystoreError(f"key {kid} is not an Ed25519 key")
    if key_id(key.public_key()).hex() != kid:
        raise KeystoreError(f"key {kid}: its file holds another key")
    return key
