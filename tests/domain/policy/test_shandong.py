"""Shandong Huicai card (山东惠才卡): the three types, the 7.1 path, working-day
deadlines, the 30 items, the default term, and no revocation procedure in the standard."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidInput
from domain.policy import (
    TermBasis,
    TermBasisKind,
    add_working_days,
    decide_eligibility,
    decide_entitlement,
    decide_term,
    is_working_day,
    issuance_deadline,
    parse_policy,
    tier_ranking,
)
from domain.policy.loader import package_texts
from domain.vocabulary import ReviewStage, Role, Route, Scheme
from tests.domain.policy.support import COMPANION, HOLDER, SPOUSE, card, child, revokes, take_steps

SD = Scheme.SHANDONG
DAY = date(2025, 3, 3)
S = ReviewStage


# Every type 一般应凭创新创业成绩 (5.2.1-5.2.3): the record of innovation or enterprise.
BASIS: dict[str, dict[str, bool | int]] = {
    "direct": {"provincial_comprehensive_programme": True, "innovation_record": True},
    "reviewed": {
        "academician_or_major_award": True,
        "flexibly_introduced": True,
        "innovation_record": True,
    },
    "evaluated": {
        "shortage_industry": True,
        "senior_title_or_phd": True,
        "years_in_key_field": 3,
        "innovation_record": True,
    },
}
LEVELS = {  # 7.1 items 4-5: the same-level window reviews; the file rises level by level
    "county_employer": (S.COUNTY_WINDOW,),  # the city window takes it in (intake)
    "city_employer": (S.CITY_WINDOW,),
    "provincial_employer": (),
}


@pytest.mark.parametrize("level", list(LEVELS))
@pytest.mark.parametrize("category", list(BASIS))
def test_shandong_7_1_files_start_at_the_same_level_window_and_rise_level_by_level(
    category: str, level: str
) -> None:
    decision = decide_eligibility(SD, category, {**BASIS[category], level: True}, DAY)
    assert decision.eligible, decision.reason
    assert decision.route == Route(category) and decision.tier == category
    expert = (S.EXPERT_PANEL,) if category == "evaluated" else ()
    assert decision.stages == (*LEVELS[level], *expert, S.PROVINCIAL_WINDOW)
    passes_city = level == "county_employer"
    assert decision.intake == (Role.CITY_WINDOW if passes_city else None)
    name = level.removesuffix("_employer")
    assert decision.rules == (f"shandong.category.{category}", f"shandong.path.{category}.{name}")


def test_a_shandong_file_that_does_not_say_its_employer_s_level_is_refused_naming_the_facts() -> (
    None
):
    with pytest.raises(InvalidInput) as refused:
        decide_eligibility(SD, "direct", BASIS["direct"], DAY)
    assert refused.value.code == "path_fact_required"
    assert "county_employer" in refused.value.message
    assert "provincial_employer" in refused.value.message


@pytest.mark.parametrize(
    ("facts", "failed"),
    [
        ({"senior_title_or_phd": True, "years_in_key_field": 3}, "5.2.3: talent urgently needed"),
        (
            {"shortage_industry": True, "senior_title_or_phd": True, "years_in_key_field": 2},
            "none of",
        ),
    ],
)
def test_an_evaluated_card_needs_a_shortage_industry_and_one_listed_basis(
    facts: dict[str, bool | int], failed: str
) -> None:
    decision = decide_eligibility(
        SD, "evaluated", {**facts, "city_employer": True, "innovation_record": True}, DAY
    )
    assert not decision.eligible
    assert decision.failed_condition is not None and decision.failed_condition.startswith(failed)


def test_shandong_types_are_not_ranked() -> None:
    assert not tier_ranking(SD).ranked


def test_the_term_defaults_to_five_years_or_follows_the_programme() -> None:
    assert decide_term(SD, "direct", date(2024, 2, 29)).valid_until == date(2029, 2, 28)
    given = decide_term(
        SD,
        "reviewed",
        DAY,
        [TermBasis(kind=TermBasisKind.PROGRAMME_PERIOD, until=date(2027, 12, 31))],
    )
    assert given.valid_until == date(2027, 12, 31)
    assert given.rules == ("shandong.term.programme",)


def test_a_contract_is_no_basis_for_a_huicai_card_term() -> None:
    with pytest.raises(InvalidInput) as refused:
        decide_term(SD, "direct", DAY, [TermBasis(kind=TermBasisKind.CONTRACT, years=3)])
    assert refused.value.code == "basis_not_applicable"


@pytest.mark.parametrize("tier", ["direct", "reviewed", "evaluated"])
def test_every_type_gets_the_thirty_items_for_the_holder(tier: str) -> None:
    # A.9 spouse employment and A.10 schooling serve the spouse and the children.
    c = card(SD, tier)
    user = {9: SPOUSE, 10: child(date(2015, 1, 1))}
    assert all(
        decide_entitlement(c, f"shandong.{n}", user.get(n, HOLDER), DAY).granted
        for n in range(1, 31)
    )
    assert not decide_entitlement(c, "shandong.14", COMPANION, DAY).granted
    assert not decide_entitlement(c, "shandong.17", SPOUSE, DAY).granted


def test_an_item_of_another_scheme_is_invalid_for_a_huicai_card() -> None:
    with pytest.raises(InvalidInput) as refused:
        decide_entitlement(card(SD, "direct"), "liaocheng.19", HOLDER, DAY)
    assert refused.value.code == "unknown_item"


def test_a_huicai_card_is_revoked_on_the_provincial_window_s_approval() -> None:
    assert revokes(SD, Role.CITY_WINDOW, [Role.PROVINCIAL_WINDOW])


def test_a_huicai_card_revocation_needs_the_provincial_window_not_city_hrss() -> None:
    decision = take_steps(SD, Role.EMPLOYER, [Role.CITY_HRSS])
    assert (decision.allowed, decision.code) == (False, "revocation_step_role")
    assert "provincial_window" in decision.reason


# ---- deadlines (7.1) ------------------------------------------------------------------------


def test_a_direct_file_received_friday_26_september_2025_is_due_monday_13_october() -> None:
    decision = issuance_deadline(Route.DIRECT, date(2025, 9, 26))
    assert decision.due_on == date(2025, 10, 13)
    assert not decision.estimated
    assert decision.rules == ("shandong.deadline.direct",)
    assert decision.working_days == 7


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 9, 27), False),  # Saturday
        (date(2025, 9, 28), True),  # Sunday, adjusted working day
        (date(2025, 10, 1), False),
        (date(2025, 10, 8), False),
        (date(2025, 10, 11), True),  # Saturday, adjusted working day
    ],
)
def test_working_days_follow_the_holiday_calendar(day: date, working: bool) -> None:
    assert is_working_day(day) == (working, False)


@pytest.mark.parametrize(
    ("received", "confirmed", "due"),
    [
        (date(2025, 9, 1), date(2025, 9, 1), date(2025, 9, 19)),
        (date(2025, 9, 1), date(2025, 9, 15), date(2025, 10, 10)),  # counted from confirmation
        (date(2025, 9, 15), date(2025, 9, 1), date(2025, 10, 10)),  # not before receipt
    ],
)
def test_a_reviewed_file_is_due_14_working_days_after_the_contract_is_confirmed(
    received: date, confirmed: date, due: date
) -> None:
    decision = issuance_deadline(Route.REVIEWED, received, contract_confirmed_on=confirmed)
    assert decision.due_on == due and decision.starts_on == max(received, confirmed)


def test_a_reviewed_file_has_no_due_date_before_the_contract_is_confirmed() -> None:
    decision = issuance_deadline(Route.REVIEWED, date(2025, 9, 1))
    assert decision.due_on is None and "contract is confirmed" in decision.reason


def test_an_evaluated_file_is_issued_after_the_expert_review_with_no_fixed_count() -> None:
    decision = issuance_deadline(Route.EVALUATED, date(2025, 9, 1))
    assert decision.due_on is None and decision.rules == ("shandong.deadline.evaluated",)


def test_a_2027_deadline_is_counted_monday_to_friday_and_marked_estimated() -> None:
    decision = issuance_deadline(Route.DIRECT, date(2026, 12, 30))
    # 12-31 (Thu), then 2027: 01-01 Fri, 04, 05, 06, 07, 08 — weekdays assumed
    assert decision.due_on == date(2027, 1, 8)
    assert decision.estimated and "estimated" in decision.reason


def test_a_deadline_inside_2026_is_not_estimated() -> None:
    assert not issuance_deadline(Route.DIRECT, date(2026, 12, 1)).estimated


def test_an_administrator_calendar_covers_2027_and_the_deadline_is_no_longer_estimated() -> None:
    workdays = (
        '[[years]]\nyear = 2027\nsource = "holiday notice for 2027"\n'
        "holidays = [2027-01-01]\nadjusted_workdays = [2027-01-09]\n"
    )
    policy = parse_policy({**package_texts(), "workdays.toml": workdays})
    decision = issuance_deadline(Route.DIRECT, date(2026, 12, 30), policy=policy)
    # 12-31, then 01-04 .. 01-08 and the adjusted Saturday 01-09; 01-01 is a holiday
    assert decision.due_on == date(2027, 1, 9)
    assert not decision.estimated


def test_other_schemes_set_no_issuance_deadline() -> None:
    decision = issuance_deadline(Route.REVIEWED, DAY, scheme=Scheme.WEIHAI)
    assert decision.due_on is None and decision.rules == ()


def test_counting_zero_working_days_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        add_working_days(DAY, 0)
    assert refused.value.code == "working_days_not_positive"


@pytest.mark.parametrize("category", list(BASIS))
def test_a_soft_criterion_unmet_needs_the_talent_office_s_recorded_exception(category: str) -> None:
    # 5.2.1-5.2.3 一般应: the same everywhere - refused without it, admitted with the
    # exception's reference, and the decision names who decided it.
    facts = {**BASIS[category], "innovation_record": False, "city_employer": True}
    refused = decide_eligibility(SD, category, facts, DAY)
    assert not refused.eligible and "创新创业成绩" in (refused.failed_condition or "")
    excepted = decide_eligibility(
        SD, category, {**facts, "exception_innovation_record": "鲁人才办〔2026〕3号"}, DAY
    )
    assert excepted.eligible
    assert excepted.exceptions and "鲁人才办〔2026〕3号 by talent_office" in excepted.exceptions[0]


def test_a_city_window_recommendation_needs_the_city_s_green_channel_too() -> None:
    # 5.2.3 item 4: 纳入市级绿色通道服务范围并由市级高层次人才服务窗口推荐申领.
    facts = {
        "shortage_industry": True,
        "innovation_record": True,
        "city_employer": True,
        "city_window_recommendation": True,
    }
    assert not decide_eligibility(SD, "evaluated", facts, DAY).eligible
    facts["in_city_green_channel"] = True
    assert decide_eligibility(SD, "evaluated", facts, DAY).eligible


def test_a_residence_permit_is_for_foreign_talent_working_in_shandong() -> None:
    # annex A.2: 在山东工作的外国高层次人才.
    decision = decide_entitlement(
        card(SD, "direct"),
        "shandong.2",
        HOLDER,
        DAY,
        facts={"foreign_talent": True, "works_in_province": False},
    )
    assert not decision.granted and "shandong.condition.works_in_shandong" in decision.reason
