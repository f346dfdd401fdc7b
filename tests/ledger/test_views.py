"""``card show`` reads each event by its class: what was decided, and by which rules."""

from __future__ import annotations

import ledger.card_commands as cc
from ledger.app import CardLedger
from ledger.views import card_view, summarise
from tests import factories as f
from tests.conftest import FakeClock


def test_the_history_line_of_an_issue_shows_its_term_and_the_rules_that_set_it(
    ledger: CardLedger,
):
    card_id, _ = ledger.apply(f.apply_body())
    ledger.run(cc.REVIEW, card_id, f.review("city_hrss"))
    ledger.run(cc.REVIEW, card_id, f.review("talent_office"))
    ledger.run(cc.ISSUE, card_id, f.issue())
    issued = ledger.history(card_id)[-1]
    line = summarise(issued)
    assert line.startswith("tier=B; 2026-03-02..no end date")
    assert "(liaocheng-2022)" in line


def test_each_event_view_names_the_rules_and_version_that_decided_it(
    ledger: CardLedger, clock: FakeClock
):
    card_id, _ = ledger.apply(f.apply_body())
    ledger.run(cc.REVIEW, card_id, f.review("city_hrss"))
    card = ledger.get_card(card_id)
    applied, reviewed = card_view(card, clock().date(), ledger.history(card_id)).history[:2]
    assert "liaocheng.category.art5.3" in applied.rules
    assert applied.policy_version == "liaocheng-2022"
    assert "holder 李雷" in applied.summary
    assert reviewed.summary.startswith("stage=city_hrss; decision=approved")


def test_an_event_records_when_it_was_recorded_from_the_ledger_clock(
    ledger: CardLedger, clock: FakeClock
):
    card_id, _ = ledger.apply(f.apply_body())
    card = ledger.get_card(card_id)
    (view,) = card_view(card, clock().date(), ledger.history(card_id)).history
    assert view.recorded_at == clock.now
    assert view.effective_at == clock.now
