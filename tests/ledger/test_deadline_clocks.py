"""Issuance deadlines run from the events the rules name (Shandong 7.1), not from filing:
the provincial window's receipt, the contract's confirmation, the expert review."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import msgspec
import pytest

import ledger.card_commands as cc
from domain.errors import DomainError
from ledger import commands as c
from ledger.app import CardLedger
from tests import factories as f
from tests.conftest import FakeClock

FACTS = {
    # city_employer: the file starts at the city window (7.1 同级窗口, 逐级提报).
    "direct": {
        "national_comprehensive_programme": True,
        "city_employer": True,
        "innovation_record": True,
    },
    "reviewed": {
        "outside_comprehensive_programme": True,
        "flexibly_introduced": True,
        "city_employer": True,
        "innovation_record": True,
    },
    "evaluated": {
        "shortage_industry": True,
        "ministry_programme": True,
        "city_employer": True,
        "innovation_record": True,
    },
}


def shandong(ledger: CardLedger, category: str) -> UUID:
    """A 惠才卡 file; on a day the employer's level comes from the register
    (shandong.level.register), its employer is registered as a city one instead."""
    body = f.apply_body(
        scheme="shandong",
        category=category,
        facts=FACTS[category],
        sponsor={"kind": "employer", "name": "山东大学"},
    )
    if f.level_from_register(ledger):
        body = f.registered_employer_body(ledger, body)
    card_id, _ = ledger.apply(body)
    return card_id


def receive(window: str = "provincial_window", **fields: Any) -> c.ReceiveBody:
    return c.ReceiveBody(actor=f"{window}.clerk", role=window, window=window, **fields)  # type: ignore[arg-type]


def started(ledger: CardLedger, card_id: UUID) -> list[Any]:
    return [e.deadline for e in ledger.history(card_id) if type(e).__name__ == "DeadlineStarted"]  # type: ignore[attr-defined]


def test_filing_starts_no_deadline_clock(ledger: CardLedger):
    card_id = shandong(ledger, "direct")
    assert started(ledger, card_id) == []


def test_a_direct_file_is_due_seven_working_days_after_the_provincial_window_has_it(
    ledger: CardLedger,
):
    card_id = shandong(ledger, "direct")
    ledger.run(cc.RECEIVE, card_id, receive())
    (deadline,) = started(ledger, card_id)
    assert (deadline.clock, deadline.starts_on, deadline.due_on) == (
        "file_received",
        date(2026, 3, 2),
        date(2026, 3, 11),
    )
    assert (deadline.working_days, deadline.rules, deadline.policy_version) == (
        7,
        ("shandong.deadline.direct",),
        "shandong-standard",
    )


def test_a_reviewed_file_s_clock_starts_only_once_the_contract_is_confirmed(
    ledger: CardLedger, clock: FakeClock
):
    card_id = shandong(ledger, "reviewed")
    ledger.run(cc.RECEIVE, card_id, receive())
    assert started(ledger, card_id) == []
    clock.advance(days=2)
    ledger.run(
        cc.CONFIRM_CONTRACT,
        card_id,
        c.ContractBody(actor="wang.employer", role="employer", confirmed_on=date(2026, 3, 4)),  # type: ignore[arg-type]
    )
    (deadline,) = started(ledger, card_id)
    assert (deadline.clock, deadline.starts_on, deadline.working_days) == (
        "contract_confirmed",
        date(2026, 3, 4),
        14,
    )
    assert deadline.due_on == date(2026, 3, 24)


def test_a_file_received_again_later_restarts_the_contract_clock(
    ledger: CardLedger, clock: FakeClock
):
    card_id = shandong(ledger, "reviewed")
    ledger.run(
        cc.CONFIRM_CONTRACT,
        card_id,
        c.ContractBody(actor="wang.employer", role="employer", confirmed_on=date(2026, 3, 2)),  # type: ignore[arg-type]
    )
    ledger.run(cc.RECEIVE, card_id, receive())
    clock.advance(days=7)
    ledger.run(cc.RECEIVE, card_id, receive())
    assert [d.starts_on for d in started(ledger, card_id)] == [date(2026, 3, 2), date(2026, 3, 9)]


def test_an_evaluated_file_s_clock_starts_at_the_expert_panel_s_approval(
    ledger: CardLedger, clock: FakeClock
):
    card_id = shandong(ledger, "evaluated")
    ledger.run(cc.RECEIVE, card_id, receive())
    ledger.run(cc.REVIEW, card_id, f.review("city_window"))
    assert started(ledger, card_id) == []
    clock.advance(days=1)
    ledger.run(cc.REVIEW, card_id, f.review("expert_panel"))
    (deadline,) = started(ledger, card_id)
    assert (deadline.clock, deadline.starts_on, deadline.due_on) == (
        "expert_review",
        date(2026, 3, 3),
        None,
    )


def test_the_city_window_s_receipt_does_not_start_a_shandong_deadline(ledger: CardLedger):
    card_id = shandong(ledger, "direct")
    with pytest.raises(DomainError) as caught:
        ledger.run(cc.RECEIVE, card_id, receive("city_window"))
    assert caught.value.code == "window_does_not_count"
    assert len(ledger.history(card_id)) == 1


def test_only_the_window_itself_records_its_receipt(ledger: CardLedger):
    card_id = shandong(ledger, "direct")
    body = c.ReceiveBody(actor="wang", role="employer", window="provincial_window")  # type: ignore[arg-type]
    with pytest.raises(DomainError) as caught:
        ledger.run(cc.RECEIVE, card_id, body)
    assert caught.value.code == "receipt_not_authorised"


def test_a_talent_may_not_confirm_their_own_contract(ledger: CardLedger):
    card_id = shandong(ledger, "reviewed")
    body = c.ContractBody(actor="li", role="applicant", confirmed_on=date(2026, 3, 2))  # type: ignore[arg-type]
    with pytest.raises(DomainError) as caught:
        ledger.run(cc.CONFIRM_CONTRACT, card_id, body)
    assert caught.value.code == "contract_confirmation_not_authorised"


def test_a_county_file_passes_the_city_window_which_starts_no_clock(ledger: CardLedger):
    # 7.1: 提交至同级高层次人才服务窗口审核；审核合格后，逐级提报至省高层次人才服务窗口.
    card_id, _ = ledger.apply(
        f.shandong_body(
            facts={"city_employer": False, "county_employer": True},
            sponsor={"kind": "employer", "name": "某县企业"},
        )
    )
    ledger.run(cc.REVIEW, card_id, f.review("county_window"))
    with pytest.raises(DomainError) as caught:
        ledger.run(cc.REVIEW, card_id, f.review("provincial_window"))
    assert caught.value.code == "file_not_received"
    ledger.run(cc.RECEIVE, card_id, receive("city_window"))
    assert started(ledger, card_id) == []  # the city window only passes it on
    ledger.run(cc.RECEIVE, card_id, receive())
    (deadline,) = started(ledger, card_id)
    assert deadline.clock == "file_received"
    ledger.run(cc.REVIEW, card_id, f.review("provincial_window"))
    assert ledger.get_card(card_id).next_stage is None


def rectified(clock: FakeClock) -> None:
    clock.now = datetime(2026, 12, 8, 2, tzinfo=UTC)


def test_shandong_7_1_the_provincial_window_decides_only_once_it_recorded_its_receipt(
    ledger: CardLedger, clock: FakeClock
):
    rectified(clock)
    card_id = shandong(ledger, "direct")
    ledger.run(cc.REVIEW, card_id, f.review("city_window"))
    with pytest.raises(DomainError) as caught:
        ledger.run(cc.REVIEW, card_id, f.review("provincial_window"))
    assert (caught.value.code, caught.value.rule) == (
        "file_not_received",
        "shandong.deadline.direct.required",
    )
    ledger.run(cc.RECEIVE, card_id, receive())
    ledger.run(cc.REVIEW, card_id, f.review("provincial_window"))
    ledger.run(cc.ISSUE, card_id, f.issue(actor="qian.window", role="provincial_window"))
    (deadline,) = started(ledger, card_id)  # every issued card's time is measured
    assert deadline.rules == ("shandong.deadline.direct.required",)


def test_shandong_7_1_a_reviewed_card_issues_only_once_the_contract_is_confirmed(
    ledger: CardLedger, clock: FakeClock
):
    rectified(clock)
    card_id = shandong(ledger, "reviewed")
    f.approve_all(ledger, card_id)
    issue = f.issue(actor="qian.window", role="provincial_window")
    with pytest.raises(DomainError) as caught:
        ledger.run(cc.ISSUE, card_id, issue)
    assert (caught.value.code, caught.value.rule) == (
        "contract_not_confirmed",
        "shandong.deadline.reviewed.required",
    )
    ledger.run(
        cc.CONFIRM_CONTRACT,
        card_id,
        c.ContractBody(actor="wang.employer", role="employer", confirmed_on=date(2026, 12, 8)),  # type: ignore[arg-type]
    )
    ledger.run(cc.ISSUE, card_id, issue)
    assert ledger.get_card(card_id).recorded_status == "active"


def test_shandong_7_1_before_2026_12_07_a_card_issued_without_receipt_or_contract(
    ledger: CardLedger,
):
    card_id = shandong(ledger, "reviewed")
    ledger.run(cc.REVIEW, card_id, f.review("city_window"))
    ledger.run(cc.REVIEW, card_id, f.review("provincial_window"))
    ledger.run(cc.ISSUE, card_id, f.issue(actor="qian.window", role="provincial_window"))
    assert started(ledger, card_id) == []  # the old reading, kept for replay


def test_shandong_7_1_is_cited_for_confirming_the_employment_contract(ledger: CardLedger):
    card_id = shandong(ledger, "reviewed")
    body = c.ContractBody(actor="li", role="applicant", confirmed_on=date(2026, 3, 2))  # type: ignore[arg-type]
    with pytest.raises(DomainError) as caught:
        ledger.run(cc.CONFIRM_CONTRACT, card_id, body)
    assert caught.value.rule is not None
    assert "7.1" in caught.value.rule and "standard 8" not in caught.value.rule


SPOUSE = {"relation": "spouse", "name": "韩梅梅", "date_of_birth": "1980-03-04"}


def transfer(step: str, role: str = "employer") -> c.SpouseTransferBody:
    fields = {"actor": f"{role}.clerk", "role": role, "step": step}
    facts = {"spouse_public_payroll_transferable": True}
    return msgspec.convert({**fields, "facts": facts}, c.SpouseTransferBody)


def test_liaocheng_art_13_a_request_for_the_spouse_s_transfer_starts_a_one_month_clock(
    ledger: CardLedger, clock: FakeClock
):
    card_id = f.liaocheng_card(ledger, family=(SPOUSE,))
    rectified(clock)
    ledger.run(cc.SPOUSE_TRANSFER, card_id, transfer("requested"))
    open_request = ledger.get_card(card_id).spouse_transfer
    assert open_request is not None
    assert (open_request.starts_on, open_request.due_on) == (date(2026, 12, 8), date(2027, 1, 8))
    assert open_request.rules[0] == "liaocheng.deadline.spouse_transfer"
    with pytest.raises(DomainError) as caught:
        ledger.run(cc.SPOUSE_TRANSFER, card_id, transfer("requested"))
    assert caught.value.code == "transfer_already_requested"
    ledger.run(cc.SPOUSE_TRANSFER, card_id, transfer("completed", role="city_hrss"))
    assert ledger.get_card(card_id).spouse_transfer is None


def test_liaocheng_art_13_the_transfer_clock_is_recorded_by_the_employer_or_city_hrss_only(
    ledger: CardLedger, clock: FakeClock
):
    card_id = f.liaocheng_card(ledger, family=(SPOUSE,))
    rectified(clock)
    with pytest.raises(DomainError) as caught:
        ledger.run(cc.SPOUSE_TRANSFER, card_id, transfer("requested", role="talent_office"))
    assert caught.value.code == "transfer_not_authorised"


def test_liaocheng_art_13_before_2026_12_07_no_transfer_clock_ran(ledger: CardLedger):
    card_id = f.liaocheng_card(ledger, family=(SPOUSE,))
    with pytest.raises(DomainError) as caught:
        ledger.run(cc.SPOUSE_TRANSFER, card_id, transfer("requested"))
    assert caught.value.code == "no_transfer_deadline"
