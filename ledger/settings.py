"""Where the ledger keeps its events, chosen by one setting: TALENTCARD_DATABASE_URL.

- unset, or ``sqlite:///path``: an SQLite file (the embedded default) under
  TALENTCARD_DATA_DIR (default ``./data``), created on first use;
- ``postgresql://user:password@host:port/dbname?schema=name&pool_size=N``: PostgreSQL
  through psycopg 3 and its connection pool. The password may instead be kept in a file
  named by TALENTCARD_DATABASE_PASSWORD_FILE (a Docker secret), so it is never written in
  a compose file or a process's environment.

The embedded store's file is created readable by its owner only (0600), in folders made
private (0700): it holds every card's history, and on SQLite the file's permissions are
the only guard against DDL (SQLite has no DDL triggers).
"""

from __future__ import annotations

import contextlib
import getpass
import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from domain.errors import DomainError

DATABASE_URL = "TALENTCARD_DATABASE_URL"
DATA_DIR = "TALENTCARD_DATA_DIR"
ID_PEPPER = "TALENTCARD_ID_PEPPER"
DATABASE_PASSWORD_FILE = "TALENTCARD_DATABASE_PASSWORD_FILE"  # noqa: S105 (a name)
TRANSCODER = "ledger.transcoder:MsgspecTranscoder"


class SettingsError(DomainError):
    """A setting is missing or malformed."""

    code = "bad_setting"


class StoreNotReady(SettingsError):
    """The configured store cannot be used as it is: not initialised by its owner, the
    runtime role lacks a privilege, or the server does not answer. The operator fixes it
    (usually with ``talentcard init``); the CLI exits 2 with this one line."""

    code = "store_not_ready"


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """The folder for the embedded store and local secrets."""
    source = os.environ if env is None else env
    return Path(source.get(DATA_DIR) or "data")


def database_url(env: Mapping[str, str] | None = None) -> str | None:
    """The configured database URL, or None for the embedded default."""
    source = os.environ if env is None else env
    return source.get(DATABASE_URL) or None


def store_env(
    url: str | None, folder: Path, env: Mapping[str, str] | None = None
) -> dict[str, str]:
    """eventsourcing's persistence settings for a database URL (``env``: the other
    settings, by default the process environment)."""
    source = os.environ if env is None else env
    if url is None or url.startswith("sqlite:"):
        path = Path(url.removeprefix("sqlite:///").removeprefix("sqlite:")) if url else None
        if path is None or str(path) in ("", "."):
            path = folder / "talentcard.sqlite3"
        private_file(path)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(path),
            "SQLITE_LOCK_TIMEOUT": "10",
            "TRANSCODER_TOPIC": TRANSCODER,
        }
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise SettingsError(
            f"{DATABASE_URL} must start with postgresql:// or sqlite:///, not {parts.scheme}://"
        )
    dbname = unquote(parts.path.lstrip("/"))
    if not dbname:
        raise SettingsError(f"{DATABASE_URL} names no database (postgresql://host/DBNAME)")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = set(query) - {"schema", "pool_size", "max_overflow", "lock_timeout"}
    if unknown:
        raise SettingsError(f"{DATABASE_URL} has unknown parameters: {', '.join(sorted(unknown))}")
    password = unquote(parts.password) if parts.password else ""
    password_file = source.get(DATABASE_PASSWORD_FILE)
    if password_file:
        if password:
            raise SettingsError(
                f"{DATABASE_URL} has a password and {DATABASE_PASSWORD_FILE} names a file: "
                "give the password in one place only"
            )
        password = _read_password(Path(password_file))
    settings = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username) if parts.username else getpass.getuser(),
        "POSTGRES_PASSWORD": password,
        "POSTGRES_POOL_SIZE": query.get("pool_size", "10"),
        "POSTGRES_MAX_OVERFLOW": query.get("max_overflow", "10"),
        "POSTGRES_LOCK_TIMEOUT": query.get("lock_timeout", "5"),
        "POSTGRES_CONNECT_TIMEOUT": "5",
        "TRANSCODER_TOPIC": TRANSCODER,
    }
    if "schema" in query:
        settings["POSTGRES_SCHEMA"] = query["schema"]
    return settings


def _read_password(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else type(e).__name__
        raise SettingsError(f"{DATABASE_PASSWORD_FILE}: cannot read {path}: {reason}") from None
    password = text.rstrip("\r\n")  # secret files usually end with a newline
    if not password:
        raise SettingsError(f"{DATABASE_PASSWORD_FILE}: {path} is empty")
    return password


def private_dir(path: Path) -> None:
    """Make the folder and any missing parents, each readable by its owner only (0700).

    Folders that already exist are left as they are: an explicit ``sqlite:///`` path may
    live in a shared folder such as /tmp that is not ours to change.
    """
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it first
            folder.mkdir(mode=0o700)


def private_file(path: Path) -> None:
    """Create the embedded store's file (and its folder) private: file 0600, folder 0700.

    SQLite itself would create the file with the process's umask (usually 0644, readable
    by every user of the machine) and gives its -wal and -shm files the database file's
    mode, so creating the file first is enough. A file this user already owns that others
    can read (made by an earlier version) is tightened.
    """
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for existing in (
            path,
            path.with_name(path.name + "-wal"),
            path.with_name(path.name + "-shm"),
        ):
            with contextlib.suppress(FileNotFoundError):
                status = existing.stat()
                if status.st_uid == os.getuid() and status.st_mode & 0o077:
                    existing.chmod(0o600)
    else:
        os.close(fd)


EVENT_KEYS_DIR = "TALENTCARD_EVENT_KEYS_DIR"


def event_keys_dir(folder: Path, env: Mapping[str, str] | None = None) -> Path:
    """Where the event-signing keys are (ledger.event_keys): TALENTCARD_EVENT_KEYS_DIR, or
    ``<data dir>/event-keys``. Every process writing to one store must share it."""
    source = os.environ if env is None else env
    configured = source.get(EVENT_KEYS_DIR)
    return Path(configured) if configured else folder / "event-keys"


def id_pepper(folder: Path, env: Mapping[str, str] | None = None) -> bytes:
    """The secret key for identity-number hashes: TALENTCARD_ID_PEPPER, or a random key
    kept in ``<data dir>/id-pepper`` (made on first use, readable by its owner only).

    Kept outside the event store so a copy of the events alone cannot be searched for a
    known ID number. Every process writing to one store must share the same key.
    """
    source = os.environ if env is None else env
    configured = source.get(ID_PEPPER)
    if configured:
        return configured.encode()
    path = folder / "id-pepper"
    if not path.exists():
        private_dir(folder)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first; use theirs
            pass
        else:
            with os.fdopen(fd, "w") as f:
                import secrets  # here, not at the top: `verify` and `--help` never make one

                f.write(secrets.token_hex(32))
    return path.read_text().strip().encode()
