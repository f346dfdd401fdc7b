"""Back-dated commands: the city HRSS records paper decisions at the instant they took
effect, and the rules in force then decide; every other role acts now."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

import ledger.card_commands as cc
from domain.errors import DomainError
from domain.vocabulary import CardStatus
from ledger import commands as c
from ledger.app import CardLedger
from tests import factories as f
from tests.conftest import FakeClock

# 09:00 in Shanghai on these days.
JUNE_2020 = "2020-06-01T09:00:00+08:00"
ISSUED_2020 = "2020-06-03T09:00:00+08:00"


def weihai_programme_card(**overrides: Any) -> c.ApplyBody:
    """A Weihai category 2 application (Yingcai key programme: direct), filed by the city
    HRSS from its paper file."""
    fields: dict[str, Any] = {
        "actor": "zhao.hrss",
        "role": "city_hrss",
        "scheme": "weihai",
        "category": "2",
        "facts": {"selected_yingcai_programme": True},
        "sponsor": {"kind": "employer", "name": "威海市立医院"},
        "evidence": ["doc://yingcai/2020-17"],
        "effective_at": JUNE_2020,
    }
    fields.update(overrides)
    return f.apply_body(**fields)


def issue_at(at: str, role: str = "city_hrss") -> c.IssueBody:
    return c.IssueBody(
        actor="zhao.hrss",
        role=role,
        effective_at=datetime.fromisoformat(at),  # type: ignore[arg-type]
    )


def refused(ledger: CardLedger, card_id: Any, action: Any) -> DomainError:
    before = len(ledger.history(card_id))
    with pytest.raises(DomainError) as caught:
        action()
    assert len(ledger.history(card_id)) == before
    return caught.value


def test_a_card_back_dated_into_an_earlier_policy_version_gets_that_version_s_term(
    ledger: CardLedger, clock: FakeClock
):
    card_id, _ = ledger.apply(weihai_programme_card())
    ledger.run(cc.ISSUE, card_id, issue_at(ISSUED_2020))
    card = ledger.get_card(card_id)
    assert card.admission.policy_version == "weihai-2019"
    assert card.term is not None
    assert (card.term.valid_from, card.term.valid_until) == (date(2020, 6, 3), date(2025, 6, 2))
    assert card.term.policy_version == "weihai-2019"
    assert card.status_on(clock().date()) is CardStatus.EXPIRED


def test_each_event_keeps_both_the_effective_and_the_recorded_instant(
    ledger: CardLedger, clock: FakeClock
):
    card_id, _ = ledger.apply(weihai_programme_card())
    (applied,) = ledger.history(card_id)
    assert applied.ctx.effective_at == datetime(2020, 6, 1, 1, 0, tzinfo=UTC)  # type: ignore[attr-defined]
    assert applied.ctx.recorded_at == clock.now  # type: ignore[attr-defined]


def test_an_effective_instant_in_the_future_is_refused(ledger: CardLedger):
    card_id, _ = ledger.apply(weihai_programme_card())
    error = refused(
        ledger,
        card_id,
        lambda: ledger.run(cc.ISSUE, card_id, issue_at("2026-03-03T09:00:00+08:00")),
    )
    assert error.code == "effective_in_future"


def test_an_effective_instant_before_the_card_s_previous_event_is_refused(ledger: CardLedger):
    card_id, _ = ledger.apply(weihai_programme_card())
    error = refused(
        ledger,
        card_id,
        lambda: ledger.run(cc.ISSUE, card_id, issue_at("2020-05-31T09:00:00+08:00")),
    )
    assert error.code == "effective_before_previous_event"


def test_an_effective_instant_before_the_scheme_s_first_policy_version_is_refused(
    ledger: CardLedger,
):
    with pytest.raises(DomainError) as caught:
        ledger.apply(weihai_programme_card(effective_at="2019-07-07T09:00:00+08:00"))
    assert caught.value.code == "effective_before_policy"
    assert list(ledger.card_ids()) == []


def test_an_employer_may_not_back_date_its_application(ledger: CardLedger):
    with pytest.raises(DomainError) as caught:
        ledger.apply(f.apply_body(effective_at="2026-02-01T09:00:00+08:00"))
    assert caught.value.code == "backdating_not_allowed"
    assert list(ledger.card_ids()) == []


def test_an_administrator_may_not_back_date_an_ordinary_command(ledger: CardLedger):
    card_id, _ = ledger.apply(weihai_programme_card())
    error = refused(
        ledger,
        card_id,
        lambda: ledger.run(cc.ISSUE, card_id, issue_at(ISSUED_2020, "administrator")),
    )
    assert error.code == "backdating_not_allowed"


def test_a_naive_effective_instant_is_malformed_input():
    with pytest.raises(Exception, match="timezone"):
        f.apply_body(effective_at="2026-02-01T09:00:00")


def test_a_back_dated_receipt_starts_its_clock_under_the_version_then_in_force(
    ledger: CardLedger,
):
    card_id, _ = ledger.apply(weihai_programme_card())
    body = c.ReceiveBody(
        actor="zhao.hrss",
        role="city_hrss",  # type: ignore[arg-type]
        window="city_hrss",  # type: ignore[arg-type]
        effective_at=datetime.fromisoformat("2020-06-02T09:00:00+08:00"),
    )
    ledger.run(cc.RECEIVE, card_id, body)
    deadline = ledger.history(card_id)[-1].deadline  # type: ignore[attr-defined]
    assert (deadline.clock, deadline.starts_on, deadline.policy_version) == (
        "file_received",
        date(2020, 6, 2),
        "weihai-2019",
    )
    assert deadline.due_on is None  # the Weihai sources set no issuance deadline
