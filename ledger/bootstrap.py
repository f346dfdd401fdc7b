"""The composition root: production defaults from the environment, keyword overrides for
tests and tools. Every process (CLI, API, projection worker) opens the ledger here."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import psycopg
from psycopg import sql

from domain.clock import Clock
from ledger import settings
from ledger.app import CardLedger, system_clock
from ledger.guards import install_postgres_guards, install_sqlite_guards


def open_ledger(
    *,
    database_url: str | None = None,
    data_dir: Path | None = None,
    clock: Clock = system_clock,
    environ: Mapping[str, str] | None = None,
) -> CardLedger:
    """Open (and on first use create) the ledger's store, with its append-only guards."""
    source = dict(os.environ if environ is None else environ)
    folder = data_dir or settings.data_dir(source)
    url = database_url if database_url is not None else settings.database_url(source)
    env = settings.store_env(url, folder)
    if env["PERSISTENCE_MODULE"] == "eventsourcing.postgres" and "POSTGRES_SCHEMA" in env:
        _create_postgres_schema(env)
    ledger = CardLedger(env, id_pepper=settings.id_pepper(folder, source), clock=clock)
    datastore = ledger.recorder.datastore  # type: ignore[attr-defined]
    table = ledger.recorder.events_table_name  # type: ignore[attr-defined]
    if env["PERSISTENCE_MODULE"] == "eventsourcing.postgres":
        install_postgres_guards(datastore, table)
    else:
        install_sqlite_guards(datastore, table)
    return ledger


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


def _create_postgres_schema(env: Mapping[str, str]) -> None:
    with psycopg.connect(postgres_conninfo(env), autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(env["POSTGRES_SCHEMA"]))
        )
