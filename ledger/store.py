"""Opening the event store, and making it: the two things the ledger's store needs done to
it before any command runs. What to open (the store's settings), with which keys and which
clock, and which read models to make beside the events: the composition root
(``services.bootstrap.Registry``) decides and hands in.

Two entry points, two privileges:

- ``create_store`` is run once by the store's owner (``talentcard init``, the compose
  one-shot): schema, tables, append-only triggers and, with ``app_role``, the runtime
  role's grants. It takes an advisory lock before any DDL, so any number of concurrent
  runs are safe and the result is the same as one run.
- ``open_ledger`` is what every other process calls. On PostgreSQL it runs no DDL at all
  (the library's table creation is turned off): it checks that the store was initialised
  and that its role may use it, and otherwise refuses with one line naming
  ``talentcard init``. The embedded SQLite store still creates itself on first use,
  because there the owner and the runtime are the same operating-system user.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import psycopg
from eventsourcing.persistence import PersistenceError
from psycopg import sql

from domain.clock import Clock
from ledger.app import CardLedger
from ledger.event_keys import EventKeys
from ledger.guards import (
    grant_read_models,
    grant_runtime_role,
    install_erasure_path,
    install_postgres_guards,
    install_sqlite_guards,
    postgres_store_problem,
)
from ledger.leaves import SALT_PURPOSE
from ledger.sessions import session_tables
from ledger.settings import SettingsError, StoreNotReady

POSTGRES = "eventsourcing.postgres"
# eventsourcing's setting (9.5.x: InfrastructureFactory.CREATE_TABLE) that makes every
# recorder run CREATE TABLE/TYPE/FUNCTION when the application is constructed.
CREATE_TABLE = "CREATE_TABLE"
# The advisory lock `init` holds around its DDL: one class id for talentcard, one key per
# schema (a hash collision only serialises two inits; it cannot make one unsafe).
_INIT_LOCK = "SELECT pg_advisory_lock(hashtext('talentcard.init'), hashtext(%s))"
_INIT_UNLOCK = "SELECT pg_advisory_unlock(hashtext('talentcard.init'), hashtext(%s))"


def open_ledger(
    store: Mapping[str, str],
    *,
    id_pepper: Callable[[], bytes],
    event_keys: EventKeys,
    clock: Clock,
) -> CardLedger:
    """Open the ledger on ``store`` (eventsourcing's settings, ``ledger.settings.store_env``)
    as a runtime process whose every save ``event_keys`` signs.

    SQLite: created with its append-only guards on first use. PostgreSQL: no DDL; a store
    that ``talentcard init`` has not prepared, or that this role may not use, raises
    StoreNotReady naming what to run. ``id_pepper`` is read only once the store is known
    to be usable, so a refused start leaves no key file behind.
    """
    if store["PERSISTENCE_MODULE"] != POSTGRES:
        embedded = _open_sqlite(store, id_pepper(), clock)
        _sign_events(embedded, event_keys, clock)
        return embedded
    problem = _postgres_problem(store)
    if problem is not None:
        raise StoreNotReady(f"{_where(store)} {problem}")
    try:
        ledger = CardLedger({**store, CREATE_TABLE: "false"}, id_pepper=id_pepper(), clock=clock)
        _sign_events(ledger, event_keys, clock)
    except (psycopg.Error, PersistenceError) as e:
        raise StoreNotReady(f"{_where(store)}: {_first_line(e)}") from None
    return ledger


def _sign_events(ledger: CardLedger, keys: EventKeys, clock: Clock) -> None:
    """Every save of a runtime process is signed with the event key (ledger.event_signer)."""
    ledger.sign_events_with(keys, clock, salt_key=ledger.derived_secret(SALT_PURPOSE))


def check_app_role(database_url: str | None, app_role: str | None) -> None:
    """Refuse a runtime role for the embedded store, which has no roles (its file is
    readable and writable by its owner only). Checked on the URL, before the store's
    settings are made: making them creates the SQLite file."""
    if app_role is not None and (database_url is None or database_url.startswith("sqlite:")):
        raise SettingsError(
            "--app-role applies to a PostgreSQL store: the embedded SQLite store has no "
            "roles (its file is readable and writable by its owner only)"
        )


def create_store(
    store: Mapping[str, str],
    *,
    app_role: str | None = None,
    install_read_models: Callable[[CardLedger], Sequence[str]] | None = None,
    id_pepper: Callable[[], bytes] | None = None,
) -> None:
    """Create the store's schema, tables and append-only guards, as its owner
    (idempotent); with ``app_role``, grant that existing role what the service needs.
    ``install_read_models`` (``projections.engine.install``, passed by the composition
    root: the ledger may not import the projections) creates the read-model and tracking
    tables on the owner's ledger and names them for the grants. ``id_pepper`` makes the
    embedded store's identity key with it."""
    if store["PERSISTENCE_MODULE"] != POSTGRES:
        check_app_role(None, app_role)
        # `init` writes no events, but the embedded store's identity key is made with it
        # (owner and runtime are one user there, and a backup taken after init finds the
        # key beside the file); PostgreSQL's init reads none.
        embedded = _open_sqlite(store, id_pepper() if id_pepper else b"", _no_clock)
        try:
            if install_read_models is not None:
                install_read_models(embedded)
        finally:
            embedded.close()
        return
    try:
        with _owner_connection(store) as conn:
            if app_role is not None and not _role_exists(conn, app_role):
                raise StoreNotReady(
                    f"role {app_role!r} does not exist on {_where(store)}: create it first "
                    "(CREATE ROLE … LOGIN PASSWORD …), then run init again"
                )
            _create_postgres_store(conn, store, app_role, install_read_models)
    except (psycopg.Error, PersistenceError) as e:
        raise StoreNotReady(f"init on {_where(store)} failed: {_first_line(e)}") from None


def _create_postgres_store(
    conn: psycopg.Connection[Any],
    store: Mapping[str, str],
    app_role: str | None,
    install_read_models: Callable[[CardLedger], Sequence[str]] | None,
) -> None:
    """The owner's DDL, under the init lock."""
    schema = store.get("POSTGRES_SCHEMA") or "public"
    with _advisory_lock(conn, schema):
        if schema != "public":
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        # `init` writes no events, so it needs no identity key: it uses none.
        ledger = CardLedger({**store, CREATE_TABLE: "true"}, id_pepper=b"", clock=_no_clock)
        try:
            datastore = ledger.recorder.datastore  # type: ignore[attr-defined]
            table: str = ledger.recorder.events_table_name  # type: ignore[attr-defined]
            install_postgres_guards(datastore, table)
            install_erasure_path(datastore, table, app_role)
            views = install_read_models(ledger) if install_read_models is not None else ()
            if app_role is not None:
                grant_runtime_role(datastore, table, app_role)
                grant_read_models(datastore, views, app_role)
                # The console's sessions: rows the service adds, changes and deletes.
                grant_read_models(datastore, session_tables(table), app_role)
        finally:
            ledger.close()


def _no_clock() -> datetime:
    """The clock of a ledger opened only to create the store: `init` records nothing, so
    it never reads the time (only the composition root holds the system clock)."""
    raise AssertionError("create_store records no event and has no clock")


def postgres_conninfo(env: Mapping[str, str]) -> str:
    """A libpq connection string from eventsourcing's POSTGRES_* settings."""
    return psycopg.conninfo.make_conninfo(
        dbname=env["POSTGRES_DBNAME"],
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"],
        password=env.get("POSTGRES_PASSWORD") or None,
        connect_timeout=env.get("POSTGRES_CONNECT_TIMEOUT", "5"),
    )


def _open_sqlite(store: Mapping[str, str], id_pepper: bytes, clock: Clock) -> CardLedger:
    ledger = CardLedger(store, id_pepper=id_pepper, clock=clock)
    datastore = ledger.recorder.datastore  # type: ignore[attr-defined]
    install_sqlite_guards(datastore, ledger.recorder.events_table_name)  # type: ignore[attr-defined]
    return ledger


def _postgres_problem(env: Mapping[str, str]) -> str | None:
    """What stops a runtime process from using the store, read from the catalogue."""
    table = f"{CardLedger.name}_events"  # eventsourcing names it after the application
    try:
        with psycopg.connect(postgres_conninfo(env), autocommit=True) as conn:
            return postgres_store_problem(conn, env.get("POSTGRES_SCHEMA") or "public", table)
    except psycopg.Error as e:
        return f"cannot be used: {_first_line(e)}"


@contextmanager
def _owner_connection(env: Mapping[str, str]) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(postgres_conninfo(env), autocommit=True) as conn:
        yield conn


@contextmanager
def _advisory_lock(conn: psycopg.Connection[Any], schema: str) -> Iterator[None]:
    """Hold the init lock (a session lock on this connection) while other connections,
    the library's pool among them, run the DDL: every `init` waits for it first."""
    conn.execute(_INIT_LOCK, (schema,))
    try:
        yield
    finally:
        conn.execute(_INIT_UNLOCK, (schema,))


def _role_exists(conn: psycopg.Connection[Any], role: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is not None


def _where(env: Mapping[str, str]) -> str:
    schema = env.get("POSTGRES_SCHEMA") or "public"
    return (
        f"the PostgreSQL store {env.get('POSTGRES_HOST')}:{env.get('POSTGRES_PORT')}"
        f"/{env.get('POSTGRES_DBNAME')} schema {schema}"
    )


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
