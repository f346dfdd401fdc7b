"""Erasing a person (issue 25): an administrator's proposal and a second administrator's
approval, which destroys the people's data keys and purges their read-model rows, on the
synthetic histories of the projections benchmark.

    python -m bench.erasure [--small 1000] [--large 100000] [--erasures 5]
                            [--stores sqlite,postgres] [--workdir DIR] [--workers 2]

For each store and size (seeded once by ``bench.projections``' ``prepare``, reused):

(a) the services: ``personal_data.propose_erasure`` then ``approve_erasure`` by another
    administrator, on one open composition root (the erasure's own cost);
(b) the command line an administrator types: ``holder erase --card ID`` then, with the
    second administrator's key, ``holder approve-erasure ERASURE_ID``, each through
    ``api.cli.main`` in-process on a freshly built composition root, as
    ``bench.projections`` times its commands;

each on ``--erasures`` different cards that have ended (withdrawn, rejected or revoked:
the only cards whose holder may be erased; from the upper half of the card ids first, so
the first page of ``card list`` keeps its names), the holder with their family. Goal: one
erasure, proposal and approval with the purge, under 1 s at 100,000 cards. Every erasure
is checked afterwards (the holder reads back erased, their ``card_current`` name is gone).
A store keeps its erasures: a later run erases further cards.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from uuid import UUID

from api.cli import main as cli
from bench.projections import environment, prepare
from domain.user import PROVINCE, Principal
from domain.vocabulary import Role
from services.bootstrap import Registry

ENDED = ("withdrawn", "rejected", "revoked")
GROUND = "consent_withdrawn"


MIDDLE = "80000000-0000-0000-0000-000000000000"
"""Erasures are taken from the upper half of the card ids first, so that the first page of
``card list`` (``bench.projections``, ``bench.listing``) keeps every name it had."""


def ended_cards(registry: Registry, who: Principal, wanted: int) -> list[UUID]:
    """``wanted`` ended cards whose holder is not erased yet, in id order per status, from
    the upper half of the ids first."""
    found: list[UUID] = []
    for start in (MIDDLE, None):
        for status in ENDED:
            after = start
            while len(found) < wanted:
                page = registry.cards.list_cards(who, status=status, limit=200, after=after)
                found += [
                    UUID(r.card_id)
                    for r in page.rows
                    if r.holder_name is not None and UUID(r.card_id) not in found
                ]
                if page.next_after is None:
                    break
                after = page.next_after
    if len(found) < wanted:
        raise SystemExit(
            f"bench.erasure: {wanted} erasures wanted, the store has {len(found)} ended cards "
            "left whose holder is not erased (seed a larger store or ask for fewer)"
        )
    return found[:wanted]


def check_erased(registry: Registry, card_id: UUID) -> None:
    holder = registry.ledger.get_card(card_id).application.holder
    row = registry.read_models.card_current.get(str(card_id), as_of=registry.cards.today())
    if not holder.erased or row is None or row.holder_name is not None:
        raise SystemExit(f"bench.erasure: card {card_id} was not erased")


def cli_out(argv: list[str]) -> str:
    """One command through the CLI's main, its standard output returned; it must succeed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()) as err:
        code = cli(argv)
    if code != 0:
        raise SystemExit(
            f"bench.erasure: talentcard {' '.join(argv)} exited {code}: {err.getvalue()}"
        )
    return out.getvalue()


def _user(registry: Registry, role: Role) -> tuple[Principal, str]:
    name = f"bench.{role}.{uuid.uuid4().hex[:8]}"
    issued = registry.users.add(None, name=name, role=role, authority=PROVINCE)
    return registry.users.authenticate(issued.key), issued.key


def measure(kind: str, cards: int, environ: dict[str, str], erasures: int) -> dict[str, Any]:
    """Both ways of erasing, ``erasures`` cards each, on one store."""
    runs: dict[str, list[float]] = {
        k: [] for k in ("propose", "approve", "total", "cli_erase", "cli_approve", "cli_total")
    }
    people: list[int] = []
    with environment(environ), Registry() as registry:
        registry.read_models.catch_up()  # not timed: a fresh store projects its history once
        first, first_key = _user(registry, Role.ADMINISTRATOR)
        second, second_key = _user(registry, Role.ADMINISTRATOR)
        auditor, _ = _user(registry, Role.AUDITOR)  # an administrator reads no card files
        targets = ended_cards(registry, auditor, 2 * erasures)
        service, typed = targets[:erasures], targets[erasures:]
        registry.read_models.catch_up()
        personal = registry.personal_data
        for i, card_id in enumerate(service):
            started = time.perf_counter()
            erasure = personal.propose_erasure(
                first, card_id, family=None, ground=GROUND, decision=f"BENCH-{i}"
            )
            proposed = time.perf_counter()
            personal.approve_erasure(second, erasure.id)
            done = time.perf_counter()
            runs["propose"].append(proposed - started)
            runs["approve"].append(done - proposed)
            runs["total"].append(done - started)
            people.append(len(erasure.positions))
            check_erased(registry, card_id)
    with environment({**environ, "TALENTCARD_API_KEY": first_key}):
        cli_out(["holder", "due-for-erasure"])  # warm: the CLI's first load (not timed)
    for i, card_id in enumerate(typed):
        started = time.perf_counter()
        with environment({**environ, "TALENTCARD_API_KEY": first_key}):
            said = cli_out(
                ["holder", "erase", "--card", str(card_id), "--ground", GROUND,
                 "--decision", f"BENCH-CLI-{i}"]
            )
        proposed = time.perf_counter()
        erasure_id = said.split()[1]  # "erasure <id> proposed for card …"
        with environment({**environ, "TALENTCARD_API_KEY": second_key}):
            cli_out(["holder", "approve-erasure", erasure_id])
        done = time.perf_counter()
        runs["cli_erase"].append(proposed - started)
        runs["cli_approve"].append(done - proposed)
        runs["cli_total"].append(done - started)
    with environment(environ), Registry() as registry:
        for card_id in typed:
            check_erased(registry, card_id)
        events = registry.ledger.recorder.max_notification_id() or 0
    return {
        "store": kind,
        "cards": cards,
        "events": events,
        "people_per_erasure": people,
        **{f"{k}_s": round(statistics.median(v), 4) for k, v in runs.items()},
        "runs": {k: [round(x, 4) for x in v] for k, v in runs.items()},
    }


def _ms(values: list[float]) -> str:
    return ", ".join(f"{x * 1000:.0f}" for x in values)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--erasures", type=int, default=5, help="cards erased each way")
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "tc-bench"))
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    workdir = Path(args.workdir)
    results: list[dict[str, Any]] = []
    for kind in args.stores.split(","):
        sizes = {}
        for cards in (args.small, args.large):
            environ = prepare(kind, cards, workdir, args.workers)
            sizes[cards] = measure(kind, cards, environ, args.erasures)
        results += sizes.values()
        small, big = sizes[args.small], sizes[args.large]
        print(f"\n{kind}: erasing one holder (with their family), median of {args.erasures}; "
              f"people erased per card at {args.large:,}: {big['people_per_erasure']}")
        for label, key in (("services: propose + approve", "total"),
                           ("  propose", "propose"), ("  approve (keys, purge)", "approve"),
                           ("CLI: erase + approve-erasure", "cli_total"),
                           ("  holder erase", "cli_erase"),
                           ("  holder approve-erasure", "cli_approve")):
            a, b = small[f"{key}_s"], big[f"{key}_s"]
            print(f"  {label:<30} {a * 1000:7.1f} ms at {args.small:,}  {b * 1000:7.1f} ms at "
                  f"{args.large:,} ({b / a:.2f}x)  runs {_ms(big['runs'][key])} ms")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
