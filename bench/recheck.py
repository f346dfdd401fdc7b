"""``policy recheck`` (issue 27): what reading every card's past decisions again costs.

    python -m bench.recheck [--cards 2000] [--runs 5] [--store sqlite|postgres]

On a fresh store (SQLite in a temporary folder, or a fresh schema of PostgreSQL at
``TALENTCARD_TEST_POSTGRES_URL``) with ``--cards`` issued Liaocheng cards (each filed,
reviewed twice and issued: four events, two of them decisions), on a fake clock:

(a) the baseline: every card's history read from the store (``ledger.history`` of every id
    in ``ledger.card_ids()``), which the recheck must do anyway, median of ``--runs`` after
    a warm-up;
(b) ``policy recheck`` over the same store (the same reads, plus each admission and issue
    decided again by the current reading), median of ``--runs``, in the same run.

The ratio b / a is what deciding again adds to reading. The issue sets no goal; the
figures are in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from bench.amendments import PASSPHRASE, Clock, _issued, _median_ms, _store
from services.bootstrap import Registry


def run(cards: int, runs: int, kind: str) -> dict[str, Any]:
    with _store(kind) as (settings, data):
        environ = {
            **settings,
            "TALENTCARD_DATA_DIR": str(data),
            "TALENTCARD_KEY_PASSPHRASE": PASSPHRASE,
            "TALENTCARD_KEY_KDF_COST": "m=64,t=1,p=1",
        }
        Registry(environ).init_store()
        with Registry(environ, clock=Clock()) as registry:
            ledger = registry.ledger
            for i in range(cards):
                _issued(registry, i)

            def read_all() -> int:
                return sum(len(ledger.history(card_id)) for card_id in ledger.card_ids())

            events = read_all()
            baseline = _median_ms(read_all, runs)
            report = registry.policy_recheck.run()
            recheck = _median_ms(registry.policy_recheck.run, runs)
    return {
        "store": kind,
        "cards": cards,
        "events": events,
        "decisions": report.decisions,
        "findings": len(report.findings),
        "runs": runs,
        "read_every_history_ms": round(baseline, 1),
        "recheck_ms": round(recheck, 1),
        "ratio": round(recheck / baseline, 2),
        "recheck_us_per_decision": round(recheck * 1000 / max(report.decisions, 1), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cards", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    if args.cards < 1 or args.runs < 1:
        parser.error("--cards and --runs must be at least 1")
    print(json.dumps(run(args.cards, args.runs, args.store), indent=1))


if __name__ == "__main__":
    main()
