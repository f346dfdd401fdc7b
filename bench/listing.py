"""``card list --limit 50`` at scale here against another checkout, each tree on a store it
seeded itself, in one run.

    python -m bench.listing --base DIR [--cards 100000] [--rounds 5] [--stores sqlite]
                            [--workdir DIR] [--base-workdir DIR] [--workers 2]

``DIR`` is a worktree of the commit to compare with (``git worktree add DIR REV``), with
its own ``.venv``, as for ``bench.versus``. Each tree needs its own store: a store written
by one tree's code is not what the other's writes (issue 25 seals every holder), so each
tree seeds one with ``bench.seed`` under ``--workdir`` (this tree) and ``--base-workdir``
(the base; default ``<workdir>/base``), PostgreSQL in schemas ``bench_list_<N>_this`` and
``bench_list_<N>_base``, once, reused afterwards (the SQLite layout is
``bench.projections``', so its seeded stores are reused too). Each round runs
``bench/_list_worker.py`` once in each tree, the order alternating: the store's read
models caught up (not timed), then the command in-process through ``api.cli.main`` on a
freshly built composition root as a provincial auditor, once to warm up and 15 times
timed (as ``bench.projections`` times it); then the service alone
(``cards.list_cards(limit=50)``) 15 times on one open composition root. Prints each
tree's median of the rounds' medians and the ratio this/base of both (issue 25's goal,
for the command: ≤ 1.2).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.versus import HERE, _python

WORKER = HERE / "bench" / "_list_worker.py"
RUN_FILE = (  # the worker file run as __main__ with the tree's folder first on sys.path
    "import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
)


def one(tree: Path, python: str, job: dict[str, Any]) -> dict[str, Any]:
    """One round of one tree: its times of the command (and the store's events)."""
    done = subprocess.run(
        [python, "-c", RUN_FILE, str(WORKER), json.dumps(job)],
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench.listing: the worker failed in {tree}:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--base", required=True, type=Path)
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--stores", default="sqlite")
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "tc-bench"))
    parser.add_argument("--base-workdir", help="the base tree's stores (default WORKDIR/base)")
    parser.add_argument("--workers", type=int, default=2, help="writer processes of a seed")
    parser.add_argument("--runs", type=int, default=15, help="timed commands per round")
    args = parser.parse_args()
    trees = {"base": args.base.resolve(), "this": HERE}
    workdirs = {
        "this": str(Path(args.workdir).resolve()),
        "base": str(Path(args.base_workdir or Path(args.workdir) / "base").resolve()),
    }
    pythons = {name: _python(tree) for name, tree in trees.items()}
    for kind in args.stores.split(","):
        medians: dict[str, list[float]] = {"base": [], "this": []}
        services: dict[str, list[float]] = {"base": [], "this": []}
        events: dict[str, int] = {}
        for round_ in range(args.rounds):
            order = ["base", "this"] if round_ % 2 == 0 else ["this", "base"]
            for name in order:
                job = {"store": kind, "cards": args.cards, "workdir": workdirs[name],
                       "workers": args.workers, "schema": f"bench_list_{args.cards}_{name}",
                       "runs": args.runs}
                got = one(trees[name], pythons[name], job)
                medians[name].append(statistics.median(got["runs"]))
                services[name].append(statistics.median(got["service"]))
                events[name] = got["events"]
            print(f"round {round_ + 1}: " + "; ".join(
                f"{name} {medians[name][-1] * 1000:.1f} ms "
                f"(service {services[name][-1] * 1000:.1f} ms)" for name in order
            ), file=sys.stderr)
        print(f"{kind}: card list --limit 50 at {args.cards:,} cards "
              f"({events['this']:,} events here, {events['base']:,} in the base)")
        report("the command (api.cli.main, fresh root)", medians)
        report("the service (cards.list_cards, open root)", services)
    return 0


def report(what: str, seen: dict[str, list[float]]) -> None:
    """Each tree's median of the rounds' medians, and this/base."""
    this, base = statistics.median(seen["this"]), statistics.median(seen["base"])
    ratios = [t / b for t, b in zip(seen["this"], seen["base"], strict=True)]
    print(f"  {what}:")
    print(f"    this {this * 1000:.1f} ms (rounds "
          + ", ".join(f"{x * 1000:.1f}" for x in seen["this"]) + ")")
    print(f"    base {base * 1000:.1f} ms (rounds "
          + ", ".join(f"{x * 1000:.1f}" for x in seen["base"]) + ")")
    print(f"    this/base {this / base:.2f} (per round "
          + ", ".join(f"{r:.2f}" for r in ratios) + ")")


if __name__ == "__main__":
    sys.exit(main())
