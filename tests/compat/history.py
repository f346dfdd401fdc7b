"""The fixture's history: every kind of event the registry writes, in all four schemes,
written through the registry's own services and its ledger's command methods (as
``bench.seed`` and the read-model scenario write theirs) on a fixed clock.

Each part below writes one chapter of a card's life or of the registry's; the clock moves
a few minutes between commands, and by days where a rule counts them. Back-dated
decisions are city HRSS's (``domain.backdating``); a venue's offline use is recorded late.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import msgspec

import ledger.card_commands as cc
from domain.user import PROVINCE, Principal
from domain.vocabulary import Role
from ledger import commands as c
from ledger.app import CardLedger
from services.access import Idempotency
from services.bootstrap import Registry
from tests import factories as f
from tests.compat.layout import FixedClock

ADMIN = "fixture.admin"
_PEOPLE = itertools.count(7001)  # holders named here; tests.factories numbers its own from 1
CHECKPOINTER = "fixture@talentcard (server host)"
"""The checkpoints' actor (the CLI records the host's operator; the fixture names no host)."""


def write(registry: Registry, clock: FixedClock) -> None:
    """Write the whole history into the registry's (empty) store."""
    ledger = registry.ledger
    tick = _Tick(clock)
    users = _users(registry, tick)
    for _ in range(3):
        _liaocheng_lives(ledger, tick)
    _liaocheng_upgrade(ledger, tick)
    _revocations(ledger, tick)
    _shandong(ledger, tick, clock)
    _weihai(ledger, tick, clock)
    registry.transparency.checkpoint(CHECKPOINTER)  # an earlier checkpoint the later extends
    tick()
    registry.event_keys.rotate(clock())  # the later saves are signed by a second key
    tick()
    _jinan(ledger, tick)
    _backdated(ledger, tick, clock)
    _by_the_services(registry, users, tick, clock)


class _Tick:
    """Moves the clock between commands: seven minutes unless told otherwise."""

    def __init__(self, clock: FixedClock) -> None:
        self._clock = clock

    def __call__(self, **delta: float) -> None:
        self._clock.advance(**(delta or {"minutes": 7}))


def _users(registry: Registry, tick: _Tick) -> dict[str, Principal]:
    """The users the service commands act as; one key rotated, one user disabled."""
    from domain.user import user_id

    admin = Principal(user_id=user_id(ADMIN), name=ADMIN, role=Role.ADMINISTRATOR,
                      authority=PROVINCE)
    wanted = {
        ADMIN: (Role.ADMINISTRATOR, PROVINCE, ""),
        "liu.hrss": (Role.CITY_HRSS, "liaocheng", ""),
        "zhang.cinema": (Role.VENUE, "liaocheng", ""),
        "wang.employer": (Role.EMPLOYER, "liaocheng", f.CREDIT_CODE),
        "zhao.office": (Role.TALENT_OFFICE, "weihai", ""),
        "old.clerk": (Role.CITY_WINDOW, "jinan", ""),
    }
    keys: dict[str, str] = {}
    for name, (role, authority, employer) in wanted.items():
        issued = registry.users.add(
            admin, name=name, role=role, authority=authority, employer=employer
        )
        keys[name] = issued.key
        tick(seconds=30)
    keys["liu.hrss"] = registry.users.rotate_key(admin, "liu.hrss").key
    tick(seconds=30)
    registry.users.disable(admin, "old.clerk", "left the registry")
    tick()
    return {n: registry.users.authenticate(k) for n, k in keys.items() if n != "old.clerk"}


def _liaocheng_lives(ledger: CardLedger, tick: _Tick) -> None:
    """Liaocheng art. 5(3): one under review, one rejected and filed again (the holder's
    reservation claimed again), one withdrawn, one issued, one suspended and reinstated."""
    ledger.apply(f.apply_body())
    tick()
    person = f.holder(f.resident_id(next(_PEOPLE)))
    rejected, _ = ledger.apply(f.apply_body(holder=person))
    ledger.run(cc.REVIEW, rejected, f.review("city_hrss", "rejected"))
    tick()
    again, _ = ledger.apply(f.apply_body(holder=person))  # the same person, a fresh file
    f.approve_all(ledger, again)
    ledger.run(cc.ISSUE, again, f.issue())
    tick()
    withdrawn, _ = ledger.apply(f.apply_body())
    ledger.run(cc.WITHDRAW, withdrawn, f.withdraw())
    tick()
    suspended = f.liaocheng_card(ledger)
    tick()
    ledger.run(cc.SUSPEND, suspended, f.status())
    tick(days=2)
    ledger.run(cc.REINSTATE, suspended, f.status("investigation closed"))
    tick()


def _liaocheng_upgrade(ledger: CardLedger, tick: _Tick) -> None:
    """Art. 32: a category upgrade asked for, reviewed on its route, and made; films and
    the care-home subsidy used, one use reversed."""
    family = ({"relation": "parent", "name": "李父", "date_of_birth": "1950-01-01"},)
    card_id = f.liaocheng_card(ledger, family)
    tick()
    f.upgrade_liaocheng(ledger, card_id)
    tick(days=1)
    ledger.redeem(card_id, f.redeem(quantity=2))
    tick()
    use, mistaken = ledger.redeem(card_id, f.redeem())
    tick()
    ledger.reverse_redemption(use.id, card_id, f.reverse_redemption(mistaken.redemption_id))
    tick()


def _revocations(ledger: CardLedger, tick: _Tick) -> None:
    """A proposal declined, then another approved step by step to revocation."""
    card_id = f.liaocheng_card(ledger)
    tick()
    ledger.run(cc.PROPOSE_REVOCATION, card_id, f.propose_revocation(actor="employer.user"))
    tick()
    proposal = ledger.get_card(card_id).revocation
    assert proposal is not None
    for step in proposal.steps[1:]:  # forwarded up to the step that decides, declined there
        role = str(step.roles[-1])
        if step.decides:
            ledger.run(cc.DECLINE_REVOCATION, card_id, f.decline_revocation(role=role))
            break
        ledger.run(cc.APPROVE_REVOCATION, card_id, f.approve_revocation(role))
        tick()
    tick(days=3)
    f.revoke(ledger, card_id)
    tick()


def _shandong(ledger: CardLedger, tick: _Tick, clock: FixedClock) -> None:
    """惠才卡: direct (received by the windows, issued), reviewed (its clock runs from the
    contract's confirmation), rejected at the city window."""
    direct, _ = ledger.apply(f.shandong_body())
    f.approve_all(ledger, direct)
    tick()
    ledger.run(cc.RECEIVE, direct, f.receive("provincial_window"))
    ledger.run(cc.ISSUE, direct, f.issue(actor="qian.window", role="provincial_window"))
    tick()
    reviewed, _ = ledger.apply(f.shandong_body(facts={
        "national_comprehensive_programme": False,
        "outside_comprehensive_programme": True,
        "flexibly_introduced": True,
    }, category="reviewed"))
    tick()
    ledger.run(cc.RECEIVE, reviewed, f.receive("provincial_window"))
    tick(days=1)
    confirmed_on = (clock() - timedelta(days=1)).date()
    ledger.run(cc.CONFIRM_CONTRACT, reviewed, _convert({
        "actor": "wang.employer", "role": "employer", "confirmed_on": confirmed_on.isoformat(),
    }, c.ContractBody))
    tick()
    rejected, _ = ledger.apply(f.shandong_body())
    ledger.run(cc.REVIEW, rejected, f.review("city_window", "rejected"))
    tick()


def _weihai(ledger: CardLedger, tick: _Tick, clock: FixedClock) -> None:
    """Weihai 2023 business elites of one project: its quota filled, one withdrawn (its
    place released), raised case by case; one elite's card extended on the project's
    landing. A category 4 file under review."""
    elites = [ledger.apply(f.business_elite_body("P-FIX"))[0] for _ in range(3)]
    tick()
    ledger.run(cc.WITHDRAW, elites[2], f.withdraw("zhou.invest", "investment_department"))
    tick()
    ledger.apply(f.business_elite_body("P-FIX"))
    tick()
    ledger.raise_quota(_convert({
        "actor": "zhao.office", "role": "talent_office", "scheme": "weihai",
        "category": "business_elite", "project_id": "P-FIX", "limit": 4,
        "decision_ref": "威人才办〔2026〕7号", "attests": ["major_project"],
    }, c.QuotaRaiseBody))
    tick()
    ledger.apply(f.business_elite_body("P-FIX"))
    f.approve_all(ledger, elites[0])
    ledger.run(cc.ISSUE, elites[0], f.issue())
    tick(days=30)
    ledger.run(cc.EXTEND, elites[0], f.extend((clock() - timedelta(days=2)).date().isoformat()))
    tick()
    ledger.apply(f.apply_body(
        actor="wang.employer", scheme="weihai", category="4",
        facts={"full_senior_title": True, "innovation_record": True},
        sponsor={"kind": "employer", "name": "威海职业学院"},
    ))
    tick()


def _jinan(ledger: CardLedger, tick: _Tick) -> None:
    """Jinan classes: a C card with a family, suspended by the talent office; a B card
    upgraded to A."""
    family = [
        {"relation": "spouse", "name": "韩梅梅", "date_of_birth": "1952-05-01"},
        {"relation": "child", "name": "李小雷", "date_of_birth": "2015-06-01"},
    ]
    person = {**f.holder(f.resident_id(next(_PEOPLE))), "family": family}
    suspended, _ = ledger.apply(f.jinan_body("C", holder=person))
    ledger.run(cc.ISSUE, suspended, f.issue())
    tick()
    ledger.run(cc.SUSPEND, suspended, f.status(actor="zhao.office", role="talent_office"))
    tick()
    upgraded, _ = ledger.apply(f.jinan_body("B"))
    ledger.run(cc.ISSUE, upgraded, f.issue())
    tick()
    ledger.run(cc.UPGRADE, upgraded, f.upgrade("A"))
    tick()


def _backdated(ledger: CardLedger, tick: _Tick, clock: FixedClock) -> None:
    """City HRSS records decisions it took on paper days earlier: a Liaocheng review (the
    talent office then decides now) and a Jinan card's issue."""
    tick(days=5)
    liaocheng, _ = ledger.apply(f.apply_body())
    jinan, _ = ledger.apply(f.jinan_body("C"))
    tick(days=5)
    then = clock() - timedelta(days=4)
    ledger.run(cc.REVIEW, liaocheng, _backdate(f.review("city_hrss"), then))
    ledger.run(cc.REVIEW, liaocheng, f.review("talent_office"))
    ledger.run(cc.ISSUE, jinan, _backdate(f.issue(), then + timedelta(days=1)))
    tick()


def _by_the_services(
    registry: Registry, users: dict[str, Principal], tick: _Tick, clock: FixedClock
) -> None:
    """Commands as an authenticated user would send them, with idempotency keys (their
    receipts saved with the command), one sent twice; a venue's use recorded late."""
    sponsor = {"kind": "employer", "name": "聊城大学", "credit_code": f.CREDIT_CODE}
    filing = f.apply_body(category="art5.4", sponsor=sponsor,
                          facts={"flexibly_introduced": True, "equivalent_level": True})
    card_id, _ = registry.ledger.apply(filing)
    f.approve_all(registry.ledger, card_id)
    registry.ledger.run(cc.ISSUE, card_id, f.issue())
    tick()
    employer, hrss = users["wang.employer"], users["liu.hrss"]
    request = c.UpgradeCategoryRequest(category="art5.3", facts={"certified_excellent": True})
    for _ in range(2):  # a retry answers from the receipt and writes nothing
        key = _key("fixture-upgrade-1", request)
        registry.cards.run(employer, cc.UPGRADE_REQUEST, card_id, request, idempotency=key)
    tick()
    card = registry.ledger.get_card(card_id)
    assert card.upgrade_request is not None
    for n, stage in enumerate(card.upgrade_request.stages):  # city HRSS, the talent office
        if stage == "city_hrss":
            review = c.ReviewRequest(stage=stage, decision="approved")  # type: ignore[arg-type]
            key = _key(f"fixture-review-{n}", review)
            registry.cards.run(hrss, cc.REVIEW, card_id, review, idempotency=key)
        else:
            registry.ledger.run(cc.REVIEW, card_id, f.review(str(stage)))
        tick()
    tier = c.UpgradeTierRequest(tier=card.upgrade_request.tier)
    registry.cards.run(hrss, cc.UPGRADE, card_id, tier, idempotency=_key("fixture-tier-1", tier))
    tick(hours=3)
    used_at = clock() - timedelta(hours=2)  # checked offline, recorded when back online
    offline = c.RedeemRequest(item="liaocheng.21.films", effective_at=used_at)
    registry.benefits.redeem(
        users["zhang.cinema"], card_id, offline, idempotency=_key("fixture-film-1", offline)
    )
    tick()


def _key(key: str, request: msgspec.Struct) -> Idempotency:
    return Idempotency.of(key, "POST", msgspec.json.encode(request))


def _backdate(body: Any, at: Any) -> Any:
    return msgspec.structs.replace(body, effective_at=at)


def _convert(fields: dict[str, Any], kind: type[Any]) -> Any:
    return msgspec.convert(fields, kind)
