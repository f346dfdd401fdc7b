"""The events table refuses every rewrite at the database, whoever connects with raw SQL:
each statement that could change, remove, replace or reorder a stored event fails, the
stored rows stay byte-identical and the card replays as before."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import psycopg
import pytest
from psycopg import sql

import ledger.card_commands as cc
from ledger.app import CardLedger
from ledger.event_signer import SIGNING_TOPICS
from ledger.store import postgres_conninfo
from tests import factories as f
from tests.conftest import FakeClock, init_as_owner, runtime_ledger


def raw_rows(ledger: CardLedger) -> list[Any]:
    return [
        (e.id, e.originator_id, e.originator_version, e.topic, bytes(e.state))
        for e in ledger.recorder.select_notifications(1, 1000)
    ]


def is_sqlite(ledger: CardLedger) -> bool:
    return ledger.env.get("PERSISTENCE_MODULE") == "eventsourcing.sqlite"


def run_raw(ledger: CardLedger, statement: str) -> None:
    """Run SQL on a connection of its own, outside the ledger's code paths."""
    env = ledger.env
    if is_sqlite(ledger):
        conn = sqlite3.connect(env.get("SQLITE_DBNAME") or "")
        try:
            conn.execute(statement.format(table="stored_events"))
            conn.commit()
        finally:
            conn.close()
        return
    table = sql.Identifier(env.get("POSTGRES_SCHEMA") or "public", "talentcard_events")
    with psycopg.connect(postgres_conninfo(dict(env.items())), autocommit=True) as conn:
        conn.execute(sql.SQL(statement).format(table=table))


class Rewrite(NamedTuple):
    statement: str
    # What each store answers: the guard's refusal, or (Postgres has no REPLACE) a syntax
    # error, so a form that one store lacks is still shown to change nothing there.
    postgres_error: type[Exception] = psycopg.errors.RestrictViolation


COLUMNS = "originator_id, originator_version, topic, state"
REWRITES = {
    "update": Rewrite("UPDATE {table} SET topic = 'domain.card:Card.Revoked'"),
    "update that changes nothing": Rewrite(
        "UPDATE {table} SET state = state WHERE originator_version = 1"
    ),
    "delete without where": Rewrite("DELETE FROM {table}"),
    "delete one event": Rewrite("DELETE FROM {table} WHERE originator_version = 2"),
    "replace into": Rewrite(
        f"REPLACE INTO {{table}} ({COLUMNS}) SELECT originator_id, originator_version,"
        " 'domain.card:Card.Revoked', state FROM {table} WHERE originator_version = 1",
        psycopg.errors.SyntaxError,
    ),
    "insert or replace": Rewrite(
        f"INSERT OR REPLACE INTO {{table}} ({COLUMNS}) SELECT originator_id,"
        " originator_version, topic, state FROM {table} WHERE originator_version = 1",
        psycopg.errors.SyntaxError,
    ),
    "upsert": Rewrite(
        f"INSERT INTO {{table}} ({COLUMNS}) SELECT {COLUMNS} FROM {{table}} WHERE true"
        " ON CONFLICT (originator_id, originator_version)"
        " DO UPDATE SET topic = 'domain.card:Card.Revoked'"
    ),
}


@pytest.mark.parametrize("rewrite", REWRITES.values(), ids=REWRITES.keys())
def test_a_statement_that_rewrites_stored_events_fails_and_changes_nothing(
    ledger: CardLedger, rewrite: Rewrite
):
    card_id, _ = ledger.apply(f.apply_body())
    ledger.run(cc.REVIEW, card_id, f.review("city_hrss"))
    before, card_before = raw_rows(ledger), ledger.get_card(card_id)
    if is_sqlite(ledger):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            run_raw(ledger, rewrite.statement)
    else:
        with pytest.raises(rewrite.postgres_error):
            run_raw(ledger, rewrite.statement)
    assert raw_rows(ledger) == before
    assert ledger.get_card(card_id) == card_before


@pytest.fixture
def postgres_ledger(fresh_postgres_url: str, tmp_path: Path) -> Iterator[CardLedger]:
    init_as_owner(database_url=fresh_postgres_url, data_dir=tmp_path)
    with runtime_ledger(
        database_url=fresh_postgres_url, data_dir=tmp_path, clock=FakeClock(), environ={}
    ) as app:
        yield app


@pytest.mark.postgres
def test_truncating_the_events_table_fails_on_postgres(postgres_ledger: CardLedger):
    # SQLite has no TRUNCATE statement: DELETE without WHERE above covers the same ground.
    ledger = postgres_ledger
    card_id, _ = ledger.apply(f.apply_body())
    before, card_before = raw_rows(ledger), ledger.get_card(card_id)
    with pytest.raises(psycopg.errors.RestrictViolation, match="append-only"):
        run_raw(ledger, "TRUNCATE {table}")
    assert raw_rows(ledger) == before
    assert ledger.get_card(card_id) == card_before


def test_appending_still_works_with_the_guards_in_place(ledger: CardLedger):
    card_id, _ = ledger.apply(f.apply_body())
    ledger.run(cc.REVIEW, card_id, f.review("city_hrss"))
    # the card's Applied (1) and ReviewRecorded (2), the holder's reservation (1), beside
    # what event signing wrote
    written = [row for row in raw_rows(ledger) if row[3] not in SIGNING_TOPICS]
    assert sorted(row[2] for row in written) == [1, 1, 2]
