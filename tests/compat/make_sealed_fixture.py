"""Write the second compatibility fixture (issue 25): the first one (``tests/compat/fixture``,
written at 984c53b), taken on by this version.

    python -m tests.compat.make_sealed_fixture OUTDIR

Each of the first fixture's stores is copied, then, as its owner would:
``talentcard init`` (the key, approval and read-record tables), ``ledger
seal-personal-data`` (every plaintext holder sealed in place, recorded), an erasure of an
ended card's holder and of one family member of a card in force (each proposed and
approved by two administrators), and a checkpoint over it all. OUTDIR is laid out as the
first fixture is (``sqlite/``, ``postgres/``, ``postgres.sql``, ``expected.json``), so
the same tests read both; it holds the event classes issue 25 added
(``layout.SEALED_EVENTS``), which the first cannot.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

from domain.card import Card
from domain.erasure import ENDED
from domain.user import PROVINCE, Principal
from domain.vocabulary import Role
from services.bootstrap import Registry
from tests.compat import history
from tests.compat.layout import (
    EXPECTED,
    FIXTURE,
    POSTGRES_DUMP,
    POSTGRES_SCHEMA,
    SQLITE_FILE,
    FixedClock,
    environ,
)
from tests.compat.make_fixture import (
    _README,
    POSTGRES_URL,
    _pg_dump,
    event_topics,
    rebuilt_checksums,
)
from tests.compat.test_fixture_store import private_copy
from tests.conftest import init_as_owner

FIRST = Principal(
    user_id=uuid.uuid4(), name="fixture.admin", role=Role.ADMINISTRATOR, authority=PROVINCE
)
SECOND = Principal(
    user_id=uuid.uuid4(), name="fixture.admin2", role=Role.ADMINISTRATOR, authority=PROVINCE
)


def take_on(data_dir: Path, database_url: str, start_after: dict[str, Any]) -> dict[str, Any]:
    """Seal, erase and checkpoint one store; its expected figures."""
    clock = FixedClock()
    clock.now = clock.now + timedelta(days=200)  # months after the first fixture's history
    with Registry(environ(data_dir, database_url), clock=clock) as registry:
        sealed = registry.seal_personal_data()
        if sealed != start_after["topics"]["domain.card:Card.Applied"]:
            raise SystemExit(f"make_sealed_fixture: sealed {sealed} events, not every filing")
        ended, with_family = _cards(registry)
        clock.advance(minutes=5)
        erasure = registry.personal_data.propose_erasure(
            FIRST, ended, family=None, ground="purpose_met", decision="FIXTURE-ERASURE-1"
        )
        clock.advance(minutes=5)
        registry.personal_data.approve_erasure(SECOND, erasure.id)
        clock.advance(minutes=5)
        erasure = registry.personal_data.propose_erasure(
            FIRST, with_family, family=1, ground="consent_withdrawn", decision="FIXTURE-ERASURE-2"
        )
        clock.advance(minutes=5)
        registry.personal_data.approve_erasure(SECOND, erasure.id)
        return checkpointed(
            registry,
            data_dir,
            clock,
            checkpoints=3,
            erased_events=2,
        )


def _cards(registry: Registry) -> tuple[uuid.UUID, uuid.UUID]:
    """An ended card, and a card in force with a family."""
    ledger = registry.ledger
    ended = with_family = None
    today = registry.cards.today()
    for card_id in ledger.card_ids():
        card = ledger.find(card_id, Card)
        if card is None:
            continue
        status = card.status_on(today)
        if ended is None and status in ENDED:
            ended = card_id
        elif with_family is None and status not in ENDED and card.application.holder.family:
            with_family = card_id
    if ended is None or with_family is None:
        raise SystemExit("make_sealed_fixture: the first fixture lacks an ended card or a family")
    return ended, with_family


TakeOn = Callable[[Path, str, dict[str, Any]], dict[str, Any]]
"""Take one store of an earlier fixture on: (data folder, database URL, that store's
expected figures) → the new store's expected figures."""


def postgres_store(
    data_dir: Path, dump: Path, before: dict[str, Any], *, source: Path, take_on: TakeOn
) -> dict[str, Any]:
    """``source``'s PostgreSQL dump restored into a scratch database, initialised, taken
    on, and dumped to ``dump``; the database is dropped afterwards."""
    scratch = f"tc_make_fixture_{uuid.uuid4().hex[:8]}"
    admin = POSTGRES_URL.split("?")[0]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
    try:
        parts = urlsplit(admin)
        database = parts._replace(path=f"/{scratch}").geturl()
        with psycopg.connect(database, autocommit=True) as conn:
            conn.execute((source / POSTGRES_DUMP).read_text())
        url = f"{database}?schema={POSTGRES_SCHEMA}"
        init_as_owner(database_url=url, data_dir=data_dir)
        expected = take_on(data_dir, url, before)
        _pg_dump(database, dump)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch))
            )
    return expected


def checkpointed(
    registry: Registry, data_dir: Path, clock: FixedClock, *, checkpoints: int, erased_events: int
) -> dict[str, Any]:
    """Sign a checkpoint over the store as taken on, write it beside the store and return
    the figures ``expected.json`` keeps for it (shared by the later fixtures' makers)."""
    clock.advance(minutes=10)
    checkpoint = registry.transparency.checkpoint(history.CHECKPOINTER)
    name = f"checkpoint-{checkpoint.size:012d}.cose"
    (data_dir / "checkpoints" / name).write_bytes(checkpoint.signed)
    topics = event_topics(registry)
    return {
        "events": sum(topics.values()),
        "topics": dict(sorted(topics.items())),
        "checksums": rebuilt_checksums(registry),
        "checkpoint": {
            "file": f"checkpoints/{name}",
            "size": checkpoint.size,
            "root": str(checkpoint.root),
        },
        "checkpoints": checkpoints,
        "erased_events": erased_events,
    }


def write_later_fixture(
    argv: list[str] | None, *, source: Path, take_on: TakeOn, program: str, doc: str
) -> int:
    """The command line of a fixture written by taking ``source`` on (this one, and
    ``make_amended_fixture``): both its stores copied, initialised as their owner, taken
    on, and laid out as the first fixture is, with ``expected.json``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(doc, file=sys.stderr)
        return 2
    out = Path(args[0])
    if out.exists():
        print(f"{program}: {out} exists; give a new folder", file=sys.stderr)
        return 2
    before = json.loads((source / EXPECTED).read_text("utf-8"))
    out.mkdir(parents=True)
    sqlite_dir = private_copy(source / "sqlite", out / "sqlite")
    postgres_dir = private_copy(source / "postgres", out / "postgres")
    sqlite_url = f"sqlite:///{sqlite_dir / SQLITE_FILE}"
    init_as_owner(database_url=sqlite_url, data_dir=sqlite_dir)
    expected = {
        "sqlite": take_on(sqlite_dir, sqlite_url, before["sqlite"]),
        "postgres": postgres_store(
            postgres_dir, out / POSTGRES_DUMP, before["postgres"], source=source, take_on=take_on
        ),
    }
    for store in ("sqlite", "postgres"):
        (out / store / "README.md").write_text(_README)
        for lock in (out / store).rglob("*.lock"):
            lock.unlink()
    (out / EXPECTED).write_text(json.dumps(expected, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({s: {"events": e["events"]} for s, e in expected.items()}))
    return 0


def main(argv: list[str] | None = None) -> int:
    return write_later_fixture(
        argv, source=FIXTURE, take_on=take_on, program="make_sealed_fixture", doc=__doc__ or ""
    )

if __name__ == "__main__":
    sys.exit(main())
