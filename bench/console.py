"""The staff console at scale (issue 28): each page's server time at a small and a large
store.

    python -m bench.console [--small 1000] [--large 100000] [--runs 15] [--workdir DIR]
                            [--workers 2] [--open-files 300] [--fresh] [--profile FILE]

The stores are ``bench.projections``'s SQLite stores (seeded there once, and reused by
other benchmarks): each is copied whole (SQLite file through SQLite's backup, keys, event
keys, ID pepper) to ``--workdir/console-copy-N`` and only the copy is written to (users,
sessions, the reads my work records). A copy's read models are caught up once, when it
is made (timed and kept in its ``console.json``); then ``--open-files`` recent files are
written into it, the same plan at either store, since the seeded history leaves no file
waiting. Later runs reuse a copy unless ``--fresh``.

At each store, for a few console users (roles for which the seeded history leaves files
waiting), signed in through the real sign-in form with litestar's ``TestClient`` over
``api.app.create_app``, the wall time of each request through the in-process ASGI app:

- ``GET /console/work``: my work's first page, and its second (``?after=``) if there is one;
- ``GET /console/cards/{id}``: the card page of an issued card with a long history and of
  a card under review, both in the user's jurisdiction.

Medians of ``--runs`` runs after one warm-up request. Goal (issue 28): my work and a card
page at the large store within 1.5× of the small one. ``--profile FILE`` writes cProfile
statistics of the large store's service calls (the request's own thread runs elsewhere,
so the services are profiled directly, in this thread).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import logging
import os
import pstats
import random
import re
import shutil
import sqlite3
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from litestar.testing import TestClient

from bench import _history
from bench.projections import environment, prepare
from bench.seed import SimulatedClock, write_steps
from domain.user import PROVINCE
from domain.vocabulary import Role
from services.bootstrap import Registry

GOAL = 1.5
SQLITE_FILE = "talentcard.sqlite3"
MARKER = "console.json"
# Recent files written into each copy (``open_files``), from a block number and holders
# the seeded history never uses (its quota subjects and people are its blocks' own).
OPEN_FILES = 300
OPEN_DAYS = timedelta(days=30)
OPEN_BLOCK = 99
OPEN_PEOPLE = 500_000_000
LONG_HISTORY = 10  # events: the longest an issued card of the 1,000-card store has
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_NEXT = re.compile(r'rel="next" href="[^"]*after=([^"&]+)"')


@dataclass(frozen=True)
class Persona:
    """A console user the bench signs in: a role at an authority."""

    label: str
    role: Role
    authority: str


# Roles the seeded history (bench/_history.py) leaves files waiting for: the cities' HRSS
# review Liaocheng's and Weihai's files and issue them; the provincial window takes the
# last step of every 山东 file.
PERSONAS = (
    Persona("liaocheng city_hrss", Role.CITY_HRSS, "liaocheng"),
    Persona("weihai city_hrss", Role.CITY_HRSS, "weihai"),
    Persona("province provincial_window", Role.PROVINCIAL_WINDOW, PROVINCE),
)


def copy_store(environ: dict[str, str], target: Path, files: int, fresh: bool) -> dict[str, str]:
    """The settings of a copy of the store ``environ`` names, at ``target`` (made unless a
    finished copy with ``files`` open files is there and ``fresh`` is not asked): the
    source is only read."""
    source = Path(environ["TALENTCARD_DATA_DIR"])
    marker = target / MARKER
    done = json.loads(marker.read_text()) if marker.exists() else {}
    if fresh or done.get("open_files_planned") != files:
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(
            source,
            target,
            ignore=shutil.ignore_patterns(f"{SQLITE_FILE}*", "seeded.json", "*.lock"),
        )
        with (
            sqlite3.connect(f"file:{source / SQLITE_FILE}?mode=ro", uri=True) as src,
            sqlite3.connect(target / SQLITE_FILE) as dst,
        ):
            src.backup(dst)
        src.close()
        dst.close()
    return {**environ, "TALENTCARD_DATA_DIR": str(target)}


def caught_up(
    registry: Registry, environ: dict[str, str], folder: Path, files: int
) -> dict[str, Any]:
    """The copy's first catch-up of every read model, timed once, then its recent files
    (``open_files``) written and caught up too; remembered in the copy's marker."""
    marker = folder / MARKER
    if marker.exists():
        return dict(json.loads(marker.read_text()))
    events = registry.read_models.head()
    started = time.perf_counter()
    registry.read_models.catch_up()
    seconds = time.perf_counter() - started
    done: dict[str, Any] = {
        "history_events": events,
        "catch_up_s": round(seconds, 1),
        "catch_up_events_per_s": round(events / seconds),
        "open_files_planned": files,
    }
    done.update(open_files(environ, files))
    registry.read_models.catch_up()
    marker.write_text(json.dumps(done))
    return done


def open_files(environ: dict[str, str], files: int) -> dict[str, Any]:
    """``files`` recent files, filed over the last 30 days and taken through the seed's
    own plan (``bench._history``) until now: the seeded history ends by 2026-06-01 with
    every file decided, which leaves no work waiting. The same plan at either store:
    the same work waits, over a history 100 times longer."""
    rng = random.Random(f"bench.console:{files}")
    state = _history._Block(OPEN_BLOCK, rng)
    now = datetime.now(UTC) - timedelta(minutes=1)
    for serial in range(files):
        filed = now - OPEN_DAYS * (1 - serial / files)
        _history._plan_card(state, serial, OPEN_PEOPLE + serial, filed, now, None)
    steps = sorted(state.steps, key=lambda s: (s.at, s.order))
    clock = SimulatedClock(steps[0].at)
    registry = Registry(environ, clock=clock)
    try:
        outcome = write_steps(registry.ledger, clock, steps)
    finally:
        registry.close()
    return {
        "open_files": outcome.cards,
        "open_commands": outcome.written,
        "open_refused": dict(outcome.refused),
    }


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    if not found:
        raise SystemExit("bench.console: the sign-in page carries no CSRF token")
    return found.group(1)


def signed_in(app: Any, name: str, key: str) -> TestClient[Any]:
    """A browser of its own, signed in through the sign-in form."""
    client: TestClient[Any] = TestClient(app=app)
    client.__enter__()
    form = client.get("/console/sign-in")
    files = {"name": (None, name), "key": (None, key), "csrf": (None, csrf_of(form.text))}
    answer = client.post("/console/sign-in", files=files, follow_redirects=False)
    if answer.status_code not in (302, 303):
        raise SystemExit(f"bench.console: sign-in of {name} answered {answer.status_code}")
    return client


def timed_get(client: TestClient[Any], path: str, runs: int) -> tuple[float, str]:
    """The median wall time of ``GET path`` over ``runs`` runs after a warm-up, and the
    warm-up's page."""
    first = client.get(path)
    if first.status_code != 200:
        raise SystemExit(f"bench.console: GET {path} answered {first.status_code}")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        answer = client.get(path)
        times.append(time.perf_counter() - started)
        if answer.status_code != 200:
            raise SystemExit(f"bench.console: GET {path} answered {answer.status_code}")
    return statistics.median(times), first.text


def pick_cards(registry: Registry, who: Any) -> dict[str, str]:
    """An issued card with a long history and a card under review, in ``who``'s
    jurisdiction: the longest history (up to ``LONG_HISTORY`` events) among the first
    2,000 cards (by id) of each status."""
    picked: dict[str, str] = {}
    for label, status in (("issued", "active"), ("review", "under_review")):
        rows: list[Any] = []
        after = None
        while len(rows) < 2000:
            page = registry.cards.list_cards(who, status=status, limit=200, after=after)
            rows += page.rows
            if page.next_after is None:
                break
            after = page.next_after
        if rows:
            # the same length at either store where it can be: a page's cost grows
            # with the card's own history, which is not what this bench compares
            capped = [r for r in rows if r.version <= LONG_HISTORY] or rows
            best = max(capped, key=lambda r: (r.version, r.card_id))
            picked[label] = best.card_id
            picked[f"{label}_events"] = str(best.version)
    return picked


def counted(registry: Registry, who: Any) -> tuple[int, int]:
    """(candidates my work's query finds, items my work shows over all its pages)."""
    from projections.card_current import CardFilter
    from services.work import WorkFilter, chances

    work = registry.work
    items, after = 0, None
    while True:
        page = work.my_work(who, WorkFilter(), limit=100, after=after)
        items += len(page.items)
        if page.next_after is None:
            break
        after = page.next_after
    # The candidates: the query my work pages through, without its page limit.
    stages, issuing, requests = chances(who.role, work.today())
    rows, _ = registry.read_models.card_current.waiting(
        stages=stages,
        issuing_schemes=issuing,
        open_requests=requests,
        where=CardFilter(within=_scope(who)),
        limit=10**7,
    )
    return len(rows), items


def _scope(who: Any) -> Any:
    from domain.jurisdiction import list_scope

    return list_scope(who)


def profiled(calls: dict[str, Callable[[], Any]], path: Path) -> str:
    """cProfile of each call (three times over), written to ``path``; the top lines."""
    profile = cProfile.Profile()
    for call in calls.values():
        call()  # warm
    profile.enable()
    for _ in range(3):
        for call in calls.values():
            call()
    profile.disable()
    profile.dump_stats(str(path))
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(30)
    return out.getvalue()


def measure_store(
    cards: int, environ: dict[str, str], runs: int, files: int, profile: Path | None
) -> dict[str, Any]:
    """Every figure for one store copy."""
    from api.app import create_app
    from api.console.pages import _card_context
    from services.sessions import ConsoleSession
    from services.work import WorkFilter

    folder = Path(environ["TALENTCARD_DATA_DIR"])
    result: dict[str, Any] = {"store": "sqlite", "cards": cards, "copy": str(folder)}
    with environment(environ), Registry() as owner:
        owner.init_store()  # ``talentcard init``, as a deploy runs it: this code's indexes
    with environment(environ), Registry() as registry:
        result.update(caught_up(registry, environ, folder, files))
        result["events"] = registry.read_models.head()
        app = create_app(registry)
        personas = []
        for persona in PERSONAS:
            name = f"bench.console.{uuid.uuid4().hex[:8]}"
            key = registry.users.add(
                None, name=name, role=persona.role, authority=persona.authority
            ).key
            who = registry.users.authenticate(key)
            personas.append((persona, name, key, who))
        loads = []
        for persona, name, key, who in personas:
            figures: dict[str, Any] = {"user": persona.label}
            figures.update(pick_cards(registry, who))
            figures["candidates"], figures["items"] = counted(registry, who)
            client = signed_in(app, name, key)
            try:
                figures["work_s"], html = timed_get(client, "/console/work", runs)
                figures["work_page_items"] = html.count('href="/console/cards/')
                found = _NEXT.search(html)
                if found:
                    after = found.group(1)
                    figures["work2_s"], html = timed_get(
                        client, f"/console/work?after={after}", runs
                    )
                    figures["work2_page_items"] = html.count('href="/console/cards/')
                for label in ("issued", "review"):
                    if label in figures:
                        figures[f"card_{label}_s"], _ = timed_get(
                            client, f"/console/cards/{figures[label]}", runs
                        )
            finally:
                client.__exit__(None, None, None)
            result[persona.label] = figures
            loads.append(os.getloadavg()[0])
        result["load_1min"] = max(loads)
        if profile is not None:
            calls: dict[str, Callable[[], Any]] = {}
            for persona, _name, _key, who in personas:
                session = ConsoleSession(who=who, csrf="x")
                calls[f"work {persona.label}"] = lambda who=who: registry.work.my_work(
                    who, WorkFilter()
                )
                for label in ("issued", "review"):
                    card = result[persona.label].get(label)
                    if card:
                        calls[f"card {label} {persona.label}"] = lambda s=session, c=card: (
                            _card_context(s, app.state, UUID(c))
                        )
            result["profile"] = str(profile)
            print(profiled(calls, profile))
    return result


PAGES = (
    ("work_s", "my work, first page"),
    ("work2_s", "my work, second page"),
    ("card_issued_s", "card page, issued (long history)"),
    ("card_review_s", "card page, under review"),
)
# How much a page shows at either store: my work's items on the page, a card's events.
SHOWN = {
    "work_s": "work_page_items",
    "work2_s": "work2_page_items",
    "card_issued_s": "issued_events",
    "card_review_s": "review_events",
}


def table(small: dict[str, Any], large: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per user and page: both times, the ratio and the goal."""
    rows = []
    for persona in PERSONAS:
        a, b = small[persona.label], large[persona.label]
        for field, title in PAGES:
            if field not in a or field not in b:
                continue
            ratio = b[field] / a[field]
            rows.append(
                {
                    "user": persona.label,
                    "page": title,
                    "shown": f"{a.get(SHOWN[field], '?')} / {b.get(SHOWN[field], '?')}",
                    "small_ms": a[field] * 1000,
                    "large_ms": b[field] * 1000,
                    "ratio": ratio,
                    "met": ratio <= GOAL,
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--workdir", default="/tmp/tc-bench")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--open-files", type=int, default=OPEN_FILES, help="recent files written into each copy"
    )
    parser.add_argument("--fresh", action="store_true", help="copy the stores again")
    parser.add_argument("--profile", help="cProfile the large store's services into FILE")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise
    workdir = Path(args.workdir)
    results = []
    for cards in (args.small, args.large):
        source = prepare("sqlite", cards, workdir, args.workers)
        target = workdir / f"console-copy-{cards}"
        copy = copy_store(source, target, args.open_files, args.fresh)
        profile = Path(args.profile) if args.profile and cards == args.large else None
        results.append(measure_store(cards, copy, args.runs, args.open_files, profile))
    small, large = results
    print(
        f"\nsqlite: {small['events']:,} events at {args.small:,} cards, "
        f"{large['events']:,} at {args.large:,}; first catch-up of the copies "
        f"{small['catch_up_s']} s and {large['catch_up_s']} s"
    )
    for persona in PERSONAS:
        a, b = small[persona.label], large[persona.label]
        print(
            f"  {persona.label}: my work shows {a['items']} of {a['candidates']} candidates "
            f"at {args.small:,}, {b['items']} of {b['candidates']} at {args.large:,}"
        )
    rows = table(small, large)
    print(
        f"  {'user':<28} {'page':<34} {'shown':>8}  {'small':>11}  {'large':>11}  "
        "(shown: my work's items on the page, a card's events; small / large)"
    )
    for row in rows:
        print(
            f"  {row['user']:<28} {row['page']:<34} {row['shown']:>8}  "
            f"{row['small_ms']:8.1f} ms  "
            f"{row['large_ms']:8.1f} ms  = {row['ratio']:.2f}x  "
            f"{'met' if row['met'] else 'MISSED'}"
        )
    print(json.dumps({"stores": results, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
