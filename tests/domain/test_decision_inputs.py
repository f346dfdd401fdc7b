"""Every event records the inputs its rules decided on, so a replay can decide again."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from domain import policy
from domain.policy import TermBasis, TermBasisKind
from domain.quota import CardQuota, quota_scope
from domain.values import Basis
from domain.vocabulary import ReviewStage, Role, Scheme
from tests.domain.factories import T0, ctx, issued_card, reviewed_card


def test_an_issue_records_the_bases_and_start_it_was_asked_for():
    card = reviewed_card(Scheme.WEIHAI, "4")
    bases = (TermBasis(kind=TermBasisKind.CONTRACT, until=date(2028, 6, 30), label="合同"),)
    card.issue(ctx(), valid_from=date(2026, 3, 9), bases=bases)
    issuance = card.collect_events()[-1].issuance  # type: ignore[attr-defined]
    assert issuance.bases == bases
    assert issuance.valid_from_asked == date(2026, 3, 9)
    again = policy.decide_term(Scheme.WEIHAI, "4", issuance.valid_from_asked, issuance.bases)
    assert again.valid_until == issuance.term.valid_until


def test_a_review_records_the_stage_position_it_reached_and_the_order_s_rules():
    card = reviewed_card()  # liaocheng: city_hrss then talent_office
    reached = [e.reached for e in card.collect_events()[1:]]  # type: ignore[attr-defined]
    assert [r.position for r in reached] == [0, 1]
    assert reached[1].required_stages == (ReviewStage.CITY_HRSS, ReviewStage.TALENT_OFFICE)
    assert reached[1].policy_version == "liaocheng-2022"


def test_an_upgrade_records_the_tier_and_term_it_started_from():
    card = issued_card()
    term_before = card.term
    card.request_upgrade(ctx(Role.EMPLOYER), "art5.2", {"certified_top_or_leading": True})
    card.upgrade(ctx(), "A")
    upgrade = card.collect_events()[-1].upgrade  # type: ignore[attr-defined]
    assert (upgrade.from_tier, upgrade.previous_term) == ("B", term_before)


def test_a_quota_reservation_records_how_many_cards_it_counted_and_the_limit_in_force():
    basis = Basis(category="business_elite", project_id="P-1")
    scope = quota_scope(Scheme.WEIHAI, basis, date(2026, 3, 2))
    assert scope is not None
    quota = CardQuota(scope=scope)
    for _ in range(2):
        quota.reserve(ctx(at=T0), uuid4())
    second = quota.collect_events()[-1].use  # type: ignore[attr-defined]
    assert (second.counted_before, second.raised_to) == (1, None)
