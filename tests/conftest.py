"""Shared fixtures. Store-backed tests run twice: on the embedded SQLite store and on
PostgreSQL, each Postgres test in a schema of its own so tests run in any order.

Postgres is found at TALENTCARD_TEST_POSTGRES_URL (default the local server's ``test``
database), as a role that may create schemas and roles: the tests play the store's owner
(``talentcard init``) and, where they say so, a least-privilege runtime role. Without it
the Postgres half is skipped on a developer's machine, but under CI=true a missing
Postgres fails the run: the production store is never left untested.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from domain.clock import Clock
from ledger.app import CardLedger
from ledger.settings import DATA_DIR, DATABASE_URL
from services.bootstrap import Registry

POSTGRES_URL = os.environ.get(
    "TALENTCARD_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
KEY_PASSPHRASE = "issuer passphrase"  # the test keystores' (12 characters at least)
KEY_KDF_COST = "m=64,t=1,p=1"
"""The test keystores' Argon2id cost (TALENTCARD_KEY_KDF_COST): microseconds instead of the
production default's fraction of a second per key file, which `keys init` pays ~6 times."""
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


class FakeClock:
    """An injected clock the test moves by hand."""

    def __init__(self, start: datetime = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def _postgres_available() -> str | None:
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return None
    except psycopg.Error as e:
        return str(e).strip()


def with_schema(url: str, schema: str, **params: int) -> str:
    """The URL with a schema (and pool settings) of its own."""
    query = "&".join([f"schema={schema}", *(f"{k}={v}" for k, v in params.items())])
    return f"{url}{'&' if '?' in url else '?'}{query}"


def drop_schema(url: str, schema: str) -> None:
    with psycopg.connect(url.split("?")[0], autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def runtime_ledger(
    *,
    database_url: str | None = None,
    data_dir: Path | None = None,
    clock: Clock,
    environ: dict[str, str] | None = None,
) -> CardLedger:
    """The ledger a runtime process opens, through the composition root: on the store at
    ``database_url`` with ``data_dir``'s keys, the rest of the settings from ``environ``
    (None: the process environment). The caller closes it."""
    settings = dict(os.environ if environ is None else environ)
    if database_url is not None:
        settings[DATABASE_URL] = database_url
    if data_dir is not None:
        settings[DATA_DIR] = str(data_dir)
    return Registry(settings, clock=clock).ledger


def init_as_owner(*, database_url: str, data_dir: Path, app_role: str | None = None) -> str:
    """``talentcard init`` on the store, as its owner, through the composition root (with
    ``app_role``, that role's grants); a description of the store."""
    settings = {DATABASE_URL: database_url, DATA_DIR: str(data_dir)}
    return Registry(settings).init_store(app_role)


@pytest.fixture(autouse=True)
def cheap_key_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Key files made by the command line (and the processes tests start) at the test
    cost; a registry built from an environment of its own names KEY_KDF_COST itself."""
    monkeypatch.setenv("TALENTCARD_KEY_KDF_COST", KEY_KDF_COST)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The Postgres URL, or skip (fail under CI) if the server does not answer."""
    problem = _postgres_available()
    if problem is not None:
        message = f"PostgreSQL at {POSTGRES_URL} does not answer: {problem}"
        if IN_CI:
            pytest.fail(message + " (CI=true: Postgres tests may not be skipped)")
        pytest.skip(message)
    return POSTGRES_URL


def as_role(url: str, role: str) -> str:
    """The URL connecting as another role (the test server trusts local connections)."""
    parts = urlsplit(url)
    netloc = f"{role}@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def create_login_role(url: str) -> str:
    """A uniquely named LOGIN role with no privileges; drop it with ``drop_role``."""
    role = f"tc_app_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url.split("?")[0], autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
    return role


def drop_role(url: str, role: str) -> None:
    with psycopg.connect(url.split("?")[0], autocommit=True) as conn:
        conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


@pytest.fixture
def fresh_postgres_url(postgres_url: str) -> Iterator[str]:
    """A Postgres URL (as the owner) naming a schema that does not exist yet."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    yield with_schema(postgres_url, schema, pool_size=4, max_overflow=8)
    drop_schema(postgres_url, schema)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store of each kind, ready for a runtime process: on Postgres its
    owner has run ``talentcard init`` (runtime processes run no DDL)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
        return
    url: str = request.getfixturevalue("fresh_postgres_url")
    init_as_owner(database_url=url, data_dir=tmp_path)
    yield url


@pytest.fixture
def app_role_url(fresh_postgres_url: str, tmp_path: Path) -> Iterator[str]:
    """An initialised Postgres store and a URL connecting to it as a fresh runtime role,
    granted by ``init --app-role`` (the role is dropped afterwards)."""
    role = create_login_role(fresh_postgres_url)
    try:
        init_as_owner(database_url=fresh_postgres_url, data_dir=tmp_path, app_role=role)
        yield as_role(fresh_postgres_url, role)
    finally:  # DROP OWNED revokes its grants, so the role goes before its schema does
        drop_role(fresh_postgres_url, role)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def ledger(database_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[CardLedger]:
    """A ledger on a fresh, initialised store with a fake clock; closed after the test."""
    app = runtime_ledger(database_url=database_url, data_dir=tmp_path, clock=clock, environ={})
    yield app
    app.close()


@pytest.fixture
def registry(ledger: CardLedger, clock: FakeClock, tmp_path: Path) -> Iterator[Registry]:
    """The composition root over the test's ledger and fake clock (keys in tmp_path)."""
    environ = {
        "TALENTCARD_DATA_DIR": str(tmp_path),
        "TALENTCARD_KEY_PASSPHRASE": KEY_PASSPHRASE,
        "TALENTCARD_KEY_KDF_COST": KEY_KDF_COST,
    }
    with Registry(environ, clock=clock, ledger=ledger) as services:
        yield services


WRITE_RATE = 3  # the write_limited registry's writes a minute per user


@pytest.fixture
def write_limited(ledger: CardLedger, registry: Registry, clock: FakeClock) -> Iterator[Registry]:
    """The registry with a write limit of WRITE_RATE a minute (TALENTCARD_WRITE_RATE)."""
    environ = {**registry.environ, "TALENTCARD_WRITE_RATE": str(WRITE_RATE)}
    with Registry(environ, clock=clock, ledger=ledger) as services:
        yield services


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> Path:
    """The command line's environment pointed at a fresh store of each kind (and a data
    folder of its own, so the registry key is made fresh too)."""
    monkeypatch.setenv("TALENTCARD_DATABASE_URL", database_url)
    monkeypatch.setenv("TALENTCARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("TALENTCARD_ID_PEPPER", raising=False)
    return tmp_path


class CliKeys:
    """Users for command-line tests, each with its API key in a file of its own: the
    command line acts as the key's user (``--key-file``), never as a typed role."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def __call__(
        self, role: str, authority: str = "liaocheng", *, name: str = "", employer: str = ""
    ) -> str:
        """``--key-file FILE`` for the user ``name`` (default ``role.authority``), added
        with that role and authority on first use; an employer's or enterprise's user is
        bound to ``employer`` (default the factories' CREDIT_CODE)."""
        from domain.vocabulary import Role
        from tests.factories import CREDIT_CODE

        name = name or f"{role}.{authority}"
        path = self._folder / f"{name}.key"
        if not path.exists():
            if role in ("employer", "enterprise"):
                employer = employer or CREDIT_CODE
            with Registry() as registry:
                issued = registry.users.add(
                    None, name=name, role=Role(role), authority=authority, employer=employer
                )
            path.write_text(issued.key)
        return f"--key-file {path}"


@pytest.fixture
def key(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> CliKeys:
    """Keys for the command line's users; reads default to a provincial auditor's key in
    TALENTCARD_API_KEY (an auditor reads every file and writes nothing)."""
    keys = CliKeys(cli_env / "keys")
    path = keys("auditor", "province").removeprefix("--key-file ")
    monkeypatch.setenv("TALENTCARD_API_KEY", Path(path).read_text())
    return keys
