"""Liaocheng gold card (聊城市人才服务金卡): art. 5 categories, art. 31 tiers and items,
arts. 18-22 family and limits, art. 32 paths, art. 34 revocation."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidInput
from domain.policy import (
    Beneficiary,
    BeneficiaryKind,
    Usage,
    decide_eligibility,
    decide_entitlement,
    decide_term,
    decide_upgrade,
    is_higher_tier,
    tier_rank,
    tier_ranking,
)
from domain.vocabulary import ReviewStage, Role, Route, Scheme
from tests.domain.policy.support import COMPANION, HOLDER, SPOUSE, card, child, parent, revokes

L = Scheme.LIAOCHENG
DAY = date(2024, 6, 3)
S = ReviewStage


@pytest.mark.parametrize(
    ("category", "facts", "route", "stages", "tier"),
    [
        (
            "art5.1",
            {"holds_huicai_card": True, "huicai_card_valid_from": "2020-01-01"},
            Route.DIRECT,
            (),
            "A",
        ),
        ("art5.2", {"certified_top_or_leading": True}, Route.DIRECT, (), "A"),
        (
            "art5.3",
            {"certified_excellent": True},
            Route.REVIEWED,
            (S.CITY_HRSS, S.TALENT_OFFICE),
            "B",
        ),
        (
            "art5.4",
            {"flexibly_introduced": True, "equivalent_level": True},
            Route.REVIEWED,
            (S.CITY_HRSS, S.TALENT_OFFICE),
            "C",
        ),
        (
            "art5.5",
            {"works_elsewhere": True, "national_or_provincial_programme": True},
            Route.REVIEWED,
            (S.CITY_HRSS, S.TALENT_OFFICE),
            "C",
        ),
    ],
)
def test_each_article_5_category_has_its_route_stages_and_tier(
    category: str, facts: dict[str, bool], route: Route, stages: tuple[ReviewStage, ...], tier: str
) -> None:
    decision = decide_eligibility(L, category, facts, DAY)
    assert decision.eligible
    assert (decision.route, decision.stages, decision.tier) == (route, stages, tier)
    assert decision.rules[0] == f"liaocheng.category.{category}"
    assert decision.version == "liaocheng-2022"


def test_flexible_introduction_without_an_equivalent_level_is_not_eligible() -> None:
    decision = decide_eligibility(L, "art5.4", {"flexibly_introduced": True}, DAY)
    assert not decision.eligible
    assert decision.failed_condition is not None
    assert "相当层次" in decision.failed_condition


def test_an_unknown_category_is_refused_as_invalid_input() -> None:
    with pytest.raises(InvalidInput) as refused:
        decide_eligibility(L, "art5.6", {}, DAY)
    assert refused.value.code == "unknown_category"


def test_liaocheng_tiers_rank_a_over_b_over_c() -> None:
    ranking = tier_ranking(L)
    assert ranking.ranked and ranking.tiers == ("A", "B", "C")
    assert [tier_rank(L, t) for t in "ABC"] == [2, 1, 0]
    assert is_higher_tier(L, "A", "B") and not is_higher_tier(L, "C", "B")


def items(first: int, last: int) -> list[str]:
    """Item codes for articles first..last, asking art. 18 and 21 by part."""
    parts = {18: "liaocheng.18.bus", 21: "liaocheng.21.library"}
    return [parts.get(n, f"liaocheng.{n}") for n in range(first, last + 1)]


# Arts. 13, 14 and 22 serve the spouse, the children and the parents (其配偶, 其子女, 其父母).
USER = {
    "liaocheng.13": SPOUSE,
    "liaocheng.14": child(date(2015, 1, 1)),
    "liaocheng.22": parent(date(1950, 1, 1)),
}


@pytest.mark.parametrize(
    ("tier", "granted"),
    [("A", set(items(6, 30))), ("B", set(items(11, 22))), ("C", set(items(16, 20)))],
)
def test_each_tier_gets_exactly_its_article_31_items(tier: str, granted: set[str]) -> None:
    got = {
        code
        for code in items(6, 30)
        if decide_entitlement(card(L, tier), code, USER.get(code, HOLDER), DAY).granted
    }
    assert got == granted


def test_a_tier_c_card_is_refused_staffing_naming_the_rule_that_sets_it() -> None:
    decision = decide_entitlement(card(L, "C"), "liaocheng.11.intake", HOLDER, DAY)
    assert not decision.granted
    assert "tier C does not include liaocheng.11.intake" in decision.reason
    assert set(decision.rules) == {"liaocheng.coverage.A", "liaocheng.coverage.B"}


@pytest.mark.parametrize("item", ["liaocheng.18.bus", "liaocheng.19", "liaocheng.20"])
@pytest.mark.parametrize(
    "person",
    [
        SPOUSE,
        child(date(2010, 6, 4)),
        Beneficiary(kind=BeneficiaryKind.PARENT, date_of_birth=date(1950, 1, 1)),
        Beneficiary(kind=BeneficiaryKind.SPOUSE_PARENT, date_of_birth=date(1952, 1, 1)),
        COMPANION,
    ],
)
def test_family_and_one_companion_share_transport_tourism_and_fitness(
    item: str, person: Beneficiary
) -> None:
    decision = decide_entitlement(card(L, "C"), item, person, DAY)
    assert decision.granted, decision.reason
    assert "liaocheng.beneficiary.family" in decision.rules


@pytest.mark.parametrize("item", ["liaocheng.17", "liaocheng.21.library", "liaocheng.18.vehicle"])
def test_other_items_are_for_the_holder_alone(item: str) -> None:
    decision = decide_entitlement(card(L, "A"), item, SPOUSE, DAY)
    assert not decision.granted
    assert "liaocheng.beneficiary.holder" in decision.rules


def test_a_second_companion_is_refused() -> None:
    decision = decide_entitlement(
        card(L, "A"), "liaocheng.19", COMPANION, DAY, usage=Usage(companions_admitted=1)
    )
    assert not decision.granted and "at most 1 companion" in decision.reason


@pytest.mark.parametrize(
    ("born", "granted"),
    [(date(2006, 6, 4), True), (date(2006, 6, 3), False)],  # 18th birthday on DAY: adult
)
def test_a_child_shares_the_items_only_while_a_minor(born: date, granted: bool) -> None:
    assert decide_entitlement(card(L, "B"), "liaocheng.20", child(born), DAY).granted is granted


def test_a_child_without_a_date_of_birth_is_refused() -> None:
    person = Beneficiary(kind=BeneficiaryKind.CHILD)
    assert not decide_entitlement(card(L, "B"), "liaocheng.20", person, DAY).granted


def test_art_21_asked_for_whole_answers_each_part() -> None:
    decision = decide_entitlement(card(L, "A"), "liaocheng.21", HOLDER, DAY)
    assert [p.item for p in decision.parts] == ["liaocheng.21.library", "liaocheng.21.films"]
    assert decision.granted and all(p.granted for p in decision.parts)


def test_art_18_asked_whole_for_a_spouse_is_granted_in_part() -> None:
    decision = decide_entitlement(card(L, "A"), "liaocheng.18", SPOUSE, DAY)
    by_part = {p.item: p.granted for p in decision.parts}
    assert by_part == {"liaocheng.18.bus": True, "liaocheng.18.vehicle": False}
    assert not decision.granted and "granted in part" in decision.reason


@pytest.mark.parametrize(("used", "granted"), [(0, True), (11, True), (12, False)])
def test_twelve_films_a_calendar_year_are_free(used: int, granted: bool) -> None:
    decision = decide_entitlement(
        card(L, "B"), "liaocheng.21.films", HOLDER, DAY, usage=Usage(uses_this_year=used)
    )
    assert decision.granted is granted
    assert "liaocheng.limit.films" in decision.rules


def test_thirteenth_film_in_a_year_is_refused() -> None:
    decision = decide_entitlement(
        card(L, "A"), "liaocheng.21.films", HOLDER, DAY, usage=Usage(uses_this_year=12)
    )
    assert not decision.granted
    assert "use 13 in 2024 is refused" in decision.reason


@pytest.mark.parametrize(
    ("day", "granted"),
    [(date(2027, 1, 9), True), (date(2027, 1, 10), False)],  # issued 2024-01-10
)
def test_free_films_run_for_three_years_from_issue(day: date, granted: bool) -> None:
    decision = decide_entitlement(card(L, "A"), "liaocheng.21.films", HOLDER, day)
    assert decision.granted is granted


def test_the_library_card_is_not_limited_like_the_films() -> None:
    decision = decide_entitlement(
        card(L, "A"),
        "liaocheng.21.library",
        HOLDER,
        date(2028, 1, 1),
        usage=Usage(uses_this_year=40),
    )
    assert decision.granted


@pytest.mark.parametrize(
    ("born", "granted"),
    [
        (date(1964, 6, 3), True),  # 60th birthday on DAY qualifies
        (date(1964, 6, 4), False),  # 60 tomorrow
        (date(1940, 1, 1), True),
    ],
)
def test_the_elderly_care_subsidy_starts_at_a_parents_60th_birthday(
    born: date, granted: bool
) -> None:
    decision = decide_entitlement(card(L, "A"), "liaocheng.22", parent(born), DAY)
    assert decision.granted is granted
    if granted:
        assert decision.detail == "800 CNY for this month"


@pytest.mark.parametrize(("months_used", "granted"), [(35, True), (36, False)])
def test_thirty_seventh_subsidy_month_is_refused(months_used: int, granted: bool) -> None:
    decision = decide_entitlement(
        card(L, "B"),
        "liaocheng.22",
        parent(date(1950, 1, 1)),
        DAY,
        usage=Usage(months_used=months_used),
    )
    assert decision.granted is granted
    if not granted:
        assert "month 37 is refused" in decision.reason


def test_the_subsidy_needs_a_care_home_in_the_city() -> None:
    decision = decide_entitlement(
        card(L, "A"), "liaocheng.22", parent(date(1950, 1, 1), in_care_home=False), DAY
    )
    assert not decision.granted and "care home" in decision.reason


@pytest.mark.parametrize(
    "person",
    [HOLDER, Beneficiary(kind=BeneficiaryKind.SPOUSE_PARENT, date_of_birth=date(1950, 1, 1))],
)
def test_the_subsidy_is_for_the_holders_own_parents(person: Beneficiary) -> None:
    decision = decide_entitlement(card(L, "A"), "liaocheng.22", person, DAY)
    assert not decision.granted
    assert "liaocheng.beneficiary.elderly_care" in decision.rules


def test_a_tier_c_card_gets_no_elderly_care_subsidy() -> None:
    assert not decide_entitlement(
        card(L, "C"), "liaocheng.22", parent(date(1950, 1, 1)), DAY
    ).granted


@pytest.mark.parametrize(
    ("status", "day", "reason"),
    [
        ("revoked", DAY, "the card is revoked"),
        ("suspended", DAY, "the card is suspended"),
        ("active", date(2024, 1, 9), "valid from 2024-01-10"),
        ("active", date(2029, 1, 10), "expired after 2029-01-09"),
    ],
)
def test_a_card_not_in_force_grants_nothing(status: str, day: date, reason: str) -> None:
    decision = decide_entitlement(card(L, "A", status=status), "liaocheng.19", HOLDER, day)
    assert not decision.granted and reason in decision.reason


def test_a_card_is_usable_on_its_last_valid_day() -> None:
    assert decide_entitlement(card(L, "A"), "liaocheng.19", HOLDER, date(2029, 1, 9)).granted


def test_the_rules_set_no_card_term_so_it_runs_until_revoked() -> None:
    term = decide_term(L, "art5.3", DAY)
    assert term.valid_until is None
    assert term.rules == ("liaocheng.term.open",)


def test_an_upgrade_keeps_the_open_term() -> None:
    decision = decide_upgrade(card(L, "B", valid_until=None), "A", DAY)
    assert decision.allowed
    assert (decision.valid_from, decision.valid_until) == (date(2024, 1, 10), None)
    assert decision.rules == ("liaocheng.tiers", "liaocheng.upgrade.keep_term")


def test_a_move_down_is_not_an_upgrade() -> None:
    decision = decide_upgrade(card(L, "B", valid_until=None), "C", DAY)
    assert not decision.allowed and "not higher" in decision.reason


@pytest.mark.parametrize(
    ("proposer", "approvers", "allowed"),
    [
        (Role.EMPLOYER, [Role.CITY_WINDOW, Role.CITY_HRSS], True),
        (Role.EMPLOYER, [Role.COUNTY_WINDOW, Role.CITY_HRSS], True),
        (Role.EMPLOYER, [Role.CITY_HRSS], False),  # art. 34: 向同级服务窗口提出意见
        (Role.EMPLOYER, [], False),
        (Role.DISTRICT, [Role.CITY_WINDOW, Role.CITY_HRSS], False),
        (Role.EMPLOYER, [Role.CITY_WINDOW, Role.CITY_HRSS, Role.AUDITOR], False),
    ],
)
def test_revocation_is_proposed_by_the_employer_and_approved_by_city_hrss(
    proposer: Role, approvers: list[Role], allowed: bool
) -> None:
    assert revokes(L, proposer, approvers) is allowed


@pytest.mark.parametrize(
    ("facts", "eligible"),
    [
        ({"holds_huicai_card": True, "huicai_card_valid_from": "2020-01-01"}, True),
        (
            {
                "holds_huicai_card": True,
                "huicai_card_valid_from": "2020-01-01",
                "huicai_card_valid_until": "2024-05-31",  # expired before DAY
            },
            False,
        ),
        ({"holds_huicai_card": True}, False),  # its dates unknown: not shown in force
    ],
)
def test_art_5_1_asks_for_a_huicai_card_in_force_on_the_decision_day(
    facts: dict[str, bool | str], eligible: bool
) -> None:
    # art. 5(1): 持有"山东惠才卡"的高层次人才 - held, so in force, on the day decided.
    assert decide_eligibility(L, "art5.1", facts, DAY).eligible is eligible
