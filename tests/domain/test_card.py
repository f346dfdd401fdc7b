"""The Card aggregate's lifecycle and invariants, deciding through the policy engine,
without any store."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import msgspec
import pytest

from domain.card import Card
from domain.clock import business_date
from domain.errors import DomainError, InvalidInput, NotAuthorised, ReviewIncomplete
from domain.policy import (
    CardSnapshot,
    Policy,
    RevocationAction,
    TermBasis,
    TermBasisKind,
    parse_policy,
    using_policy,
)
from domain.policy.loader import package_texts
from domain.values import (
    Application,
    Basis,
    Context,
    FamilyMember,
    Holder,
    IdentityRef,
    Review,
    Sponsor,
    StatusChange,
)
from domain.vocabulary import (
    CardStatus,
    IdDocumentKind,
    Relation,
    ReviewDecision,
    ReviewStage,
    Role,
    Route,
    Scheme,
    SponsorKind,
)
from tests.domain.policy.test_revocation import without_revocation_rule

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
    return Context(actor=actor, role=role, effective_at=at, recorded_at=at, note="")


def application(
    scheme: Scheme = Scheme.LIAOCHENG, category: str = "art5.3", **overrides: Any
) -> Application:
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


def reviewed_card(scheme: Scheme = Scheme.LIAOCHENG, category: str = "art5.3") -> Card:
    card = Card.file(ctx(filer(scheme, category)), application(scheme, category))
    for stage in card.required_stages:
        approve(card, stage)
    return card


def issued_card(scheme: Scheme = Scheme.LIAOCHENG, category: str = "art5.3") -> Card:
    card = reviewed_card(scheme, category)
    card.issue(ctx())
    return card


def change(
    reason: str = "under investigation", decision_ref: str = "聊人社〔2026〕1号"
) -> StatusChange:
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


# ---- filing: the engine decides ------------------------------------------------------------


def test_filing_records_the_route_stages_tier_and_the_rules_that_decided_them():
    card = Card.file(ctx(Role.EMPLOYER), application(Scheme.LIAOCHENG, "art5.3"))
    admission = card.admission
    assert admission.route is Route.REVIEWED
    assert admission.required_stages == (ReviewStage.CITY_HRSS, ReviewStage.TALENT_OFFICE)
    assert admission.tier == "B"
    assert "liaocheng.category.art5.3" in admission.rules
    assert admission.policy_version.startswith("liaocheng")


def test_an_applicant_who_fails_a_condition_is_refused_naming_it_and_the_rule():
    app = application(Scheme.LIAOCHENG, "art5.3", basis=Basis(category="art5.3"))
    with pytest.raises(DomainError) as info:
        Card.file(ctx(Role.EMPLOYER), app)
    assert info.value.code == "not_eligible"
    assert "certified excellent talent" in info.value.message
    assert info.value.rule is not None and "liaocheng.category.art5.3" in info.value.rule


def test_an_unknown_category_is_refused_listing_the_scheme_s_categories():
    with pytest.raises(InvalidInput, match=r"art5\.1") as info:
        Card.file(ctx(Role.EMPLOYER), application(Scheme.LIAOCHENG, "art9"))
    assert info.value.code == "unknown_category"


def test_an_application_filed_before_its_category_existed_is_refused():
    before_2023_notice = datetime(2023, 2, 19, 1, 0, tzinfo=UTC)
    app = application(
        Scheme.WEIHAI,
        "business_elite",
        sponsor=Sponsor(kind=SponsorKind.INVESTMENT_DEPARTMENT, name="招商局"),
    )
    with pytest.raises(DomainError) as info:
        Card.file(ctx(Role.INVESTMENT_DEPARTMENT, at=before_2023_notice), app)
    assert info.value.code == "not_eligible"
    accepted = Card.file(
        ctx(Role.INVESTMENT_DEPARTMENT, at=before_2023_notice + timedelta(days=1)), app
    )
    assert accepted.admission.policy_version == "weihai-2023"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"evidence": ()}, "evidence"),
        ({"sponsor": Sponsor(kind=SponsorKind.NONE)}, "sponsor.kind"),
    ],
)
def test_a_reviewed_application_missing_a_field_is_refused_naming_it(overrides: Any, field: str):
    with pytest.raises(InvalidInput, match=field.replace(".", r"\.")):
        Card.file(ctx(Role.EMPLOYER), application(**overrides))


def test_a_direct_application_needs_no_sponsor_or_evidence():
    app = application(Scheme.JINAN, "C", sponsor=Sponsor(kind=SponsorKind.NONE), evidence=())
    card = Card.file(ctx(Role.APPLICANT), app)
    assert card.required_stages == ()


def test_a_holder_born_in_the_future_is_refused():
    holder = application().holder
    future = Holder(name=holder.name, identity=holder.identity, date_of_birth=date(2027, 1, 1))
    with pytest.raises(InvalidInput, match=r"holder\.date_of_birth"):
        Card.file(ctx(Role.EMPLOYER), application(holder=future))


# ---- review ---------------------------------------------------------------------------------


def test_issuing_before_the_required_review_stages_is_refused():
    card = Card.file(ctx(Role.EMPLOYER), application())
    approve(card, ReviewStage.CITY_HRSS)
    card.collect_events()
    with pytest.raises(ReviewIncomplete, match="talent_office"):
        card.issue(ctx())
    assert card.collect_events() == []


def test_review_stages_must_decide_in_the_order_the_scheme_sets():
    card = Card.file(ctx(Role.EMPLOYER), application())
    assert_refused(card, "review_out_of_order", lambda: approve(card, ReviewStage.TALENT_OFFICE))


def test_a_review_must_be_recorded_by_the_stage_s_own_role():
    card = Card.file(ctx(Role.EMPLOYER), application())
    with pytest.raises(NotAuthorised):
        card.record_review(
            ctx(Role.TALENT_OFFICE),
            Review(stage=ReviewStage.CITY_HRSS, decision=ReviewDecision.APPROVED, reviewer="x"),
        )


def test_a_returned_review_keeps_the_stage_open():
    card = Card.file(ctx(Role.EMPLOYER), application())
    card.record_review(
        ctx(Role.CITY_HRSS),
        Review(stage=ReviewStage.CITY_HRSS, decision=ReviewDecision.RETURNED, reviewer="x"),
    )
    assert card.next_stage is ReviewStage.CITY_HRSS
    approve(card, ReviewStage.CITY_HRSS)
    assert card.next_stage is ReviewStage.TALENT_OFFICE


def test_a_rejecting_review_closes_the_application_with_a_rejected_event():
    card = Card.file(ctx(Role.EMPLOYER), application())
    card.record_review(
        ctx(Role.CITY_HRSS),
        Review(stage=ReviewStage.CITY_HRSS, decision=ReviewDecision.REJECTED, reviewer="x"),
    )
    assert [type(e).__name__ for e in card.collect_events()][-2:] == ["ReviewRecorded", "Rejected"]
    assert card.status_on(date(2026, 3, 2)) is CardStatus.REJECTED
    assert_refused(card, "application_closed", lambda: approve(card, ReviewStage.CITY_HRSS))


@pytest.mark.parametrize(
    "command",
    [
        lambda c: approve(c, ReviewStage.CITY_HRSS),
        lambda c: c.issue(ctx()),
        lambda c: c.withdraw(ctx(Role.EMPLOYER)),
        lambda c: revoke(c),
        lambda c: c.suspend(ctx(), change()),
        lambda c: c.reinstate(ctx(), change()),
    ],
    ids=["review", "issue", "withdraw", "revoke", "suspend", "reinstate"],
)
def test_any_command_on_a_withdrawn_application_is_refused(command: Any):
    card = Card.file(ctx(Role.EMPLOYER), application())
    card.withdraw(ctx(Role.EMPLOYER))
    assert_refused(card, "application_closed", lambda: command(card))


def test_only_the_applicant_side_may_withdraw():
    card = Card.file(ctx(Role.EMPLOYER), application())
    with pytest.raises(NotAuthorised):
        card.withdraw(ctx(Role.CITY_HRSS))


# ---- issue: the engine decides the term -----------------------------------------------------


def test_a_card_goes_from_application_through_review_to_issue_upgrade_and_revocation():
    card = issued_card(Scheme.LIAOCHENG, "art5.3")
    request_a(card)
    card.upgrade(ctx(), "A")
    revoke(card)
    names = [type(e).__name__ for e in card.collect_events()]
    assert names == [
        "Applied",
        "ReviewRecorded",
        "ReviewRecorded",
        "Issued",
        "UpgradeRequested",
        "Upgraded",
        "RevocationProposed",
        "RevocationApproved",  # the same-level window forwards it
        "RevocationApproved",
        "Revoked",
    ]
    assert card.tier == "A"
    assert card.status_on(date(2026, 4, 1)) is CardStatus.REVOKED


def test_issuing_records_the_tier_decided_at_filing_and_the_term_rule():
    card = issued_card(Scheme.JINAN, "C")
    assert card.tier == "C"
    assert card.term is not None
    assert (card.term.valid_from, card.term.valid_until) == (date(2026, 3, 2), date(2031, 3, 1))
    assert card.term.rules and card.term.policy_version.startswith("jinan")


def test_a_liaocheng_card_has_no_end_date_and_never_expires():
    card = issued_card(Scheme.LIAOCHENG, "art5.3")
    assert card.term is not None and card.term.valid_until is None
    assert card.status_on(date(2099, 1, 1)) is CardStatus.ACTIVE


def test_a_weihai_contract_of_seven_years_gives_a_term_capped_at_five():
    card = reviewed_card(Scheme.WEIHAI, "4")
    card.issue(ctx(), bases=(TermBasis(kind=TermBasisKind.CONTRACT, years=7),))
    assert card.term is not None and card.term.valid_until == date(2031, 3, 1)
    assert "capped" in card.term.basis


def test_a_card_cannot_be_issued_to_start_in_the_past():
    card = reviewed_card()
    with pytest.raises(InvalidInput, match="before the issue date"):
        card.issue(ctx(), valid_from=date(2026, 3, 1))


def test_an_issued_card_cannot_be_withdrawn_or_issued_again():
    card = issued_card()
    assert_refused(card, "already_issued", lambda: card.withdraw(ctx(Role.EMPLOYER)))
    assert_refused(card, "already_issued", lambda: card.issue(ctx()))


def test_a_card_expires_after_its_last_valid_day_without_any_event():
    card = issued_card(Scheme.JINAN, "C")
    assert card.status_on(date(2031, 3, 1)) is CardStatus.ACTIVE
    assert card.status_on(date(2031, 3, 2)) is CardStatus.EXPIRED
    assert "Expired" not in [type(e).__name__ for e in card.collect_events()]


# ---- upgrade --------------------------------------------------------------------------------


@pytest.mark.parametrize("lower", ["B", "C"])
def test_upgrading_to_the_same_or_a_lower_tier_is_refused(lower: str):
    card = issued_card(Scheme.LIAOCHENG, "art5.3")  # tier B
    error = assert_refused(card, "tier_not_higher", lambda: card.upgrade(ctx(), lower))
    assert error.rule is not None


def test_upgrading_to_a_tier_the_scheme_does_not_have_is_refused():
    card = issued_card()
    with pytest.raises(InvalidInput, match="'S' is not a liaocheng tier"):
        card.upgrade(ctx(), "S")


def test_a_weihai_card_has_no_tiers_to_upgrade_between():
    card = issued_card(Scheme.WEIHAI, "4")
    assert_refused(card, "upgrade_not_supported", lambda: card.upgrade(ctx(), "1"))


def test_a_jinan_upgrade_restarts_the_five_year_term_on_the_upgrade_day():
    card = issued_card(Scheme.JINAN, "C")
    later = T0 + timedelta(days=400)
    card.upgrade(ctx(at=later), "A", {"certified_class_a": True})
    assert card.term is not None
    assert (card.term.valid_from, card.term.valid_until) == (date(2027, 4, 6), date(2032, 4, 5))


def test_a_card_can_be_upgraded_on_its_last_valid_day_but_not_the_day_after():
    last_day = datetime(2031, 3, 1, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai
    card = issued_card(Scheme.JINAN, "C")
    card.upgrade(ctx(at=last_day), "B", {"certified_class_b": True})
    assert card.tier == "B"
    expired = issued_card(Scheme.JINAN, "C")
    assert_refused(
        expired,
        "card_expired",
        lambda: expired.upgrade(ctx(at=last_day + timedelta(minutes=1)), "B"),
    )


# ---- extension ------------------------------------------------------------------------------


def weihai_business_elite() -> Card:
    app = application(
        Scheme.WEIHAI,
        "business_elite",
        sponsor=Sponsor(kind=SponsorKind.INVESTMENT_DEPARTMENT, name="招商局"),
    )
    card = Card.file(ctx(Role.INVESTMENT_DEPARTMENT), app)
    for stage in card.required_stages:
        approve(card, stage)
    card.issue(ctx())
    return card


def test_a_weihai_2023_card_runs_one_year_then_extends_to_five_when_the_project_lands():
    card = weihai_business_elite()
    assert card.term is not None and card.term.valid_until == date(2027, 3, 1)
    landed = T0 + timedelta(days=100)
    card.extend(
        ctx(at=landed), event_on=date(2026, 6, 1), evidence=("doc://contract",), shows=LANDED
    )
    assert card.term.valid_until == date(2031, 3, 1)
    assert card.term.valid_from == date(2026, 3, 2)


def test_an_extension_needs_evidence_and_a_trigger_that_already_happened():
    card = weihai_business_elite()
    assert_refused(
        card,
        "invalid_input",
        lambda: card.extend(ctx(), event_on=date(2026, 3, 2), evidence=(), shows=LANDED),
    )
    assert_refused(
        card,
        "invalid_input",
        lambda: card.extend(ctx(), event_on=date(2026, 3, 3), evidence=("doc",), shows=LANDED),
    )


def test_an_extension_that_would_not_lengthen_the_term_is_refused():
    card = weihai_business_elite()
    card.extend(ctx(), event_on=date(2026, 3, 2), evidence=("doc://landed",), shows=LANDED)
    error = assert_refused(
        card,
        "term_not_longer",
        lambda: card.extend(
            ctx(), event_on=date(2026, 3, 2), evidence=("doc://again",), shows=LANDED
        ),
    )
    assert error.rule == "weihai.term.extension_2023"
    assert card.term is not None and card.term.valid_until == date(2031, 3, 1)


def test_a_card_with_no_end_date_cannot_be_extended():
    card = issued_card(Scheme.LIAOCHENG, "art5.3")
    assert_refused(
        card,
        "term_not_longer",
        lambda: card.extend(ctx(), event_on=date(2026, 3, 2), evidence=("doc",), shows=LANDED),
    )


def test_a_scheme_without_an_extension_rule_refuses_to_extend():
    card = issued_card(Scheme.JINAN, "C")
    assert_refused(
        card,
        "no_extension_rule",
        lambda: card.extend(ctx(), event_on=date(2026, 3, 2), evidence=("doc",), shows=LANDED),
    )


def test_extending_a_revoked_card_is_refused():
    card = weihai_business_elite()
    revoke(card)
    assert_refused(
        card,
        "card_revoked",
        lambda: card.extend(ctx(), event_on=date(2026, 3, 2), evidence=("doc",), shows=LANDED),
    )


# ---- suspension and revocation --------------------------------------------------------------


def test_revoking_twice_is_refused():
    card = issued_card()
    revoke(card)
    assert_refused(card, "already_revoked", lambda: propose(card))


def test_a_revocation_is_a_proposal_then_an_approval_each_by_its_own_user():
    card = issued_card()
    propose(card, actor="wang")
    forward(card)
    assert card.status_on(date(2026, 3, 2)) is CardStatus.ACTIVE
    card.approve_revocation(ctx(Role.CITY_HRSS, actor="liu"))
    assert card.status_on(date(2026, 3, 2)) is CardStatus.REVOKED
    names = [type(e).__name__ for e in card.collect_events()][-4:]
    assert names == ["RevocationProposed", "RevocationApproved", "RevocationApproved", "Revoked"]


def test_the_revoked_event_lists_every_step_s_user_and_role_the_reason_and_the_rule():
    card = issued_card(Scheme.JINAN, "C")
    card.collect_events()
    propose(card, actor="wang", reason="违纪")
    forward(card)
    card.approve_revocation(ctx(Role.CITY_HRSS, actor="liu"))
    card.approve_revocation(ctx(Role.TALENT_OFFICE, actor="zhao"))
    revoked = card.collect_events()[-1].revocation  # type: ignore[attr-defined]
    assert revoked.reason == "违纪"
    assert [(t.action, t.role, t.actor) for t in revoked.steps] == [
        (RevocationAction.PROPOSE, Role.EMPLOYER, "wang"),
        (RevocationAction.APPROVE, Role.CITY_WINDOW, "qin"),
        (RevocationAction.APPROVE, Role.CITY_HRSS, "liu"),
        (RevocationAction.APPROVE, Role.TALENT_OFFICE, "zhao"),
    ]
    assert (revoked.rules, revoked.policy_version) == (("jinan.revocation",), "jinan-2018")


def test_every_revocation_step_records_the_rule_and_policy_version_that_decided_it():
    card = issued_card(Scheme.JINAN, "C")
    card.collect_events()
    revoke(card)
    payloads = [next(v for k, v in vars(e).items() if k in PAYLOADS) for e in card.collect_events()]
    assert [(p.rules, p.policy_version) for p in payloads] == [
        (("jinan.revocation",), "jinan-2018")
    ] * 5


PAYLOADS = ("proposal", "approval", "decline", "revocation")


def test_a_jinan_revocation_needs_city_hrss_and_then_the_talent_office():
    card = issued_card(Scheme.JINAN, "C")
    propose(card)
    forward(card)
    error = assert_refused(
        card,
        "revocation_step_role",
        lambda: card.approve_revocation(ctx(Role.TALENT_OFFICE, actor="zhao")),
    )
    assert error.rule == "jinan.revocation"
    card.approve_revocation(ctx(Role.CITY_HRSS, actor="liu"))
    assert card.status_on(date(2026, 3, 2)) is CardStatus.ACTIVE
    card.approve_revocation(ctx(Role.TALENT_OFFICE, actor="zhao"))
    assert card.status_on(date(2026, 3, 2)) is CardStatus.REVOKED


def test_a_revocation_proposed_by_a_role_the_scheme_does_not_name_is_refused():
    card = issued_card()
    assert_refused(
        card,
        "revocation_step_role",
        lambda: card.propose_revocation(
            ctx(Role.APPLICANT, actor="li"), reason="r", ground="misconduct"
        ),
    )


def test_an_approval_in_a_role_other_than_the_step_s_is_refused():
    card = issued_card()
    propose(card)
    assert_refused(
        card,
        "revocation_step_role",
        lambda: card.approve_revocation(ctx(Role.EMPLOYER, actor="zhang")),
    )


def test_the_proposer_may_not_approve_their_own_proposal_even_in_the_approving_role():
    card = issued_card()
    propose(card, actor="wang")
    assert_refused(
        card, "self_approval", lambda: card.approve_revocation(ctx(Role.CITY_WINDOW, actor="wang"))
    )


@pytest.mark.parametrize("again", ["liu", " LIU "])
def test_one_user_may_not_approve_two_steps(again: str):
    card = issued_card(Scheme.JINAN, "C")
    propose(card)
    forward(card)
    card.approve_revocation(ctx(Role.CITY_HRSS, actor="liu"))
    assert_refused(
        card, "self_approval", lambda: card.approve_revocation(ctx(Role.TALENT_OFFICE, actor=again))
    )


def test_only_one_revocation_proposal_is_open_at_a_time():
    card = issued_card()
    propose(card, actor="wang")
    assert_refused(card, "revocation_pending", lambda: propose(card, actor="zhang"))


@pytest.mark.parametrize(
    "command",
    [
        lambda c: c.approve_revocation(ctx(Role.CITY_HRSS, actor="liu")),
        lambda c: c.decline_revocation(ctx(Role.CITY_HRSS, actor="liu"), reason="no"),
    ],
    ids=["approve", "decline"],
)
def test_approving_or_declining_without_an_open_proposal_is_refused(command: Any):
    card = issued_card()
    assert_refused(card, "no_open_revocation", lambda: command(card))


def test_a_declined_proposal_closes_the_card_stays_in_force_and_a_new_one_may_follow():
    card = issued_card()
    propose(card, actor="wang")
    forward(card)
    card.decline_revocation(ctx(Role.CITY_HRSS, actor="liu"), reason="grounds not shown")
    assert card.status_on(date(2026, 3, 2)) is CardStatus.ACTIVE
    assert_refused(
        card, "no_open_revocation", lambda: card.approve_revocation(ctx(Role.CITY_HRSS, actor="x"))
    )
    propose(card, actor="wang")
    forward(card)
    card.approve_revocation(ctx(Role.CITY_HRSS, actor="liu"))
    assert card.status_on(date(2026, 3, 2)) is CardStatus.REVOKED


def test_a_decline_records_who_declined_at_which_step_and_why():
    card = issued_card()
    propose(card)
    forward(card)
    card.collect_events()
    card.decline_revocation(ctx(Role.CITY_HRSS, actor="liu"), reason=" grounds not shown ")
    (declined,) = card.collect_events()
    decline = declined.decline  # type: ignore[attr-defined]
    assert (decline.step, decline.declined_by.actor, decline.declined_by.role) == (
        2,
        "liu",
        Role.CITY_HRSS,
    )
    assert decline.reason == "grounds not shown"


def test_a_decline_is_taken_by_the_next_step_s_role_and_not_by_the_proposer():
    card = issued_card()
    propose(card, actor="wang")
    assert_refused(
        card,
        "revocation_step_role",
        lambda: card.decline_revocation(ctx(Role.EMPLOYER, actor="zhang"), reason="no"),
    )
    forward(card)
    assert_refused(
        card,
        "self_approval",
        lambda: card.decline_revocation(ctx(Role.CITY_HRSS, actor="wang"), reason="no"),
    )


@pytest.mark.parametrize(
    "command",
    [
        lambda c: propose(c, reason=" "),
        lambda c: (propose(c), c.decline_revocation(ctx(actor="liu"), reason=" ")),
    ],
    ids=["propose", "decline"],
)
def test_a_revocation_proposal_or_decline_without_a_reason_is_refused(command: Any):
    card = issued_card()
    card.collect_events()
    with pytest.raises(InvalidInput) as info:
        command(card)
    assert info.value.code == "invalid_input"
    assert card.status_on(date(2026, 3, 2)) is CardStatus.ACTIVE
    assert [type(e).__name__ for e in card.collect_events()] in ([], ["RevocationProposed"])


def test_the_proposal_records_its_reason_proposer_and_the_steps_it_must_take():
    card = issued_card(Scheme.JINAN, "C")
    card.collect_events()
    propose(card, actor="wang", reason=" 违纪 ")
    proposal = card.collect_events()[0].proposal  # type: ignore[attr-defined]
    assert proposal.reason == "违纪"
    assert (proposal.proposed_by.actor, proposal.proposed_by.role) == ("wang", Role.EMPLOYER)
    assert [(s.action, s.roles) for s in proposal.steps] == [
        (RevocationAction.PROPOSE, (Role.EMPLOYER,)),
        (RevocationAction.APPROVE, (Role.COUNTY_WINDOW, Role.CITY_WINDOW)),
        (RevocationAction.APPROVE, (Role.CITY_HRSS,)),
        (RevocationAction.APPROVE, (Role.TALENT_OFFICE,)),
    ]
    assert proposal.ground == "misconduct"


def jinan_without_the_window_step() -> Policy:
    """The Jinan data without the same-level window's step: a data change."""
    texts = package_texts()
    old = (
        '    { action = "approve", roles = ["county_window", "city_window"], decides = false, '
        'note = "receives and forwards (向同级服务窗口提出意见，报……)" },\n'
    )
    assert texts["jinan.toml"].count(old) == 1
    texts["jinan.toml"] = texts["jinan.toml"].replace(old, "")
    return parse_policy(texts)


def test_the_same_level_window_forwards_a_proposal_before_city_hrss_may_agree():
    # jinan art. 24(3): 由所在（引进）单位向同级服务窗口提出意见，报市人社局……同意.
    card = issued_card(Scheme.JINAN, "C")
    propose(card, actor="wang")
    assert_refused(
        card,
        "revocation_step_role",
        lambda: card.approve_revocation(ctx(Role.CITY_HRSS, actor="liu")),
    )
    for role, actor in ((Role.COUNTY_WINDOW, "sun"), (Role.CITY_HRSS, "liu")):
        card.approve_revocation(ctx(role, actor=actor))
    assert card.status_on(date(2026, 3, 2)) is CardStatus.ACTIVE
    card.approve_revocation(ctx(Role.TALENT_OFFICE, actor="zhao"))
    assert card.status_on(date(2026, 3, 2)) is CardStatus.REVOKED


def test_a_procedure_without_the_window_step_is_a_data_change():
    card = issued_card(Scheme.JINAN, "C")
    with using_policy(jinan_without_the_window_step()):
        propose(card, actor="wang")
    card.approve_revocation(ctx(Role.CITY_HRSS, actor="liu"))
    card.approve_revocation(ctx(Role.TALENT_OFFICE, actor="zhao"))
    assert card.status_on(date(2026, 3, 2)) is CardStatus.REVOKED


def test_a_scheme_without_a_revocation_rule_cannot_revoke():
    rules = parse_policy(without_revocation_rule(Scheme.LIAOCHENG))
    card = issued_card()
    with using_policy(rules):
        assert_refused(
            card,
            "no_revocation_procedure",
            lambda: card.propose_revocation(
                ctx(Role.EMPLOYER, actor="w"), reason="r", ground="misconduct"
            ),
        )
        assert_refused(
            card, "interim_measure_not_authorised", lambda: card.suspend(ctx(), change())
        )


def test_an_application_never_issued_cannot_be_proposed_for_revocation():
    card = reviewed_card()
    assert_refused(card, "not_issued", lambda: propose(card))


def test_an_expired_card_may_still_be_revoked():
    card = issued_card(Scheme.JINAN, "C")
    assert card.term is not None and card.term.valid_until is not None
    later = T0 + timedelta(days=(card.term.valid_until - date(2026, 3, 2)).days + 2)
    assert card.status_on(business_date(later)) is CardStatus.EXPIRED
    revoke(card, at=later)
    assert card.recorded_status is CardStatus.REVOKED


def test_a_suspended_card_is_reinstated_and_cannot_be_suspended_twice():
    card = issued_card()
    card.suspend(ctx(), change())
    assert_refused(card, "already_suspended", lambda: card.suspend(ctx(), change()))
    card.reinstate(ctx(), change())
    assert card.status_on(date(2026, 3, 2)) is CardStatus.ACTIVE
    assert_refused(card, "not_suspended", lambda: card.reinstate(ctx(), change()))


@pytest.mark.parametrize("blank", ["reason", "decision_ref"])
@pytest.mark.parametrize("action", ["suspend", "reinstate"])
def test_a_suspension_or_reinstatement_without_a_reason_or_decision_reference_is_refused(
    action: str, blank: str
):
    card = issued_card()
    if action == "reinstate":
        card.suspend(ctx(), change())
    fields = {"reason": "r", "decision_ref": "ref", blank: " \t"}
    error = assert_refused(
        card, "invalid_input", lambda: getattr(card, action)(ctx(), change(**fields))
    )
    assert blank in error.message


def test_a_suspension_records_the_acting_user_the_reason_the_decision_and_the_rule():
    card = issued_card()
    card.collect_events()
    card.suspend(ctx(actor="liu"), change(reason=" 调查 ", decision_ref=" 聊人社〔2026〕9号 "))
    (suspended,) = card.collect_events()
    assert suspended.ctx.actor == "liu"  # type: ignore[attr-defined]
    assert suspended.change == StatusChange(  # type: ignore[attr-defined]
        reason="调查",
        decision_ref="聊人社〔2026〕9号",
        rules=("liaocheng.revocation",),
        policy_version="liaocheng-2022",
    )


@pytest.mark.parametrize(
    ("scheme", "category", "refused", "allowed"),
    [
        (Scheme.LIAOCHENG, "art5.3", Role.EMPLOYER, Role.CITY_HRSS),
        (Scheme.JINAN, "C", Role.CITY_HRSS, Role.TALENT_OFFICE),
    ],
)
def test_only_the_scheme_s_last_revocation_approver_may_suspend_or_reinstate(
    scheme: Scheme, category: str, refused: Role, allowed: Role
):
    card = issued_card(scheme, category)
    error = assert_refused(
        card, "interim_measure_not_authorised", lambda: card.suspend(ctx(refused), change())
    )
    assert error.rule == f"{scheme}.revocation"
    card.suspend(ctx(allowed), change())
    assert_refused(
        card, "interim_measure_not_authorised", lambda: card.reinstate(ctx(refused), change())
    )
    card.reinstate(ctx(allowed), change())
    assert card.status_on(date(2026, 3, 2)) is CardStatus.ACTIVE


def test_a_suspended_card_cannot_be_upgraded_but_can_be_revoked():
    card = issued_card()
    card.suspend(ctx(), change())
    assert_refused(card, "card_suspended", lambda: card.upgrade(ctx(), "A"))
    revoke(card)
    assert card.status_on(date(2026, 3, 2)) is CardStatus.REVOKED


# ---- events ---------------------------------------------------------------------------------


def test_every_event_records_who_acted_in_which_role_when_and_why():
    who = Context(
        actor="wang", role=Role.EMPLOYER, effective_at=T0, recorded_at=T0, note="首次申领"
    )
    card = Card.file(who, application())
    (applied,) = card.collect_events()
    assert applied.ctx == who  # type: ignore[attr-defined]


def test_replaying_the_events_rebuilds_the_same_card():
    card = issued_card(Scheme.JINAN, "C")
    card.suspend(ctx(Role.TALENT_OFFICE), change())
    revoke(card)
    rebuilt: Card | None = None
    for e in card.collect_events():
        rebuilt = e.mutate(rebuilt)  # type: ignore[attr-defined]
    assert rebuilt is not None
    assert (rebuilt.tier, rebuilt.term, rebuilt.recorded_status, rebuilt.admission) == (
        card.tier,
        card.term,
        card.recorded_status,
        card.admission,
    )


# ---- what mutation testing found unpinned (issue 8) ------------------------------------------


def shifted(scheme: Scheme, old: str, new: str) -> Policy:
    """The package data with one edit to ``scheme``'s file: a different policy, so a test
    can tell whether a command decided under the policy it was given."""
    texts = package_texts()
    name = f"{scheme}.toml"
    assert old in texts[name]
    texts[name] = texts[name].replace(old, new)
    return parse_policy(texts)


# Liaocheng's version and rules start in 2030 in this policy: any decision under it on T0 fails.
NOT_YET_IN_FORCE = ("effective_from = 2022-09-13", "effective_from = 2030-01-01")


def test_filing_decides_under_the_policy_it_is_given():
    rules = shifted(Scheme.LIAOCHENG, *NOT_YET_IN_FORCE)
    with using_policy(rules), pytest.raises(DomainError) as info:
        Card.file(ctx(Role.EMPLOYER), application())
    assert info.value.code == "no_policy_in_force"


def test_issuing_decides_the_term_under_the_policy_it_is_given():
    card = reviewed_card()
    rules = shifted(Scheme.LIAOCHENG, *NOT_YET_IN_FORCE)
    with using_policy(rules):
        assert_refused(card, "no_policy_in_force", lambda: card.issue(ctx()))


def test_extending_decides_under_the_policy_it_is_given():
    card = weihai_business_elite()
    rules = shifted(
        Scheme.WEIHAI,
        'categories = ["business_elite"]\nyears = 5',
        'categories = ["enterprise_talent"]\nyears = 5',
    )
    with using_policy(rules):
        assert_refused(
            card,
            "no_extension_rule",
            lambda: card.extend(ctx(), event_on=date(2026, 3, 2), evidence=("d",), shows=LANDED),
        )


def test_upgrading_reads_the_tiers_of_the_policy_it_is_given():
    card = issued_card()
    unranked = shifted(Scheme.LIAOCHENG, "ranked = true", "ranked = false")
    with using_policy(unranked):
        assert_refused(card, "upgrade_not_supported", lambda: card.upgrade(ctx(), "A"))
    reversed_order = shifted(Scheme.LIAOCHENG, 'tiers = ["A", "B", "C"]', 'tiers = ["C", "B", "A"]')
    with using_policy(reversed_order):
        assert_refused(card, "tier_not_higher", lambda: card.upgrade(ctx(), "A"))


def test_an_upgrade_with_no_upgrade_rule_in_force_is_refused_naming_the_tier_rule():
    card = issued_card()
    rule = 'id = "liaocheng.upgrade.keep_term"'
    rules = shifted(Scheme.LIAOCHENG, rule, rule + "\neffective_until = 2023-01-01")
    with using_policy(rules):
        error = assert_refused(card, "upgrade_refused", lambda: card.upgrade(ctx(), "A"))
    assert error.rule == "liaocheng.tiers"
    assert card.tier == "B"


def test_an_upgrade_records_the_rules_and_version_behind_its_term():
    card = issued_card()
    request_a(card)
    card.upgrade(ctx(), "A")
    assert card.term is not None
    assert (card.term.rules, card.term.policy_version) == (
        ("liaocheng.tiers", "liaocheng.upgrade.keep_term"),
        "liaocheng-2022",
    )


def test_upgrade_refusals_name_the_scheme_s_tier_rule():
    card = issued_card()
    error = assert_refused(card, "tier_not_higher", lambda: card.upgrade(ctx(), "C"))
    assert error.rule == "liaocheng.tiers"
    weihai = weihai_business_elite()
    error = assert_refused(weihai, "upgrade_not_supported", lambda: weihai.upgrade(ctx(), "1"))
    assert error.rule == "weihai.tiers"


def test_review_and_issue_refusals_name_every_rule_behind_the_admission():
    card = Card.file(ctx(Role.EMPLOYER), application())
    assert len(card.admission.rules) > 1
    expected = ", ".join(card.admission.rules)
    error = assert_refused(card, "review_incomplete", lambda: card.issue(ctx()))
    assert error.rule == expected
    error = assert_refused(
        card, "review_out_of_order", lambda: approve(card, ReviewStage.TALENT_OFFICE)
    )
    assert error.rule == expected


def test_an_ineligible_application_names_every_rule_that_refused_it():
    app = application(Scheme.LIAOCHENG, "art5.3", basis=Basis(category="art5.3"))
    with pytest.raises(DomainError) as info:
        Card.file(ctx(Role.EMPLOYER), app)
    rule = info.value.rule
    assert rule is not None and ", " in rule and "XX" not in rule


def test_the_holder_s_date_of_birth_decides_an_age_condition():
    facts = {
        "full_time_public_institution": True,
        "imported_national_or_provincial_programme": True,
        "introduced_on": "2026-01-05",
    }
    young = application(Scheme.WEIHAI, "3", basis=Basis(category="3", facts=facts))
    old = application(
        Scheme.WEIHAI,
        "3",
        basis=Basis(category="3", facts=facts),
        holder=msgspec.structs.replace(young.holder, date_of_birth=date(1950, 1, 1)),
    )
    assert Card.file(ctx(Role.EMPLOYER), young).admission.tier == "3"
    with pytest.raises(DomainError) as info:
        Card.file(ctx(Role.EMPLOYER), old)
    assert info.value.code == "not_eligible"


def test_a_card_filed_outside_any_quota_records_no_quota_key():
    assert Card.file(ctx(Role.EMPLOYER), application()).admission.quota_key == ""


def test_a_review_after_every_stage_approved_is_refused():
    card = reviewed_card()
    assert_refused(card, "review_complete", lambda: approve(card, ReviewStage.CITY_HRSS))


@pytest.mark.parametrize(
    "command",
    [
        lambda c: c.upgrade(ctx(), "A"),
        lambda c: c.extend(ctx(), event_on=date(2026, 3, 2), evidence=("d",), shows=LANDED),
        lambda c: c.suspend(ctx(), change()),
    ],
    ids=["upgrade", "extend", "suspend"],
)
def test_changing_an_application_that_was_never_issued_is_refused(command: Any):
    card = reviewed_card()
    assert_refused(card, "not_issued", lambda: command(card))


def test_an_unissued_application_has_no_snapshot():
    card = reviewed_card()
    with pytest.raises(DomainError) as info:
        card.snapshot(date(2026, 3, 2))
    assert info.value.code == "not_issued"


def test_a_snapshot_shows_the_card_as_venues_see_it():
    card = issued_card(Scheme.JINAN, "C")
    assert card.snapshot(date(2026, 3, 2)) == CardSnapshot(
        scheme=Scheme.JINAN,
        tier="C",
        category="C",
        status="active",
        valid_from=date(2026, 3, 2),
        valid_until=date(2031, 3, 1),
        issued_on=date(2026, 3, 2),
    )


def test_a_suspended_card_can_still_be_extended():
    card = weihai_business_elite()
    card.suspend(ctx(), change())
    card.extend(ctx(), event_on=date(2026, 3, 2), evidence=("doc://landed",), shows=LANDED)
    assert card.term is not None and card.term.valid_until == date(2031, 3, 1)


def test_reinstating_decides_under_the_policy_it_is_given():
    card = issued_card()
    card.suspend(ctx(), change())
    rules = parse_policy(without_revocation_rule(Scheme.LIAOCHENG))
    with using_policy(rules):
        assert_refused(
            card, "interim_measure_not_authorised", lambda: card.reinstate(ctx(), change())
        )


def test_every_event_carries_the_context_of_the_command_that_caused_it():
    def who(role: Role, name: str) -> Context:
        return Context(actor=name, role=role, effective_at=T0, recorded_at=T0, note=name)

    rejected = Card.file(who(Role.EMPLOYER, "a"), application())
    rejected.record_review(
        who(Role.CITY_HRSS, "b"),
        Review(stage=ReviewStage.CITY_HRSS, decision=ReviewDecision.REJECTED, reviewer="r"),
    )
    withdrawn = Card.file(who(Role.EMPLOYER, "c"), application())
    withdrawn.withdraw(who(Role.EMPLOYER, "d"))
    card = weihai_business_elite()
    card.collect_events()
    card.extend(who(Role.CITY_HRSS, "e"), event_on=date(2026, 3, 2), evidence=("x",), shows=LANDED)
    card.suspend(who(Role.CITY_HRSS, "f"), change())
    card.reinstate(who(Role.CITY_HRSS, "g"), change())
    card.propose_revocation(who(Role.EMPLOYER, "h"), reason="r", ground="misconduct")
    card.approve_revocation(who(Role.CITY_WINDOW, "h2"))
    card.decline_revocation(who(Role.CITY_HRSS, "i"), reason="r")
    card.propose_revocation(who(Role.EMPLOYER, "j"), reason="r", ground="left_weihai")
    card.approve_revocation(who(Role.CITY_WINDOW, "k"))
    card.approve_revocation(who(Role.CITY_HRSS, "l"))
    upgraded = issued_card()
    request_a(upgraded)
    upgraded.collect_events()
    upgraded.upgrade(who(Role.CITY_HRSS, "m"), "A")
    events = [*rejected.collect_events()[1:], *withdrawn.collect_events()[1:]]
    events += [*card.collect_events(), *upgraded.collect_events()]
    actors = [e.ctx.actor for e in events]  # type: ignore[attr-defined]
    assert actors == ["b", "b", "d", "e", "f", "g", "h", "h2", "i", "j", "k", "l", "l", "m"]
    rejection = events[1].rejection  # type: ignore[attr-defined]
    assert (rejection.stage, rejection.reviewer) == (ReviewStage.CITY_HRSS, "r")


def test_upgrading_to_an_unknown_tier_names_the_scheme_s_tier_rule():
    card = issued_card()
    error = assert_refused(card, "invalid_input", lambda: card.upgrade(ctx(), "S"))
    assert error.rule == "liaocheng.tiers"


def with_family(name: str, born: date) -> Application:
    holder = application().holder
    member = FamilyMember(relation=Relation.CHILD, name=name, date_of_birth=born)
    return application(holder=msgspec.structs.replace(holder, family=(member,)))


def test_a_holder_born_on_the_filing_day_is_refused():
    holder = msgspec.structs.replace(application().holder, date_of_birth=date(2026, 3, 2))
    with pytest.raises(DomainError) as info:
        Card.file(ctx(Role.EMPLOYER), application(holder=holder))
    assert info.value.code == "invalid_input"


def test_a_child_born_on_the_filing_day_may_be_listed_but_not_one_born_later():
    card = Card.file(ctx(Role.EMPLOYER), with_family("小李", date(2026, 3, 2)))
    assert card.application.holder.family[0].date_of_birth == date(2026, 3, 2)
    with pytest.raises(DomainError) as info:
        Card.file(ctx(Role.EMPLOYER), with_family("小李", date(2026, 3, 3)))
    assert info.value.code == "invalid_input"


def test_a_family_member_without_a_name_is_refused():
    with pytest.raises(DomainError) as info:
        Card.file(ctx(Role.EMPLOYER), with_family(" ", date(2000, 1, 1)))
    assert info.value.code == "invalid_input"


def _with_name(field: str, name: str) -> Application:
    app = application()
    if field == "holder.name":
        return application(holder=msgspec.structs.replace(app.holder, name=name))
    if field == "sponsor.name":
        return application(sponsor=msgspec.structs.replace(app.sponsor, name=name))
    return with_family(name, date(2010, 1, 1))


@pytest.mark.parametrize("field", ["holder.name", "sponsor.name", "holder.family[0].name"])
def test_a_name_with_a_terminal_escape_is_refused_naming_its_field(field: str):
    # The command decoder refuses these first; the aggregate refuses them again, so an
    # application built in code (a migration, a test) cannot store one either.
    with pytest.raises(InvalidInput) as refused:
        Card.file(ctx(Role.EMPLOYER), _with_name(field, "李\x1b[2J雷"))
    assert refused.value.code == "invalid_characters"
    assert str(refused.value.message).startswith(f"{field} ")


# ---- who files, intake and joint decisions (issue 10) ------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "category", "role", "sponsor", "code"),
    [
        # weihai-2019 part 2(4).2: the unit fills in the form for categories 3 and 4.
        (Scheme.WEIHAI, "4", Role.APPLICANT, SponsorKind.EMPLOYER, "filer_not_authorised"),
        # weihai-2023 part 3(1)1: business elites are put forward by the investment department.
        (
            Scheme.WEIHAI,
            "business_elite",
            Role.ENTERPRISE,
            SponsorKind.ENTERPRISE,
            "filer_not_authorised",
        ),
        # weihai-2023 part 3(2)1: the target enterprise registers its planned hire.
        (
            Scheme.WEIHAI,
            "enterprise_talent",
            Role.EMPLOYER,
            SponsorKind.EMPLOYER,
            "filer_not_authorised",
        ),
        # jinan art. 24(1): the talent claims the card with the certification data.
        (Scheme.JINAN, "C", Role.EMPLOYER, SponsorKind.EMPLOYER, "filer_not_authorised"),
        # shandong 7.1 items 2-4: the employer's commissioner completes every file.
        (Scheme.SHANDONG, "direct", Role.APPLICANT, SponsorKind.NONE, "sponsor_not_accepted"),
    ],
)
def test_an_application_filed_by_someone_the_seed_does_not_name_is_refused_naming_the_rule(
    scheme: Scheme, category: str, role: Role, sponsor: SponsorKind, code: str
):
    facts = {
        (Scheme.WEIHAI, "enterprise_talent"): {
            "planned_hire_of_target_enterprise": True,
            "national_or_provincial_programme": True,
        },
        (Scheme.SHANDONG, "direct"): {
            "national_comprehensive_programme": True,
            "city_employer": True,
            "innovation_record": True,
        },
    }.get((scheme, category), FACTS.get((scheme, category), {}))
    app = application(
        scheme,
        category,
        basis=Basis(category=category, facts=facts),
        sponsor=Sponsor(kind=sponsor, name="某单位"),
    )
    with pytest.raises(DomainError) as info:
        Card.file(ctx(role), app)
    assert info.value.code == code
    assert info.value.rule is not None and ".filer" in info.value.rule


def elite_application() -> Application:
    return application(
        Scheme.WEIHAI,
        "business_elite",
        sponsor=Sponsor(kind=SponsorKind.INVESTMENT_DEPARTMENT, name="招商局"),
    )


def test_the_talent_institute_receives_a_business_elite_file_before_city_hrss_decides():
    # weihai-2023 part 3(1)1-2: 提交至威海市人才创新发展院; it takes the file in, it does
    # not decide.
    card = Card.file(ctx(Role.INVESTMENT_DEPARTMENT), elite_application())
    review = Review(
        stage=ReviewStage.CITY_HRSS,
        decision=ReviewDecision.APPROVED,
        reviewer="r",
        joint_with=("市委组织部", "市商务局"),
    )
    assert_refused(card, "file_not_received", lambda: card.record_review(ctx(), review))
    card.receive(ctx(Role.TALENT_INSTITUTE), Role.TALENT_INSTITUTE)
    card.record_review(ctx(), review)
    assert card.next_stage is ReviewStage.TALENT_OFFICE


def test_city_hrss_decides_a_business_elite_file_jointly_with_the_departments_the_notice_names():
    # weihai-2023 part 3(1)2: 市人社局会同市委组织部、市商务局共同研究确定.
    card = Card.file(ctx(Role.INVESTMENT_DEPARTMENT), elite_application())
    card.receive(ctx(Role.TALENT_INSTITUTE), Role.TALENT_INSTITUTE)
    alone = Review(
        stage=ReviewStage.CITY_HRSS,
        decision=ReviewDecision.APPROVED,
        reviewer="r",
        joint_with=("市委组织部",),
    )
    error = assert_refused(
        card, "joint_decision_incomplete", lambda: card.record_review(ctx(), alone)
    )
    assert "市商务局" in error.message


def test_a_weihai_revocation_names_one_of_the_opinion_s_grounds():
    # weihai-2019 part 2(5): 不在威海创新创业，或有违法、违纪或违反其他规定行为的.
    card = weihai_business_elite()
    error = assert_refused(
        card,
        "unknown_ground",
        lambda: card.propose_revocation(
            ctx(Role.EMPLOYER, actor="w"), reason="performance", ground="poor_performance"
        ),
    )
    assert "left_weihai" in error.message and "misconduct" in error.message
    card.propose_revocation(ctx(Role.EMPLOYER, actor="w"), reason="moved", ground="left_weihai")
    assert card.revocation is not None and card.revocation.ground == "left_weihai"


def test_liaocheng_takes_no_ground_but_misconduct():
    # liaocheng art. 34: 有违法、违纪或违反其他规定行为的 is the only ground.
    card = issued_card()
    assert_refused(
        card,
        "unknown_ground",
        lambda: card.propose_revocation(
            ctx(Role.EMPLOYER, actor="w"), reason="r", ground="left_weihai"
        ),
    )


def test_an_application_met_by_a_soft_criterion_s_exception_records_it():
    # weihai-2019 part 2(1).3 年龄一般不超过55周岁: the exception's reference is recorded.
    facts = {
        "full_time_public_institution": True,
        "imported_national_or_provincial_programme": True,
        "introduced_on": "2026-01-05",
        "exception_age": "威人才办〔2026〕1号",
    }
    old = application(Scheme.WEIHAI, "3", basis=Basis(category="3", facts=facts))
    old = msgspec.structs.replace(
        old, holder=msgspec.structs.replace(old.holder, date_of_birth=date(1950, 1, 1))
    )
    admission = Card.file(ctx(Role.EMPLOYER), old).admission
    (exception,) = admission.exceptions  # exactly one soft criterion was excepted
    assert "威人才办〔2026〕1号 by talent_office" in exception


# ---- Liaocheng art. 32: a higher category by its route, on the same card (issue 10) ------------


def test_a_liaocheng_upgrade_is_requested_first_naming_the_higher_category():
    card = issued_card()  # art. 5(3), tier B
    error = assert_refused(card, "upgrade_not_requested", lambda: card.upgrade(ctx(), "A"))
    assert "upgrade-request" in error.message
    request_a(card)
    card.upgrade(ctx(), "A")
    assert (card.tier, card.category) == ("A", "art5.2")


def test_an_upgrade_to_a_reviewed_category_waits_for_that_route_s_reviews():
    # art. 32(2): art. 5(3) is reviewed by city HRSS, then agreed by the talent office.
    card = issued_card(Scheme.LIAOCHENG, "art5.4")  # tier C
    card.request_upgrade(ctx(Role.EMPLOYER), "art5.3", {"certified_excellent": True})
    assert_refused(card, "review_incomplete", lambda: card.upgrade(ctx(), "B"))
    approve(card, ReviewStage.CITY_HRSS)
    assert_refused(card, "review_incomplete", lambda: card.upgrade(ctx(), "B"))
    approve(card, ReviewStage.TALENT_OFFICE)
    card.upgrade(ctx(), "B")
    assert (card.tier, card.category, card.status_on(date(2026, 3, 2))) == (
        "B",
        "art5.3",
        CardStatus.ACTIVE,
    )


def test_a_rejected_upgrade_request_leaves_the_card_as_it_was():
    card = issued_card(Scheme.LIAOCHENG, "art5.4")
    card.request_upgrade(ctx(Role.EMPLOYER), "art5.3", {"certified_excellent": True})
    card.record_review(
        ctx(Role.CITY_HRSS),
        Review(stage=ReviewStage.CITY_HRSS, decision=ReviewDecision.REJECTED, reviewer="r"),
    )
    assert (card.tier, card.upgrade_request) == ("C", None)
    assert_refused(card, "upgrade_not_requested", lambda: card.upgrade(ctx(), "B"))


@pytest.mark.parametrize(
    ("category", "facts", "code"),
    [
        ("art5.3", {}, "not_eligible"),  # the higher category must be met
        ("art5.4", {"flexibly_introduced": True, "equivalent_level": True}, "tier_not_higher"),
    ],
)
def test_an_upgrade_request_is_decided_like_a_filing_of_the_higher_category(
    category: str, facts: dict[str, bool], code: str
):
    card = issued_card(Scheme.LIAOCHENG, "art5.3")
    assert_refused(card, code, lambda: card.request_upgrade(ctx(Role.EMPLOYER), category, facts))


def test_a_jinan_upgrade_needs_no_request():
    card = issued_card(Scheme.JINAN, "C")
    assert_refused(
        card,
        "upgrade_request_not_needed",
        lambda: card.request_upgrade(ctx(Role.APPLICANT), "B", {"certified_class_b": True}),
    )


def test_a_refused_filer_is_told_who_files_the_category():
    app = application(Scheme.WEIHAI, "4", sponsor=Sponsor(kind=SponsorKind.EMPLOYER, name="x"))
    error = assert_refused_filing(app, Role.APPLICANT)
    assert "filed by employer, not applicant" in error.message


def test_a_refused_sponsor_is_told_which_kinds_the_category_takes():
    facts = {
        "national_comprehensive_programme": True,
        "city_employer": True,
        "innovation_record": True,
    }
    app = application(
        Scheme.SHANDONG,
        "direct",
        basis=Basis(category="direct", facts=facts),
        sponsor=Sponsor(kind=SponsorKind.ENTERPRISE, name="x"),
    )
    error = assert_refused_filing(app, Role.EMPLOYER)
    assert "sponsor of kind employer, not enterprise" in error.message


def assert_refused_filing(app: Application, role: Role) -> DomainError:
    with pytest.raises(DomainError) as info:
        Card.file(ctx(role), app)
    return info.value


def test_the_city_window_takes_an_enterprise_talent_file_in_before_city_hrss_decides():
    # weihai-2023 part 3(2)2: 区市人社部门……出具推荐意见并报市高层次人才服务窗口.
    facts = {"planned_hire_of_target_enterprise": True, "national_or_provincial_programme": True}
    app = application(
        Scheme.WEIHAI,
        "enterprise_talent",
        basis=Basis(category="enterprise_talent", facts=facts, enterprise_id="E-1"),
        sponsor=Sponsor(kind=SponsorKind.ENTERPRISE, name="威海某公司"),
    )
    card = Card.file(ctx(Role.ENTERPRISE), app)
    card.record_review(
        ctx(Role.DISTRICT),
        Review(stage=ReviewStage.DISTRICT, decision=ReviewDecision.APPROVED, reviewer="r"),
    )
    joint = ("市委组织部", "市发改委", "市工信局")
    review = Review(
        stage=ReviewStage.CITY_HRSS,
        decision=ReviewDecision.APPROVED,
        reviewer="r",
        joint_with=joint,
    )
    error = assert_refused(card, "file_not_received", lambda: card.record_review(ctx(), review))
    assert "before the city_hrss decides" in error.message
    card.receive(ctx(Role.CITY_WINDOW), Role.CITY_WINDOW)
    card.record_review(ctx(), review)
    assert card.next_stage is None
