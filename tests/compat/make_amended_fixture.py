"""Write the third compatibility fixture (issue 26): the sealed one (``fixture-sealed``),
taken on by this version.

    python -m tests.compat.make_amended_fixture OUTDIR

Each of the sealed fixture's stores is copied, ``talentcard init`` run (the new read-model
tables), then, as its users would: a spouse added to a card in force and approved, then
that spouse removed again (a change that supersedes the card's credential), a correction of
another holder's name refused, and a checkpoint over it all. OUTDIR is laid out as the
first fixture is, so the same tests read it; it holds the event classes issue 26 added
(``layout.AMENDED_EVENTS``), which the earlier ones cannot.
"""

from __future__ import annotations

import json
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import msgspec
import psycopg
from psycopg import sql

import ledger.card_commands as cc
from domain.card import Card
from domain.clock import business_date
from domain.policy import amendment_roles
from domain.vocabulary import CardStatus
from ledger import commands as c
from services.bootstrap import Registry
from tests.compat import history
from tests.compat.layout import (
    EXPECTED,
    POSTGRES_DUMP,
    POSTGRES_SCHEMA,
    SEALED_FIXTURE,
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


def take_on(data_dir: Path, database_url: str, before: dict[str, Any]) -> dict[str, Any]:
    """Amend and checkpoint one store; its expected figures."""
    clock = FixedClock()
    clock.now = clock.now + timedelta(days=230)  # after the sealed fixture's erasures
    with Registry(environ(data_dir, database_url), clock=clock) as registry:
        # This version's read-model tables (rm_beneficiary_v2, rm_status_entry_v2, …) are
        # new and empty: the owner rebuilds them, as the upgrade notes say.
        registry.projections.rebuild(None, progress=lambda done, total: None)
        ledger = registry.ledger
        today = business_date(clock.now)
        first, second = _cards(registry)
        scheme = ledger.get_card(first).application.scheme
        roles = amendment_roles(scheme, today)
        filer = sorted(roles.filers or ())[0]
        decider = sorted(roles.deciders)[0]

        def asked(card_id: uuid.UUID, **change: Any) -> None:
            clock.advance(minutes=5)
            body = {
                "actor": f"fixture.{filer}",
                "role": str(filer),
                "takes_effect_on": today.isoformat(),
                "evidence": ["doc://fixture/amendment"],
                "reason": "fixture change",
                **change,
            }
            ledger.run(cc.AMEND, card_id, msgspec.convert(body, c.AmendBody))

        def decided(card_id: uuid.UUID, decision: str, reason: str = "") -> None:
            clock.advance(minutes=5)
            body = {
                "actor": f"fixture.{decider}",
                "role": str(decider),
                "decision": decision,
                "reason": reason,
            }
            ledger.run(cc.DECIDE_AMENDMENT, card_id, msgspec.convert(body, c.AmendmentDecisionBody))

        asked(
            first, change="add_member", relation="spouse", name="陈静", date_of_birth="1988-09-02"
        )
        decided(first, "approved")
        added = len(ledger.get_card(first).holder.family)
        asked(first, change="remove_member", member=added)
        decided(first, "approved")
        second_roles = amendment_roles(ledger.get_card(second).application.scheme, today)
        filer, decider = sorted(second_roles.filers or ())[0], sorted(second_roles.deciders)[0]
        asked(second, change="correct_holder", name="王小明")
        decided(second, "refused", "the identity document shows the filed name")
        clock.advance(minutes=10)
        checkpoint = registry.transparency.checkpoint(history.CHECKPOINTER)
        name = f"checkpoint-{checkpoint.size:012d}.cose"
        (data_dir / "checkpoints" / name).write_bytes(checkpoint.signed)
        topics = event_topics(registry)
        checksums = rebuilt_checksums(registry)
    return {
        "events": sum(topics.values()),
        "topics": dict(sorted(topics.items())),
        "checksums": checksums,
        "checkpoint": {
            "file": f"checkpoints/{name}",
            "size": checkpoint.size,
            "root": str(checkpoint.root),
        },
        "checkpoints": before.get("checkpoints", 2) + 1,
        "erased_events": before.get("erased_events", 0),
    }


def _cards(registry: Registry) -> tuple[uuid.UUID, uuid.UUID]:
    """Two active cards of the same scheme whose people nobody erased."""
    ledger = registry.ledger
    today = registry.cards.today()
    found: dict[str, list[uuid.UUID]] = {}
    for card_id in ledger.card_ids():
        card = ledger.find(card_id, Card)
        if card is None or card.status_on(today) is not CardStatus.ACTIVE:
            continue
        holder = card.holder
        if holder.erased or any(m.erased for m in holder.family):
            continue
        if card.issued_on is None or card.issued_on > today:
            continue
        found.setdefault(str(card.application.scheme), []).append(card_id)
    for cards in found.values():
        if len(cards) >= 2:
            return cards[0], cards[1]
    raise SystemExit("make_amended_fixture: the sealed fixture lacks two active cards of a scheme")


def postgres_store(data_dir: Path, dump: Path, before: dict[str, Any]) -> dict[str, Any]:
    scratch = f"tc_make_fixture_{uuid.uuid4().hex[:8]}"
    admin = POSTGRES_URL.split("?")[0]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
    try:
        parts = urlsplit(admin)
        database = parts._replace(path=f"/{scratch}").geturl()
        with psycopg.connect(database, autocommit=True) as conn:
            conn.execute((SEALED_FIXTURE / POSTGRES_DUMP).read_text())
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


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(args[0])
    if out.exists():
        print(f"make_amended_fixture: {out} exists; give a new folder", file=sys.stderr)
        return 2
    before = json.loads((SEALED_FIXTURE / EXPECTED).read_text("utf-8"))
    out.mkdir(parents=True)
    sqlite_dir = private_copy(SEALED_FIXTURE / "sqlite", out / "sqlite")
    postgres_dir = private_copy(SEALED_FIXTURE / "postgres", out / "postgres")
    sqlite_url = f"sqlite:///{sqlite_dir / SQLITE_FILE}"
    init_as_owner(database_url=sqlite_url, data_dir=sqlite_dir)
    expected = {
        "sqlite": take_on(sqlite_dir, sqlite_url, before["sqlite"]),
        "postgres": postgres_store(postgres_dir, out / POSTGRES_DUMP, before["postgres"]),
    }
    for store in ("sqlite", "postgres"):
        (out / store / "README.md").write_text(_README)
        for lock in (out / store).rglob("*.lock"):
            lock.unlink()
    (out / EXPECTED).write_text(json.dumps(expected, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({s: {"events": e["events"]} for s, e in expected.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
