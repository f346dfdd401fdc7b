"""Builders of Card aggregates and domain values, without a store: each card test states
only what it is about. (``tests/factories.py`` builds the ledger's commands; the policy
tests' edits of the rules are in ``tests/domain/policy/support.py``.)"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from domain.card import Card
from domain.errors import DomainError
from domain.values import (
    Application,
    Basis,
    Context,
    Holder,
    IdentityRef,
    Review,
    Sponsor,
    StatusChange,
)
from domain.vocabulary import (
    IdDocumentKind,
    ReviewDecision,
    ReviewStage,
    Role,
    Scheme,
    SponsorKind,
)

LANDED = ("project_landed",)  # weihai.term.extension_2023's evidence
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 on Monday 2 March 2026 in Shanghai
FACTS: dict[tuple[Scheme, str], dict[str, Any]] = {
    (Scheme.LIAOCHENG, "art5.1"): {
        "holds_huicai_card": True,
        "huicai_card_valid_from": "2020-01-01",
    },
    (Scheme.LIAOCHENG, "art5.3"): {"certified_excellent": True},
    (Scheme.LIAOCHENG, "art5.4"): {"flexibly_introduced": True, "equivalent_level": True},
    (Scheme.JINAN, "C"): {"certified_class_c": True},
    (Scheme.WEIHAI, "business_elite"): {"key_member_of_project_under_negotiation": True},
    (Scheme.WEIHAI, "4"): {
        "fortune_or_china_500_senior_manager": True,
        "brought_in_by_weihai_employer": True,
    },
}


def ctx(role: Role = Role.CITY_HRSS, at: datetime = T0, actor: str = "someone") -> Context:
    """Who acts, in which role, when: by default city HRSS at T0, effective as recorded."""
    return Context(actor=actor, role=role, effective_at=at, recorded_at=at, note="")


def application(
    scheme: Scheme = Scheme.LIAOCHENG, category: str = "art5.3", **overrides: Any
) -> Application:
    """An application of ``category`` with the facts that meet it (FACTS), for 李雷, born
    1980, sponsored by an employer; by default Liaocheng art. 5(3), tier B, reviewed."""
    fields: dict[str, Any] = {
        "scheme": scheme,
        "basis": Basis(category=category, facts=FACTS.get((scheme, category), {})),
        "holder": Holder(
            name="李雷",
            identity=IdentityRef(
                kind=IdDocumentKind.RESIDENT_ID, digest="d", salt="s", last4="002X"
            ),
            date_of_birth=date(1980, 5, 1),
        ),
        "sponsor": Sponsor(kind=SponsorKind.EMPLOYER, name="聊城大学"),
        "evidence": ("doc://1",),
    }
    fields.update(overrides)
    return Application(**fields)


def approve(card: Card, stage: ReviewStage, at: datetime = T0) -> None:
    """Approve ``stage`` as its own role: the path's intake receives the file first, and a
    joint stage names the departments that decided with it."""
    intake = card.admission.intake
    if intake is not None and intake not in card.received_by:
        card.receive(ctx(intake, at=at), intake)
    joint = next((j.departments for j in card.admission.joint if j.stage == stage), ())
    card.record_review(
        ctx(Role(stage), at=at),
        Review(stage=stage, decision=ReviewDecision.APPROVED, reviewer="r", joint_with=joint),
    )


def filer(scheme: Scheme, category: str) -> Role:
    """The role that files the category (each scheme's [[filers]])."""
    if scheme is Scheme.JINAN:
        return Role.APPLICANT
    return {
        "business_elite": Role.INVESTMENT_DEPARTMENT,
        "enterprise_talent": Role.ENTERPRISE,
    }.get(category, Role.EMPLOYER)


def reviewed_card(
    scheme: Scheme = Scheme.LIAOCHENG, category: str = "art5.3", **overrides: Any
) -> Card:
    """An application filed by the category's filer and approved by every stage its path
    requires, not yet issued; ``overrides`` change the application."""
    card = Card.file(ctx(filer(scheme, category)), application(scheme, category, **overrides))
    for stage in card.required_stages:
        approve(card, stage)
    return card


def issued_card(
    scheme: Scheme = Scheme.LIAOCHENG, category: str = "art5.3", **overrides: Any
) -> Card:
    """A reviewed application issued by city HRSS at T0 (by default Liaocheng tier B)."""
    card = reviewed_card(scheme, category, **overrides)
    card.issue(ctx())
    return card


INVESTMENT_DEPARTMENT = Sponsor(kind=SponsorKind.INVESTMENT_DEPARTMENT, name="招商局")


def elite_application() -> Application:
    """A Weihai 2023 business-elite application, put forward by the investment department."""
    return application(Scheme.WEIHAI, "business_elite", sponsor=INVESTMENT_DEPARTMENT)


def weihai_business_elite() -> Card:
    """An issued Weihai 2023 business-elite card: its one-year term extends to five when
    the project lands (LANDED)."""
    return issued_card(Scheme.WEIHAI, "business_elite", sponsor=INVESTMENT_DEPARTMENT)


def change(
    reason: str = "under investigation", decision_ref: str = "聊人社〔2026〕1号"
) -> StatusChange:
    """A suspension's or reinstatement's reason and the decision it rests on."""
    return StatusChange(reason=reason, decision_ref=decision_ref)


# Who approves a revocation, in order (the seeds; see the [[revocation]] steps): the
# same-level window forwards the proposal, then city HRSS agrees (Jinan: and then the
# talent office; Shandong: the provincial window alone).
APPROVERS: dict[Scheme, tuple[Role, ...]] = {
    Scheme.JINAN: (Role.CITY_WINDOW, Role.CITY_HRSS, Role.TALENT_OFFICE),
    Scheme.SHANDONG: (Role.PROVINCIAL_WINDOW,),
}
DEFAULT_APPROVERS = (Role.CITY_WINDOW, Role.CITY_HRSS)


def propose(card: Card, at: datetime = T0, actor: str = "wang", reason: str = "violation") -> None:
    """An employer's user proposes revoking the card for misconduct."""
    card.propose_revocation(
        ctx(Role.EMPLOYER, at=at, actor=actor), reason=reason, ground="misconduct"
    )


TOP_TALENT = {"certified_top_or_leading": True}  # liaocheng art. 5(2): tier A, direct


def request_a(card: Card, at: datetime = T0) -> None:
    """Ask for art. 5(2) (tier A) on a Liaocheng card: a direct route, no review stages."""
    card.request_upgrade(ctx(Role.EMPLOYER, at=at), "art5.2", TOP_TALENT)


def forward(card: Card, actor: str = "qin") -> None:
    """The same-level window forwards the open proposal (向同级服务窗口提出意见)."""
    card.approve_revocation(ctx(Role.CITY_WINDOW, actor=actor))


def revoke(card: Card, at: datetime = T0) -> None:
    """Revoke as the rules require: an employer's user proposes, then one user of each
    approving role in turn."""
    propose(card, at)
    for role in APPROVERS.get(card.application.scheme, DEFAULT_APPROVERS):
        card.approve_revocation(ctx(role, at=at, actor=f"{role}.user"))


def assert_refused(card: Card, code: str, action: Any) -> DomainError:
    """The command raises a DomainError with ``code`` and leaves the card untouched."""
    card.collect_events()  # what came before is not the point
    version = card.version
    with pytest.raises(DomainError) as info:
        action()
    assert info.value.code == code
    assert card.version == version
    assert card.collect_events() == []
    return info.value

