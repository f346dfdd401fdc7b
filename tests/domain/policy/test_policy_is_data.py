"""Policy is data: every decision follows the ``Policy`` it is given, not the package data.

Each test changes one rule of the package data (an administrator's edit, built in memory)
and checks the decision follows the edit, with the edited rule's id and the version in
force. A decision that silently fell back to the package data would pass every other test.
"""

from __future__ import annotations

from datetime import date

import msgspec
import pytest

from domain.errors import InvalidInput
from domain.policy import (
    Policy,
    RevocationAction,
    TermBasis,
    TermBasisKind,
    Usage,
    add_working_days,
    check_filer,
    decide_eligibility,
    decide_entitlement,
    decide_quota,
    decide_term,
    decide_upgrade,
    default_policy,
    extension_term,
    is_higher_tier,
    is_working_day,
    issuance_deadline,
    policy_versions,
    recognised_as_basis,
    revocation_procedure,
    service_items,
    tier_rank,
    tier_ranking,
    version_in_force,
)
from domain.policy.model import WorkdayData, WorkdayYear
from domain.vocabulary import Role, Route, Scheme, SponsorKind
from tests.domain.policy.support import HOLDER, at_venue, card, with_data, with_rule, with_tiers

W, J, L, S = Scheme.WEIHAI, Scheme.JINAN, Scheme.LIAOCHENG, Scheme.SHANDONG
DAY = date(2024, 3, 1)



REVERSED_JINAN = with_tiers(J, tiers=("D", "C", "B", "A"))


# ---- tiers ---------------------------------------------------------------------------------


def test_a_scheme_ranks_its_tiers_when_the_given_data_says_so() -> None:
    ranking = tier_ranking(W, policy=with_tiers(W, ranked=True))
    assert (ranking.scheme, ranking.ranked, ranking.rule) == (W, True, "weihai.tiers")


def test_a_tier_s_rank_follows_the_given_order() -> None:
    assert tier_rank(J, "D", policy=REVERSED_JINAN) == 3
    assert tier_rank(J, "A", policy=REVERSED_JINAN) == 0


@pytest.mark.parametrize(("candidate", "current", "higher"), [("D", "A", True), ("A", "D", False)])
def test_which_tier_is_higher_follows_the_given_order(
    candidate: str, current: str, higher: bool
) -> None:
    assert is_higher_tier(J, candidate, current, policy=REVERSED_JINAN) is higher


def test_an_upgrade_follows_the_given_tier_order() -> None:
    decision = decide_upgrade(
        card(J, "A"), "D", DAY, facts={"certified_class_d": True}, policy=REVERSED_JINAN
    )
    assert decision.allowed
    assert decision.rules == ("jinan.tiers", "jinan.upgrade.restart")


def test_an_upgrade_restarts_the_term_for_the_given_years() -> None:
    policy = with_rule(J, "upgrades", "jinan.upgrade.restart", restart_years=3)
    decision = decide_upgrade(
        card(J, "B"), "A", DAY, facts={"certified_class_a": True}, policy=policy
    )
    assert (decision.valid_from, decision.valid_until) == (DAY, date(2027, 2, 28))


# ---- versions ------------------------------------------------------------------------------


def test_the_versions_listed_are_the_given_ones() -> None:
    versions = default_policy().scheme(W).versions[:2]
    assert policy_versions(W, policy=with_data(W, versions=versions)) == versions


def test_the_version_in_force_is_looked_up_in_the_given_data() -> None:
    first, second, third, *_ = default_policy().scheme(W).versions
    renamed = msgspec.structs.replace(third, id="weihai-2025", effective_until=None)
    policy = with_data(W, versions=(first, second, renamed))
    assert version_in_force(W, date(2025, 1, 1), policy=policy).id == "weihai-2025"


def test_the_catalogue_listed_is_the_given_one() -> None:
    items = default_policy().scheme(W).items[:3]
    assert service_items(W, policy=with_data(W, items=items)) == items


# ---- terms ---------------------------------------------------------------------------------


def test_the_default_term_follows_the_given_years() -> None:
    policy = with_rule(W, "terms", "weihai.term.default", years=3)
    decision = decide_term(W, "3", DAY, policy=policy)
    assert (decision.valid_until, decision.rules) == (date(2027, 2, 28), ("weihai.term.default",))


def test_a_basis_is_capped_at_the_given_maximum() -> None:
    policy = with_rule(W, "terms", "weihai.term.contract", max_years=2)
    basis = TermBasis(kind=TermBasisKind.CONTRACT, years=4)
    decision = decide_term(W, "3", DAY, (basis,), policy=policy)
    assert (decision.valid_until, decision.capped) == (date(2026, 2, 28), True)


def test_an_extension_runs_the_given_years() -> None:
    policy = with_rule(W, "extensions", "weihai.term.extension_2023", years=3)
    decision = extension_term(
        W,
        "business_elite",
        DAY,
        date(2025, 2, 28),
        date(2024, 6, 1),
        shows=("project_landed",),
        policy=policy,
    )
    assert decision.valid_until == date(2027, 2, 28)
    assert decision.rules == ("weihai.term.extension_2023",)


# ---- quotas --------------------------------------------------------------------------------


def test_the_quota_follows_the_given_limit() -> None:
    policy = with_rule(W, "quotas", "weihai.quota.enterprise_talent", limit=2)
    decision = decide_quota(W, "enterprise_talent", 2, DAY, policy=policy)
    assert (decision.allowed, decision.limit) == (False, 2)


def test_a_case_by_case_increase_follows_the_given_rule() -> None:
    policy = with_rule(W, "quotas", "weihai.quota.enterprise_talent", case_by_case=True)
    decision = decide_quota(W, "enterprise_talent", 3, DAY, case_by_case_quota=5, policy=policy)
    assert (decision.allowed, decision.limit) == (True, 5)


# ---- eligibility ---------------------------------------------------------------------------


def test_eligibility_follows_the_given_conditions() -> None:
    rule = next(c for c in default_policy().scheme(W).categories if c.id == "weihai.category.2")
    stricter = (*rule.all_of, msgspec.structs.replace(rule.all_of[0], fact="works_in_weihai"))
    policy = with_rule(W, "categories", "weihai.category.2", all_of=stricter)
    facts = {fact.fact: True for fact in rule.all_of}
    assert not decide_eligibility(W, "2", facts, DAY, policy=policy).eligible
    assert decide_eligibility(W, "2", facts, DAY).eligible


def test_the_review_stages_follow_the_given_path() -> None:
    policy = with_rule(W, "paths", "weihai.path.enterprise_talent", stages=("city_hrss",))
    facts = {"planned_hire_of_target_enterprise": True, "national_or_provincial_programme": True}
    decision = decide_eligibility(W, "enterprise_talent", facts, DAY, policy=policy)
    assert decision.stages == ("city_hrss",)


def test_a_route_with_no_path_in_the_given_data_is_refused_naming_the_category_rule() -> None:
    paths = tuple(p for p in default_policy().scheme(W).paths if p.route is not Route.DIRECT)
    with pytest.raises(InvalidInput) as excinfo:
        decide_eligibility(W, "2", {}, DAY, policy=with_data(W, paths=paths))
    assert (excinfo.value.code, excinfo.value.rule) == ("route_not_available", "weihai.category.2")
    assert isinstance(excinfo.value.message, str) and excinfo.value.message


# ---- entitlements and stacking ---------------------------------------------------------------


def test_an_entitlement_follows_the_given_usage_limit() -> None:
    policy = with_rule(W, "limits", "weihai.limit.health_check", per_calendar_year=2)
    used = Usage(uses_this_year=1)
    decision = decide_entitlement(card(W, "3"), "weihai.20", HOLDER, DAY, usage=used, policy=policy)
    assert decision.granted
    assert decision.rules == (
        "weihai.coverage.2019",
        "weihai.beneficiary.holder",
        "weihai.condition.health_check",
        "weihai.limit.health_check",
    )


def test_the_huicai_card_is_honoured_only_in_the_cities_the_given_data_names() -> None:
    policy = with_rule(S, "stacking", "shandong.stacking", honoured_in=(L, J))
    huicai = card(S, "direct")
    assert at_venue(W, "weihai.14", huicai, DAY).granted
    decision = at_venue(W, "weihai.14", huicai, DAY, policy=policy)
    assert (decision.granted, decision.rules) == (False, ())


def test_a_city_honours_another_card_the_given_data_accepts() -> None:
    policy = with_rule(L, "accepts", "liaocheng.accepts.huicai_or_gold", card_schemes=(S, L, J))
    assert not at_venue(L, "liaocheng.19", card(J, "A"), DAY).granted
    decision = at_venue(L, "liaocheng.19", card(J, "A"), DAY, policy=policy)
    assert (decision.granted, decision.rules[0]) == (True, "liaocheng.accepts.huicai_or_gold")


def test_a_city_honours_its_own_card_for_what_the_given_coverage_lists() -> None:
    policy = with_rule(W, "coverage", "weihai.coverage.2019", items=("weihai.2",))
    assert not at_venue(W, "weihai.14", card(W, "3"), DAY, policy=policy).granted


def test_another_card_counts_as_a_basis_where_the_given_data_says_so() -> None:
    policy = with_rule(W, "recognitions", "weihai.recognition.other_city_card", card_schemes=(S,))
    decision = recognised_as_basis(W, "enterprise_talent", S, DAY, policy=policy)
    assert (decision.honoured, decision.rules) == (True, ("weihai.recognition.other_city_card",))
    assert decision.version == "weihai-2023"


# ---- deadlines and workdays ------------------------------------------------------------------


def with_2027_holiday(day: date) -> Policy:
    """The package policy with an administrator calendar for 2027 holding one holiday."""
    base = default_policy()
    year = WorkdayYear(year=2027, source="test calendar", holidays=(day,))
    return msgspec.structs.replace(base, workdays=WorkdayData(years=(year,)))


def test_a_deadline_counts_the_given_working_days() -> None:
    policy = with_rule(S, "deadlines", "shandong.deadline.direct", working_days=2)
    decision = issuance_deadline(Route.DIRECT, date(2025, 9, 26), policy=policy)
    assert (decision.due_on, decision.working_days) == (date(2025, 9, 29), 2)


def test_a_holiday_in_the_given_calendar_is_not_a_working_day() -> None:
    policy = with_2027_holiday(date(2027, 3, 3))
    assert is_working_day(date(2027, 3, 3), policy=policy) == (False, False)
    assert add_working_days(date(2027, 3, 2), 1, policy=policy) == (date(2027, 3, 4), False)


def test_a_deadline_reads_the_given_calendar() -> None:
    policy = with_2027_holiday(date(2027, 3, 3))
    decision = issuance_deadline(Route.DIRECT, date(2027, 3, 1), policy=policy)
    assert decision.due_on == date(2027, 3, 11)


# ---- revocation ------------------------------------------------------------------------------


def test_the_revocation_steps_are_the_given_ones() -> None:
    rule = default_policy().scheme(W).revocation[0]
    one_step = (rule.steps[0], msgspec.structs.replace(rule.steps[1], roles=(Role.TALENT_OFFICE,)))
    policy = with_rule(W, "revocation", "weihai.revocation", steps=one_step)
    procedure = revocation_procedure(W, DAY, policy=policy)
    assert procedure.steps[-1].action is RevocationAction.APPROVE
    assert procedure.steps[-1].roles == (Role.TALENT_OFFICE,)


def test_who_files_follows_the_given_data() -> None:
    # jinan art. 24(1) names the talent; data without a filer rule lets any role file.
    assert check_filer(J, "C", Role.APPLICANT, SponsorKind.NONE, DAY) == "jinan.filer"
    policy = with_data(J, filers=())
    assert check_filer(J, "C", Role.EMPLOYER, SponsorKind.NONE, DAY, policy=policy) is None
