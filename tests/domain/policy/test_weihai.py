"""Weihai Yingcai card (威海英才卡): 2019 opinion categories, paths, terms and services;
2023 notice categories, quotas, 1-year term and its extension; policy versions."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import IllegalTransition, InvalidInput
from domain.policy import (
    TermBasis,
    TermBasisKind,
    Usage,
    decide_eligibility,
    decide_entitlement,
    decide_quota,
    decide_term,
    decide_upgrade,
    default_policy,
    extension_term,
    recognised_as_basis,
    tier_ranking,
)
from domain.policy.dates import term_end
from domain.vocabulary import ReviewStage, Role, Route, Scheme
from tests.domain.policy.support import COMPANION, HOLDER, SPOUSE, card, child, revokes

W = Scheme.WEIHAI
DAY = date(2024, 3, 1)
S = ReviewStage
REVIEWED = (S.DISTRICT, S.CITY_HRSS, S.TALENT_OFFICE)
ELITE = {"key_member_of_project_under_negotiation": True}
HIRE = {"planned_hire_of_target_enterprise": True}
OTHER_CARD = {
    "holds_other_city_card": True,
    "other_city_card_valid_from": "2022-01-01",
    "other_city_card_valid_until": "2026-12-31",
}


@pytest.mark.parametrize(
    ("category", "facts", "route", "stages"),
    [
        (
            "1",
            {
                "works_in_weihai": True,
                "holds_huicai_card": True,
                "huicai_card_valid_from": "2020-01-01",
            },
            Route.DIRECT,
            (),
        ),
        ("2", {"selected_yingcai_programme": True}, Route.DIRECT, ()),
        ("3", {"imported_national_or_provincial_programme": True}, Route.REVIEWED, REVIEWED),
        ("3", {"recommended_departmental_programme": True}, Route.REVIEWED, REVIEWED),
        (
            "4",
            {"fortune_or_china_500_senior_manager": True, "brought_in_by_weihai_employer": True},
            Route.REVIEWED,
            REVIEWED,
        ),
        ("4", {"phd_shortage_speciality": True, "years_in_key_field": 3}, Route.REVIEWED, REVIEWED),
        ("4", {"full_senior_title": True, "innovation_record": True}, Route.REVIEWED, REVIEWED),
        (
            "business_elite",
            ELITE,
            Route.REVIEWED,
            (S.CITY_HRSS, S.TALENT_OFFICE),  # the talent institute is the intake, no stage
        ),
        (
            "enterprise_talent",
            {**HIRE, "national_or_provincial_programme": True},
            Route.REVIEWED,
            (S.DISTRICT, S.CITY_HRSS),
        ),
    ],
)
def test_each_category_has_its_route_and_ordered_stages(
    category: str, facts: dict[str, bool | int], route: Route, stages: tuple[ReviewStage, ...]
) -> None:
    decision = decide_eligibility(W, category, facts, DAY)
    assert decision.eligible, decision.reason
    assert (decision.route, decision.stages, decision.tier) == (route, stages, category)


def test_holding_a_huicai_card_without_working_in_weihai_is_not_category_1() -> None:
    decision = decide_eligibility(
        W, "1", {"holds_huicai_card": True, "huicai_card_valid_from": "2020-01-01"}, DAY
    )
    assert not decision.eligible
    assert decision.failed_condition == "works for an employer in Weihai (在我市单位工作)"


def test_a_phd_with_two_years_in_a_key_field_is_not_category_4() -> None:
    facts = {"phd_shortage_speciality": True, "years_in_key_field": 2}
    decision = decide_eligibility(W, "4", facts, DAY)
    assert not decision.eligible
    assert decision.failed_condition is not None
    assert decision.failed_condition.startswith("none of: ")


PUBLIC = {"imported_national_or_provincial_programme": True, "full_time_public_institution": True}


@pytest.mark.parametrize(
    ("born", "extra", "eligible"),
    [
        (date(1968, 3, 2), {}, True),  # 55 years and 364 days when brought in
        (date(1968, 3, 1), {}, False),  # 56th birthday on the day brought in
        # 一般: an exception recorded with its decision's reference
        (date(1968, 3, 1), {"exception_age": "威人才办〔2026〕1号"}, True),
    ],
)
def test_full_time_public_institution_talent_is_normally_at_most_55(
    born: date, extra: dict[str, str], eligible: bool
) -> None:
    facts = {**PUBLIC, **extra, "introduced_on": DAY.isoformat()}
    decision = decide_eligibility(W, "3", facts, DAY, date_of_birth=born)
    assert decision.eligible is eligible
    if not eligible:
        assert decision.failed_condition is not None and "55" in decision.failed_condition


def test_the_age_limit_is_measured_when_the_talent_was_brought_in_not_on_filing() -> None:
    # part 2(1).3: 全职引进到市内事业单位工作的，年龄一般不超过55周岁 - the age of the
    # introduction. Brought in at 51 in 2020, 57 when the card is asked for.
    facts = {**PUBLIC, "introduced_on": "2020-01-02"}
    born = date(1968, 3, 1)
    assert decide_eligibility(W, "3", facts, DAY, date_of_birth=born).eligible
    late = {**PUBLIC, "introduced_on": "2024-06-01"}
    assert not decide_eligibility(W, "3", late, DAY, date_of_birth=born).eligible


def test_a_malformed_introduction_date_is_refused_naming_the_fact() -> None:
    with pytest.raises(InvalidInput) as refused:
        decide_eligibility(
            W, "3", {**PUBLIC, "introduced_on": "last spring"}, DAY, date_of_birth=date(1970, 1, 1)
        )
    assert refused.value.code == "fact_not_a_date" and "introduced_on" in refused.value.message


def test_the_age_limit_does_not_apply_outside_public_institutions() -> None:
    facts = {"imported_national_or_provincial_programme": True}
    assert decide_eligibility(W, "3", facts, DAY, date_of_birth=date(1950, 1, 1)).eligible


def test_the_age_limit_needs_a_date_of_birth_for_public_institution_hires() -> None:
    assert not decide_eligibility(W, "3", PUBLIC, DAY).eligible


@pytest.mark.parametrize(
    ("facts", "eligible"),
    [
        # ① cross-city recognition: the other city's card in force on the decision day
        ({**HIRE, **OTHER_CARD}, True),
        ({**HIRE, **OTHER_CARD, "other_city_card_valid_until": "2024-02-29"}, False),  # expired
        ({**HIRE, **OTHER_CARD, "other_city_card_valid_from": "2024-03-02"}, False),  # not yet
        ({**HIRE, "holds_other_city_card": True, "other_city_card_valid_from": "2020-01-01"}, True),
        ({**HIRE, "holds_other_city_card": True}, False),  # dates unknown: not shown in force
        ({**HIRE, "annual_salary_cny": 400001, "shortage_field": True}, True),
        ({**HIRE, "annual_salary_cny": 400000, "shortage_field": True}, False),  # not above
        ({**HIRE, "approved_by_talent_office": True}, True),
        ({**OTHER_CARD}, False),  # not a target enterprise's hire
    ],
)
def test_enterprise_talent_needs_one_of_the_five_criteria(
    facts: dict[str, bool | int], eligible: bool
) -> None:
    assert decide_eligibility(W, "enterprise_talent", facts, DAY).eligible is eligible


@pytest.mark.parametrize(
    ("presented", "honoured"),
    [
        (Scheme.JINAN, True),
        (Scheme.LIAOCHENG, True),
        (Scheme.WEIHAI, False),
        (Scheme.SHANDONG, False),
    ],
)
def test_another_citys_city_level_card_counts_as_criterion_one(
    presented: Scheme, honoured: bool
) -> None:
    decision = recognised_as_basis(W, "enterprise_talent", presented, DAY)
    assert decision.honoured is honoured
    assert decision.rules == ("weihai.recognition.other_city_card",)


@pytest.mark.parametrize(
    ("day", "eligible", "version"),
    [
        (date(2023, 2, 19), False, "weihai-2019"),  # the day before the 2023 notice
        (date(2023, 2, 20), True, "weihai-2023"),
        (date(2024, 7, 7), True, "weihai-2023"),  # the 2019 opinion's last day
        (date(2024, 7, 8), True, "weihai-2024-continued"),  # continued as data
    ],
)
def test_the_2023_categories_exist_from_the_notice_and_continue_after_2024(
    day: date, eligible: bool, version: str
) -> None:
    decision = decide_eligibility(W, "business_elite", ELITE, day)
    assert (decision.eligible, decision.version) == (eligible, version)
    assert decision.rules[0] == "weihai.category.business_elite"


def test_the_2019_rules_decide_the_same_way_under_the_continued_version() -> None:
    facts = {"selected_yingcai_programme": True}
    before = decide_eligibility(W, "2", facts, date(2024, 7, 7))
    after = decide_eligibility(W, "2", facts, date(2024, 7, 8))
    assert before.rules == after.rules == ("weihai.category.2", "weihai.path.direct")
    assert (before.version, after.version) == ("weihai-2023", "weihai-2024-continued")


def test_weihai_categories_are_not_ranked_tiers() -> None:
    assert not tier_ranking(W).ranked
    decision = decide_upgrade(card(W, "3"), "1", DAY)
    assert not decision.allowed and "no ranked tiers" in decision.reason


# ---- terms (2019 part 2(3); 2023 part 2) --------------------------------------------------------


def basis(kind: TermBasisKind, *, years: int | None = None, until: date | None = None) -> TermBasis:
    return TermBasis(kind=kind, years=years, until=until)


CONTRACT = TermBasisKind.CONTRACT
PROGRAMME = TermBasisKind.PROGRAMME_PERIOD
HUICAI = TermBasisKind.HUICAI_CARD


@pytest.mark.parametrize(
    ("bases", "until", "rule", "capped"),
    [
        ((), date(2029, 2, 28), "weihai.term.default", False),
        ((basis(PROGRAMME, years=3),), date(2027, 2, 28), "weihai.term.programme_period", False),
        ((basis(PROGRAMME, years=8),), date(2032, 2, 29), "weihai.term.programme_period", False),
        ((basis(CONTRACT, years=3),), date(2027, 2, 28), "weihai.term.contract", False),
        ((basis(CONTRACT, years=7),), date(2029, 2, 28), "weihai.term.contract", True),  # 7 → 5
        (
            (basis(CONTRACT, until=date(2035, 1, 1)),),
            date(2029, 2, 28),
            "weihai.term.contract",
            True,
        ),
    ],
)
def test_each_basis_sets_the_term_by_its_own_rule(
    bases: tuple[TermBasis, ...], until: date, rule: str, capped: bool
) -> None:
    term = decide_term(W, "3", DAY, bases)
    assert (term.valid_from, term.valid_until, term.capped) == (DAY, until, capped)
    assert term.rules == (rule,)


def test_a_five_year_term_from_29_february_ends_on_28_february() -> None:
    assert decide_term(W, "4", date(2024, 2, 29)).valid_until == date(2029, 2, 28)


def test_several_bases_take_the_longest_single_term_never_the_sum() -> None:
    term = decide_term(W, "3", DAY, [basis(PROGRAMME, years=3), basis(CONTRACT, years=4)])
    assert term.valid_until == date(2028, 2, 29)  # 4 years, not 7
    assert term.rules == ("weihai.term.contract", "weihai.term.highest_not_cumulative")


def test_a_basis_that_ended_before_issue_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        decide_term(W, "1", DAY, [basis(HUICAI, until=date(2024, 2, 1))])
    assert refused.value.code == "basis_expired"


@pytest.mark.parametrize("category", ["business_elite", "enterprise_talent"])
def test_a_2023_card_is_first_issued_for_one_year(category: str) -> None:
    term = decide_term(W, category, DAY)
    assert term.valid_until == date(2025, 2, 28)
    assert term.rules == ("weihai.term.first_issue_2023",)
    with pytest.raises(InvalidInput) as refused:
        decide_term(W, category, DAY, [basis(CONTRACT, years=3)])
    assert refused.value.code == "basis_not_applicable"


@pytest.mark.parametrize("landed", [date(2024, 3, 1), date(2025, 2, 28)])
def test_landing_extends_a_2023_card_to_five_years_from_its_start(landed: date) -> None:
    term = extension_term(
        W, "business_elite", DAY, date(2025, 2, 28), landed, shows=("project_landed",)
    )
    assert (term.valid_from, term.valid_until) == (DAY, date(2029, 2, 28))
    assert term.rules == ("weihai.term.extension_2023",)


def test_a_hire_after_the_first_year_ran_out_still_extends_the_card() -> None:
    # 2023 part 2: the notice sets no window for the landing or the hire; only the first
    # opening is fixed at one year (the old reading refused a hire on day 367).
    term = extension_term(
        W,
        "enterprise_talent",
        DAY,
        date(2025, 2, 28),
        date(2025, 9, 1),
        shows=("full_time_hire", "social_insurance"),
    )
    assert term.valid_until == date(2029, 2, 28)
    assert term.rules == ("weihai.term.extension_2023.hire",)


@pytest.mark.parametrize(
    ("shows", "extended"),
    [
        (("full_time_hire", "social_insurance"), True),
        (("flexible_hire", "work_contract", "partner_pay"), True),
        (("full_time_hire",), False),  # 全职引进: social insurance must be paid
        (("flexible_hire", "work_contract"), False),  # 柔性引进: paid by the partner unit
        (("project_landed",), True),  # 正式落地或正式引进: either event extends
    ],
)
def test_an_enterprise_talent_hire_shows_the_evidence_part_1_2_names(
    shows: tuple[str, ...], extended: bool
) -> None:
    def extend() -> object:
        return extension_term(
            W, "enterprise_talent", DAY, date(2025, 2, 28), date(2024, 6, 1), shows=shows
        )

    if extended:
        extend()
    else:
        with pytest.raises(InvalidInput) as refused:
            extend()
        assert refused.value.code == "extension_evidence_missing"
        assert "social insurance" in refused.value.message


def test_an_event_after_the_five_years_extends_nothing() -> None:
    with pytest.raises(IllegalTransition) as refused:
        extension_term(
            W, "business_elite", DAY, date(2025, 2, 28), date(2029, 3, 1), shows=("project_landed",)
        )
    assert refused.value.code == "card_not_in_force"


def test_a_2019_category_card_has_no_extension_rule() -> None:
    with pytest.raises(InvalidInput) as refused:
        extension_term(W, "3", DAY, date(2029, 2, 28), date(2025, 1, 1))
    assert refused.value.code == "no_extension_rule"


BASES = st.lists(
    # A category 3 card's bases: a programme's period or a contract (the 惠才卡's term is
    # category 1's, part 2(3)).
    st.tuples(st.sampled_from([CONTRACT, PROGRAMME]), st.integers(1, 12)),
    min_size=1,
    max_size=4,
)


@settings(max_examples=200, deadline=None)
@given(start=st.dates(date(2019, 7, 8), date(2035, 12, 31)), spec=BASES)
def test_weihai_terms_never_exceed_the_cap_and_never_sum_across_bases(
    start: date, spec: list[tuple[TermBasisKind, int]]
) -> None:
    bases = [basis(kind, years=years) for kind, years in spec]
    # 属引进人才的: the contract basis is a brought-in talent's (category 3's first way).
    facts = {"imported_national_or_provincial_programme": True}
    term = decide_term(W, "3", start, bases, facts=facts)
    assert term.valid_until is not None
    singles = [decide_term(W, "3", start, [b], facts=facts).valid_until for b in bases]
    assert all(s is not None for s in singles)
    assert term.valid_until == max(s for s in singles if s is not None)  # longest single term
    cap = term_end(start, 5)
    for (kind, _), single in zip(spec, singles, strict=True):
        if kind is CONTRACT:
            assert single is not None and single <= cap
    if all(kind is CONTRACT for kind, _ in spec):
        assert term.valid_until <= cap
    longest_years = max(years for _, years in spec)
    assert term.valid_until <= term_end(start, longest_years)  # never a sum


# ---- quotas (2023 part 1) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "existing", "case_by_case", "allowed", "limit"),
    [
        ("business_elite", 2, None, True, 3),
        ("business_elite", 3, None, False, 3),
        ("business_elite", 3, 5, True, 5),  # 一事一议 raises the project's quota
        ("business_elite", 5, 5, False, 5),
        ("enterprise_talent", 2, None, True, 3),
        ("enterprise_talent", 3, None, False, 3),
    ],
)
def test_at_most_three_cards_per_project_or_enterprise(
    category: str, existing: int, case_by_case: int | None, allowed: bool, limit: int
) -> None:
    decision = decide_quota(
        W, category, existing, DAY, case_by_case_quota=case_by_case, attests=("major_project",)
    )
    assert (decision.allowed, decision.limit) == (allowed, limit)
    assert decision.rules == (f"weihai.quota.{category}",)
    if not allowed:
        assert f"weihai.quota.{category}" in decision.reason


def test_a_fourth_business_elite_card_is_refused_naming_the_rule() -> None:
    decision = decide_quota(W, "business_elite", 3, DAY)
    assert not decision.allowed
    assert "quota full: 3 of 3 per project" in decision.reason
    assert "weihai-2023-card-for-investment-and-recruitment part 1(1)" in decision.reason


def test_a_case_by_case_decision_does_not_raise_an_enterprise_quota() -> None:
    decision = decide_quota(W, "enterprise_talent", 3, DAY, case_by_case_quota=6)
    assert not decision.allowed and "no case-by-case increase" in decision.reason


def test_a_case_by_case_decision_must_raise_the_quota() -> None:
    with pytest.raises(InvalidInput) as refused:
        decide_quota(W, "business_elite", 1, DAY, case_by_case_quota=2, attests=("major_project",))
    assert refused.value.code == "quota_not_raised"


def test_a_case_by_case_raise_is_for_major_projects_only() -> None:
    # 2023 part 1(1): 重大项目可采取"一事一议"增加发放名额.
    decision = decide_quota(W, "business_elite", 3, DAY, case_by_case_quota=5)
    assert not decision.allowed and decision.limit == 3
    assert "major_project" in decision.reason


def test_categories_without_a_quota_are_always_allowed() -> None:
    decision = decide_quota(W, "3", 99, DAY)
    assert decision.allowed and decision.limit is None and decision.rules == ()


def test_no_quota_applies_before_the_2023_notice() -> None:
    assert decide_quota(W, "business_elite", 10, date(2023, 2, 19)).limit is None


# ---- services (2019 part 3) ---------------------------------------------------------------------


@pytest.mark.parametrize("item", ["weihai.14", "weihai.15", "weihai.16"])
def test_airport_ferry_and_rail_admit_the_holder_and_one_companion(item: str) -> None:
    c = card(W, "2")
    assert decide_entitlement(c, item, HOLDER, DAY).granted
    companion = decide_entitlement(c, item, COMPANION, DAY)
    assert companion.granted and "weihai.beneficiary.travel_companion" in companion.rules
    second = decide_entitlement(c, item, COMPANION, DAY, usage=Usage(companions_admitted=1))
    assert not second.granted
    assert not decide_entitlement(c, item, SPOUSE, DAY).granted


@pytest.mark.parametrize("item", ["weihai.17", "weihai.18", "weihai.12"])
def test_scenic_spots_gyms_and_hospitals_are_for_the_holder(item: str) -> None:
    c = card(W, "4")
    assert decide_entitlement(c, item, HOLDER, DAY).granted
    assert not decide_entitlement(c, item, COMPANION, DAY).granted


@pytest.mark.parametrize("category", ["1", "2", "3", "4", "business_elite", "enterprise_talent"])
def test_every_category_gets_all_thirty_items(category: str) -> None:
    # Items (十) spouse placement and (十一) schooling are the spouse's and the children's
    # (part 3(十) 配偶, (十一) 子女): each is asked for the person it serves.
    c = card(W, category)
    user = {10: SPOUSE, 11: child(date(2015, 1, 1))}
    granted = [
        n
        for n in range(1, 31)
        if decide_entitlement(c, f"weihai.{n}", user.get(n, HOLDER), DAY).granted
    ]
    assert granted == list(range(1, 31))


def test_a_2023_card_grants_nothing_before_the_notice() -> None:
    c = card(W, "business_elite", valid_from=date(2023, 1, 1))
    decision = decide_entitlement(c, "weihai.12", HOLDER, date(2023, 2, 19))
    assert not decision.granted


@pytest.mark.parametrize(("used", "granted"), [(0, True), (1, False)])
def test_one_free_health_check_a_year(used: int, granted: bool) -> None:
    decision = decide_entitlement(
        card(W, "2"), "weihai.20", HOLDER, DAY, usage=Usage(uses_this_year=used)
    )
    assert decision.granted is granted


@pytest.mark.parametrize(
    ("proposer", "approvers", "allowed"),
    [
        (Role.EMPLOYER, [Role.CITY_WINDOW, Role.CITY_HRSS], True),
        # the programme's competent department, through its own level's window
        (Role.PROGRAMME_AUTHORITY, [Role.COUNTY_WINDOW, Role.CITY_HRSS], True),
        (Role.DISTRICT, [Role.COUNTY_WINDOW, Role.CITY_HRSS], False),
        (Role.ENTERPRISE, [Role.CITY_WINDOW, Role.CITY_HRSS], True),
        (Role.EMPLOYER, [Role.CITY_HRSS], False),  # part 2(5): 向同级服务窗口提出意见
        (Role.EMPLOYER, [Role.CITY_WINDOW, Role.TALENT_OFFICE], False),
        (Role.APPLICANT, [Role.CITY_WINDOW, Role.CITY_HRSS], False),
    ],
)
def test_revocation_is_approved_by_city_hrss(
    proposer: Role, approvers: list[Role], allowed: bool
) -> None:
    assert revokes(W, proposer, approvers) is allowed


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ({"years": 3, "until": date(2030, 1, 1)}, "basis_malformed"),
        ({}, "basis_malformed"),
        ({"years": 0}, "basis_too_short"),
    ],
)
def test_a_basis_must_give_one_positive_length(given: dict[str, object], code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        decide_term(W, "3", DAY, [basis(CONTRACT, **given)])  # type: ignore[arg-type]
    assert refused.value.code == code


def test_a_one_year_basis_is_long_enough() -> None:
    assert decide_term(W, "3", DAY, [basis(CONTRACT, years=1)]).valid_until == date(2025, 2, 28)


def test_a_quota_count_cannot_be_negative() -> None:
    with pytest.raises(InvalidInput) as refused:
        decide_quota(W, "business_elite", -1, DAY)
    assert refused.value.code == "negative_count"


def test_a_card_filed_on_the_huicai_card_takes_its_term_and_refuses_to_guess_it() -> None:
    # weihai-2019-green-channel-opinion part 2(3): 凭山东惠才卡申领的，按山东惠才卡待遇享有期限确定.
    with pytest.raises(InvalidInput) as refused:
        decide_term(W, "1", DAY)
    assert refused.value.code == "basis_required"
    assert refused.value.rule == "weihai.term.huicai_card"
    huicai = TermBasis(kind=TermBasisKind.HUICAI_CARD, until=date(2027, 3, 1))
    assert decide_term(W, "1", DAY, [huicai]).valid_until == date(2027, 3, 1)


@pytest.mark.parametrize(
    "facts",
    [
        {"senior_title": True, "innovation_record": True},  # a 副高 title is not 正高
        {"full_senior_title": True},  # the title without the record
    ],
)
def test_category_4_by_title_needs_a_full_senior_title_and_a_record(facts: dict[str, bool]) -> None:
    # weihai-2019-green-channel-opinion part 2(1).4: 具有较好创新创业业绩的正高级职称人员.
    assert not decide_eligibility(W, "4", facts, DAY).eligible


def test_a_500_strong_manager_not_brought_in_by_a_weihai_employer_is_not_category_4() -> None:
    # weihai-2019-green-channel-opinion part 2(1).4:
    # 市内单位引进的世界500强或中国500强企业高级管理人员.
    facts = {"fortune_or_china_500_senior_manager": True}
    assert not decide_eligibility(W, "4", facts, DAY).eligible
    facts["brought_in_by_weihai_employer"] = True
    assert decide_eligibility(W, "4", facts, DAY).eligible


@pytest.mark.parametrize(
    ("facts", "eligible"),
    [
        ({"full_senior_title": True, "innovation_record": True}, True),
        ({"full_senior_title": True}, False),  # 有较好创新创业业绩 is part of ③
        ({"innovation_record": True}, False),  # 正高级: a 副高 title is not enough
    ],
)
def test_enterprise_talent_3_needs_a_full_senior_title_and_a_record(
    facts: dict[str, bool], eligible: bool
) -> None:
    # weihai-2023 part 1(2)③: 有较好创新创业业绩的正高级职称人员.
    decision = decide_eligibility(W, "enterprise_talent", {**HIRE, **facts}, DAY)
    assert decision.eligible is eligible


def test_a_huicai_card_term_is_for_cards_filed_on_it_only() -> None:
    # part 2(3): 凭"山东惠才卡"申领的，按"山东惠才卡"待遇享有期限确定 - category 1's basis.
    with pytest.raises(InvalidInput) as refused:
        decide_term(W, "3", DAY, [basis(HUICAI, until=date(2030, 1, 1))])
    assert refused.value.code == "basis_not_applicable"
    term = decide_term(W, "1", DAY, [basis(HUICAI, until=date(2031, 5, 31))])
    assert (term.valid_until, term.rules) == (date(2031, 5, 31), ("weihai.term.huicai_card",))


# ---- weihai-2026-rectified: 2023 part 2, each category's own event; the lapsed gap -------------
START, FIRST_YEAR_END = date(2026, 3, 2), date(2027, 3, 1)
LANDING = ("project_landed",)
FULL_TIME_HIRE = ("full_time_hire", "social_insurance")


def test_weihai_2023_part_2_an_enterprise_talent_card_extends_only_when_its_talent_is_hired() -> (
    None
):
    # 待……人才正式引进后: the enterprise's planned hire (part 1(2)) is the card's event.
    with pytest.raises(InvalidInput) as refused:
        extension_term(
            W, "enterprise_talent", START, FIRST_YEAR_END, date(2026, 12, 8), shows=LANDING
        )
    assert refused.value.code == "extension_evidence_missing"
    assert refused.value.rule == "weihai.term.extension_2026.enterprise_talent"
    hired = extension_term(
        W, "enterprise_talent", START, FIRST_YEAR_END, date(2026, 12, 8), shows=FULL_TIME_HIRE
    )
    assert hired.valid_until == date(2031, 3, 1)
    assert "formally hired" in hired.basis and "lands" not in hired.basis
    # The old reading still decides the days before 2026-12-07.
    old = extension_term(
        W, "enterprise_talent", START, FIRST_YEAR_END, date(2026, 12, 6), shows=LANDING
    )
    assert old.rules == ("weihai.term.extension_2023.hire",)


def test_weihai_2023_part_2_a_business_elite_card_extends_only_when_its_project_lands() -> None:
    # 待招商项目正式落地后: the project the business elite is a key member of (part 1(1)).
    with pytest.raises(InvalidInput) as refused:
        extension_term(
            W, "business_elite", START, FIRST_YEAR_END, date(2026, 12, 8), shows=FULL_TIME_HIRE
        )
    assert refused.value.code == "extension_evidence_missing"
    landed = extension_term(
        W, "business_elite", START, FIRST_YEAR_END, date(2026, 12, 8), shows=LANDING
    )
    assert landed.rules == ("weihai.term.extension_2026.business_elite",)
    assert "project formally lands" in landed.basis and "hired" not in landed.basis


def test_weihai_2023_part_2_the_days_between_the_first_years_end_and_the_landing_stay_lapsed() -> (
    None
):
    # RD-2026-100: extended on the landing, 5 years from the first day, the gap kept lapsed.
    term = extension_term(
        W, "business_elite", START, FIRST_YEAR_END, date(2027, 6, 1), shows=LANDING
    )
    assert (term.valid_from, term.valid_until) == (START, date(2031, 3, 1))
    assert (term.lapsed_from, term.lapsed_until) == (date(2027, 3, 2), date(2027, 5, 31))
    assert "lapsed 2027-03-02..2027-05-31" in term.basis


def test_weihai_2023_part_2_a_landing_within_the_first_year_leaves_no_gap() -> None:
    term = extension_term(
        W, "business_elite", START, FIRST_YEAR_END, date(2027, 3, 2), shows=LANDING
    )
    assert (term.lapsed_from, term.lapsed_until) == (None, None)


RECTIFIED, BEFORE = date(2026, 12, 8), date(2026, 12, 6)


def test_weihai_part_3_7_equity_outside_performance_pay_is_for_talent_in_a_public_institution() -> (
    None
):
    # (七): 绩效工资 is the 事业单位's pay system; the equity sentence keeps equity out of it.
    c = card(W, "3", category="3")
    outside = {"works_in_public_institution": False}
    refused = decide_entitlement(c, "weihai.7.equity", HOLDER, RECTIFIED, facts=outside)
    assert not refused.granted
    assert "weihai.condition.equity_public_institution" in refused.reason
    unknown = decide_entitlement(c, "weihai.7.equity", HOLDER, RECTIFIED)
    assert unknown.granted and any("事业单位" in r for r in unknown.requires)
    assert decide_entitlement(c, "weihai.7.equity", HOLDER, BEFORE, facts=outside).granted


def test_weihai_part_3_10_a_huicai_holder_working_outside_weihai_gets_no_spouse_allowance():
    # (十): 由高层次人才所在单位和同级财政各承担50% - for talent working in Weihai (在我市单位工作).
    huicai = card(Scheme.SHANDONG, "evaluated")
    elsewhere = {"works_in_weihai": False}
    item = "weihai.10.allowance"
    refused = decide_entitlement(huicai, item, SPOUSE, RECTIFIED, venue=W, facts=elsewhere)
    assert not refused.granted
    assert "weihai.condition.spouse_allowance_works_in_city" in refused.reason
    unknown = decide_entitlement(huicai, item, SPOUSE, RECTIFIED, venue=W)
    assert unknown.granted and any("在我市单位工作" in r for r in unknown.requires)
    assert decide_entitlement(huicai, item, SPOUSE, BEFORE, venue=W, facts=elsewhere).granted
    # A Weihai card of categories 1–4 is for talent working in Weihai: nothing more to show.
    own = decide_entitlement(card(W, "3", category="3"), item, SPOUSE, RECTIFIED)
    assert own.granted and not any("在我市单位工作" in r for r in own.requires)


def test_weihai_2019_part_2_3_the_contract_basis_is_only_for_talent_brought_in() -> None:
    # 属引进人才的，按……工作合同期限确定: not categories 1–2, and not talent never brought in.
    contract = [basis(CONTRACT, years=3)]
    with pytest.raises(InvalidInput) as refused:
        decide_term(W, "3", RECTIFIED, contract)
    assert refused.value.code == "basis_not_applicable"
    assert refused.value.rule == "weihai.term.contract_introduced"
    brought_in = {"imported_national_or_provincial_programme": True}
    term = decide_term(W, "3", RECTIFIED, contract, facts=brought_in)
    assert term.rules == ("weihai.term.contract_introduced",)
    assert term.valid_until == date(2029, 12, 7)
    with pytest.raises(InvalidInput) as category_2:
        decide_term(W, "2", RECTIFIED, contract, facts={"introduced": True})
    assert category_2.value.code == "basis_not_applicable"
    # The old reading still decides a card starting before 2026-12-07.
    assert decide_term(W, "2", BEFORE, contract).rules == ("weihai.term.contract",)


def test_weihai_2019_part_2_4_2_the_first_review_is_the_competent_department_s_or_district_s():
    # 按管理权限经主管部门或区市人力资源社会保障部门审核: one stage, either body (RD-2026-103).
    facts = {"full_senior_title": True, "innovation_record": True}
    decision = decide_eligibility(W, "4", facts, RECTIFIED)
    assert decision.stages == REVIEWED
    assert "weihai.path.reviewed_2026" in decision.rules
    data = default_policy().scheme(W)
    path = next(p for p in data.paths if p.id == "weihai.path.reviewed_2026")
    says = next(d.says for d in data.decisions if d.id == path.decision)
    assert "主管部门" in path.source and "主管部门" in says and "district HRSS" in says
    assert "weihai.path.reviewed" in decide_eligibility(W, "4", facts, BEFORE).rules
