"""decision_of: the rules and policy version behind each recorded event, by its class."""

from __future__ import annotations

from domain.card import Card
from domain.history import decision_of
from domain.vocabulary import Role
from tests.domain.factories import application, ctx, issued_card


def test_an_issue_is_decided_by_its_term_rules_under_the_version_in_force():
    card = issued_card()
    issued = card.collect_events()[-1]
    rules, version = decision_of(issued)
    assert rules and all(r.startswith("liaocheng.") for r in rules)
    assert version == "liaocheng-2022"


def test_a_withdrawal_is_decided_by_no_rule():
    card = Card.file(ctx(Role.EMPLOYER), application())
    card.withdraw(ctx(Role.EMPLOYER))
    withdrawn = card.collect_events()[-1]
    assert decision_of(withdrawn) == ((), "")
