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

import sys
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import ledger.card_commands as cc
from domain.card import Card
from domain.clock import business_date
from domain.policy import amendment_roles
from domain.vocabulary import CardStatus
from services.bootstrap import Registry
from tests import factories as f
from tests.compat.layout import (
    SEALED_FIXTURE,
    FixedClock,
    environ,
)
from tests.compat.make_sealed_fixture import checkpointed, write_later_fixture


def take_on(data_dir: Path, database_url: str, before: dict[str, Any]) -> dict[str, Any]:
    """Amend and checkpoint one store; its expected figures."""
    clock = FixedClock()
    clock.now = clock.now + timedelta(days=230)  # after the sealed fixture's erasures
    with Registry(environ(data_dir, database_url), clock=clock) as registry:
        # `init` emptied the read models whose tables this version renamed (their first
        # catch-up replays them: projections.engine.install).
        ledger = registry.ledger
        today = business_date(clock.now)
        first, second = _cards(registry)  # of one scheme: the same filer and decider
        roles = amendment_roles(ledger.get_card(first).application.scheme, today)
        filer, decider = sorted(roles.filers or ())[0], sorted(roles.deciders)[0]

        def asked(card_id: uuid.UUID, **change: Any) -> None:
            clock.advance(minutes=5)
            body = f.amend(
                actor=f"fixture.{filer}",
                role=str(filer),
                takes_effect_on=today.isoformat(),
                evidence=["doc://fixture/amendment"],
                reason="fixture change",
                **change,
            )
            ledger.run(cc.AMEND, card_id, body)

        def decided(card_id: uuid.UUID, decision: str, reason: str = "") -> None:
            clock.advance(minutes=5)
            body = f.decide_amendment(
                decision, actor=f"fixture.{decider}", role=str(decider), reason=reason
            )
            ledger.run(cc.DECIDE_AMENDMENT, card_id, body)

        spouse = {"relation": "spouse", "name": "陈静", "date_of_birth": "1988-09-02"}
        asked(first, change="add_member", **spouse)
        decided(first, "approved")
        asked(first, change="remove_member", member=len(ledger.get_card(first).holder.family))
        decided(first, "approved")
        asked(second, change="correct_holder", name="王小明")
        decided(second, "refused", "the identity document shows the filed name")
        return checkpointed(
            registry,
            data_dir,
            clock,
            checkpoints=before.get("checkpoints", 2) + 1,
            erased_events=before.get("erased_events", 0),
        )


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


def main(argv: list[str] | None = None) -> int:
    return write_later_fixture(
        argv,
        source=SEALED_FIXTURE,
        take_on=take_on,
        program="make_amended_fixture",
        doc=__doc__ or "",
    )


if __name__ == "__main__":
    sys.exit(main())
