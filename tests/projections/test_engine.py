"""The projector: live equals rebuilt, a killed projector resumes, reads catch up or wait
for the running projector, and the runtime role can run and rebuild but not alter."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
from eventsourcing.persistence import Tracking
from psycopg import sql

from ledger.app import CardLedger
from projections.engine import NAMES, ProjectionError, ProjectionLag, ReadModels, install
from projections.entitlements import BENEFICIARIES
from projections.locks import locks_for
from tests import factories as f
from tests.conftest import FakeClock, runtime_ledger
from tests.projections import scenario

PROJECTOR = """
import sys, threading
from projections.engine import ReadModels
from services.bootstrap import Registry
from services.clock import system_clock
url, folder = sys.argv[1], sys.argv[2]
settings = {"TALENTCARD_DATABASE_URL": url, "TALENTCARD_DATA_DIR": folder}
ledger = Registry(settings, clock=system_clock).ledger
ReadModels(ledger, page_size=1).run(until_caught_up=False, stop=threading.Event(), poll=0.01)
"""


def test_read_models_projected_while_the_writes_happened_equal_a_rebuild(
    ledger: CardLedger, clock: FakeClock
):
    projector = ReadModels(ledger, page_size=7)
    stop = threading.Event()
    thread = threading.Thread(
        target=projector.run, kwargs={"until_caught_up": False, "stop": stop, "poll": 0.005}
    )
    thread.start()
    try:
        for _ in range(3):
            scenario.build(ledger, clock)
        reader = ReadModels(ledger)
        reader.catch_up(timeout=20)
    finally:
        stop.set()
        thread.join()
    live = reader.checksum()
    events, _ = reader.rebuild()
    assert events == reader.head()
    assert reader.checksum() == live


def test_a_projector_killed_at_a_random_event_resumes_to_the_same_checksum(
    ledger: CardLedger, clock: FakeClock, database_url: str, tmp_path: Path
):
    for _ in range(3):
        scenario.build(ledger, clock)
    models = ReadModels(ledger)
    head = models.head()
    target = random.randint(1, head - 1)
    process = subprocess.Popen(
        [sys.executable, "-c", PROJECTOR, database_url, str(tmp_path)],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    try:
        deadline = time.monotonic() + 60
        while models.position("audit_trail") < target and time.monotonic() < deadline:
            time.sleep(0.001)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    killed_at = {n: models.position(n) for n in NAMES}
    assert 0 < killed_at["audit_trail"] <= head
    scenario.build(ledger, clock)  # written while no projector runs
    models.run(until_caught_up=True, stop=threading.Event())
    resumed = models.checksum()
    models.rebuild()
    assert models.checksum() == resumed


def test_catch_up_waits_for_the_running_projector_instead_of_processing_itself(
    ledger: CardLedger, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
):
    projector = ReadModels(ledger)
    stop = threading.Event()
    thread = threading.Thread(
        target=projector.run, kwargs={"until_caught_up": False, "stop": stop, "poll": 0.3}
    )
    thread.start()
    try:
        time.sleep(0.2)  # the projector holds its locks
        reader = ReadModels(ledger)
        calls: list[object] = []
        monkeypatch.setattr(reader, "_process", lambda *a, **k: calls.append(a))
        scenario.build(ledger, clock)
        reader.catch_up(timeout=20)
    finally:
        stop.set()
        thread.join()
    assert calls == []
    assert [s.lag for s in reader.status()] == [0] * len(NAMES)


def test_catch_up_names_the_lag_when_the_running_projector_does_not_catch_up(
    ledger: CardLedger,
):
    models = ReadModels(ledger)
    stuck = locks_for(ledger.recorder.datastore)  # type: ignore[attr-defined]
    assert all([stuck.try_acquire(n) for n in NAMES])
    try:
        ledger.apply(f.jinan_body("C"))
        with pytest.raises(ProjectionLag, match=r"did not catch up within 0\.3 s"):
            models.catch_up(["card_current"], timeout=0.3)
        assert models.position("card_current") == 0
        with pytest.raises(ProjectionError, match="stop it before a rebuild"):
            models.rebuild(["card_current"])
    finally:
        stuck.close()
    models.catch_up(["card_current"], timeout=5)  # the lock is free: processed here
    assert models.position("card_current") == models.head()


def test_status_shows_each_read_models_position_and_lag(ledger: CardLedger):
    ledger.apply(f.jinan_body("C"))
    models = ReadModels(ledger)
    head = models.head()
    assert {(s.name, s.position, s.lag) for s in models.status()} == {(n, 0, head) for n in NAMES}
    models.catch_up(["status_lists"])
    lags = {s.name: s.lag for s in models.status()}
    assert lags["status_lists"] == 0 and lags["audit_trail"] == head


@pytest.mark.postgres
def test_the_runtime_role_runs_rebuilds_and_reads_but_cannot_alter_the_read_models(
    app_role_url: str, tmp_path: Path, clock: FakeClock
):
    ledger = runtime_ledger(database_url=app_role_url, data_dir=tmp_path, clock=clock, environ={})
    try:
        scenario.build(ledger, clock)
        models = ReadModels(ledger)
        models.run(until_caught_up=True, stop=threading.Event())
        live = models.checksum()
        models.rebuild()
        assert models.checksum() == live
    finally:
        ledger.close()
    schema = app_role_url.split("schema=")[1].split("&")[0]
    with psycopg.connect(app_role_url.split("?")[0], autocommit=True) as conn:
        for statement in (
            "ALTER TABLE {} ADD COLUMN forged text",
            "TRUNCATE {}",
            "DROP TABLE {}",
            "CREATE TRIGGER forged BEFORE INSERT ON {} FOR EACH ROW"
            " EXECUTE FUNCTION suppress_redundant_updates_trigger()",
        ):
            table = sql.Identifier(schema, "rm_card_current_v2")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql.SQL(statement).format(table))


def test_the_librarys_one_event_path_gives_the_rows_the_page_path_gives(
    ledger: CardLedger, clock: FakeClock
):
    scenario.build(ledger, clock)
    models = ReadModels(ledger)
    models.catch_up()
    paged = models.checksum()
    with models.card_current.view.transaction() as cursor:
        for model in models.models.values():
            model.clear(cursor)
            model.view.reset_position(cursor, ledger.name)
    for notification in ledger.recorder.select_notifications(1, 10_000):
        event = ledger.mapper.to_domain_event(notification)
        for model in models.models.values():
            model.process_event(event, Tracking(ledger.name, notification.id))
    assert models.checksum() == paged
    assert [s.lag for s in models.status()] == [0] * len(NAMES)


def test_init_replays_a_read_model_whose_table_a_release_renamed(
    ledger: CardLedger, clock: FakeClock
):
    scenario.build(ledger, clock)
    models = ReadModels(ledger)
    models.catch_up()
    before = models.checksum()
    # As on a store a release gave a new beneficiaries table: it is missing, the other
    # tables of the model full and the model's position at the log's head.
    view = models.entitlements.view
    with view.transaction() as cursor:
        cursor.execute(f"DROP TABLE {view.table(BENEFICIARIES.name)}")
    install(ledger)
    assert models.position("entitlements") == 0
    models.catch_up()
    assert models.checksum() == before
