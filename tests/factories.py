"""Builders for valid commands, so each test states only what it is about."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any
from uuid import UUID

import msgspec

import ledger.card_commands as cc
from domain import deadlines
from domain.clock import business_date
from domain.policy import level_rule
from domain.vocabulary import EmployerLevel, Role, Scheme
from ledger import commands as c
from ledger.app import CardLedger
from services.access import Principal
from services.bootstrap import Registry

# A valid resident ID (GB 11643 check character X) for someone born 1949-12-31.
RESIDENT_ID = "11010519491231002X"
# A valid unified social credit code (GB 32100): the sponsoring employer's, to which its
# commissioner's user is bound.
CREDIT_CODE = "12371500MB2853621X"
BORN = date(1949, 12, 31)
_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
# One person may hold one live card per scheme, so every application built here is for a
# person of its own unless the test names the holder (``holder()``: RESIDENT_ID's owner).
_people = itertools.count(1)


def resident_id(serial: int, born: date = BORN) -> str:
    """A valid resident ID number, different for each serial, for someone born on ``born``."""
    body = f"{370000 + serial:06d}{born:%Y%m%d}001"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]


def holder(id_number: str = RESIDENT_ID, name: str = "李雷") -> dict[str, Any]:
    """A holder as filed: by default the owner of RESIDENT_ID."""
    return {"name": name, "id_number": id_number, "date_of_birth": BORN.isoformat()}


def apply_body(**overrides: Any) -> c.ApplyBody:
    """A Liaocheng art. 5(3) application (certified excellent talent, tier B, reviewed by
    city HRSS then the talent office), filed by an employer."""
    fields: dict[str, Any] = {
        "actor": "wang.employer",
        "role": "employer",
        "scheme": "liaocheng",
        "category": "art5.3",
        "facts": {"certified_excellent": True},
        "holder": holder(resident_id(next(_people))),
        "sponsor": {"kind": "employer", "name": "聊城大学"},
        "evidence": ["doc://platform-certificate/1"],
    }
    fields.update(overrides)
    return msgspec.convert(fields, c.ApplyBody)


def jinan_body(category: str = "C", **overrides: Any) -> c.ApplyBody:
    """A Jinan class application (direct, claimed on certification data)."""
    fields: dict[str, Any] = {
        "actor": "li.talent",
        "role": "applicant",
        "scheme": "jinan",
        "category": category,
        "facts": {f"certified_class_{category.lower()}": True},
        "sponsor": {"kind": "none"},
        "evidence": [],
    }
    fields.update(overrides)
    return apply_body(**fields)


# A Shandong direct file's facts (5.2.1 item 1, 一般应凭创新创业成绩) and the employer's level
# that sets its path (7.1: the city window, then the provincial window).
SHANDONG_DIRECT = {
    "national_comprehensive_programme": True,
    "city_employer": True,
    "innovation_record": True,
}


def shandong_body(*, facts: dict[str, Any] | None = None, **overrides: Any) -> c.ApplyBody:
    """A Shandong 惠才卡 application (direct unless told otherwise), filed by the employer's
    commissioner naming the employer (7.1); ``facts`` are added to the direct file's."""
    fields: dict[str, Any] = {
        "scheme": "shandong",
        "category": "direct",
        "facts": {**SHANDONG_DIRECT, **(facts or {})},
        "sponsor": {"kind": "employer", "name": "山东大学"},
    }
    fields.update(overrides)
    return apply_body(**fields)


def business_elite_body(project_id: str = "P-2026-001", **overrides: Any) -> c.ApplyBody:
    """A Weihai 2023 business_elite application for an investment project."""
    fields: dict[str, Any] = {
        "actor": "zhou.invest",
        "role": "investment_department",
        "scheme": "weihai",
        "category": "business_elite",
        "project_id": project_id,
        "facts": {"key_member_of_project_under_negotiation": True},
        "sponsor": {"kind": "investment_department", "name": "威海市商务局"},
    }
    fields.update(overrides)
    return apply_body(**fields)


def review(
    stage: str, decision: str = "approved", joint_with: tuple[str, ...] = ()
) -> c.ReviewBody:
    return msgspec.convert(
        {
            "actor": f"{stage}.reviewer",
            "role": stage,
            "stage": stage,
            "decision": decision,
            "joint_with": list(joint_with),
        },
        c.ReviewBody,
    )


def receive(window: str) -> c.ReceiveBody:
    """The window (or intake) records that it has the file."""
    return msgspec.convert(
        {"actor": f"{window}.clerk", "role": window, "window": window}, c.ReceiveBody
    )


def approve_all(ledger: CardLedger, card_id: UUID) -> int:
    """Every required stage approves in order, as the path asks: its intake receives the
    file first, and a joint stage names the departments that decided with it. Returns the
    card's version after the last review."""
    card = ledger.get_card(card_id)
    intake = card.admission.intake
    if intake is not None and intake not in card.received_by:
        ledger.run(cc.RECEIVE, card_id, receive(str(intake)))
    version = card.version
    # Where the deadline rule in force makes the counting window's receipt a required
    # step (Shandong 7.1 from 2026-12-07), that window records it before it decides.
    rule = deadlines.rule_in_force(
        card.application.scheme, card.admission.route, business_date(ledger.clock())
    )
    for stage in card.required_stages:
        counting = rule is not None and rule.required and stage == rule.window
        if counting and ledger.get_card(card_id).received_on is None:
            ledger.run(cc.RECEIVE, card_id, receive(str(stage)))
        joint = next((j.departments for j in card.admission.joint if j.stage == stage), ())
        version = ledger.run(cc.REVIEW, card_id, review(str(stage), joint_with=joint))
    return version


def issue(**overrides: Any) -> c.IssueBody:
    fields: dict[str, Any] = {"actor": "liu.hrss", "role": "city_hrss"}
    fields.update(overrides)
    return msgspec.convert(fields, c.IssueBody)


def upgrade(tier: str = "A", facts: dict[str, Any] | None = None) -> c.UpgradeBody:
    """An upgrade by city HRSS with the higher class's certification (Jinan art. 24(2)
    asks for it; the other schemes' rules do not look at it)."""
    given = {f"certified_class_{tier.lower()}": True} if facts is None else facts
    return msgspec.convert(
        {"actor": "liu.hrss", "role": "city_hrss", "tier": tier, "facts": given}, c.UpgradeBody
    )


def extend(
    event_on: str,
    evidence: tuple[str, ...] = ("doc://landing/1",),
    shows: tuple[str, ...] = ("project_landed",),
) -> c.ExtendBody:
    """A Weihai 2023 extension; by default a business elite's project landing."""
    return msgspec.convert(
        {
            "actor": "liu.hrss",
            "role": "city_hrss",
            "event_on": event_on,
            "evidence": list(evidence),
            "shows": list(shows),
        },
        c.ExtendBody,
    )


def status(
    reason: str = "under investigation",
    *,
    actor: str = "liu.hrss",
    role: str = "city_hrss",
    decision_ref: str = "聊人社〔2026〕1号",
) -> c.StatusBody:
    """A suspension or reinstatement by the scheme's interim authority (Liaocheng and
    Weihai: city HRSS; Jinan: the talent office; Shandong: the provincial window)."""
    return msgspec.convert(
        {"actor": actor, "role": role, "reason": reason, "decision_ref": decision_ref},
        c.StatusBody,
    )


def propose_revocation(
    reason: str = "left the city",
    *,
    actor: str = "wang.employer",
    role: str = "employer",
    ground: str = "misconduct",
) -> c.RevocationProposeBody:
    """A proposal on a ground every scheme's closed list holds (违法、违纪或违反其他规定)."""
    return msgspec.convert(
        {"actor": actor, "role": role, "reason": reason, "ground": ground},
        c.RevocationProposeBody,
    )


def approve_revocation(role: str = "city_hrss", actor: str = "") -> c.RevocationApproveBody:
    """An approval by ``actor`` (default: a user named after the role)."""
    return msgspec.convert(
        {"actor": actor or f"{role}.approver", "role": role}, c.RevocationApproveBody
    )


def decline_revocation(
    reason: str = "grounds not shown", role: str = "city_hrss", actor: str = ""
) -> c.RevocationDeclineBody:
    return msgspec.convert(
        {"actor": actor or f"{role}.approver", "role": role, "reason": reason},
        c.RevocationDeclineBody,
    )


def revoke(
    ledger: CardLedger,
    card_id: UUID,
    approvers: tuple[str, ...] | None = None,
    reason: str = "left the city",
    proposer: str = "employer",
) -> int:
    """Revoke a card the way the rules require: a ``proposer`` user proposes, then one
    user of each approving role in turn, by default the first role of each step the
    proposal must take (the same-level window, city HRSS; Jinan also the talent office).
    Returns the card's version."""
    version = ledger.run(
        cc.PROPOSE_REVOCATION,
        card_id,
        propose_revocation(reason, role=proposer, actor=f"{proposer}.user"),
    )
    if approvers is None:
        proposal = ledger.get_card(card_id).revocation
        assert proposal is not None
        approvers = tuple(str(step.roles[-1]) for step in proposal.steps[1:])
    for role in approvers:
        version = ledger.run(cc.APPROVE_REVOCATION, card_id, approve_revocation(role))
    return version


def withdraw(actor: str = "wang.employer", role: str = "employer") -> c.WithdrawBody:
    return msgspec.convert({"actor": actor, "role": role}, c.WithdrawBody)


def upgrade_request(
    category: str = "art5.2", facts: dict[str, Any] | None = None
) -> c.UpgradeRequestBody:
    """A Liaocheng request for a higher category (art. 32), by the unit."""
    given = {"certified_top_or_leading": True} if facts is None else facts
    return msgspec.convert(
        {"actor": "wang.employer", "role": "employer", "category": category, "facts": given},
        c.UpgradeRequestBody,
    )


def upgrade_liaocheng(ledger: CardLedger, card_id: UUID, category: str = "art5.2") -> int:
    """Move a Liaocheng card up as art. 32 asks: the request, its route's reviews, the
    upgrade. Returns the card's version."""
    ledger.run(cc.UPGRADE_REQUEST, card_id, upgrade_request(category))
    request = ledger.get_card(card_id).upgrade_request
    assert request is not None
    for stage in request.stages:
        ledger.run(cc.REVIEW, card_id, review(str(stage)))
    return ledger.run(cc.UPGRADE, card_id, upgrade(request.tier))


# ---- issued cards ------------------------------------------------------------------------------


def _person(id_number: str | None, family: tuple[dict[str, str], ...]) -> dict[str, Any]:
    """A holder as filed: RESIDENT_ID's owner's name, ``id_number`` (default: a person of
    their own), with ``family`` (relation, name, date_of_birth)."""
    return {**holder(id_number or resident_id(next(_people))), "family": list(family)}


def liaocheng_card(
    ledger: CardLedger, family: tuple[dict[str, str], ...] = (), *, id_number: str | None = None
) -> UUID:
    """An issued Liaocheng tier-B card (arts. 11-22: the films of art. 21, the care-home
    subsidy of art. 22), reviewed by city HRSS then the talent office, for a holder with
    ``family`` (relation, name, date_of_birth)."""
    card_id, _ = ledger.apply(apply_body(holder=_person(id_number, family)))
    approve_all(ledger, card_id)
    ledger.run(cc.ISSUE, card_id, issue())
    return card_id


def jinan_card(
    ledger: CardLedger,
    category: str = "C",
    *,
    id_number: str | None = None,
    family: tuple[dict[str, str], ...] = (),
    **issued_by: str,
) -> UUID:
    """An issued Jinan class card (claimed on certification data, no review), issued by
    the city window (jinan.issuers, RD-2026-81; it issued under the registry's earlier
    practice too) unless ``issued_by`` names another actor and role."""
    card_id, _ = ledger.apply(jinan_body(category, holder=_person(id_number, family)))
    by = issued_by or {"actor": "qian", "role": "city_window"}
    ledger.run(cc.ISSUE, card_id, issue(**by))
    return card_id


def shandong_card(
    ledger: CardLedger,
    *,
    id_number: str | None = None,
    family: tuple[dict[str, str], ...] = (),
) -> UUID:
    """An issued Shandong 惠才卡 (direct), its path's reviews passed, issued by the
    provincial window (7.1). On a day the employer's level comes from the register
    (shandong.level.register, from 2026-12-07) the employer is registered as a city one
    and the file names it instead of typing its level. The holder has ``family``."""
    body = shandong_body(holder=_person(id_number, family))
    if level_from_register(ledger):
        body = registered_employer_body(ledger, body)
    card_id, _ = ledger.apply(body)
    approve_all(ledger, card_id)
    ledger.run(cc.ISSUE, card_id, issue(actor="sun", role="provincial_window"))
    return card_id


def level_from_register(ledger: CardLedger) -> bool:
    """Whether a Shandong file's employer level comes from the register on the ledger's
    day (it is typed before 2026-12-07)."""
    rule = level_rule(Scheme.SHANDONG, business_date(ledger.clock()))
    return rule is not None and rule.from_register


def registered_employer_body(ledger: CardLedger, body: c.ApplyBody) -> c.ApplyBody:
    """``body`` filed by CREDIT_CODE's employer, registered (once) as a Liaocheng city
    employer, with the typed level facts taken out."""
    ledger.register_employer(
        by="root.admin",
        role=Role.ADMINISTRATOR,
        credit_code=CREDIT_CODE,
        name=body.sponsor.name,
        level=EmployerLevel.CITY,
        city="liaocheng",
        county="",
        reason="",
    )
    levels = ("county_employer", "city_employer", "provincial_employer")
    facts = {k: v for k, v in body.facts.items() if k not in levels}
    sponsor = msgspec.structs.replace(body.sponsor, credit_code=CREDIT_CODE)
    return msgspec.structs.replace(body, facts=facts, sponsor=sponsor)


def redeem(item: str = "liaocheng.21.films", **overrides: Any) -> c.RedeemBody:
    """A use recorded by a Liaocheng cinema's clerk, now, for the holder."""
    fields: dict[str, Any] = {
        "actor": "zhang.cinema",
        "role": "venue",
        "item": item,
        "venue": "东昌影城",
        "city": "liaocheng",
    }
    fields.update(overrides)
    return msgspec.convert(fields, c.RedeemBody)


def reverse_redemption(redemption_id: UUID, **overrides: Any) -> c.ReverseRedemptionBody:
    """The cinema's clerk reverses a use it recorded."""
    fields: dict[str, Any] = {
        "actor": "zhang.cinema",
        "role": "venue",
        "redemption_id": str(redemption_id),
        "venue": "东昌影城",
        "city": "liaocheng",
        "reason": "recorded by mistake",
    }
    fields.update(overrides)
    return msgspec.convert(fields, c.ReverseRedemptionBody)


# ---- users ---------------------------------------------------------------------------------------


def user(
    registry: Registry, name: str, role: Role, authority: str, employer: str = ""
) -> Principal:
    """A user of the registry, added with ``role`` at ``authority`` and signed in."""
    key = registry.users.add(None, name=name, role=role, authority=authority, employer=employer).key
    return registry.users.authenticate(key)


def amend(**overrides: Any) -> c.AmendBody:
    """A change to a Liaocheng card's people (art. 33) asked for by the employer, from the
    fake clock's first day (the issue day of the cards built here); ``overrides`` name
    the change and may replace anything."""
    fields: dict[str, Any] = {
        "actor": "wang.employer",
        "role": "employer",
        "takes_effect_on": "2026-03-02",
        "evidence": ["doc://certificate/1"],
        "reason": "reported by the employer",
    }
    fields.update(overrides)
    return msgspec.convert(fields, c.AmendBody)


def decide_amendment(decision: str = "approved", **overrides: Any) -> c.AmendmentDecisionBody:
    """City HRSS's decision on a Liaocheng card's open change (art. 32: it issues)."""
    fields: dict[str, Any] = {"actor": "liu.hrss", "role": "city_hrss", "decision": decision}
    fields.update(overrides)
    return msgspec.convert(fields, c.AmendmentDecisionBody)


def amend_and_approve(ledger: CardLedger, card_id: UUID, **change: Any) -> int:
    """A change to a Liaocheng card's people from its issue day (unless ``change`` says
    otherwise), asked by the employer and approved by city HRSS; the card's version."""
    issued_on = ledger.get_card(card_id).issued_on
    assert issued_on is not None
    ledger.run(cc.AMEND, card_id, amend(**{"takes_effect_on": issued_on.isoformat(), **change}))
    return ledger.run(cc.DECIDE_AMENDMENT, card_id, decide_amendment())
