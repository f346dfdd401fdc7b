"""Issue: the engine decides the term; a card is issued once, never back-dated, and
nothing changes an application that was never issued."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from domain import card_roles as roles
from domain.errors import InvalidInput
from domain.policy import TermBasis, TermBasisKind, using_policy
from domain.values import Basis
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


RECTIFIED = datetime(2026, 12, 8, 2, tzinfo=UTC)  # the corrected readings decide from 12-07


def test_liaocheng_art_32_only_the_city_hrss_issues_a_gold_card():
    # Art. 32: 由市人力资源社会保障局……颁发. From 2026-12-07 a window or the talent office
    # is refused; the day before, the registry's one role set still decided.
    card = reviewed_card()
    for role in (Role.CITY_WINDOW, Role.COUNTY_WINDOW, Role.TALENT_OFFICE):
        assert not roles.issues(card, role, RECTIFIED.date())
        error = assert_refused(
            card, "issuer_not_authorised", lambda role=role: card.issue(ctx(role, at=RECTIFIED))
        )
        assert error.rule == "liaocheng.issuers"
    assert roles.issues(card, Role.CITY_HRSS, RECTIFIED.date())
    card.issue(ctx(Role.CITY_HRSS, at=RECTIFIED))
    assert card.issued_on == date(2026, 12, 8)


def test_before_2026_12_07_a_city_window_issued_a_gold_card_as_the_registry_did():
    card = reviewed_card()
    assert roles.issues(card, Role.CITY_WINDOW, date(2026, 12, 6))
    card.issue(ctx(Role.CITY_WINDOW))
    assert card.status_on(date(2026, 3, 2)) is CardStatus.ACTIVE


def test_shandong_7_1_item_6_a_city_hrss_does_not_issue_the_huicai_card():
    facts = {
        "national_comprehensive_programme": True,
        "city_employer": True,
        "innovation_record": True,
    }
    card = reviewed_card(Scheme.SHANDONG, "direct", basis=Basis(category="direct", facts=facts))
    error = assert_refused(
        card, "issuer_not_authorised", lambda: card.issue(ctx(Role.CITY_HRSS, at=RECTIFIED))
    )
    assert error.rule == "shandong.issuers"
    # 7.1: from 2026-12-07 the provincial window's receipt is a required step.
    card.receive(ctx(Role.PROVINCIAL_WINDOW, at=RECTIFIED), Role.PROVINCIAL_WINDOW)
    card.issue(ctx(Role.PROVINCIAL_WINDOW, at=RECTIFIED))
    assert card.status_on(date(2026, 12, 8)) is CardStatus.ACTIVE
