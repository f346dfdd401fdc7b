"""Fill the configured store with a synthetic history (模拟历史) for the benchmarks.

    python -m bench.seed --cards N [--force] [--seed S] [--workers W]

The store is the CLI's (TALENTCARD_DATABASE_URL, TALENTCARD_DATA_DIR); a PostgreSQL store
must have been prepared by ``talentcard init``. A store that already holds events is
refused unless ``--force``: nothing can be deleted from it, so a second run only adds.

Every event is made by the ledger's command methods and the real domain (bench._history
plans the commands, one card's after another's, over three years from 2023-06-01); the
ledger's clock is a simulated one set to each command's instant, never past the real now.
``--workers`` runs the plan's blocks in that many processes, each on holders of its own,
as the windows of a busy registry do; the plan, and so the events of each card, are the
same whatever the number of workers (only the interleaving of cards in the log differs).
"""

from __future__ import annotations

import argparse
import heapq
import multiprocessing
import os
import queue
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from tqdm import tqdm

from bench import _history
from domain.clock import Clock
from domain.errors import DomainError
from ledger.app import CardLedger
from ledger.card_commands import COMMANDS
from ledger.event_signer import SIGNING_TOPICS
from services.bootstrap import Registry
from services.clock import system_clock

EXIT_REFUSED_STORE = 2
_PAGE = 2000


class StoreHoldsEvents(DomainError):
    """The store is not empty and --force was not given."""

    code = "store_not_empty"


class SimulatedClock:
    """The ledger's clock during a seed: the instant of the command being written."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Outcome:
    """What one writer did: commands written and refused (by code, with one example)."""

    written: int = 0
    cards: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)

    def add(self, other: Outcome) -> None:
        self.written += other.written
        self.cards += other.cards
        self.refused.update(other.refused)
        for code, text in other.examples.items():
            self.examples.setdefault(code, text)


def write_steps(
    ledger: CardLedger,
    clock: SimulatedClock,
    steps: Iterable[_history.Step],
    tick: Callable[[int], None] = lambda n: None,
) -> Outcome:
    """Write the plan's steps in order through the ledger's command methods. A refused
    command is counted and its card's later steps are skipped (the plan was wrong about it;
    the domain is right)."""
    outcome = Outcome()
    ids: dict[int, UUID] = {}
    failed: set[int] = set()
    filed = 0  # applications attempted, for the progress bar (its total is --cards)
    for step in steps:
        if step.command == "apply":
            filed += 1
            if filed % 20 == 0:
                tick(20)
        if step.card in failed:
            continue
        clock.now = step.at
        try:
            if step.command == "apply":
                ids[step.card], _ = ledger.apply(step.body)  # type: ignore[arg-type]
                outcome.cards += 1
            elif step.command == "raise_quota":
                ledger.raise_quota(step.body)  # type: ignore[arg-type]
            else:
                ledger.run(COMMANDS[step.command], ids[step.card], step.body)
        except DomainError as e:
            failed.add(step.card)
            key = f"{step.command}: {e.code}"
            outcome.refused[key] += 1
            outcome.examples.setdefault(key, f"{step.body.role} at {step.at:%Y-%m-%d}: {e}")
            continue
        outcome.written += 1
    tick(filed % 20)
    return outcome


@dataclass(frozen=True)
class Job:
    """What to seed: the plan's inputs (bench._history.plan_block)."""

    seed: int
    cards: int
    until: datetime
    people_from: int = 0

    def plan(self, blocks: Iterable[int]) -> list[_history.Step]:
        """The steps of ``blocks``, merged in the order they happen."""
        per_block = [
            _history.plan_block(self.seed, self.cards, b, self.until, self.people_from)
            for b in blocks
        ]
        return list(heapq.merge(*per_block, key=lambda s: (s.at, s.card, s.order)))


def open_ledger(environ: Mapping[str, str], clock: Clock) -> CardLedger:
    """The configured store's ledger, opened as every runtime process opens it (through
    the composition root); the caller closes it."""
    return Registry(environ, clock=clock).ledger


def _worker(
    job: Job, blocks: list[int], environ: dict[str, str], counter: Any, results: Any
) -> None:
    """One writer process: its own ledger, its own blocks (holders no other writer has);
    puts its Outcome on ``results``."""
    clock = SimulatedClock(_history.START)
    ledger = open_ledger(environ, clock)
    try:

        def tick(n: int) -> None:
            with counter.get_lock():
                counter.value += n

        results.put(write_steps(ledger, clock, job.plan(blocks), tick))
    finally:
        ledger.close()


class Progress:
    """The seed's progress bar (tqdm, on stderr), in cards."""

    def __init__(self, total: int) -> None:
        self._bar = tqdm(total=total, unit="card", file=sys.stderr)

    def advance(self, n: int) -> None:
        self._bar.update(n)

    def show(self, done: int) -> None:
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        self._bar.close()


def run(
    cards: int,
    *,
    seed: int = 1,
    workers: int = 1,
    force: bool = False,
    until: datetime,
    environ: Mapping[str, str] | None = None,
    progress: bool = True,
) -> tuple[Outcome, Counter[str], float]:
    """Seed the configured store; returns the outcome, the events written by type and the
    seconds the writing took. Raises ``StoreHoldsEvents`` on a store that is not empty
    unless ``force``."""
    source = dict(os.environ if environ is None else environ)
    with open_ledger(source, system_clock) as ledger:
        first = ledger.recorder.max_notification_id() or 0
        # Opening a new store records where event signing started (and signs that): a
        # store holding only that is as empty as a seed needs.
        opening = ledger.recorder.select_notifications(None, 3)
        holds = any(n.topic not in SIGNING_TOPICS for n in opening)
    if holds and not force:
        raise StoreHoldsEvents(
            f"the store already holds {first:,} events: nothing can be deleted from it, so a "
            "seed would only add to them; give --force to add anyway, or use a fresh store"
        )
    # Every card of an earlier history wrote at least one event, so holders numbered from
    # the last event's position are people the store has not seen.
    job = Job(seed, cards, until, people_from=first)
    blocks = _history.block_count(cards)
    workers = max(1, min(workers, blocks))
    bar = Progress(cards) if progress else None
    started = time.perf_counter()
    if workers == 1:
        clock = SimulatedClock(_history.START)
        with open_ledger(source, clock) as ledger:
            steps = job.plan(range(blocks))
            outcome = write_steps(ledger, clock, steps, bar.advance if bar else lambda n: None)
    else:
        outcome = _in_processes(job, blocks, workers, source, bar)
    seconds = time.perf_counter() - started
    if bar:
        bar.close()
    with open_ledger(source, system_clock) as ledger:
        mix = event_mix(ledger, first)
    return outcome, mix, seconds


def _in_processes(
    job: Job, blocks: int, workers: int, source: dict[str, str], bar: Progress | None
) -> Outcome:
    context = multiprocessing.get_context("spawn")  # no inherited connection pools
    counter = context.Value("q", 0)
    results = context.Queue()
    processes = [
        context.Process(
            target=_worker,
            daemon=True,
            args=(job, list(range(w, blocks, workers)), source, counter, results),
        )
        for w in range(workers)
    ]
    for process in processes:
        process.start()
    outcome = Outcome()
    for _ in processes:
        while True:
            if bar:
                bar.show(counter.value)
            try:
                outcome.add(results.get(timeout=0.5))
                break
            except queue.Empty:
                if any(p.exitcode not in (0, None) for p in processes):
                    raise SystemExit("bench.seed: a writer process failed (see above)") from None
    for process in processes:
        process.join()
    if bar:
        bar.show(counter.value)
    return outcome


def event_mix(ledger: CardLedger, after: int) -> Counter[str]:
    """How many events of each type the store holds after notification ``after``; what
    event signing writes apart (its records, whose number depends on how many processes
    wrote, and where signing started), which is not the history."""
    mix: Counter[str] = Counter()
    start = after + 1
    while True:
        page = ledger.recorder.select_notifications(start, _PAGE)
        for n in page:
            if n.topic not in SIGNING_TOPICS:
                mix[n.topic.rpartition(":")[2]] += 1
        if len(page) < _PAGE:
            return mix
        start = page[-1].id + 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.seed", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--cards", type=int, required=True, help="how many cards to file")
    parser.add_argument("--seed", type=int, default=1, help="the same seed, the same history")
    parser.add_argument(
        "--force", action="store_true", help="add to a store that already holds events"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="writer processes, each on holders of its own (default 1)",
    )
    args = parser.parse_args(argv)
    if args.cards < 1:
        parser.error("--cards must be at least 1")
    environ = dict(os.environ)
    until = datetime.now(UTC)  # the composition root: the history never passes the real now
    try:
        outcome, mix, seconds = run(
            args.cards,
            seed=args.seed,
            workers=args.workers,
            force=args.force,
            until=until,
            environ=environ,
        )
    except DomainError as e:  # a store that is not empty, not initialised or misconfigured
        print(f"bench.seed: {e.message}", file=sys.stderr)
        return EXIT_REFUSED_STORE
    events = sum(mix.values())
    print(
        f"cards {outcome.cards:,}  events {events:,}  seconds {seconds:,.1f}  "
        f"events/s {events / seconds:,.0f}  cards/s {outcome.cards / seconds:,.1f}  "
        f"commands {outcome.written:,}  workers {max(1, args.workers)}"
    )
    print("events: " + ", ".join(f"{name} {count:,}" for name, count in sorted(mix.items())))
    for key, count in sorted(outcome.refused.items()):
        print(f"refused {count:,}× {key} (e.g. {outcome.examples[key]})", file=sys.stderr)
    return 1 if outcome.refused else 0


if __name__ == "__main__":
    sys.exit(main())
