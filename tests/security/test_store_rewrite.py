"""Attack 2 of issue 8: on SQLite, ``INSERT OR REPLACE`` rewrote a stored event, because
REPLACE deletes the old row without firing the DELETE trigger; and the SQLite file was
created readable by every user of the machine.

Every rewriting statement is tested on both stores in tests/ledger/test_append_only.py;
these are the forms that got through before (Postgres has no REPLACE, and its upsert
already fired the UPDATE trigger).
"""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

import ledger.card_commands as cc
from ledger.app import CardLedger
from services.clock import system_clock
from tests import factories as f
from tests.conftest import FakeClock, runtime_ledger

REPLACING = {
    "insert or replace": "INSERT OR REPLACE INTO stored_events",
    "replace into": "REPLACE INTO stored_events",
}


def events(path: Path) -> list[tuple[int, str, int, str, bytes]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT rowid, * FROM stored_events ORDER BY rowid").fetchall()


def run_sql(path: Path, statement: str) -> None:
    """What anyone who can open the file can do, outside the ledger's code."""
    conn = sqlite3.connect(path)
    try:
        conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


@pytest.fixture
def sqlite_ledger(tmp_path: Path):
    app = runtime_ledger(
        database_url=f"sqlite:///{tmp_path / 'ledger.sqlite3'}",
        data_dir=tmp_path,
        clock=FakeClock(),
        environ={},
    )
    yield app, tmp_path / "ledger.sqlite3"
    app.close()


@pytest.mark.parametrize("verb", REPLACING.values(), ids=REPLACING.keys())
def test_replacing_a_stored_event_on_sqlite_is_refused_and_the_card_replays_the_same(
    sqlite_ledger: tuple[CardLedger, Path], verb: str
):
    ledger, path = sqlite_ledger
    card_id, _ = ledger.apply(f.apply_body())
    ledger.run(cc.REVIEW, card_id, f.review("city_hrss"))
    before, card_before = events(path), ledger.get_card(card_id)
    # The attacker keeps the key and swaps in the payload of the card's latest event.
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        run_sql(
            path,
            f"{verb} (originator_id, originator_version, topic, state)"
            " SELECT originator_id, 1, topic, state FROM stored_events"
            " ORDER BY rowid DESC LIMIT 1",
        )
    assert events(path) == before
    assert ledger.get_card(card_id) == card_before


def test_replacing_an_event_by_its_rowid_on_sqlite_is_refused(
    sqlite_ledger: tuple[CardLedger, Path],
):
    # The rowid is the notification id: REPLACE by rowid swaps an event in the log.
    ledger, path = sqlite_ledger
    ledger.apply(f.apply_body())
    before = events(path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        run_sql(
            path,
            "INSERT OR REPLACE INTO stored_events"
            " (rowid, originator_id, originator_version, topic, state)"
            " SELECT rowid, 'forged', 1, topic, state FROM stored_events WHERE rowid = 1",
        )
    assert events(path) == before


def test_the_embedded_store_and_its_data_folder_are_private_to_their_owner(tmp_path: Path):
    folder = tmp_path / "data"
    with runtime_ledger(data_dir=folder, environ={}, clock=system_clock) as ledger:
        ledger.apply(f.apply_body())  # SQLite makes its -wal and -shm files on first write
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = sorted(folder.glob("talentcard.sqlite3*"))
    assert files, "the store was not created where the README says"
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in files} == {p.name: 0o600 for p in files}
