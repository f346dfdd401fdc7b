"""Each article as its seed says it: who benefits, the conditions beyond the tier, parts,
limits that do not stack. Every case names the article that decides it."""

from __future__ import annotations

from datetime import date

import msgspec
import pytest

from domain.policy import (
    Beneficiary,
    BeneficiaryKind,
    Sex,
    Usage,
    decide_entitlement,
    default_policy,
    service_items,
)
from domain.vocabulary import Scheme
from tests.domain.policy.support import COMPANION, HOLDER, SPOUSE, card, child, parent

S, W, L, J = Scheme.SHANDONG, Scheme.WEIHAI, Scheme.LIAOCHENG, Scheme.JINAN
DAY = date(2025, 5, 20)
TOP = {S: "direct", W: "3", L: "A", J: "A"}


def kid(born: date, *, sex: Sex | None = None, married: bool | None = None) -> Beneficiary:
    return Beneficiary(kind=BeneficiaryKind.CHILD, date_of_birth=born, sex=sex, married=married)


def granted(scheme: Scheme, item: str, person: Beneficiary) -> bool:
    """Whether the scheme's top-tier card grants ``item`` to ``person`` on DAY."""
    return decide_entitlement(card(scheme, TOP[scheme]), item, person, DAY).granted


# ---- family members the articles name ------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "item"),
    [
        pytest.param(S, "shandong.1", id="shandong A.1 visas"),
        pytest.param(W, "weihai.1.visa", id="weihai part 3 (一) visas"),
        pytest.param(L, "liaocheng.6.visa", id="liaocheng art. 6 visas"),
        pytest.param(J, "jinan.4.visa", id="jinan art. 4 visas"),
    ],
)
def test_entry_exit_articles_give_visas_to_the_spouse_and_minor_children(
    scheme: Scheme, item: str
) -> None:
    assert granted(scheme, item, SPOUSE)
    assert granted(scheme, item, kid(date(2010, 1, 1)))
    assert not granted(scheme, item, kid(date(2000, 1, 1)))  # 25: not 未成年
    assert not granted(scheme, item, parent(date(1950, 1, 1)))


@pytest.mark.parametrize(
    ("scheme", "item"),
    [
        pytest.param(S, "shandong.3", id="shandong A.3 household"),
        pytest.param(W, "weihai.2", id="weihai part 3 (二) household"),
        pytest.param(L, "liaocheng.7", id="liaocheng art. 7 household"),
    ],
)
def test_household_articles_take_children_under_the_legal_marriage_age(
    scheme: Scheme, item: str
) -> None:
    # 未到法定结婚年龄子女: a son under 22, a daughter under 20 (民法典 art. 1047).
    son_21 = kid(date(2004, 1, 1), sex=Sex.MALE)
    daughter_21 = kid(date(2004, 1, 1), sex=Sex.FEMALE)
    assert granted(scheme, item, SPOUSE)
    assert granted(scheme, item, son_21)
    assert not granted(scheme, item, daughter_21)
    assert granted(scheme, item, kid(date(2007, 1, 1)))  # 18, either sex under 20
    assert not granted(scheme, item, kid(date(2004, 1, 1)))  # 21: the sex decides


def test_a_child_of_21_without_a_recorded_sex_is_refused_naming_what_is_needed() -> None:
    decision = decide_entitlement(card(W, "3"), "weihai.2", kid(date(2004, 1, 1)), DAY)
    assert not decision.granted and "sex is needed" in decision.reason


def test_jinan_art_5_household_takes_unmarried_children_of_any_age() -> None:
    assert granted(J, "jinan.5", kid(date(1995, 1, 1), married=False))
    assert not granted(J, "jinan.5", kid(date(2010, 1, 1), married=True))
    decision = decide_entitlement(card(J, "A"), "jinan.5", kid(date(1995, 1, 1)), DAY)
    assert not decision.granted and "married is needed" in decision.reason


@pytest.mark.parametrize(
    ("scheme", "item"),
    [
        pytest.param(S, "shandong.9", id="shandong A.9 spouse employment"),
        pytest.param(W, "weihai.10", id="weihai part 3 (十) spouse placement"),
        pytest.param(L, "liaocheng.13", id="liaocheng art. 13 spouse placement"),
        pytest.param(J, "jinan.10", id="jinan art. 10 spouse employment"),
    ],
)
def test_spouse_placement_is_the_spouse_s(scheme: Scheme, item: str) -> None:
    assert granted(scheme, item, SPOUSE)
    assert not granted(scheme, item, HOLDER)


@pytest.mark.parametrize(
    ("scheme", "item"),
    [
        pytest.param(S, "shandong.10", id="shandong A.10 schooling"),
        pytest.param(W, "weihai.11", id="weihai part 3 (十一) schooling"),
        pytest.param(L, "liaocheng.14", id="liaocheng art. 14 schooling"),
        pytest.param(J, "jinan.11", id="jinan art. 11 schooling"),
    ],
)
def test_schooling_is_the_children_s_and_names_the_schooling(scheme: Scheme, item: str) -> None:
    decision = decide_entitlement(card(scheme, TOP[scheme]), item, child(date(2015, 1, 1)), DAY)
    assert decision.granted and decision.requires
    assert not granted(scheme, item, HOLDER)
    assert not granted(scheme, item, SPOUSE)


def test_weihai_spouse_allowance_pays_for_at_most_36_months_while_not_employed() -> None:
    # Part 3(十): 配偶来威未就业期间，按本地最低工资2倍的标准3年内给予生活补贴，按月发放，
    # 由……所在单位和同级财政各承担50%.
    c, item = card(W, "3"), "weihai.10.allowance"
    month_36 = decide_entitlement(c, item, SPOUSE, DAY, usage=Usage(months_used=35))
    month_37 = decide_entitlement(c, item, SPOUSE, DAY, usage=Usage(months_used=36))
    employed = decide_entitlement(c, item, SPOUSE, DAY, facts={"spouse_not_employed": False})
    assert month_36.granted and "twice the local minimum wage" in month_36.detail
    assert "half by the holder's employer" in month_36.detail
    assert not month_37.granted and not employed.granted
    assert decide_entitlement(
        c, "weihai.10.placement", SPOUSE, DAY, usage=Usage(months_used=40)
    ).granted


def test_weihai_7_equity_outside_performance_pay_needs_no_special_salary() -> None:
    # Part 3(七): 股权、期权及分红激励不纳入绩效工资管理 - no public-institution condition.
    facts = {"full_time_public_institution_special_salary": False}
    decision = decide_entitlement(card(W, "3"), "weihai.7", HOLDER, DAY, facts=facts)
    by_part = {p.item: p.granted for p in decision.parts}
    assert by_part == {"weihai.7.special_salary": False, "weihai.7.equity": True}


# ---- together with the holder (Liaocheng arts. 18-20 可同步享受) -------------------------------


@pytest.mark.parametrize("item", ["liaocheng.18.bus", "liaocheng.19", "liaocheng.20"])
def test_liaocheng_family_use_arts_18_to_20_only_together_with_the_holder(item: str) -> None:
    alone = Beneficiary(kind=BeneficiaryKind.SPOUSE, holder_present=False)
    together = Beneficiary(kind=BeneficiaryKind.SPOUSE, holder_present=True)
    assert not granted(L, item, alone)
    assert granted(L, item, together)
    unsaid = decide_entitlement(card(L, "A"), item, SPOUSE, DAY)
    assert unsaid.granted and any("同步享受" in r for r in unsaid.requires)


def test_a_weihai_companion_without_the_holder_is_refused() -> None:
    alone = Beneficiary(kind=BeneficiaryKind.COMPANION, holder_present=False)
    assert not granted(W, "weihai.14", alone)


# ---- conditions beyond the tier ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "met"),
    [("art5.2", True), ("art5.3", True), ("art5.1", None)],
)
def test_liaocheng_art_14_schooling_is_for_the_named_talent_levels(
    category: str, met: bool | None
) -> None:
    c = card(L, "A" if category != "art5.3" else "B", category=category)
    decision = decide_entitlement(c, "liaocheng.14", child(date(2015, 1, 1)), DAY)
    named = any("顶尖人才、领军人才、优秀人才" in r for r in decision.requires)
    assert decision.granted and named is (met is None)


def test_liaocheng_art_22_is_refused_when_the_named_level_is_shown_not_met() -> None:
    c = card(L, "A", category="art5.1")
    decision = decide_entitlement(
        c, "liaocheng.22", parent(date(1950, 1, 1)), DAY, facts={"certified_named_level": False}
    )
    assert not decision.granted and "liaocheng.condition.named_level" in decision.reason


def test_liaocheng_art_10_is_met_by_a_certified_top_talent_card() -> None:
    decision = decide_entitlement(card(L, "A", category="art5.2"), "liaocheng.10", HOLDER, DAY)
    assert decision.granted and decision.requires == ()


@pytest.mark.parametrize(
    ("scheme", "item", "fact"),
    [
        pytest.param(L, "liaocheng.12", "newly_introduced", id="liaocheng art. 12 new"),
        pytest.param(L, "liaocheng.11.intake", "art11_revolving_quota", id="liaocheng art. 11"),
        pytest.param(W, "weihai.3", "full_time_public_institution", id="weihai (三)"),
        pytest.param(
            W, "weihai.5", "public_institution_within_management_period", id="weihai (五)"
        ),
        pytest.param(W, "weihai.6", "public_institution_status", id="weihai (六)"),
        pytest.param(
            W,
            "weihai.7.special_salary",
            "full_time_public_institution_special_salary",
            id="weihai (七)",
        ),
        pytest.param(W, "weihai.9.loan", "housing_loan_subset", id="weihai (九)"),
        pytest.param(W, "weihai.20", "within_management_period", id="weihai (二十)"),
        pytest.param(W, "weihai.24", "returnee_within_one_year_of_entry", id="weihai (二十四)"),
        pytest.param(W, "weihai.25.duty_free", "settled_or_working_one_year", id="weihai (二十五)"),
        pytest.param(J, "jinan.8", "full_time_public_institution_first_post", id="jinan art. 8"),
        pytest.param(J, "jinan.9", "professional_technical_talent", id="jinan art. 9"),
        pytest.param(S, "shandong.5", "full_time_public_institution", id="shandong A.5"),
        pytest.param(S, "shandong.10", "schooling_subset", id="shandong A.10"),
        pytest.param(S, "shandong.22.subsidy", "introduced_from_overseas", id="shandong A.22"),
        pytest.param(S, "shandong.24.duty_free", "settled_or_working_one_year", id="shandong A.24"),
        pytest.param(L, "liaocheng.24.overseas", "introduced_from_overseas", id="liaocheng 24(2)"),
        pytest.param(
            L, "liaocheng.24.car", "returnee_within_one_year_of_entry", id="liaocheng 24(3)"
        ),
        pytest.param(L, "liaocheng.26.duty_free", "settled_or_working_one_year", id="liaocheng 26"),
        pytest.param(W, "weihai.23.overseas", "introduced_from_overseas", id="weihai (二十三)"),
        pytest.param(J, "jinan.15.overseas", "introduced_from_overseas", id="jinan art. 15"),
        pytest.param(J, "jinan.6.case_by_case", "introduced", id="jinan art. 6(1)"),
        pytest.param(S, "shandong.23", "no_secret_involved", id="shandong A.23"),
        pytest.param(J, "jinan.15.service", "for_holders_enterprise", id="jinan art. 15 企业"),
        pytest.param(W, "weihai.22", "no_secret_involved", id="weihai (二十二)"),
        pytest.param(L, "liaocheng.25", "no_secret_involved", id="liaocheng art. 25"),
    ],
)
def test_an_item_gated_beyond_the_tier_names_its_condition_and_a_false_fact_refuses(
    scheme: Scheme, item: str, fact: str
) -> None:
    users = {"shandong.10": child(date(2015, 1, 1))}
    person = users.get(item, HOLDER)
    c = card(scheme, TOP[scheme])
    pending = decide_entitlement(c, item, person, DAY)
    met = decide_entitlement(c, item, person, DAY, facts={fact: True})
    failed = decide_entitlement(c, item, person, DAY, facts={fact: False})
    assert pending.granted and pending.requires
    assert met.granted and len(met.requires) == len(pending.requires) - 1
    assert not failed.granted


@pytest.mark.parametrize(
    ("scheme", "item"),
    [
        pytest.param(W, "weihai.14", id="weihai (十四) airport"),
        pytest.param(W, "weihai.15", id="weihai (十五) ferry"),
        pytest.param(W, "weihai.16", id="weihai (十六) rail"),
        pytest.param(L, "liaocheng.18.bus", id="liaocheng art. 18 bus"),
        pytest.param(J, "jinan.19.travel", id="jinan art. 19 travel"),
    ],
)
def test_travel_items_tell_the_venue_to_see_the_id_and_a_same_day_ticket(
    scheme: Scheme, item: str
) -> None:
    decision = decide_entitlement(card(scheme, TOP[scheme]), item, HOLDER, DAY)
    assert decision.granted
    assert any("当日当次" in r for r in decision.requires)
    shown = decide_entitlement(
        card(scheme, TOP[scheme]), item, HOLDER, DAY, facts={"own_id_and_same_day_ticket": True}
    )
    assert not any("当日当次" in r for r in shown.requires)


def test_shandong_a24_customs_clearance_is_open_while_duty_free_import_has_its_condition() -> None:
    decision = decide_entitlement(
        card(S, "direct"), "shandong.24", HOLDER, DAY, facts={"settled_or_working_one_year": False}
    )
    by_part = {p.item: p.granted for p in decision.parts}
    assert by_part == {"shandong.24.clearance": True, "shandong.24.duty_free": False}


# ---- limits that do not stack past their total -------------------------------------------------


def test_liaocheng_art_21_never_gives_more_than_36_films() -> None:
    # 每年12次，连续3年: a card issued in July 2023 spans 2023-2026 in its first 3 years.
    c = card(L, "A", valid_from=date(2023, 7, 1), valid_until=None)
    day = date(2026, 3, 1)
    fresh_year = Usage(uses_this_year=0, uses_in_all=36)
    decision = decide_entitlement(c, "liaocheng.21.films", HOLDER, day, usage=fresh_year)
    assert not decision.granted and "at most 36 uses in all" in decision.reason
    assert decide_entitlement(
        c, "liaocheng.21.films", HOLDER, day, usage=Usage(uses_in_all=35)
    ).granted


# ---- responsible units -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "item", "unit"),
    [
        (W, "weihai.14", "威海国际机场集团有限公司"),
        (L, "liaocheng.22", "市民政局"),
        (J, "jinan.19.travel", "中国铁路济南局集团有限公司"),
    ],
)
def test_a_decision_names_the_units_responsible_for_the_item(
    scheme: Scheme, item: str, unit: str
) -> None:
    person = parent(date(1950, 1, 1)) if item == "liaocheng.22" else HOLDER
    decision = decide_entitlement(card(scheme, TOP[scheme]), item, person, DAY)
    assert unit in decision.responsible


@pytest.mark.parametrize("scheme", [W, L, J])
def test_every_city_item_names_its_responsible_units(scheme: Scheme) -> None:
    assert all(item.responsible for item in service_items(scheme))


def test_a_companion_is_not_family() -> None:
    assert not granted(W, "weihai.1", COMPANION)


# ---- the decision's own edges ----------------------------------------------------------------


def test_an_article_asked_whole_counts_the_usage_and_names_itself() -> None:
    # art. 21: the 13th film of the year is refused, so the whole article is not granted.
    used = Usage(uses_this_year=12, uses_in_all=12)
    decision = decide_entitlement(card(L, "A"), "liaocheng.21", HOLDER, DAY, usage=used)
    by_part = {p.item: p.granted for p in decision.parts}
    assert by_part == {"liaocheng.21.library": True, "liaocheng.21.films": False}
    assert (decision.item, decision.version) == ("liaocheng.21", "liaocheng-2022")
    assert decision.responsible == ("市文化和旅游局",)
    assert "liaocheng.limit.films" in decision.rules


def test_an_article_asked_whole_is_decided_under_the_policy_given() -> None:
    base = default_policy()
    films = next(r for r in base.scheme(L).limits if r.id == "liaocheng.limit.films")
    fewer = msgspec.structs.replace(films, per_calendar_year=1)
    policy = msgspec.structs.replace(
        base,
        schemes={
            **base.schemes,
            L: msgspec.structs.replace(
                base.scheme(L),
                limits=tuple(fewer if r is films else r for r in base.scheme(L).limits),
            ),
        },
    )
    used = Usage(uses_this_year=1, uses_in_all=1)
    decision = decide_entitlement(
        card(L, "A"), "liaocheng.21", HOLDER, DAY, usage=used, policy=policy
    )
    assert not decision.granted


def test_a_condition_of_categories_alone_refuses_another_known_category() -> None:
    base = default_policy()
    named = next(c for c in base.scheme(L).conditions if c.id == "liaocheng.condition.named_level")
    strict = msgspec.structs.replace(named, fact="")
    policy = msgspec.structs.replace(
        base,
        schemes={
            **base.schemes,
            L: msgspec.structs.replace(
                base.scheme(L),
                conditions=tuple(strict if c is named else c for c in base.scheme(L).conditions),
            ),
        },
    )
    person = parent(date(1950, 1, 1))
    known = decide_entitlement(
        card(L, "A", category="art5.1"), "liaocheng.22", person, DAY, policy=policy
    )
    unknown = decide_entitlement(card(L, "A"), "liaocheng.22", person, DAY, policy=policy)
    assert not known.granted
    assert unknown.granted and unknown.requires


@pytest.mark.parametrize(
    ("born", "sex", "granted", "says"),
    [
        (date(2005, 5, 20), None, False, "sex is needed"),  # 20 today: a daughter is of age
        (date(2005, 5, 21), None, True, ""),  # 19
        (date(2003, 5, 20), None, False, "legal marriage age"),  # 22 today
        (date(2003, 5, 21), Sex.MALE, True, ""),  # a son of 21
        # his 22nd and her 20th birthday: refused in words that do not tell which applied
        (date(2003, 5, 20), Sex.MALE, False, "is 22 on 2025-05-20, of legal marriage age ("),
        (date(2005, 5, 20), Sex.FEMALE, False, "is 20 on 2025-05-20, of legal marriage age ("),
    ],
)
def test_the_legal_marriage_age_is_reached_on_the_birthday(
    born: date, sex: Sex | None, granted: bool, says: str
) -> None:
    decision = decide_entitlement(card(W, "3"), "weihai.2", kid(born, sex=sex), DAY)
    assert decision.granted is granted
    assert says in decision.reason


@pytest.mark.parametrize(
    ("scheme", "item"),
    [
        pytest.param(W, "weihai.1.permit", id="weihai (一) 在威海市工作的"),
        pytest.param(L, "liaocheng.6.permit", id="liaocheng art. 6 在聊城工作的"),
        pytest.param(J, "jinan.4.permit", id="jinan art. 4 长期在我市工作的"),
    ],
)
def test_work_and_residence_permits_are_the_talent_s_own_while_working_in_the_city(
    scheme: Scheme, item: str
) -> None:
    c = card(scheme, TOP[scheme])
    assert not decide_entitlement(c, item, SPOUSE, DAY).granted
    away = decide_entitlement(c, item, HOLDER, DAY, facts={"works_in_city": False})
    assert not away.granted
    pending = decide_entitlement(c, item, HOLDER, DAY)
    assert pending.granted and any("工作" in r for r in pending.requires)


@pytest.mark.parametrize(
    ("scheme", "item", "date_fact", "years", "facts"),
    [
        pytest.param(W, "weihai.10.allowance", "spouse_arrived_on", 3, {}, id="weihai (十) 3年内"),
        pytest.param(
            L,
            "liaocheng.11.secondment",
            "secondment_from",
            3,
            {"public_institution_secondment": True},
            id="liaocheng art. 11 期限不超过3年",
        ),
        pytest.param(
            S,
            "shandong.22.deductions",
            "introduced_on",
            5,
            {"introduced_from_overseas": True},
            id="shandong A.22 5年内",
        ),
    ],
)
def test_a_benefit_limited_to_years_from_a_date_ends_then(
    scheme: Scheme, item: str, date_fact: str, years: int, facts: dict[str, bool | str]
) -> None:
    person = SPOUSE if item.startswith("weihai.10") else HOLDER
    c = card(scheme, TOP[scheme])
    inside = {**facts, date_fact: date(DAY.year - years + 1, 1, 1).isoformat()}
    outside = {**facts, date_fact: date(DAY.year - years - 1, 1, 1).isoformat()}
    assert decide_entitlement(c, item, person, DAY, facts=inside).granted
    assert not decide_entitlement(c, item, person, DAY, facts=outside).granted
    unsaid = decide_entitlement(c, item, person, DAY, facts=facts)
    assert unsaid.granted and any(date_fact in r for r in unsaid.requires)


@pytest.mark.parametrize(
    ("scheme", "item", "fact", "person"),
    [
        pytest.param(S, "shandong.4", "housing_conditions_met", HOLDER, id="shandong A.4"),
        pytest.param(
            S,
            "shandong.11.health_certificate",
            "health_certificate_eligible",
            HOLDER,
            id="shandong A.11 保健证",
        ),
        pytest.param(
            S,
            "shandong.12.flexible_hire",
            "central_institution_flexible_hire",
            HOLDER,
            id="shandong A.12",
        ),
        pytest.param(
            W,
            "weihai.8.flexible_hire",
            "central_institution_flexible_hire",
            HOLDER,
            id="weihai (八)",
        ),
        pytest.param(
            L,
            "liaocheng.8.flexible_hire",
            "central_institution_flexible_hire",
            HOLDER,
            id="liaocheng art. 8",
        ),
        pytest.param(
            S, "shandong.26", "founded_foreign_invested_enterprise", HOLDER, id="shandong A.26"
        ),
        pytest.param(
            L,
            "liaocheng.27.forex",
            "founded_foreign_invested_enterprise",
            HOLDER,
            id="liaocheng 27(二)",
        ),
        pytest.param(
            J, "jinan.17.forex", "founded_foreign_invested_enterprise", HOLDER, id="jinan art. 17"
        ),
        pytest.param(
            L, "liaocheng.16", "public_institution_flexible_pay", HOLDER, id="liaocheng 16"
        ),
        pytest.param(L, "liaocheng.15.fast_track", "employed_in_city", HOLDER, id="liaocheng 15"),
        pytest.param(
            L,
            "liaocheng.13.transfer",
            "spouse_public_payroll_transferable",
            SPOUSE,
            id="liaocheng 13 随调",
        ),
        pytest.param(J, "jinan.10.public_post", "spouse_transferable", SPOUSE, id="jinan art. 10"),
    ],
)
def test_a_subset_of_an_article_is_refused_when_its_condition_is_shown_unmet(
    scheme: Scheme, item: str, fact: str, person: Beneficiary
) -> None:
    c = card(scheme, TOP[scheme])
    assert decide_entitlement(c, item, person, DAY).granted  # subject to what it requires
    assert not decide_entitlement(c, item, person, DAY, facts={fact: False}).granted


def test_the_open_parts_of_split_articles_need_no_subset_fact() -> None:
    for scheme, item, person in [
        (S, "shandong.11.green_channel", HOLDER),
        (S, "shandong.12.transfer", HOLDER),
        (J, "jinan.17.bank", HOLDER),
        (L, "liaocheng.15.priority", HOLDER),
        (J, "jinan.10.settle", SPOUSE),
    ]:
        decision = decide_entitlement(card(scheme, TOP[scheme]), item, person, DAY)
        assert decision.granted, item


def test_shandong_a22_s_five_years_bound_the_deductions_not_the_subsidy_exemption() -> None:
    # A.22: 一次性补助……免征个人所得税；5年内……予以税前扣除.
    facts: dict[str, bool | str] = {"introduced_from_overseas": True, "introduced_on": "2010-01-01"}
    decision = decide_entitlement(card(S, "direct"), "shandong.22", HOLDER, DAY, facts=facts)
    by_part = {p.item: p.granted for p in decision.parts}
    assert by_part == {"shandong.22.subsidy": True, "shandong.22.deductions": False}
