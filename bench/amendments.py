"""Changes to a card's people (issue 26): what they cost where a venue and a clerk feel it.

    python -m bench.amendments [--cards 2000] [--changed 200] [--runs 7] [--store sqlite|postgres]

On a fresh store (SQLite in a temporary folder, or a fresh schema of PostgreSQL at
``TALENTCARD_TEST_POSTGRES_URL``) with ``--cards`` issued Liaocheng cards, each filed with
a child, all through the ledger's commands on a fake clock:

(a) ``bundle_files()`` (every authority's status lists signed, the venue rules, the trust
    list), median of ``--runs`` after a warm-up: the baseline, with no card changed;
(b) the same after ``--changed`` cards had their child removed (each change starts the
    card's second credential: a status entry more, and the first read SUPERSEDED), in the
    same run on the same store; the ratio b / a is the cost of the superseded entries;
(c) one change, asked for by the employer and approved by city HRSS (two commands, each
    a load, a decision and a save with the people's data sealed under their keys),
    median over the ``--changed`` cards;
(d) ``card credential``'s service call (``issuance.credential``) on a changed card against
    an unchanged one, medians of ``--runs``.

The issue sets no goal; the figures are in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ledger.card_commands as cc
from services.bootstrap import Registry
from tests import factories as f

CHILD = {"relation": "child", "name": "李小雷", "date_of_birth": "2015-09-30"}
PASSPHRASE = "bench passphrase"
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def _median_ms(action: Callable[[], Any], runs: int) -> float:
    action()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


@contextmanager
def _store(kind: str) -> Iterator[tuple[dict[str, str], Path]]:
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        if kind == "sqlite":
            yield {"TALENTCARD_DATABASE_URL": f"sqlite:///{data / 'bench.sqlite3'}"}, data
            return
        import psycopg
        from psycopg import sql

        server = os.environ.get(
            "TALENTCARD_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
        )
        schema = f"bench_amend_{uuid.uuid4().hex[:8]}"
        try:
            yield {"TALENTCARD_DATABASE_URL": f"{server}?schema={schema}"}, data
        finally:
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
                )


def _issued(registry: Registry, serial: int) -> uuid.UUID:
    person = {**f.holder(f.resident_id(100_000 + serial)), "family": [CHILD]}
    ledger = registry.ledger
    card_id, _ = ledger.apply(f.apply_body(holder=person))
    f.approve_all(ledger, card_id)
    ledger.run(cc.ISSUE, card_id, f.issue())
    return card_id


def run(cards: int, changed: int, runs: int, kind: str) -> dict[str, Any]:
    clock = Clock()
    with _store(kind) as (settings, data):
        environ = {
            **settings,
            "TALENTCARD_DATA_DIR": str(data),
            "TALENTCARD_KEY_PASSPHRASE": PASSPHRASE,
            "TALENTCARD_KEY_KDF_COST": "m=64,t=1,p=1",
        }
        Registry(environ).init_store()
        with Registry(environ, clock=clock) as registry:
            registry.keys.init()
            ids = [_issued(registry, i) for i in range(cards)]
            issuance = registry.issuance
            baseline = _median_ms(issuance.bundle_files, runs)
            unchanged_credential = _median_ms(lambda: issuance.credential(ids[-1]), runs)
            change_ms = []
            for card_id in ids[:changed]:
                started = time.perf_counter()
                f.amend_and_approve(
                    registry.ledger,
                    card_id,
                    change="remove_member",
                    member=1,
                    evidence=["doc://household/1"],
                    reason="moved out",
                )
                change_ms.append((time.perf_counter() - started) * 1000)
            after = _median_ms(issuance.bundle_files, runs)
            changed_credential = _median_ms(lambda: issuance.credential(ids[0]), runs)
            assert issuance.credential(ids[0]).generation == 2
    return {
        "store": kind,
        "cards": cards,
        "changed": changed,
        "runs": runs,
        "bundle_ms_unchanged": round(baseline, 2),
        "bundle_ms_after_changes": round(after, 2),
        "bundle_ratio": round(after / baseline, 3),
        "change_ms_median": round(statistics.median(change_ms), 2),
        "credential_ms_unchanged_card": round(unchanged_credential, 2),
        "credential_ms_changed_card": round(changed_credential, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=2000)
    parser.add_argument("--changed", type=int, default=200)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    if not 0 < args.changed <= args.cards:
        parser.error("--changed must be between 1 and --cards")
    print(json.dumps(run(args.cards, args.changed, args.runs, args.store), indent=1))


if __name__ == "__main__":
    main()
