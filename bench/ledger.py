"""Ledger throughput: raw eventsourcing vs talentcard's command methods, and replay.

    python -m bench.ledger [--cards 300] [--runs 5] [--stores sqlite,postgres]

For each store, in one process and one run of this script:

(a) raw eventsourcing: N new aggregates with 3 events each, the library's default JSON
    transcoder, in the same access pattern as (b): create and save, then twice
    load / trigger one event / save;
(a') the same 3 events saved in one transaction per aggregate (context only);
(b) talentcard: ``apply`` then two ``record_review`` through CardLedger's command methods
    (validation, identity hashing, the policy engine's eligibility decision, msgspec
    transcoder);
(c) replay: every stored event read back through the notification log and decoded.

Prints events/s as the median of ``--runs`` runs and the ratio b/a. Each run uses a fresh
SQLite file or a fresh Postgres schema.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from psycopg import sql

import ledger.card_commands as cc
from ledger import commands as c
from ledger import settings
from services.bootstrap import Registry
from services.clock import system_clock

EVENTS_PER_CARD = 3


class RawCard(Aggregate):
    """A card-shaped aggregate with plain-string payloads, for the baseline."""

    @event("Applied")
    def __init__(self, scheme: str, category: str, holder_name: str, id_digest: str,
                 sponsor: str, actor: str, role: str, note: str) -> None:
        self.scheme = scheme
        self.reviews: list[str] = []

    @event("ReviewRecorded")
    def record_review(self, stage: str, decision: str, reviewer: str, actor: str, role: str,
                      note: str) -> None:
        self.reviews.append(stage)


class RawLedger(Application[uuid.UUID]):
    name = "rawbench"


def resident_id(i: int) -> str:
    """A valid resident ID per holder: one person may hold one live card per scheme."""
    body = f"{370000 + i:06d}19491231001"
    weights = [pow(2, 17 - k, 11) for k in range(17)]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def apply_body(i: int) -> c.ApplyBody:
    return msgspec.convert({
        "actor": "bench.employer", "role": "employer", "scheme": "liaocheng",
        "category": "art5.3", "facts": {"certified_excellent": True},
        "holder": {"name": f"持卡人{i}", "id_number": resident_id(i),
                   "date_of_birth": "1949-12-31"},
        "sponsor": {"kind": "employer", "name": "聊城大学"}, "evidence": ["doc://cert/1"],
    }, c.ApplyBody)


def review_body(stage: str) -> c.ReviewBody:
    return msgspec.convert({"actor": f"{stage}.r", "role": stage, "stage": stage,
                            "decision": "approved"}, c.ReviewBody)


def raw_pattern(app: RawLedger, n: int) -> None:
    for i in range(n):
        card = RawCard("liaocheng", "art5.3", f"持卡人{i}", "ab" * 32, "employer: 聊城大学",
                       "bench.employer", "employer", "")
        app.save(card)
        for stage in ("city_hrss", "talent_office"):
            card = app.repository.get(card.id)
            card.record_review(stage, "approved", f"{stage}.r", f"{stage}.r", stage, "")
            app.save(card)


def raw_batched(app: RawLedger, n: int) -> None:
    for i in range(n):
        card = RawCard("liaocheng", "art5.3", f"持卡人{i}", "ab" * 32, "employer: 聊城大学",
                       "bench.employer", "employer", "")
        for stage in ("city_hrss", "talent_office"):
            card.record_review(stage, "approved", f"{stage}.r", f"{stage}.r", stage, "")
        app.save(card)


_holders = itertools.count()


def talentcard_commands(ledger: Any, n: int) -> None:
    reviews = [review_body("city_hrss"), review_body("talent_office")]
    for _ in range(n):
        card_id, _ = ledger.apply(apply_body(next(_holders)))
        for body in reviews:
            ledger.run(cc.REVIEW, card_id, body)


def replay(app: Application[uuid.UUID]) -> int:
    count = 0
    start = 1
    while True:
        section = app.recorder.select_notifications(start, 500)
        for notification in section:
            app.mapper.to_domain_event(notification)
            count += 1
        if len(section) < 500:
            return count
        start = section[-1].id + 1


class Store:
    """A fresh store per run: an SQLite file or a Postgres schema."""

    def __init__(self, kind: str, postgres_url: str) -> None:
        self.kind = kind
        self.postgres_url = postgres_url
        self.folder = Path(tempfile.mkdtemp(prefix="tc-bench-"))
        self.schema = f"bench_{uuid.uuid4().hex[:12]}"

    def url(self) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{self.folder / f'{uuid.uuid4().hex}.sqlite3'}"
        return f"{self.postgres_url}?schema={self.schema}"

    def drop(self) -> None:
        if self.kind == "postgres":
            with psycopg.connect(self.postgres_url, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE")
                             .format(sql.Identifier(self.schema)))


def timed(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def one_run(kind: str, postgres_url: str, n: int, *, raw_first: bool) -> dict[str, float]:
    store = Store(kind, postgres_url)
    try:
        url = store.url()
        env = settings.store_env(url, store.folder)
        raw_env = {k: v for k, v in env.items() if k != "TRANSCODER_TOPIC"}
        if kind == "sqlite":  # SQLite tables are not named per application: own files
            raw_env["SQLITE_DBNAME"] = str(store.folder / f"raw-{uuid.uuid4().hex}.sqlite3")
        if kind == "postgres":
            with psycopg.connect(postgres_url, autocommit=True) as conn:
                conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(store.schema)))
        raw = RawLedger(raw_env)
        batched = RawLedger({**raw_env, "SQLITE_DBNAME": raw_env.get("SQLITE_DBNAME", "") + "-b"}
                            if kind == "sqlite" else raw_env)
        registry = Registry(
            {settings.DATABASE_URL: url, settings.DATA_DIR: str(store.folder)}, clock=system_clock
        )
        registry.init_store()  # as the owner
        ledger = registry.ledger
        # Warm both paths (connections, prepared statements, imports) before timing.
        warm = 10
        raw_pattern(raw, warm)
        talentcard_commands(ledger, warm)
        events = n * EVENTS_PER_CARD
        order = ["a", "b"] if raw_first else ["b", "a"]
        work = {"a": lambda: raw_pattern(raw, n), "b": lambda: talentcard_commands(ledger, n)}
        result = {name: events / timed(work[name]) for name in order}
        # a' shares the Postgres table with a (same app name); it only adds rows.
        result["a_batched"] = events / timed(lambda: raw_batched(batched, n))
        replayed = 0

        def do_replay() -> None:
            nonlocal replayed
            replayed = replay(ledger)

        # Each application also opens its holder's reservation (one live card per person),
        # and each of a card's saves writes its event signature's record; the store's first
        # signed save recorded where signing started too.
        stored = (n + warm) * (EVENTS_PER_CARD + 1 + EVENTS_PER_CARD) + 1
        result["c"] = stored / timed(do_replay)
        assert replayed == stored, (replayed, stored)
        raw_events = len(list(raw.recorder.select_notifications(1, 10**6)))
        result["c_default"] = raw_events / timed(lambda: replay(raw))
        for app in (raw, batched, ledger):
            app.close()
        return result
    finally:
        store.drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--postgres-url", default=os.environ.get(
        "TALENTCARD_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    print(f"{args.cards} cards x {EVENTS_PER_CARD} events, median of {args.runs} runs")
    print(f"{'store':<9} {'(a) raw':>10} {'(a) 1 tx':>10} {'(b) tc':>10} {'b/a':>6} "
          f"{'(c) replay':>11} {'raw replay':>11}")
    for kind in args.stores.split(","):
        # Alternate which side goes first, so neither gains from running second.
        runs = [one_run(kind, args.postgres_url, args.cards, raw_first=i % 2 == 0)
                for i in range(args.runs)]
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        ratios = sorted(r["b"] / r["a"] for r in runs)
        print(f"{kind:<9} {med['a']:>10,.0f} {med['a_batched']:>10,.0f} {med['b']:>10,.0f} "
              f"{statistics.median(ratios):>6.2f} {med['c']:>11,.0f} {med['c_default']:>11,.0f}"
              f"   (b/a per run: {', '.join(f'{x:.2f}' for x in ratios)})")
    print("events/s; (a) raw eventsourcing, default JSON transcoder, same save pattern as (b);")
    print("(a) 1 tx: the 3 events in one save; (b) talentcard commands, msgspec transcoder;")
    print("(c) replay through the notification log with decoding (msgspec); raw replay: JSON")


if __name__ == "__main__":
    main()
