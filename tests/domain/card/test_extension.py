"""Extension: a longer term on evidence of a trigger that already happened, where the
scheme has an extension rule (Weihai 2023)."""

from __future__ import annotations

from datetime import date, timedelta

from domain.policy import using_policy
from domain.vocabulary import Scheme
from tests.domain.factories import (
    LANDED,
    T0,
    assert_refused,
    change,
    ctx,
    issued_card,
    revoke,
    weihai_business_elite,
)
from tests.domain.policy.support import shifted


def test_a_weihai_2023_card_runs_one_year_then_extends_to_five_when_the_project_lands():
    card = weihai_business_elite()
    assert card.term is not None and card.term.valid_until == date(2027, 3, 1)
    landed = T0 + timedelta(days=100)
    card.extend(
        ctx(at=landed), event_on=date(2026, 6, 1), evidence=("doc://contract",), shows=LANDED
    )
    assert card.term.valid_until == date(2031, 3, 1)
    assert card.term.valid_from == date(2026, 3, 2)


def test_an_extension_needs_evidence_and_a_trigger_that_already_happened():
    card = weihai_business_elite()
    assert_refused(
        card,
        "invalid_input",
        lambda: card.extend(ctx(), event_on=date(2026, 3, 2), evidence=(), shows=LANDED),
    )
    assert_refused(
        card,
        "invalid_input",
        lambda: card.extend(ctx(), event_on=date(2026, 3, 3), evidence=("doc",), shows=LANDED),
    )


def test_an_extension_that_would_not_lengthen_the_term_is_refused():
    card = weihai_business_elite()
    card.extend(ctx(), event_on=date(2026, 3, 2), evidence=("doc://landed",), shows=LANDED)
    error = assert_refused(
        card,
        "term_not_longer",
        lambda: card.extend(
            ctx(), event_on=date(2026, 3, 2), evidence=("doc://again",), shows=LANDED
        ),
    )
    assert error.rule == "weihai.term.extension_2023"
    assert card.term is not None and card.term.valid_until == date(2031, 3, 1)


def test_a_card_with_no_end_date_cannot_be_extended():
    card = issued_card(Scheme.LIAOCHENG, "art5.3")
    assert_refused(
        card,
        "term_not_longer",
        lambda: card.extend(ctx(), event_on=date(2026, 3, 2), evidence=("doc",), shows=LANDED),
    )


def test_a_scheme_without_an_extension_rule_refuses_to_extend():
    card = issued_card(Scheme.JINAN, "C")
    assert_refused(
        card,
        "no_extension_rule",
        lambda: card.extend(ctx(), event_on=date(2026, 3, 2), evidence=("doc",), shows=LANDED),
    )


def test_extending_a_revoked_card_is_refused():
    card = weihai_business_elite()
    revoke(card)
    assert_refused(
        card,
        "card_revoked",
        lambda: card.extend(ctx(), event_on=date(2026, 3, 2), evidence=("doc",), shows=LANDED),
    )


def test_extending_decides_under_the_policy_it_is_given():
    card = weihai_business_elite()
    rules = shifted(
        Scheme.WEIHAI,
        'categories = ["business_elite"]\nyears = 5',
        'categories = ["enterprise_talent"]\nyears = 5',
    )
    with using_policy(rules):
        assert_refused(
            card,
            "no_extension_rule",
            lambda: card.extend(ctx(), event_on=date(2026, 3, 2), evidence=("d",), shows=LANDED),
        )


def test_a_suspended_card_can_still_be_extended():
    card = weihai_business_elite()
    card.suspend(ctx(), change())
    card.extend(ctx(), event_on=date(2026, 3, 2), evidence=("doc://landed",), shows=LANDED)
    assert card.term is not None and card.term.valid_until == date(2031, 3, 1)
