"""Upgrade: a higher tier of the scheme, decided by the tier and upgrade rules in force."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.errors import InvalidInput
from domain.policy import using_policy
from domain.vocabulary import Role, Scheme
from tests.domain.factories import (
    T0,
    assert_refused,
    ctx,
    issued_card,
    request_a,
    weihai_business_elite,
)
from tests.domain.policy.support import shifted


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
    # From 2026-12-07 the city window records a Jinan card's upgrade (jinan.issuers).
    card.upgrade(ctx(Role.CITY_WINDOW, at=later), "A", {"certified_class_a": True})
    assert card.term is not None
    assert (card.term.valid_from, card.term.valid_until) == (date(2027, 4, 6), date(2032, 4, 5))


def test_a_card_can_be_upgraded_on_its_last_valid_day_but_not_the_day_after():
    last_day = datetime(2031, 3, 1, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai
    card = issued_card(Scheme.JINAN, "C")
    card.upgrade(ctx(Role.CITY_WINDOW, at=last_day), "B", {"certified_class_b": True})
    assert card.tier == "B"
    expired = issued_card(Scheme.JINAN, "C")
    assert_refused(
        expired,
        "card_expired",
        lambda: expired.upgrade(ctx(Role.CITY_WINDOW, at=last_day + timedelta(minutes=1)), "B"),
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


def test_upgrading_to_an_unknown_tier_names_the_scheme_s_tier_rule():
    card = issued_card()
    error = assert_refused(card, "invalid_input", lambda: card.upgrade(ctx(), "S"))
    assert error.rule == "liaocheng.tiers"
