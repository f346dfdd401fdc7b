"""Review: each stage in the order the path sets, by its own role; the body that
receives the file first (受理) and the departments a stage decides jointly with."""

from __future__ import annotations

from datetime import date

import pytest

from domain.card import Card
from domain.errors import NotAuthorised, ReviewIncomplete
from domain.values import Basis, Review, Sponsor
from domain.vocabulary import CardStatus, ReviewDecision, ReviewStage, Role, Scheme, SponsorKind
from tests.domain.factories import (
    application,
    approve,
    assert_refused,
    ctx,
    elite_application,
    reviewed_card,
)


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


def test_a_review_after_every_stage_approved_is_refused():
    card = reviewed_card()
    assert_refused(card, "review_complete", lambda: approve(card, ReviewStage.CITY_HRSS))


# ---- intake and joint decisions (issue 10) -------------------------------------------------------


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
