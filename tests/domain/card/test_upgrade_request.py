"""Liaocheng art. 32: a higher category is requested first and decided by its route,
on the same card (issue 10)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.values import Review
from domain.vocabulary import CardStatus, ReviewDecision, ReviewStage, Role, Scheme
from tests.domain.factories import approve, assert_refused, ctx, issued_card, request_a


def test_a_liaocheng_upgrade_is_requested_first_naming_the_higher_category():
    card = issued_card()  # art. 5(3), tier B
    error = assert_refused(card, "upgrade_not_requested", lambda: card.upgrade(ctx(), "A"))
    assert "upgrade-request" in error.message
    request_a(card)
    card.upgrade(ctx(), "A")
    assert (card.tier, card.category) == ("A", "art5.2")


def test_an_upgrade_to_a_reviewed_category_waits_for_that_route_s_reviews():
    # art. 32(2): art. 5(3) is reviewed by city HRSS, then agreed by the talent office.
    card = issued_card(Scheme.LIAOCHENG, "art5.4")  # tier C
    card.request_upgrade(ctx(Role.EMPLOYER), "art5.3", {"certified_excellent": True})
    assert_refused(card, "review_incomplete", lambda: card.upgrade(ctx(), "B"))
    approve(card, ReviewStage.CITY_HRSS)
    assert_refused(card, "review_incomplete", lambda: card.upgrade(ctx(), "B"))
    approve(card, ReviewStage.TALENT_OFFICE)
    card.upgrade(ctx(), "B")
    assert (card.tier, card.category, card.status_on(date(2026, 3, 2))) == (
        "B",
        "art5.3",
        CardStatus.ACTIVE,
    )


def test_a_rejected_upgrade_request_leaves_the_card_as_it_was():
    card = issued_card(Scheme.LIAOCHENG, "art5.4")
    card.request_upgrade(ctx(Role.EMPLOYER), "art5.3", {"certified_excellent": True})
    card.record_review(
        ctx(Role.CITY_HRSS),
        Review(stage=ReviewStage.CITY_HRSS, decision=ReviewDecision.REJECTED, reviewer="r"),
    )
    assert (card.tier, card.upgrade_request) == ("C", None)
    assert_refused(card, "upgrade_not_requested", lambda: card.upgrade(ctx(), "B"))


@pytest.mark.parametrize(
    ("category", "facts", "code"),
    [
        ("art5.3", {}, "not_eligible"),  # the higher category must be met
        ("art5.4", {"flexibly_introduced": True, "equivalent_level": True}, "tier_not_higher"),
    ],
)
def test_an_upgrade_request_is_decided_like_a_filing_of_the_higher_category(
    category: str, facts: dict[str, bool], code: str
):
    card = issued_card(Scheme.LIAOCHENG, "art5.3")
    assert_refused(card, code, lambda: card.request_upgrade(ctx(Role.EMPLOYER), category, facts))


def test_a_jinan_upgrade_needs_no_request():
    card = issued_card(Scheme.JINAN, "C")
    assert_refused(
        card,
        "upgrade_request_not_needed",
        lambda: card.request_upgrade(ctx(Role.APPLICANT), "B", {"certified_class_b": True}),
    )
