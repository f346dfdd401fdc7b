"""Concurrent conflicting commands on one card: exactly one wins, the others get a conflict,
and nothing is lost or duplicated."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest

import ledger.card_commands as cc
from ledger.app import CardLedger
from tests import factories as f
from tests.conftest import FakeClock, runtime_ledger
from tests.racing import RendezvousClock, race

THREADS = 6


def test_concurrent_conflicting_commands_let_exactly_one_win(database_url: str, tmp_path: Path):
    clock = RendezvousClock(THREADS)
    ledger: CardLedger = runtime_ledger(
        database_url=database_url, data_dir=tmp_path, clock=clock, environ={}
    )
    try:
        card_id, _ = ledger.apply(f.apply_body())
        ledger.run(cc.REVIEW, card_id, f.review("city_hrss"))
        ledger.run(cc.REVIEW, card_id, f.review("talent_office"))
        version = ledger.run(cc.ISSUE, card_id, f.issue())
        written = ledger.recorder.max_notification_id() or 0
        clock.armed = True

        def act(i: int) -> None:
            if i % 2:
                ledger.run(cc.SUSPEND, card_id, f.status(reason=f"thread {i}"))
            else:
                ledger.run(cc.PROPOSE_REVOCATION, card_id, f.propose_revocation(f"thread {i}"))

        outcomes = race(THREADS, act)
        clock.armed = False
        assert outcomes == Counter({"won": 1, "conflict": THREADS - 1})
        history = ledger.history(card_id)
        assert [e.originator_version for e in history] == list(range(1, version + 2))
        # The winner's event and its signature record; the losers wrote nothing.
        assert ledger.recorder.max_notification_id() == written + 2
    finally:
        ledger.close()


def test_concurrent_applications_never_exceed_a_project_s_quota(database_url: str, tmp_path: Path):
    ledger = runtime_ledger(
        database_url=database_url, data_dir=tmp_path, clock=FakeClock(), environ={}
    )
    try:
        start = threading.Barrier(THREADS, timeout=20)

        def file(_: int) -> None:
            start.wait()
            ledger.apply(f.business_elite_body("P-RACE"))

        outcomes = race(THREADS, file, won="filed")
        assert outcomes["filed"] == 3
        assert outcomes["filed"] + outcomes["quota_full"] + outcomes["conflict"] == THREADS
        assert len(list(ledger.card_ids())) == 3
    finally:
        ledger.close()


@pytest.mark.parametrize("attempts", [20])
def test_concurrent_applications_for_different_cards_all_succeed(
    database_url: str, tmp_path: Path, attempts: int
):
    ledger = runtime_ledger(
        database_url=database_url, data_dir=tmp_path, clock=FakeClock(), environ={}
    )
    try:
        errors: list[Exception] = []

        def file() -> None:
            try:
                ledger.apply(f.apply_body())
            except Exception as e:
                errors.append(e)

        threads = [threading.Thread(target=file) for _ in range(attempts)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert errors == []
        assert len(set(ledger.card_ids())) == attempts
    finally:
        ledger.close()


FIRST_LOAD = """
import subprocess
import sys
import threading
from domain.policy import default_policy
barrier = threading.Barrier(8)
seen = []
def load():
    barrier.wait()
    seen.append(id(default_policy()))
threads = [threading.Thread(target=load) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
assert len(seen) == 8 and len(set(seen)) == 1, seen
"""


def test_many_threads_loading_the_rules_at_once_share_one_copy_and_do_not_crash():
    # A fresh process each time: the first load is what raced (a segfault inside
    # msgspec.convert, about one process in three, before the load was serialised).
    for _ in range(5):
        done = subprocess.run(
            [sys.executable, "-c", FIRST_LOAD], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr[-2000:]
