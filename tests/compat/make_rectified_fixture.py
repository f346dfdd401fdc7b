"""Write the fourth compatibility fixture (issue 27): the amended one (``fixture-amended``),
taken on by this version, on days the rectified policy versions decide.

    python -m tests.compat.make_rectified_fixture OUTDIR

Each of the amended fixture's stores is copied, ``talentcard init`` run (the register of
employers' tables and the read models this version renamed), then, from 2026-12-08, as its
users would: an administrator registers an employer as a city one and moves it to the
province with a reason; that employer's 惠才卡 file, its level read from the register, is
received by the provincial window before it decides (Shandong 7.1, now a required step)
and issued; a Liaocheng card with a spouse is issued by city HRSS and the request for the
spouse's transfer recorded (art. 13's month); and a checkpoint over it all. OUTDIR is laid
out as the first fixture is; it holds the event classes issue 27 added
(``layout.RECTIFIED_EVENTS``), which the earlier ones cannot.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

import ledger.card_commands as cc
from domain.vocabulary import EmployerLevel
from ledger.commands import SpouseTransferBody
from services.bootstrap import Registry
from tests import factories as f
from tests.compat.layout import AMENDED_FIXTURE, FixedClock, environ
from tests.compat.make_sealed_fixture import checkpointed, write_later_fixture

RECTIFIED_DAY = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)
EMPLOYER = "山东大学"


def take_on(data_dir: Path, database_url: str, before: dict[str, Any]) -> dict[str, Any]:
    """Take one store on under the rectified rules and checkpoint it; its expected figures."""
    clock = FixedClock(RECTIFIED_DAY)
    with Registry(environ(data_dir, database_url), clock=clock) as registry:
        _employer(registry, clock)
        _huicai_card(registry, clock)
        _spouse_transfer(registry, clock)
        return checkpointed(
            registry,
            data_dir,
            clock,
            checkpoints=before.get("checkpoints", 2) + 1,
            erased_events=before.get("erased_events", 0),
        )


def _employer(registry: Registry, clock: FixedClock) -> None:
    """Shandong 7.1 item 4 (RD-2026-91): an employer registered at its level, then moved up."""
    clock.advance(minutes=5)
    registry.employers.register(
        None, credit_code=f.CREDIT_CODE, name=EMPLOYER, level=EmployerLevel.CITY, city="jinan"
    )
    clock.advance(minutes=5)
    registry.employers.register(
        None,
        credit_code=f.CREDIT_CODE,
        name=EMPLOYER,
        level=EmployerLevel.PROVINCE,
        reason="a provincial university (fixture)",
    )


def _huicai_card(registry: Registry, clock: FixedClock) -> None:
    """A 惠才卡 whose file starts at the provincial window (the registered level), received
    there before it decides (7.1, a required step from 2026-12-07), then issued."""
    ledger = registry.ledger
    clock.advance(minutes=5)
    body = f.shandong_body(
        holder=f.holder(f.resident_id(9127)),
        facts={"city_employer": False},
        sponsor={"kind": "employer", "name": EMPLOYER, "credit_code": f.CREDIT_CODE},
    )
    facts = {k: v for k, v in body.facts.items() if not k.endswith("_employer")}
    card_id, _ = ledger.apply(msgspec.structs.replace(body, facts=facts))
    f.approve_all(ledger, card_id)
    clock.advance(minutes=5)
    ledger.run(cc.ISSUE, card_id, f.issue(actor="fixture.window", role="provincial_window"))


def _spouse_transfer(registry: Registry, clock: FixedClock) -> None:
    """Liaocheng art. 13: a card with a spouse, issued by city HRSS, and the request for the
    spouse's transfer that starts the month (``Card.SpouseTransferRecorded``)."""
    ledger = registry.ledger
    clock.advance(minutes=5)
    spouse = {"relation": "spouse", "name": "赵敏", "date_of_birth": "1986-04-12"}
    holder = {**f.holder(f.resident_id(9027)), "family": [spouse]}
    card_id, _ = ledger.apply(f.apply_body(holder=holder))
    f.approve_all(ledger, card_id)
    ledger.run(cc.ISSUE, card_id, f.issue())
    clock.advance(minutes=5)
    body = msgspec.convert(
        {
            "actor": "fixture.city_hrss",
            "role": "city_hrss",
            "step": "requested",
            "facts": {"spouse_public_payroll_transferable": True},
        },
        SpouseTransferBody,
    )
    ledger.run(cc.SPOUSE_TRANSFER, card_id, body)


def main(argv: list[str] | None = None) -> int:
    return write_later_fixture(
        argv,
        source=AMENDED_FIXTURE,
        take_on=take_on,
        program="make_rectified_fixture",
        doc=__doc__ or "",
    )


if __name__ == "__main__":
    sys.exit(main())
