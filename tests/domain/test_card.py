"""The Card aggregate's lifecycle and invariants, deciding through the policy engine,
without any store."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from domain.card import Card
from domain.errors import DomainError, InvalidInput, NotAuthorised, ReviewIncomplete
from domain.policy import TermBasis, TermBasisKind
from domain.values import (
    Application,
    Approval,
    Basis,
    Context,
    Holder,
    IdentityRef,
    Review,
    Sponsor,
    StatusChange,
)
from domain.vocabulary import (
    CardStatus,
    IdDocumentKind,
    ReviewDecision,
    ReviewStage,
    Role,
    Route,
    Scheme,
    SponsorKind,
)

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 on Monday 2 March 2026 in Shanghai
FACTS: dict[tuple[Scheme, str], dict[str, Any]] = {
    (Scheme.LIAOCHENG, "art5.1"): {"holds_huicai_card": True},
    (Scheme.LIAOCHENG, "art5.3"): {"certified_excellent": True},
    (Scheme.JINAN, "C"): {"certified_in_catalogue": True},
    (Scheme.WEIHAI, "business_elite"): {"key_member_of_project_under_negotiation": True},
    (Scheme.WEIHAI, "4"): {"fortune_or_china_500_senior_manager": True},
}


def ctx(role: Role = Role.CITY_HRSS, at: datetime = T0, actor: str = "someone") -> Context:
    return Context(actor=actor, role=role, effective_at=at, note="")


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
    card.record_review(
        ctx(Role(stage), at=at),
        Review(stage=stage, decision=ReviewDecision.APPROVED, reviewer="r"),
    )


def reviewed_card(scheme: Scheme = Scheme.LIAOCHENG, category: str = "art5.3") -> Card:
    card = Card.file(ctx(Role.EMPLOYER), application(scheme, category))
    for stage in card.required_stages:
        approve(card, stage)
    return card


def issued_card(scheme: Scheme = Scheme.LIAOCHENG, category: str = "art5.3") -> Card:
    card = reviewed_card(scheme, category)
    card.issue(ctx())
    return card


def change() -> StatusChange:
    return StatusChange(reason="under investigation", proposer="employer", approver="city hrss")


def revoke(card: Card, at: datetime = T0, **overrides: Any) -> None:
    fields: dict[str, Any] = {
        "reason": "violation",
        "proposer": "聊城大学",
        "proposer_role": Role.EMPLOYER,
        "approvals": (Approval(role=Role.CITY_HRSS, name="liu"),),
    }
    fields.update(overrides)
    card.revoke(ctx(at=at), **fields)


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
    card.upgrade(ctx(), "A")
    revoke(card)
    names = [type(e).__name__ for e in card.collect_events()]
    assert names == ["Applied", "ReviewRecorded", "ReviewRecorded", "Issued", "Upgraded", "Revoked"]
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
    card.upgrade(ctx(at=later), "A")
    assert card.term is not None
    assert (card.term.valid_from, card.term.valid_until) == (date(2027, 4, 6), date(2032, 4, 5))


def test_a_card_can_be_upgraded_on_its_last_valid_day_but_not_the_day_after():
    last_day = datetime(2031, 3, 1, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai
    card = issued_card(Scheme.JINAN, "C")
    card.upgrade(ctx(at=last_day), "B")
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
    card.extend(ctx(at=landed), event_on=date(2026, 6, 1), evidence=("doc://contract",))
    assert card.term.valid_until == date(2031, 3, 1)
    assert card.term.valid_from == date(2026, 3, 2)


def test_an_extension_needs_evidence_and_a_trigger_that_already_happened():
    card = weihai_business_elite()
    assert_refused(
        card, "invalid_input", lambda: card.extend(ctx(), event_on=date(2026, 3, 2), evidence=())
    )
    assert_refused(
        card,
        "invalid_input",
        lambda: card.extend(ctx(), event_on=date(2026, 3, 3), evidence=("doc",)),
    )


def test_a_scheme_without_an_extension_rule_refuses_to_extend():
    card = issued_card(Scheme.JINAN, "C")
    assert_refused(
        card,
        "no_extension_rule",
        lambda: card.extend(ctx(), event_on=date(2026, 3, 2), evidence=("doc",)),
    )


def test_extending_a_revoked_card_is_refused():
    card = weihai_business_elite()
    revoke(card, proposer_role=Role.EMPLOYER)
    assert_refused(
        card,
        "card_revoked",
        lambda: card.extend(ctx(), event_on=date(2026, 3, 2), evidence=("doc",)),
    )


# ---- suspension and revocation --------------------------------------------------------------


def test_revoking_twice_is_refused():
    card = issued_card()
    revoke(card)
    assert_refused(card, "already_revoked", lambda: revoke(card))


def test_a_jinan_revocation_needs_both_city_hrss_and_the_talent_office():
    card = issued_card(Scheme.JINAN, "C")
    error = assert_refused(card, "revocation_not_approved", lambda: revoke(card))
    assert "talent_office" in error.message
    assert error.rule == "jinan.revocation"
    revoke(
        card,
        approvals=(
            Approval(role=Role.CITY_HRSS, name="liu"),
            Approval(role=Role.TALENT_OFFICE, name="zhao"),
        ),
    )
    assert card.status_on(date(2026, 3, 2)) is CardStatus.REVOKED


def test_a_revocation_proposed_by_a_role_the_scheme_does_not_name_is_refused():
    card = issued_card()
    assert_refused(
        card, "revocation_not_approved", lambda: revoke(card, proposer_role=Role.APPLICANT)
    )


def test_the_revocation_is_recorded_by_one_of_its_approvers():
    card = issued_card()
    card.collect_events()
    with pytest.raises(NotAuthorised, match="recorded by one of its approvers"):
        card.revoke(
            ctx(Role.TALENT_OFFICE),
            reason="r",
            proposer="p",
            proposer_role=Role.EMPLOYER,
            approvals=(Approval(role=Role.CITY_HRSS, name="liu"),),
        )


def test_a_suspended_card_is_reinstated_and_cannot_be_suspended_twice():
    card = issued_card()
    card.suspend(ctx(), change())
    assert_refused(card, "already_suspended", lambda: card.suspend(ctx(), change()))
    card.reinstate(ctx(), change())
    assert card.status_on(date(2026, 3, 2)) is CardStatus.ACTIVE
    assert_refused(card, "not_suspended", lambda: card.reinstate(ctx(), change()))


def test_a_suspended_card_cannot_be_upgraded_but_can_be_revoked():
    card = issued_card()
    card.suspend(ctx(), change())
    assert_refused(card, "card_suspended", lambda: card.upgrade(ctx(), "A"))
    revoke(card)
    assert card.status_on(date(2026, 3, 2)) is CardStatus.REVOKED


# ---- events ---------------------------------------------------------------------------------


def test_every_event_records_who_acted_in_which_role_when_and_why():
    who = Context(actor="wang", role=Role.EMPLOYER, effective_at=T0, note="首次申领")
    card = Card.file(who, application())
    (applied,) = card.collect_events()
    assert applied.ctx == who  # type: ignore[attr-defined]


def test_replaying_the_events_rebuilds_the_same_card():
    card = issued_card(Scheme.JINAN, "C")
    card.suspend(ctx(), change())
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
