"""Where the ledger keeps its events, chosen by one setting: TALENTCARD_DATABASE_URL.

- unset, or ``sqlite:///path``: an SQLite file (the embedded default) under
  TALENTCARD_DATA_DIR (default ``./data``), created on first use;
- ``postgresql://user:password@host:port/dbname?schema=name&pool_size=N``: PostgreSQL
  through psycopg 3 and its connection pool.
"""

from __future__ import annotations

import getpass
import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from domain.errors import DomainError

DATABASE_URL = "TALENTCARD_DATABASE_URL"
DATA_DIR = "TALENTCARD_DATA_DIR"
ID_PEPPER = "TALENTCARD_ID_PEPPER"
TRANSCODER = "ledger.transcoder:MsgspecTranscoder"


class SettingsError(DomainError):
    """A setting is missing or malformed."""

    code = "bad_setting"


def data_dir(env: dict[str, str] | None = None) -> Path:
    """The folder for the embedded store and local secrets."""
    source = os.environ if env is None else env
    return Path(source.get(DATA_DIR) or "data")


def database_url(env: dict[str, str] | None = None) -> str | None:
    """The configured database URL, or None for the embedded default."""
    source = os.environ if env is None else env
    return source.get(DATABASE_URL) or None


def store_env(url: str | None, folder: Path) -> dict[str, str]:
    """eventsourcing's persistence settings for a database URL."""
    if url is None or url.startswith("sqlite:"):
        path = Path(url.removeprefix("sqlite:///").removeprefix("sqlite:")) if url else None
        if path is None or str(path) in ("", "."):
            path = folder / "talentcard.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
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
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username) if parts.username else getpass.getuser(),
        "POSTGRES_PASSWORD": unquote(parts.password) if parts.password else "",
        "POSTGRES_POOL_SIZE": query.get("pool_size", "10"),
        "POSTGRES_MAX_OVERFLOW": query.get("max_overflow", "10"),
        "POSTGRES_LOCK_TIMEOUT": query.get("lock_timeout", "5"),
        "POSTGRES_CONNECT_TIMEOUT": "5",
        "TRANSCODER_TOPIC": TRANSCODER,
    }
    if "schema" in query:
        env["POSTGRES_SCHEMA"] = query["schema"]
    return env


def id_pepper(folder: Path, env: dict[str, str] | None = None) -> bytes:
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
        folder.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first; use theirs
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
    return path.read_text().strip().encode()
