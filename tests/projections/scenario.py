"""A registry with cards of the four schemes at every ending, for the read-model tests:
an applied, a rejected, a withdrawn, an issued, an upgraded, a suspended and a revoked
card."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from uuid import UUID

import ledger.card_commands as cc
from ledger.app import CardLedger
from tests import factories as f
from tests.conftest import FakeClock

SPOUSE_BORN = "1952-05-01"
_families = itertools.count(9000)  # holders with a family, one person per build
CHILD_BORN = "2015-06-01"


@dataclass(frozen=True)
class Registry:
    applied: UUID  # weihai, under review
    rejected: UUID  # shandong, rejected at the city window
    withdrawn: UUID  # weihai business_elite, withdrawn by its investment department
    issued: UUID  # shandong direct, issued
    upgraded: UUID  # liaocheng B, upgraded to A
    suspended: UUID  # jinan C with a spouse and a child, suspended
    revoked: UUID  # liaocheng B, revoked


def approve_all(ledger: CardLedger, card_id: UUID) -> None:
    """Every required review stage approves, in order."""
    f.approve_all(ledger, card_id)


def shandong_body() -> object:
    return f.shandong_body(
        actor="sun.talent",
        role="applicant",
        facts={"provincial_comprehensive_programme": True},
        evidence=[],
    )


def build(ledger: CardLedger, clock: FakeClock) -> Registry:
    """File, decide and change one card of each kind, a minute apart."""

    def tick() -> None:
        clock.advance(minutes=1)

    applied, _ = ledger.apply(
        f.apply_body(
            actor="wang.employer",
            scheme="weihai",
            category="4",
            facts={"full_senior_title": True, "innovation_record": True},
            sponsor={"kind": "employer", "name": "威海职业学院"},
        )
    )
    tick()
    rejected, _ = ledger.apply(shandong_body())  # type: ignore[arg-type]
    ledger.run(cc.REVIEW, rejected, f.review("city_window", "rejected"))
    tick()
    withdrawn, _ = ledger.apply(f.business_elite_body("P-7"))
    ledger.run(cc.WITHDRAW, withdrawn, f.withdraw("zhou.invest", "investment_department"))
    tick()
    issued, _ = ledger.apply(shandong_body())  # type: ignore[arg-type]
    approve_all(ledger, issued)
    ledger.run(cc.ISSUE, issued, f.issue(actor="qian.window", role="provincial_window"))
    tick()
    upgraded, _ = ledger.apply(f.apply_body())
    approve_all(ledger, upgraded)
    ledger.run(cc.ISSUE, upgraded, f.issue())
    tick()
    f.upgrade_liaocheng(ledger, upgraded)
    tick()
    family = [
        {"relation": "spouse", "name": "韩梅梅", "date_of_birth": SPOUSE_BORN},
        {"relation": "child", "name": "李小雷", "date_of_birth": CHILD_BORN},
    ]
    holder = f.holder(f.resident_id(next(_families)))
    suspended, _ = ledger.apply(f.jinan_body("C", holder={**holder, "family": family}))
    ledger.run(cc.ISSUE, suspended, f.issue())
    tick()
    ledger.run(cc.SUSPEND, suspended, f.status(actor="zhao.office", role="talent_office"))
    tick()
    revoked, _ = ledger.apply(f.apply_body())
    approve_all(ledger, revoked)
    ledger.run(cc.ISSUE, revoked, f.issue())
    tick()
    f.revoke(ledger, revoked)
    tick()
    return Registry(applied, rejected, withdrawn, issued, upgraded, suspended, revoked)
