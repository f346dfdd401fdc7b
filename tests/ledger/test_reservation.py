"""The one-live-card rule leaves legitimate filings alone: another scheme, a new filing
after the first ended, and upgrades and extensions of the card held (the refusals are in
tests/security/test_one_card_per_person.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

import ledger.card_commands as cc
from domain.errors import DomainError
from domain.reservation import AlreadyHoldsCard
from domain.vocabulary import CardStatus
from ledger.app import CardLedger
from tests import factories as f
from tests.conftest import FakeClock


def same_person(**overrides: object) -> dict[str, object]:
    return {**f.holder(), **overrides}


def test_the_same_person_may_hold_a_card_of_another_scheme(ledger: CardLedger):
    ledger.apply(f.apply_body(holder=same_person()))
    card_id, _ = ledger.apply(f.jinan_body("C", holder=same_person()))
    assert ledger.get_card(card_id).application.scheme == "jinan"


def test_a_withdrawn_application_frees_the_person_to_apply_again(ledger: CardLedger):
    first, _ = ledger.apply(f.apply_body(holder=same_person()))
    ledger.run(cc.WITHDRAW, first, f.withdraw())
    second, _ = ledger.apply(f.apply_body(holder=same_person()))
    assert second != first


def test_a_rejected_application_frees_the_person_to_apply_again(ledger: CardLedger):
    first, _ = ledger.apply(f.apply_body(holder=same_person()))
    ledger.run(cc.REVIEW, first, f.review("city_hrss", "rejected"))
    second, _ = ledger.apply(f.apply_body(holder=same_person()))
    assert second != first


def test_a_revoked_card_frees_the_person_to_apply_again(ledger: CardLedger):
    first, _ = ledger.apply(f.apply_body(holder=same_person()))
    for stage in ("city_hrss", "talent_office"):
        ledger.run(cc.REVIEW, first, f.review(stage))
    ledger.run(cc.ISSUE, first, f.issue())
    f.revoke(ledger, first)
    second, _ = ledger.apply(f.apply_body(holder=same_person()))
    assert second != first


def test_upgrades_and_extensions_keep_working_on_the_held_card(ledger: CardLedger):
    card_id, _ = ledger.apply(f.apply_body(holder=same_person()))
    for stage in ("city_hrss", "talent_office"):
        ledger.run(cc.REVIEW, card_id, f.review(stage))
    ledger.run(cc.ISSUE, card_id, f.issue())
    f.upgrade_liaocheng(ledger, card_id)
    assert ledger.get_card(card_id).tier == "A"
    elite, _ = ledger.apply(f.business_elite_body("P-9", holder=same_person()))
    f.approve_all(ledger, elite)
    ledger.run(cc.ISSUE, elite, f.issue())
    ledger.run(cc.EXTEND, elite, f.extend("2026-03-02"))
    assert ledger.get_card(elite).version == len(ledger.history(elite))


def test_one_live_card_per_person_per_scheme_cites_the_recorded_lifecycle_decision(
    ledger: CardLedger,
):
    # No seed states 一人一卡: the refusal cites the administrator's decision it rests on
    # (RD-2026-84), not the policy brief.
    ledger.apply(f.apply_body(holder=same_person()))
    with pytest.raises(AlreadyHoldsCard) as refused:
        ledger.apply(f.apply_body(holder=same_person()))
    assert refused.value.rule == (
        "administrator decision liaocheng.decision.lifecycle (registry decision record RD-2026-84)"
    )


def test_weihai_2023_part_2_a_second_business_elite_card_is_not_labelled_a_first_opening(
    ledger: CardLedger, clock: FakeClock
):
    # 首次开通的……有效期为1年: the first opening only; a later one rests on RD-2026-102.
    first, _ = ledger.apply(f.business_elite_body("P-1", holder=same_person()))
    f.approve_all(ledger, first)
    ledger.run(cc.ISSUE, first, f.issue())
    clock.now = datetime(2027, 3, 10, 2, tzinfo=UTC)  # the first card ran out on 2027-03-01
    second, _ = ledger.apply(f.business_elite_body("P-2", holder=same_person()))
    f.approve_all(ledger, second)
    ledger.run(cc.ISSUE, second, f.issue())
    term = ledger.get_card(second).term
    assert term is not None and term.rules == ("weihai.term.reopened_2026",)
    assert term.valid_until == date(2028, 3, 9)
    assert "first" not in term.basis


def test_weihai_2023_part_2_a_typed_opened_before_does_not_make_a_later_opening(
    ledger: CardLedger, clock: FakeClock
):
    clock.now = datetime(2026, 12, 8, 2, tzinfo=UTC)
    typed = f.business_elite_body(
        "P-3", facts={"key_member_of_project_under_negotiation": True, "opened_before": True}
    )
    card_id, _ = ledger.apply(typed)
    assert "opened_before" not in ledger.get_card(card_id).application.basis.facts
    f.approve_all(ledger, card_id)
    ledger.run(cc.ISSUE, card_id, f.issue())
    term = ledger.get_card(card_id).term
    assert term is not None and term.rules == ("weihai.term.first_opening_2026",)


def test_weihai_2023_part_2_a_past_event_recorded_after_2026_12_07_is_decided_by_today_s_rules(
    ledger: CardLedger, clock: FakeClock
):
    # The issue's own case: a business-elite card whose first year ended in March, a
    # landing in June, the extension recorded after the rectification. Today's rules decide
    # it: the landing extends it, the days between stay lapsed, and a hire does not.
    clock.now = datetime(2025, 3, 8, 2, tzinfo=UTC)
    card_id, _ = ledger.apply(f.business_elite_body("P-9", holder=same_person()))
    f.approve_all(ledger, card_id)
    ledger.run(cc.ISSUE, card_id, f.issue())
    clock.now = datetime(2026, 12, 8, 2, tzinfo=UTC)
    hired = f.extend(event_on="2026-06-01", shows=("full_time_hire", "social_insurance"))
    with pytest.raises(DomainError) as refused:
        ledger.run(cc.EXTEND, card_id, hired)
    assert refused.value.rule == "weihai.term.extension_2026.business_elite"
    ledger.run(cc.EXTEND, card_id, f.extend(event_on="2026-06-01"))
    card = ledger.get_card(card_id)
    assert card.term is not None
    assert card.term.rules == ("weihai.term.extension_2026.business_elite",)
    assert (card.term.lapsed_from, card.term.lapsed_until) == (date(2026, 3, 8), date(2026, 5, 31))
    assert card.status_on(date(2026, 5, 1)) is CardStatus.EXPIRED
    assert card.status_on(date(2026, 6, 1)) is CardStatus.ACTIVE
