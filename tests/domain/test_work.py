"""What a card waits for from a role (domain.work, issue 28): my work lists exactly these,
and a card's page offers only the actions its state allows now."""

from __future__ import annotations

from datetime import date

import ledger.card_commands as cc
from domain.vocabulary import Role
from domain.work import WorkStep, applies_now, waiting_step, working_days_left
from ledger.app import CardLedger
from tests import factories as f

DAY = date(2026, 3, 2)


def test_a_filed_liaocheng_card_waits_for_the_city_hrss_review_and_no_one_else(
    ledger: CardLedger,
):
    card_id, _ = ledger.apply(f.apply_body())
    card = ledger.get_card(card_id)
    assert waiting_step(card, Role.CITY_HRSS, DAY) is WorkStep.REVIEW
    assert waiting_step(card, Role.TALENT_OFFICE, DAY) is None
    assert waiting_step(card, Role.EMPLOYER, DAY) is None


def test_after_the_first_stage_the_card_waits_for_the_talent_office(ledger: CardLedger):
    card_id, _ = ledger.apply(f.apply_body())
    ledger.run(cc.REVIEW, card_id, f.review("city_hrss"))
    card = ledger.get_card(card_id)
    assert waiting_step(card, Role.TALENT_OFFICE, DAY) is WorkStep.REVIEW
    assert waiting_step(card, Role.CITY_HRSS, DAY) is None


def test_a_card_every_stage_approved_waits_to_be_issued_by_its_issuer(ledger: CardLedger):
    card_id, _ = ledger.apply(f.apply_body())
    f.approve_all(ledger, card_id)
    card = ledger.get_card(card_id)
    assert waiting_step(card, Role.CITY_HRSS, DAY) is WorkStep.ISSUE
    assert waiting_step(card, Role.VENUE, DAY) is None


def test_an_issued_card_waits_for_no_one_until_a_revocation_is_proposed(ledger: CardLedger):
    card_id = f.liaocheng_card(ledger)
    card = ledger.get_card(card_id)
    assert all(waiting_step(card, role, DAY) is None for role in Role)
    assert not applies_now(card, "issue") and not applies_now(card, "review")
    assert applies_now(card, "propose_revocation") and applies_now(card, "suspend")
    assert not applies_now(card, "approve_revocation") and not applies_now(card, "reinstate")


def test_a_pending_card_offers_review_and_withdrawal_but_not_issue_or_suspension(
    ledger: CardLedger,
):
    card_id, _ = ledger.apply(f.apply_body())
    card = ledger.get_card(card_id)
    assert applies_now(card, "review") and applies_now(card, "withdraw")
    assert not applies_now(card, "issue") and not applies_now(card, "suspend")


def test_working_days_left_skip_the_weekend_and_count_down_past_the_due_day():
    friday, monday = date(2026, 3, 6), date(2026, 3, 9)
    assert working_days_left(friday, monday) == 1
    assert working_days_left(monday, monday) == 0
    assert working_days_left(date(2026, 3, 10), monday) == -1
    assert working_days_left(date(2026, 3, 16), friday) == -6


def test_an_open_revocation_is_looked_for_where_the_role_takes_its_next_step():
    from domain.work import open_request_events

    # Liaocheng art. 34: the unit proposes, the same-level window forwards, the city HRSS
    # agrees; art. 33: the city HRSS decides a change to the card's people.
    assert ("liaocheng", "RevocationProposed") in open_request_events(Role.CITY_WINDOW)
    assert ("liaocheng", "RevocationApproved") in open_request_events(Role.CITY_HRSS)
    assert ("liaocheng", "AmendmentRequested") in open_request_events(Role.CITY_HRSS)
    assert open_request_events(Role.EMPLOYER) == ()
    assert open_request_events(Role.VENUE) == ()
