"""Suspension and reinstatement (暂停/恢复): the registry's interim measure, by the role the
scheme's interim rule names (the last revocation approver, on the recorded decision
RD-2026-83), each with its reason and decision reference."""

from __future__ import annotations

from datetime import date

import pytest

from domain.policy import parse_policy, using_policy
from domain.policy.loader import package_texts
from domain.values import StatusChange
from domain.vocabulary import CardStatus, Role, Scheme
from tests.domain.factories import assert_refused, change, ctx, issued_card, revoke


def test_a_suspended_card_is_reinstated_and_cannot_be_suspended_twice():
    card = issued_card()
    card.suspend(ctx(), change())
    assert_refused(card, "already_suspended", lambda: card.suspend(ctx(), change()))
    card.reinstate(ctx(), change())
    assert card.status_on(date(2026, 3, 2)) is CardStatus.ACTIVE
    assert_refused(card, "not_suspended", lambda: card.reinstate(ctx(), change()))


@pytest.mark.parametrize("blank", ["reason", "decision_ref"])
@pytest.mark.parametrize("action", ["suspend", "reinstate"])
def test_a_suspension_or_reinstatement_without_a_reason_or_decision_reference_is_refused(
    action: str, blank: str
):
    card = issued_card()
    if action == "reinstate":
        card.suspend(ctx(), change())
    fields = {"reason": "r", "decision_ref": "ref", blank: " \t"}
    error = assert_refused(
        card, "invalid_input", lambda: getattr(card, action)(ctx(), change(**fields))
    )
    assert blank in error.message


def test_a_suspension_records_the_acting_user_the_reason_the_decision_and_the_rule():
    card = issued_card()
    card.collect_events()
    card.suspend(ctx(actor="liu"), change(reason=" 调查 ", decision_ref=" 聊人社〔2026〕9号 "))
    (suspended,) = card.collect_events()
    assert suspended.ctx.actor == "liu"  # type: ignore[attr-defined]
    assert suspended.change == StatusChange(  # type: ignore[attr-defined]
        reason="调查",
        decision_ref="聊人社〔2026〕9号",
        rules=("liaocheng.interim",),
        policy_version="liaocheng-2022",
    )


@pytest.mark.parametrize(
    ("scheme", "category", "refused", "allowed"),
    [
        (Scheme.LIAOCHENG, "art5.3", Role.EMPLOYER, Role.CITY_HRSS),
        (Scheme.JINAN, "C", Role.CITY_HRSS, Role.TALENT_OFFICE),
    ],
)
def test_only_the_scheme_s_last_revocation_approver_may_suspend_or_reinstate(
    scheme: Scheme, category: str, refused: Role, allowed: Role
):
    card = issued_card(scheme, category)
    error = assert_refused(
        card, "interim_measure_not_authorised", lambda: card.suspend(ctx(refused), change())
    )
    assert error.rule == f"{scheme}.interim"
    card.suspend(ctx(allowed), change())
    assert_refused(
        card, "interim_measure_not_authorised", lambda: card.reinstate(ctx(refused), change())
    )
    card.reinstate(ctx(allowed), change())
    assert card.status_on(date(2026, 3, 2)) is CardStatus.ACTIVE


def test_a_suspended_card_cannot_be_upgraded_but_can_be_revoked():
    card = issued_card()
    card.suspend(ctx(), change())
    assert_refused(card, "card_suspended", lambda: card.upgrade(ctx(), "A"))
    revoke(card)
    assert card.status_on(date(2026, 3, 2)) is CardStatus.REVOKED


def without_interim_rule() -> dict[str, str]:
    """The package data with Liaocheng's interim rule ended before the tests' day."""
    texts = package_texts()
    rule = (
        'decision = "liaocheng.decision.interim_measure"\nversion = "liaocheng-2022"\n'
        "effective_from = 2022-09-13\n"
    )
    assert texts["liaocheng.toml"].count(rule) == 1
    texts["liaocheng.toml"] = texts["liaocheng.toml"].replace(
        rule, rule + "effective_until = 2022-09-13\n"
    )
    return texts


def test_suspension_rests_on_the_interim_measure_decision_not_on_the_revocation_article():
    # No seed clause provides a suspension: the event cites the interim rule, which rests on
    # the recorded decision liaocheng.decision.interim_measure (RD-2026-83), not art. 34.
    card = issued_card()
    card.collect_events()
    card.suspend(ctx(), change())
    (suspended,) = card.collect_events()
    assert suspended.change.rules == ("liaocheng.interim",)  # type: ignore[attr-defined]
    refused = assert_refused(
        card, "interim_measure_not_authorised", lambda: card.reinstate(ctx(Role.EMPLOYER), change())
    )
    assert refused.rule == "liaocheng.interim"


def test_reinstating_decides_under_the_policy_it_is_given():
    card = issued_card()
    card.suspend(ctx(), change())
    rules = parse_policy(without_interim_rule())
    with using_policy(rules):
        assert_refused(
            card, "interim_measure_not_authorised", lambda: card.reinstate(ctx(), change())
        )
