"""Read models at scale: reading the log, rebuilding every read model, and the reads
that must not slow down as history grows.

    python -m bench.projections [--small 1000] [--large 100000] [--runs 3]
                                [--stores sqlite,postgres] [--workdir DIR] [--workers 2]

For each store, in one run of this script:

(a) raw read: every notification of the log read a page (1,000) at a time, rows only
    (``select_notifications``): the baseline;
(a') the same pages decoded into domain events (what any projection must do first);
(b) rebuild: every read model emptied and replayed (``projections rebuild``), events/s;
    goal ≥ 20,000 events/s and ≥ 0.5× (a) on PostgreSQL;
(c) ``card credential``, ``bundle`` and ``card list --limit 50``, each run in-process
    through ``api.cli.main`` on a freshly built composition root (store opened, keys
    decrypted: the command's own cost without the interpreter's start-up), at the small
    and at the large store; goal: large within 1.5× of small.

Stores are seeded once with ``python -m bench.seed`` (history: all four schemes, every
route, reviews, rejections, withdrawals, issues, upgrades, extensions, suspensions,
revocations) into ``--workdir`` (SQLite files) or schemas ``bench_proj_<N>`` of the test
database (PostgreSQL), and reused by later runs: nothing can be deleted from a store.
Medians of ``--runs`` runs (the commands: of 15 runs each, after one warm-up run).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from api.cli import main as cli
from domain.user import PROVINCE
from domain.vocabulary import Role
from services.bootstrap import Registry

POSTGRES = os.environ.get(
    "TALENTCARD_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
PASSPHRASE = "bench issuer passphrase"
PAGE = 1000
# The CLI's main by import, not ``python -m api.cli``: a store is prepared whatever the
# module's ``__main__`` block does (at bee04cb it called main before main's helpers were
# defined); ``bench.startup`` is what times and exercises the ``-m`` form.
CLI = "import sys; from api.cli import main; sys.exit(main(sys.argv[1:]))"
COMMAND_RUNS = 15  # a command takes tens of ms: fewer runs left a ±30 % median on this machine


def store_environ(kind: str, cards: int, workdir: Path) -> dict[str, str]:
    """The settings of the benchmark store of ``kind`` holding ``cards`` cards."""
    data = workdir / f"{kind}-{cards}"
    data.mkdir(parents=True, exist_ok=True)
    environ = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TALENTCARD_DATA_DIR": str(data),
        "TALENTCARD_KEY_PASSPHRASE": PASSPHRASE,
        "TALENTCARD_CATCH_UP_SECONDS": "600",
    }
    if kind == "postgres":
        environ["TALENTCARD_DATABASE_URL"] = f"{POSTGRES}?schema=bench_proj_{cards}"
    return environ


def prepare(kind: str, cards: int, workdir: Path, workers: int) -> dict[str, str]:
    """The store, seeded with ``cards`` cards unless an earlier run did it."""
    environ = store_environ(kind, cards, workdir)
    marker = Path(environ["TALENTCARD_DATA_DIR"]) / "seeded.json"
    if marker.exists():
        return environ
    child = {**os.environ, **environ}
    subprocess.run([sys.executable, "-c", CLI, "init"], env=child, check=True)
    subprocess.run(
        [sys.executable, "-m", "bench.seed", "--cards", str(cards), "--workers", str(workers)],
        env=child,
        check=True,
    )
    subprocess.run([sys.executable, "-c", CLI, "keys", "init"], env=child, check=True)
    marker.write_text(json.dumps({"cards": cards}))
    return environ


@contextlib.contextmanager
def environment(environ: dict[str, str]) -> Iterator[None]:
    """The process environment the CLI's composition root reads, for one measurement."""
    saved = dict(os.environ)
    os.environ.update(environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def raw_read(registry: Registry, *, decode: bool) -> tuple[int, float]:
    """Every notification read (and decoded), a page at a time: (events, seconds)."""
    recorder, mapper = registry.ledger.recorder, registry.ledger.mapper
    started, count, start = time.perf_counter(), 0, 1
    while True:
        page = recorder.select_notifications(start, PAGE)
        if decode:
            for notification in page:
                mapper.to_domain_event(notification)
        count += len(page)
        if len(page) < PAGE:
            return count, time.perf_counter() - started
        start = page[-1].id + 1


def vacuum(environ: dict[str, str]) -> None:
    """VACUUM ANALYZE the read-model tables, as the owner: what autovacuum does on a
    production server (on by default; this machine's server has it off). A rebuild
    rewrites every row, and each page's upserts leave the old versions behind: without
    it, the commands below would be timed on tables of dead rows and stale statistics."""
    url = environ["TALENTCARD_DATABASE_URL"]
    schema = url.rsplit("schema=", 1)[1]
    with psycopg.connect(url.split("?")[0], autocommit=True) as conn:
        tables = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename LIKE 'rm_%%'",
            (schema,),
        ).fetchall()
        for (table,) in tables:
            conn.execute(
                sql.SQL("VACUUM (ANALYZE) {}.{}").format(
                    sql.Identifier(schema), sql.Identifier(table)
                )
            )


def timed(command: Callable[[], Any]) -> float:
    started = time.perf_counter()
    command()
    return time.perf_counter() - started


def run_cli(argv: list[str]) -> None:
    """One command through the CLI's main, its output discarded; it must succeed."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = cli(argv)
    if code != 0:
        raise SystemExit(f"bench.projections: talentcard {' '.join(argv)} exited {code}")


def measure_store(kind: str, cards: int, environ: dict[str, str], runs: int,
                  rebuild: bool) -> dict[str, Any]:
    """Every figure for one store."""
    result: dict[str, Any] = {"store": kind, "cards": cards}
    with environment(environ), Registry() as registry:
        result["events"] = registry.read_models.head()
        if rebuild:
            rows = [raw_read(registry, decode=False) for _ in range(runs)]
            decoded = [raw_read(registry, decode=True) for _ in range(runs)]
            rebuilt = [registry.read_models.rebuild() for _ in range(runs)]
            result["raw_read_eps"] = statistics.median(n / s for n, s in rows)
            result["decode_read_eps"] = statistics.median(n / s for n, s in decoded)
            result["rebuild_eps"] = statistics.median(n / s for n, s in rebuilt)
        else:  # fresh read models for this code (its tables may be new), not timed
            registry.read_models.rebuild()
        # Reads act as a user (issue 12): a provincial auditor, who reads every file.
        name = f"bench.auditor.{uuid.uuid4().hex[:8]}"
        issued = registry.users.add(None, name=name, role=Role.AUDITOR, authority=PROVINCE)
        auditor = registry.users.authenticate(issued.key)
        active = registry.cards.list_cards(auditor, status="active", limit=1).rows[0].card_id
    if kind == "postgres":
        vacuum(environ)
    as_auditor = {**environ, "TALENTCARD_API_KEY": issued.key}
    with environment(as_auditor), tempfile.TemporaryDirectory() as folder:
        commands = {
            "credential": ["card", "credential", active],
            "bundle": ["bundle", folder],
            "list50": ["card", "list", "--limit", "50"],
        }
        for name, argv in commands.items():
            run_cli(argv)  # warm: imports, the policy files' first load
            result[f"{name}_s"] = statistics.median(
                timed(lambda argv=argv: run_cli(argv)) for _ in range(COMMAND_RUNS)
            )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "tc-bench"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--prepare-only", action="store_true", help="seed the stores, no more")
    args = parser.parse_args()
    workdir = Path(args.workdir)
    results = []
    for kind in args.stores.split(","):
        small = prepare(kind, args.small, workdir, args.workers)
        large = prepare(kind, args.large, workdir, args.workers)
        if args.prepare_only:
            continue
        s = measure_store(kind, args.small, small, args.runs, rebuild=False)
        big = measure_store(kind, args.large, large, args.runs, rebuild=True)
        results += [s, big]
        print(f"\n{kind}: {big['events']:,} events at {args.large:,} cards")
        print(f"  raw read          {big['raw_read_eps']:>12,.0f} events/s")
        print(f"  read + decode     {big['decode_read_eps']:>12,.0f} events/s")
        ratio = big["rebuild_eps"] / big["raw_read_eps"]
        print(f"  rebuild (all 5)   {big['rebuild_eps']:>12,.0f} events/s  "
              f"= {ratio:.2f}x raw read")
        for name in ("credential", "bundle", "list50"):
            a, b = s[f"{name}_s"], big[f"{name}_s"]
            print(f"  {name:<16} {a * 1000:8.1f} ms at {args.small:,}  "
                  f"{b * 1000:8.1f} ms at {args.large:,}  = {b / a:.2f}x")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
