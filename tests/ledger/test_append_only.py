"""The events table refuses rewrites at the database, whoever connects with raw SQL."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from ledger.app import CardLedger
from ledger.bootstrap import open_ledger
from tests import factories as f
from tests.conftest import drop_schema, with_schema


def raw_rows(ledger: CardLedger) -> list[Any]:
    return [
        (e.originator_version, e.topic, bytes(e.state))
        for e in ledger.recorder.select_notifications(1, 1000)
    ]


def run_raw(ledger: CardLedger, statement: str) -> None:
    """Run SQL on a connection of its own, outside the ledger's code paths."""
    env = ledger.env
    if env.get("PERSISTENCE_MODULE") == "eventsourcing.sqlite":
        conn = sqlite3.connect(env.get("SQLITE_DBNAME") or "")
        try:
            conn.execute(statement.format(table="stored_events"))
            conn.commit()
        finally:
            conn.close()
        return
    from ledger.bootstrap import postgres_conninfo

    table = sql.Identifier(env.get("POSTGRES_SCHEMA") or "public", "talentcard_events")
    with psycopg.connect(postgres_conninfo(dict(env.items())), autocommit=True) as conn:
        conn.execute(sql.SQL(statement.replace("{table}", "{}")).format(table))


REFUSED_ERRORS = (sqlite3.IntegrityError, sqlite3.DatabaseError, psycopg.errors.RestrictViolation)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {table} SET topic = 'domain.card:Card.Revoked'",
        "UPDATE {table} SET state = state WHERE originator_version = 1",
        "DELETE FROM {table}",
        "DELETE FROM {table} WHERE originator_version = 2",
    ],
)
def test_updating_or_deleting_stored_events_fails_and_changes_nothing(
    ledger: CardLedger, statement: str
):
    card_id, _ = ledger.apply(f.apply_body())
    ledger.record_review(card_id, f.review("city_hrss"))
    before = raw_rows(ledger)
    with pytest.raises(REFUSED_ERRORS, match="append-only"):
        run_raw(ledger, statement)
    assert raw_rows(ledger) == before


@pytest.mark.postgres
def test_truncating_the_events_table_fails_on_postgres(postgres_url: str, tmp_path: Path):
    # SQLite has no TRUNCATE statement; its DELETE guard above covers the same ground.
    schema = f"t_{uuid.uuid4().hex[:16]}"
    ledger = open_ledger(
        database_url=with_schema(postgres_url, schema), data_dir=tmp_path, environ={}
    )
    try:
        ledger.apply(f.apply_body())
        before = raw_rows(ledger)
        with pytest.raises(psycopg.errors.RestrictViolation, match="append-only"):
            run_raw(ledger, "TRUNCATE {table}")
        assert raw_rows(ledger) == before
    finally:
        ledger.close()
        drop_schema(postgres_url, schema)


def test_appending_still_works_with_the_guards_in_place(ledger: CardLedger):
    card_id, _ = ledger.apply(f.apply_body())
    ledger.record_review(card_id, f.review("city_hrss"))
    assert len(raw_rows(ledger)) == 3  # Applied, the holder's ReservationOpened, ReviewRecorded
