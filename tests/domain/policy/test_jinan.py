"""Jinan Quancheng gold card (泉城人才服务金卡): classes A-D, tier-gated items, the
5-year term restarted on upgrade (art. 24.2), revocation by city HRSS and the talent office."""

from __future__ import annotations

from datetime import date

import pytest

from domain.policy import (
    decide_eligibility,
    decide_entitlement,
    decide_term,
    decide_upgrade,
    tier_rank,
    tier_ranking,
)
from domain.vocabulary import Role, Route, Scheme
from tests.domain.policy.support import COMPANION, HOLDER, SPOUSE, card, child, revokes

J = Scheme.JINAN
DAY = date(2024, 6, 3)
CERTIFIED_B = {"certified_class_b": True}  # art. 24(2): the upgrade follows it


@pytest.mark.parametrize("category", ["A", "B", "C", "D"])
def test_a_certified_class_claims_its_card_directly(category: str) -> None:
    decision = decide_eligibility(J, category, {f"certified_class_{category.lower()}": True}, DAY)
    assert decision.eligible
    assert (decision.route, decision.stages, decision.tier) == (Route.DIRECT, (), category)
    assert decision.rules == (f"jinan.category.{category}", "jinan.path.direct")


def test_an_uncertified_talent_is_not_eligible() -> None:
    decision = decide_eligibility(J, "B", {}, DAY)
    assert not decision.eligible
    assert decision.failed_condition == "certified as class B in the Jinan classification catalogue"


def test_jinan_classes_rank_a_over_b_over_c_over_d() -> None:
    assert tier_ranking(J).tiers == ("A", "B", "C", "D")
    assert [tier_rank(J, t) for t in "ABCD"] == [3, 2, 1, 0]
    assert tier_rank(J, "E") is None


GATED = {
    "jinan.6.case_by_case": {"A"},
    "jinan.6.purchase": {"A", "B", "C", "D"},
    "jinan.8": {"A", "B", "C"},
    "jinan.9": {"A", "B", "C"},
    "jinan.11": {"A", "B", "C"},
    "jinan.12": {"A", "B", "C", "D"},
    "jinan.5": {"A", "B", "C", "D"},
    "jinan.13": {"A", "B", "C", "D"},
    "jinan.19.travel": {"A", "B", "C", "D"},
    "jinan.20.parks": {"A", "B", "C", "D"},
    "jinan.20.fitness": {"A", "B", "C", "D"},
    "jinan.21": {"A", "B", "C", "D"},
}


@pytest.mark.parametrize(("item", "tiers"), list(GATED.items()))
def test_tier_gated_items_go_to_their_classes_only(item: str, tiers: set[str]) -> None:
    # Art. 11 schooling is the children's (高层次人才子女).
    user = child(date(2015, 1, 1)) if item == "jinan.11" else HOLDER
    got = {t for t in "ABCD" if decide_entitlement(card(J, t), item, user, DAY).granted}
    assert got == tiers


@pytest.mark.parametrize(
    ("tier", "detail", "rule"),
    [
        ("A", "class-1 health care (一类医疗保健待遇)", "jinan.coverage.medical_class_1"),
        ("B", "class-1 health care (一类医疗保健待遇)", "jinan.coverage.medical_class_1"),
        ("C", "class-2 health care (二类医疗保健待遇)", "jinan.coverage.medical_class_2"),
        ("D", "class-2 health care (二类医疗保健待遇)", "jinan.coverage.medical_class_2"),
    ],
)
def test_medical_care_is_class_1_for_a_and_b_and_class_2_for_c_and_d(
    tier: str, detail: str, rule: str
) -> None:
    decision = decide_entitlement(card(J, tier), "jinan.12", HOLDER, DAY)
    assert decision.granted and decision.detail == detail and decision.rules[0] == rule


def test_airport_and_rail_admit_one_companion_but_parks_do_not() -> None:
    c = card(J, "D")
    assert decide_entitlement(c, "jinan.19.travel", COMPANION, DAY).granted
    assert not decide_entitlement(c, "jinan.19.vehicle", COMPANION, DAY).granted
    assert not decide_entitlement(c, "jinan.20.parks", COMPANION, DAY).granted
    assert not decide_entitlement(c, "jinan.19.travel", SPOUSE, DAY).granted


def test_a_jinan_card_runs_five_years_inclusive() -> None:
    term = decide_term(J, "C", date(2024, 2, 29))
    assert (term.valid_from, term.valid_until) == (date(2024, 2, 29), date(2029, 2, 28))
    assert term.rules == ("jinan.term.default",) and term.version == "jinan-2018"


CARD_C = card(J, "C", valid_from=date(2020, 5, 6), valid_until=date(2025, 5, 5))


def test_a_card_upgraded_on_its_last_valid_day_restarts_its_term() -> None:
    decision = decide_upgrade(CARD_C, "B", date(2025, 5, 5), facts=CERTIFIED_B)
    assert decision.allowed
    assert (decision.valid_from, decision.valid_until) == (date(2025, 5, 5), date(2030, 5, 4))
    assert decision.rules == ("jinan.tiers", "jinan.upgrade.restart")


def test_a_card_cannot_be_upgraded_the_day_after_it_expired() -> None:
    decision = decide_upgrade(CARD_C, "B", date(2025, 5, 6), facts=CERTIFIED_B)
    assert not decision.allowed and "expired after 2025-05-05" in decision.reason


@pytest.mark.parametrize(
    ("tier", "reason"), [("C", "not higher"), ("D", "not higher"), ("E", "not a jinan tier")]
)
def test_an_upgrade_must_go_to_a_higher_known_class(tier: str, reason: str) -> None:
    decision = decide_upgrade(CARD_C, tier, DAY, facts={f"certified_class_{tier.lower()}": True})
    assert not decision.allowed and reason in decision.reason


def test_a_revoked_card_cannot_be_upgraded() -> None:
    revoked = card(J, "C", status="revoked")
    assert not decide_upgrade(revoked, "A", DAY).allowed


def test_art_24_3_revocation_goes_through_the_window_then_city_hrss_then_the_talent_office() -> (
    None
):
    # 由所在（引进）单位向同级服务窗口提出意见，报市人社局并经市人才工作领导小组办公室同意.
    window = Role.CITY_WINDOW
    assert revokes(J, Role.EMPLOYER, [window, Role.CITY_HRSS, Role.TALENT_OFFICE])
    assert not revokes(J, Role.EMPLOYER, [Role.CITY_HRSS, Role.TALENT_OFFICE])
    assert not revokes(J, Role.EMPLOYER, [window, Role.CITY_HRSS])
    assert not revokes(J, Role.EMPLOYER, [window, Role.TALENT_OFFICE, Role.CITY_HRSS])


def test_a_class_d_certification_does_not_file_as_class_a() -> None:
    # Jinan art. 3 and art. 24(1): the card follows the class the talent is certified in.
    decision = decide_eligibility(J, "A", {"certified_class_d": True}, DAY)
    assert not decision.eligible
    assert "class A" in (decision.failed_condition or "") + decision.reason


def test_an_upgrade_without_the_higher_class_s_certification_is_refused() -> None:
    # Art. 24(2): 可按规定申报更高层次人才认定，认定通过后……金卡自动升级.
    for facts in ({}, {"certified_class_c": True}, {"certified_class_a": True}):
        decision = decide_upgrade(CARD_C, "B", DAY, facts=facts)
        assert not decision.allowed
        assert "certification" in decision.reason and "class B" in decision.reason
    assert decide_upgrade(CARD_C, "B", DAY, facts=CERTIFIED_B).allowed
