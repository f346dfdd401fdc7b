"""Issue: the engine decides the term; a card is issued once, never back-dated, and
nothing changes an application that was never issued."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.errors import InvalidInput
from domain.policy import TermBasis, TermBasisKind, using_policy
from domain.vocabulary import CardStatus, Role, Scheme
from tests.domain.factories import LANDED, assert_refused, change, ctx, issued_card, reviewed_card
from tests.domain.policy.support import NOT_YET_IN_FORCE, shifted


def test_issuing_records_the_tier_decided_at_filing_and_the_term_rule():
    card = issued_card(Scheme.JINAN, "C")
    assert card.tier == "C"
    assert card.term is not None
    assert (card.term.valid_from, card.term.valid_until) == (date(2026, 3, 2), date(2031, 3, 1))
    assert card.term.rules and card.term.policy_version.startswith("jinan")


def test_a_liaocheng_card_has_no_end_date_and_never_expires():
    card = issued_card(Scheme.LIAOCHENG, "art5.3")
    assert card.term is not None and card.term.valid_until is None
    assert card.status_on(date(2099, 1, 1)) is CardStatus.ACTIVE


def test_a_weihai_contract_of_seven_years_gives_a_term_capped_at_five():
    card = reviewed_card(Scheme.WEIHAI, "4")
    card.issue(ctx(), bases=(TermBasis(kind=TermBasisKind.CONTRACT, years=7),))
    assert card.term is not None and card.term.valid_until == date(2031, 3, 1)
    assert "capped" in card.term.basis


def test_a_card_cannot_be_issued_to_start_in_the_past():
    card = reviewed_card()
    with pytest.raises(InvalidInput, match="before the issue date"):
        card.issue(ctx(), valid_from=date(2026, 3, 1))


def test_an_issued_card_cannot_be_withdrawn_or_issued_again():
    card = issued_card()
    assert_refused(card, "already_issued", lambda: card.withdraw(ctx(Role.EMPLOYER)))
    assert_refused(card, "already_issued", lambda: card.issue(ctx()))


def test_issuing_decides_the_term_under_the_policy_it_is_given():
    card = reviewed_card()
    rules = shifted(Scheme.LIAOCHENG, *NOT_YET_IN_FORCE)
    with using_policy(rules):
        assert_refused(card, "no_policy_in_force", lambda: card.issue(ctx()))


@pytest.mark.parametrize(
    "command",
    [
        lambda c: c.upgrade(ctx(), "A"),
        lambda c: c.extend(ctx(), event_on=date(2026, 3, 2), evidence=("d",), shows=LANDED),
        lambda c: c.suspend(ctx(), change()),
    ],
    ids=["upgrade", "extend", "suspend"],
)
def test_changing_an_application_that_was_never_issued_is_refused(command: Any):
    card = reviewed_card()
    assert_refused(card, "not_issued", lambda: command(card))
