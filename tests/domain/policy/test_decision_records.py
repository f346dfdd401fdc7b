"""What every decision records for the event: the deciding rule ids, the version in force,
the echoed inputs, a reason a person can read, and each refusal's stable ``code`` and
``rule``. Boundaries are checked on both sides of the day or count where they turn."""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec
import pytest

from domain.errors import DomainError, IllegalTransition, InvalidInput
from domain.policy import (
    NoPolicyInForce,
    RevocationAction,
    StepTaken,
    TermBasis,
    TermBasisKind,
    add_working_days,
    decide_eligibility,
    decide_entitlement,
    decide_quota,
    decide_revocation_step,
    decide_term,
    decide_upgrade,
    default_policy,
    extension_term,
    issuance_deadline,
    recognised_as_basis,
    revocation_procedure,
    version_in_force,
)
from domain.policy.catalogue import find_item
from domain.policy.dates import age_on
from domain.policy.model import ItemPart
from domain.vocabulary import Role, Route, Scheme
from tests.domain.policy.support import HOLDER, SPOUSE, at_venue, card, with_data, with_rule

W, J, L, S = Scheme.WEIHAI, Scheme.JINAN, Scheme.LIAOCHENG, Scheme.SHANDONG
DAY = date(2024, 3, 1)


def certified(tier: str) -> dict[str, bool]:
    """The higher class's certification a Jinan upgrade needs (art. 24(2)); the other
    schemes' upgrade rules do not read it."""
    return {f"certified_class_{tier.lower()}": True}


def explained(text: Any) -> bool:
    """A reason a person can read: some text, with no unfilled part."""
    return isinstance(text, str) and bool(text.strip()) and "None" not in text


def refused(excinfo: pytest.ExceptionInfo[DomainError], code: str, rule: str | None) -> bool:
    """The refusal carries its stable code, the refusing rule and a readable message."""
    error = excinfo.value
    return (error.code, error.rule) == (code, rule) and explained(error.message)


# ---- deadlines -----------------------------------------------------------------------------


def test_one_working_day_after_a_friday_is_the_next_monday() -> None:
    assert add_working_days(date(2025, 9, 12), 1) == (date(2025, 9, 15), False)


def test_a_negative_working_day_count_is_refused() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        add_working_days(date(2025, 9, 12), -1)
    assert refused(excinfo, "working_days_not_positive", None)


def test_a_scheme_without_a_deadline_records_no_count_and_its_version() -> None:
    decision = issuance_deadline(Route.DIRECT, DAY, scheme=J)
    assert (decision.due_on, decision.starts_on, decision.working_days) == (None, None, None)
    assert (decision.estimated, decision.rules, decision.version) == (False, (), "jinan-2018")
    assert explained(decision.reason)


def test_a_counted_deadline_records_its_rule_start_and_version() -> None:
    decision = issuance_deadline(Route.DIRECT, date(2025, 9, 26))
    assert decision.starts_on == date(2025, 9, 26)
    assert (decision.rules, decision.version) == (
        ("shandong.deadline.direct",),
        "shandong-standard",
    )
    assert decision.estimated is False
    assert explained(decision.reason)


def test_an_evaluated_file_records_its_rule_and_a_reason() -> None:
    decision = issuance_deadline(Route.EVALUATED, DAY)
    assert (decision.due_on, decision.rules) == (None, ("shandong.deadline.evaluated",))
    assert explained(decision.reason)


def test_only_the_first_deadline_rule_of_a_route_decides() -> None:
    first = default_policy().scheme(S).deadlines[0]
    second = msgspec.structs.replace(first, id="shandong.deadline.direct_again", working_days=1)
    policy = with_data(S, deadlines=(first, second))
    decision = issuance_deadline(Route.DIRECT, date(2025, 9, 26), policy=policy)
    assert decision.rules == ("shandong.deadline.direct",)
    assert decision.due_on == date(2025, 10, 13)


@pytest.mark.parametrize(("starts", "working_days"), [("received", None), ("expert_review", 7)])
def test_a_rule_without_a_count_or_waiting_for_experts_sets_no_due_date(
    starts: str, working_days: int | None
) -> None:
    policy = with_rule(
        S, "deadlines", "shandong.deadline.direct", starts=starts, working_days=working_days
    )
    decision = issuance_deadline(Route.DIRECT, date(2025, 9, 26), policy=policy)
    assert (decision.due_on, decision.rules) == (None, ("shandong.deadline.direct",))
    assert explained(decision.reason)


# ---- quotas --------------------------------------------------------------------------------


def test_a_category_without_a_quota_records_no_limit_no_rule_and_the_version() -> None:
    decision = decide_quota(W, "3", 7, DAY)
    assert (decision.allowed, decision.limit, decision.existing) == (True, None, 7)
    assert (decision.rules, decision.version) == ((), "weihai-2023")
    assert explained(decision.reason)


def test_a_case_by_case_request_where_none_is_allowed_keeps_the_quota() -> None:
    decision = decide_quota(W, "enterprise_talent", 2, DAY, case_by_case_quota=5)
    assert (decision.allowed, decision.limit, decision.existing) == (False, 3, 2)
    assert (decision.rules, decision.version) == (
        ("weihai.quota.enterprise_talent",),
        "weihai-2023",
    )
    assert explained(decision.reason)


@pytest.mark.parametrize(("existing", "allowed"), [(2, True), (3, False)])
def test_a_quota_decision_records_the_count_limit_rule_and_version(
    existing: int, allowed: bool
) -> None:
    decision = decide_quota(W, "business_elite", existing, DAY)
    assert (decision.allowed, decision.limit, decision.existing) == (allowed, 3, existing)
    assert (decision.rules, decision.version) == (("weihai.quota.business_elite",), "weihai-2023")
    assert explained(decision.reason)


@pytest.mark.parametrize(("granted", "allowed"), [(4, False), (5, True)])
def test_a_raised_quota_is_the_granted_number(granted: int, allowed: bool) -> None:
    decision = decide_quota(
        W, "business_elite", 4, DAY, case_by_case_quota=granted, attests=("major_project",)
    )
    assert (decision.allowed, decision.limit) == (allowed, granted)
    assert explained(decision.reason)


@pytest.mark.parametrize("granted", [2, 3])
def test_a_case_by_case_quota_that_does_not_raise_it_is_refused_naming_the_rule(
    granted: int,
) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        decide_quota(
            W, "business_elite", 0, DAY, case_by_case_quota=granted, attests=("major_project",)
        )
    assert refused(excinfo, "quota_not_raised", "weihai.quota.business_elite")


@pytest.mark.parametrize("existing", [-1, -5])
def test_a_negative_count_is_refused(existing: int) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        decide_quota(W, "business_elite", existing, DAY)
    assert refused(excinfo, "negative_count", None)


def test_no_cards_yet_fit_the_quota() -> None:
    assert decide_quota(W, "business_elite", 0, DAY).allowed


# ---- stacking and recognition ----------------------------------------------------------------


def test_a_card_not_in_force_is_refused_at_a_venue_with_the_venue_s_version() -> None:
    decision = at_venue(W, "weihai.14", card(W, "3", status="suspended"), DAY)
    assert (decision.granted, decision.rules, decision.version) == (False, (), "weihai-2023")
    assert explained(decision.reason)


def test_a_city_honours_its_own_card_naming_the_coverage_rule() -> None:
    decision = at_venue(W, "weihai.14", card(W, "3"), DAY)
    assert (decision.granted, decision.rules[0]) == (True, "weihai.coverage.2019")
    assert (decision.version, explained(decision.reason)) == ("weihai-2023", True)


def test_a_city_refuses_its_own_card_for_an_item_beyond_its_tier() -> None:
    decision = at_venue(L, "liaocheng.6", card(L, "C"), DAY)
    assert (decision.granted, decision.rules) == (False, ("liaocheng.coverage.A",))
    assert explained(decision.reason)


def test_coverage_listing_one_part_honours_that_part() -> None:
    policy = with_rule(L, "coverage", "liaocheng.coverage.A", items=("liaocheng.21.films",))
    decision = at_venue(L, "liaocheng.21.films", card(L, "A"), DAY, policy=policy)
    assert (decision.granted, decision.rules[0]) == (True, "liaocheng.coverage.A")


def test_an_acceptance_listing_one_part_honours_the_named_card_for_that_part() -> None:
    policy = with_rule(
        L, "accepts", "liaocheng.accepts.huicai_or_gold", items=("liaocheng.21.films",)
    )
    decision = at_venue(L, "liaocheng.21.films", card(S, "direct"), DAY, policy=policy)
    assert (decision.granted, decision.rules[0]) == (True, "liaocheng.accepts.huicai_or_gold")
    assert explained(decision.reason)


def test_another_city_s_card_is_refused_with_a_reason() -> None:
    decision = at_venue(W, "weihai.14", card(J, "A"), DAY)
    assert (decision.granted, decision.rules) == (False, ())
    assert explained(decision.reason)


def test_the_huicai_card_is_refused_where_its_tier_lacks_the_matching_provincial_item() -> None:
    policy = with_rule(S, "coverage", "shandong.coverage.all", items=("shandong.1",))
    decision = at_venue(W, "weihai.14", card(S, "direct"), DAY, policy=policy)
    assert (decision.granted, decision.rules) == (False, ("shandong.stacking",))
    assert explained(decision.reason)


def test_the_huicai_card_is_honoured_naming_the_stacking_and_coverage_rules() -> None:
    decision = at_venue(W, "weihai.14", card(S, "direct"), DAY)
    assert decision.rules[:2] == ("shandong.stacking", "shandong.coverage.all")
    assert (decision.version, explained(decision.reason)) == ("weihai-2023", True)


def test_the_huicai_card_is_honoured_for_a_provincial_part_its_coverage_lists() -> None:
    base = default_policy()
    shandong = base.scheme(S)
    part = ItemPart(code="shandong.14.air", name_zh="机场", name_en="airport")
    items = tuple(
        msgspec.structs.replace(i, parts=(part,)) if i.code == "shandong.14" else i
        for i in shandong.items
    )
    cover = msgspec.structs.replace(shandong.coverage[0], items=("shandong.14.air",))
    matches = tuple(
        msgspec.structs.replace(m, provincial="shandong.14.air")
        if m.provincial == "shandong.14"
        else m
        for m in base.stacking.matches
    )
    policy = msgspec.structs.replace(
        base,
        schemes={
            **base.schemes,
            S: msgspec.structs.replace(shandong, items=items, coverage=(cover,)),
        },
        stacking=msgspec.structs.replace(base.stacking, matches=matches),
    )
    decision = at_venue(W, "weihai.14", card(S, "direct"), DAY, policy=policy)
    assert (decision.granted, decision.rules[:2]) == (
        True,
        ("shandong.stacking", "shandong.coverage.all"),
    )


def test_a_recognised_card_records_the_rule_version_and_fact() -> None:
    decision = recognised_as_basis(W, "enterprise_talent", J, DAY)
    assert (decision.honoured, decision.version) == (True, "weihai-2023")
    assert explained(decision.reason) and "holds_other_city_card" in decision.reason


def test_an_unrecognised_card_records_the_rule_it_failed_and_the_version() -> None:
    decision = recognised_as_basis(W, "enterprise_talent", S, DAY)
    assert (decision.honoured, decision.version) == (False, "weihai-2023")
    assert decision.rules == ("weihai.recognition.other_city_card",)
    assert explained(decision.reason)


# ---- terms, extensions, upgrades -------------------------------------------------------------

LANDED = ("project_landed",)  # weihai.term.extension_2023's evidence


def test_an_extension_records_its_rule_version_and_an_uncapped_term() -> None:
    decision = extension_term(
        W, "business_elite", DAY, date(2025, 2, 28), date(2024, 6, 1), shows=LANDED
    )
    assert (decision.valid_from, decision.valid_until) == (DAY, date(2029, 2, 28))
    assert (decision.capped, decision.version) == (False, "weihai-2023")
    assert explained(decision.basis) and decision.basis.startswith("weihai.term.extension_2023")


@pytest.mark.parametrize(
    ("event_on", "rule"),
    [
        (date(2024, 2, 29), "weihai.term.extension_2023"),
        # The event's day decides the rule: from 2026-12-07 the rectified one.
        (date(2029, 3, 1), "weihai.term.extension_2026.business_elite"),
    ],
    ids=["before-start", "after-five-years"],
)
def test_an_event_outside_the_five_years_is_refused_naming_the_extension_rule(
    event_on: date, rule: str
) -> None:
    with pytest.raises(IllegalTransition) as excinfo:
        extension_term(W, "business_elite", DAY, date(2025, 2, 28), event_on, shows=LANDED)
    assert refused(excinfo, "card_not_in_force", rule)


@pytest.mark.parametrize("event_on", [DAY, date(2025, 2, 28)], ids=["first-day", "last-day"])
def test_an_event_on_the_first_or_last_day_of_the_term_extends_it(event_on: date) -> None:
    decision = extension_term(W, "business_elite", DAY, date(2025, 2, 28), event_on, shows=LANDED)
    assert decision.valid_until == date(2029, 2, 28)


def test_an_extension_to_the_term_the_card_already_has_is_refused_naming_the_rule() -> None:
    with pytest.raises(IllegalTransition) as excinfo:
        extension_term(W, "business_elite", DAY, date(2029, 2, 28), date(2024, 6, 1), shows=LANDED)
    assert refused(excinfo, "term_not_longer", "weihai.term.extension_2023")


def test_an_extension_one_day_longer_than_the_term_is_granted() -> None:
    decision = extension_term(
        W, "business_elite", DAY, date(2029, 2, 27), date(2024, 6, 1), shows=LANDED
    )
    assert decision.valid_until == date(2029, 2, 28)


def test_a_category_without_an_extension_rule_is_refused() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        extension_term(W, "3", DAY, date(2029, 2, 28), date(2024, 6, 1))
    assert refused(excinfo, "no_extension_rule", None)


@pytest.mark.parametrize(
    ("scheme", "current", "target", "rules"),
    [
        (W, "3", "4", ("weihai.tiers",)),
        (J, "B", "E", ("jinan.tiers",)),
        (J, "A", "B", ("jinan.tiers",)),
        (J, "B", "B", ("jinan.tiers",)),
    ],
    ids=["unranked", "unknown-tier", "downwards", "same-tier"],
)
def test_a_refused_upgrade_records_the_tier_rule_and_the_version(
    scheme: Scheme, current: str, target: str, rules: tuple[str, ...]
) -> None:
    decision = decide_upgrade(card(scheme, current), target, DAY, facts=certified(target))
    assert (decision.allowed, decision.tier, decision.rules) == (False, target, rules)
    assert (decision.valid_from, decision.valid_until) == (None, None)
    assert decision.version == default_policy_version(scheme)
    assert explained(decision.reason)


def test_an_upgrade_with_no_upgrade_rule_in_force_is_refused_naming_the_tier_rule() -> None:
    decision = decide_upgrade(card(J, "B"), "A", DAY, policy=with_data(J, upgrades=()))
    assert (decision.allowed, decision.rules) == (False, ("jinan.tiers",))
    assert explained(decision.reason)


def test_an_upgrade_of_a_card_not_in_force_names_no_rule() -> None:
    decision = decide_upgrade(card(J, "B", status="revoked"), "A", DAY)
    assert (decision.allowed, decision.tier, decision.rules) == (False, "A", ())
    assert explained(decision.reason)


@pytest.mark.parametrize(
    ("scheme", "rules", "until"),
    [
        (J, ("jinan.tiers", "jinan.upgrade.restart"), date(2029, 2, 28)),
        (L, ("liaocheng.tiers", "liaocheng.upgrade.keep_term"), date(2029, 1, 9)),
    ],
)
def test_an_allowed_upgrade_records_the_new_tier_its_rules_and_the_version(
    scheme: Scheme, rules: tuple[str, ...], until: date
) -> None:
    decision = decide_upgrade(card(scheme, "B"), "A", DAY, facts=certified("A"))
    assert (decision.allowed, decision.tier, decision.rules) == (True, "A", rules)
    assert decision.valid_until == until
    assert decision.version == default_policy_version(scheme)
    assert explained(decision.reason)


def default_policy_version(scheme: Scheme) -> str:
    """The id of the scheme's version in force on ``DAY`` in the package data."""
    return {W: "weihai-2023", J: "jinan-2018", L: "liaocheng-2022", S: "shandong-standard"}[scheme]


@pytest.mark.parametrize(
    ("category", "years", "rule"),
    [("3", 5, "weihai.term.default"), ("business_elite", 1, "weihai.term.first_issue_2023")],
)
def test_a_default_or_fixed_term_records_its_rule_and_an_explained_basis(
    category: str, years: int, rule: str
) -> None:
    decision = decide_term(W, category, DAY)
    assert (decision.rules, decision.capped, decision.version) == ((rule,), False, "weihai-2023")
    assert explained(decision.basis) and decision.basis.startswith(rule)


def test_an_open_ended_term_has_an_explained_basis() -> None:
    decision = decide_term(L, "art5.1", DAY)
    assert decision.valid_until is None
    assert explained(decision.basis) and decision.basis.startswith("liaocheng.term.open")


@pytest.mark.parametrize(
    ("years", "until", "capped"),
    [(4, date(2028, 2, 29), False), (5, date(2029, 2, 28), False), (6, date(2029, 2, 28), True)],
)
def test_a_contract_term_is_capped_only_beyond_five_years(
    years: int, until: date, capped: bool
) -> None:
    basis = TermBasis(kind=TermBasisKind.CONTRACT, years=years)
    decision = decide_term(W, "3", DAY, (basis,))
    assert (decision.valid_until, decision.capped) == (until, capped)
    assert decision.rules == ("weihai.term.contract",)
    assert explained(decision.basis) and decision.basis.startswith("weihai.term.contract")


def test_a_basis_ending_on_the_issue_day_gives_a_one_day_term() -> None:
    basis = TermBasis(kind=TermBasisKind.CONTRACT, until=DAY)
    assert decide_term(W, "3", DAY, (basis,)).valid_until == DAY


def test_a_basis_ending_the_day_before_issue_is_refused() -> None:
    basis = TermBasis(kind=TermBasisKind.CONTRACT, until=date(2024, 2, 29))
    with pytest.raises(InvalidInput) as excinfo:
        decide_term(W, "3", DAY, (basis,))
    assert refused(excinfo, "basis_expired", None)


@pytest.mark.parametrize(
    ("basis", "code"),
    [
        (TermBasis(kind=TermBasisKind.CONTRACT), "basis_malformed"),
        (TermBasis(kind=TermBasisKind.CONTRACT, years=2, until=DAY), "basis_malformed"),
        (TermBasis(kind=TermBasisKind.CONTRACT, years=0), "basis_too_short"),
        (TermBasis(kind=TermBasisKind.DEFAULT, years=2), "basis_not_applicable"),
        (TermBasis(kind=TermBasisKind.FIXED, years=2), "basis_not_applicable"),
    ],
)
def test_a_malformed_or_inapplicable_basis_is_refused(basis: TermBasis, code: str) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        decide_term(W, "3", DAY, (basis,))
    assert refused(excinfo, code, None)


def test_a_one_year_basis_runs_one_year() -> None:
    basis = TermBasis(kind=TermBasisKind.CONTRACT, years=1)
    assert decide_term(W, "3", DAY, (basis,)).valid_until == date(2025, 2, 28)


def test_a_fixed_term_category_refuses_a_basis_naming_the_fixed_rule() -> None:
    basis = TermBasis(kind=TermBasisKind.CONTRACT, years=2)
    with pytest.raises(InvalidInput) as excinfo:
        decide_term(W, "business_elite", DAY, (basis,))
    assert refused(excinfo, "basis_not_applicable", "weihai.term.first_issue_2023")


def test_an_unknown_category_has_no_term() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        decide_term(W, "9", DAY)
    assert refused(excinfo, "unknown_category", None)


def test_a_category_without_a_default_term_needs_a_basis() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        decide_term(
            S, "direct", DAY, policy=with_data(S, terms=default_policy().scheme(S).terms[:1])
        )
    assert refused(excinfo, "no_term_rule", None)


def test_two_bases_without_a_combination_rule_are_refused() -> None:
    bases = (
        TermBasis(kind=TermBasisKind.CONTRACT, years=2),
        TermBasis(kind=TermBasisKind.PROGRAMME_PERIOD, years=3),
    )
    with pytest.raises(InvalidInput) as excinfo:
        decide_term(W, "3", DAY, bases, policy=with_data(W, term_combination=None))
    assert refused(excinfo, "bases_not_combinable", None)


def test_two_bases_are_refused_while_the_combination_rule_is_not_yet_in_force() -> None:
    combination = default_policy().scheme(W).term_combination
    assert combination is not None
    later = msgspec.structs.replace(combination, effective_from=date(2030, 1, 1))
    bases = (
        TermBasis(kind=TermBasisKind.CONTRACT, years=2),
        TermBasis(kind=TermBasisKind.PROGRAMME_PERIOD, years=3),
    )
    with pytest.raises(InvalidInput) as excinfo:
        decide_term(W, "3", DAY, bases, policy=with_data(W, term_combination=later))
    assert refused(excinfo, "bases_not_combinable", None)


@pytest.mark.parametrize(
    ("open_ended", "years"), [(True, 5), (False, None)], ids=["open-ended", "no-years"]
)
def test_an_open_ended_rule_or_one_without_years_sets_no_end_date(
    open_ended: bool, years: int | None
) -> None:
    policy = with_rule(L, "terms", "liaocheng.term.open", open_ended=open_ended, years=years)
    assert decide_term(L, "art5.1", DAY, policy=policy).valid_until is None


def test_two_bases_record_the_winning_rule_and_the_combination_rule() -> None:
    bases = (
        TermBasis(kind=TermBasisKind.CONTRACT, years=2),
        TermBasis(kind=TermBasisKind.PROGRAMME_PERIOD, years=3),
    )
    decision = decide_term(W, "3", DAY, bases)
    assert decision.rules == ("weihai.term.programme_period", "weihai.term.highest_not_cumulative")
    assert decision.version == "weihai-2023"
    assert decision.valid_until == date(2027, 2, 28)


def test_one_basis_records_its_rule_alone() -> None:
    basis = TermBasis(kind=TermBasisKind.PROGRAMME_PERIOD, years=3, label="Taishan scholar")
    decision = decide_term(W, "3", DAY, (basis,))
    assert decision.rules == ("weihai.term.programme_period",)
    assert explained(decision.basis) and "Taishan scholar" in decision.basis


# ---- eligibility -----------------------------------------------------------------------------


def test_a_category_not_yet_in_force_records_the_scheme_category_and_rule() -> None:
    decision = decide_eligibility(W, "business_elite", {}, date(2023, 2, 19))
    assert (decision.scheme, decision.category, decision.eligible) == (W, "business_elite", False)
    assert (decision.stages, decision.route, decision.tier) == ((), None, None)
    assert decision.failed_condition == "category in force"
    assert decision.rules == ("weihai.category.business_elite",)
    assert decision.version == "weihai-2019"
    assert explained(decision.reason)


def test_a_text_fact_is_refused_by_name() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        decide_eligibility(W, "2", {"selected_yingcai_programme": "true"}, DAY)
    assert refused(excinfo, "fact_not_typed", None)


def test_an_eligibility_decision_records_the_scheme_and_category() -> None:
    decision = decide_eligibility(W, "2", {"selected_yingcai_programme": True}, DAY)
    assert (decision.scheme, decision.category, decision.eligible) == (W, "2", True)
    assert decision.rules == ("weihai.category.2", "weihai.path.direct")
    assert explained(decision.reason)


# ---- revocation ------------------------------------------------------------------------------


def test_a_scheme_without_a_revocation_rule_records_its_version_and_a_reason() -> None:
    procedure = revocation_procedure(L, DAY, policy=with_data(L, revocation=()))
    assert (procedure.available, procedure.version) == (False, "liaocheng-2022")
    assert explained(procedure.reason)


def test_a_procedure_records_its_rule_version_and_readable_steps() -> None:
    procedure = revocation_procedure(J, DAY)
    assert (procedure.rules, procedure.version) == (("jinan.revocation",), "jinan-2018")
    assert explained(procedure.reason)


JINAN_STEPS = revocation_procedure(J, DAY).steps
PROPOSED = (StepTaken(action=RevocationAction.PROPOSE, role=Role.EMPLOYER, actor="u1"),)
ALL_TAKEN = (
    *PROPOSED,
    StepTaken(action=RevocationAction.APPROVE, role=Role.CITY_WINDOW, actor="u4"),
    StepTaken(action=RevocationAction.APPROVE, role=Role.CITY_HRSS, actor="u2"),
    StepTaken(action=RevocationAction.APPROVE, role=Role.TALENT_OFFICE, actor="u3"),
)


@pytest.mark.parametrize(
    ("taken", "action", "role", "actor", "code"),
    [
        (PROPOSED, RevocationAction.PROPOSE, Role.EMPLOYER, "u9", "revocation_pending"),
        ((), RevocationAction.APPROVE, Role.CITY_HRSS, "u9", "no_open_revocation"),
        (ALL_TAKEN, RevocationAction.APPROVE, Role.TALENT_OFFICE, "u9", "no_open_revocation"),
        (PROPOSED, RevocationAction.APPROVE, Role.TALENT_OFFICE, "u9", "revocation_step_role"),
        (PROPOSED, RevocationAction.APPROVE, Role.CITY_WINDOW, " U1 ", "self_approval"),
    ],
    ids=["pending", "none-open", "all-taken", "wrong-role", "same-user"],
)
def test_a_refused_step_records_its_code_and_position_and_is_never_final(
    taken: tuple[StepTaken, ...], action: RevocationAction, role: Role, actor: str, code: str
) -> None:
    decision = decide_revocation_step(JINAN_STEPS, taken, action, role, actor)
    assert (decision.allowed, decision.code, decision.final) == (False, code, False)
    assert decision.step == len(taken)
    assert explained(decision.reason)


def test_an_allowed_step_records_its_position_and_a_reason() -> None:
    decision = decide_revocation_step(
        JINAN_STEPS, PROPOSED, RevocationAction.APPROVE, Role.CITY_WINDOW, "u2"
    )
    assert (decision.allowed, decision.code, decision.step, decision.final) == (True, "", 1, False)
    assert explained(decision.reason)


# ---- entitlements ----------------------------------------------------------------------------


def test_a_card_not_in_force_is_refused_every_item_naming_no_rule() -> None:
    decision = decide_entitlement(card(W, "3", status="revoked"), "weihai.1", HOLDER, DAY)
    assert (decision.granted, decision.item, decision.rules) == (False, "weihai.1", ())
    assert decision.detail == ""
    assert (decision.version, explained(decision.reason)) == ("weihai-2023", True)


def test_an_item_beyond_the_tier_is_refused_naming_the_coverage_rules_checked() -> None:
    decision = decide_entitlement(card(L, "C"), "liaocheng.6", HOLDER, DAY)
    assert decision.granted is False
    assert decision.rules == ("liaocheng.coverage.A",)
    assert explained(decision.reason)


def test_a_person_the_item_is_not_for_is_refused_naming_who_it_is_for() -> None:
    decision = decide_entitlement(card(W, "3"), "weihai.12", SPOUSE, DAY)
    assert decision.granted is False
    assert decision.rules == ("weihai.coverage.2019", "weihai.beneficiary.holder")
    assert explained(decision.reason) and "holder" in decision.reason


def test_a_granted_item_records_the_item_its_rules_and_version() -> None:
    decision = decide_entitlement(card(W, "3"), "weihai.14", HOLDER, DAY)
    assert (decision.granted, decision.item) == (True, "weihai.14")
    assert decision.rules == (
        "weihai.coverage.2019",
        "weihai.beneficiary.travel_companion",
        "weihai.condition.airport",
    )
    assert (decision.version, explained(decision.reason)) == ("weihai-2023", True)


def test_an_item_with_no_beneficiary_rule_is_refused_with_a_readable_message() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        decide_entitlement(
            card(W, "3"), "weihai.1", HOLDER, DAY, policy=with_data(W, beneficiaries=())
        )
    assert refused(excinfo, "no_beneficiary_rule", None)


# ---- versions, dates, catalogue ----------------------------------------------------------------


def test_a_day_before_every_version_is_refused_listing_the_versions() -> None:
    with pytest.raises(NoPolicyInForce) as excinfo:
        version_in_force(W, date(2019, 7, 7))
    assert explained(excinfo.value.message) and "weihai-2024-continued" in excinfo.value.message


@pytest.mark.parametrize(
    ("day", "version"),
    [
        (date(2019, 7, 8), "weihai-2019"),
        (date(2023, 2, 19), "weihai-2019"),
        (date(2023, 2, 20), "weihai-2023"),
        (date(2024, 7, 7), "weihai-2023"),
        (date(2024, 7, 8), "weihai-2024-continued"),
    ],
)
def test_each_version_is_in_force_from_its_first_to_its_last_day(day: date, version: str) -> None:
    assert version_in_force(W, day).id == version


def test_a_date_of_birth_after_the_day_is_refused() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        age_on(date(2024, 3, 2), DAY)
    assert refused(excinfo, "born_after_day", None)


@pytest.mark.parametrize(
    ("code", "error"),
    [("liaocheng.21", "item_has_parts"), ("liaocheng.99", "unknown_item")],
)
def test_an_item_with_parts_or_an_unknown_item_is_refused(code: str, error: str) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        find_item(default_policy().scheme(L), code)
    assert refused(excinfo, error, None)
