"""Household registration for a child through the ledger (issue 27): the family record
carries the child's sex, filed with the application or changed with ``card amend``, and
a use of the household item is decided on it (Liaocheng art. 7: 未到法定结婚年龄子女, a son
under 22, a daughter under 20)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import msgspec
import pytest

from domain.errors import DomainError
from ledger.app import CardLedger
from tests import factories as f
from tests.conftest import FakeClock

# 21 on 2026-12-08, under a son's legal marriage age (22) but over a daughter's (20).
SON = {"relation": "child", "name": "李明", "date_of_birth": "2005-06-01"}
RECTIFIED = datetime(2026, 12, 8, 2, tzinfo=UTC)


def gold_card(ledger: CardLedger, family: tuple[dict[str, str], ...]) -> UUID:
    """An issued Liaocheng card moved up to the gold card (tier A: arts. 6-30, art. 7 too)."""
    card_id = f.liaocheng_card(ledger, family)
    f.upgrade_liaocheng(ledger, card_id)
    return card_id


def household(child: int = 1) -> object:
    """The police station records the household registration of family member ``child``."""
    return f.redeem(
        item="liaocheng.7",
        beneficiary="child",
        family_member=str(child),
        venue="聊城市公安局东昌府分局",
    )


def refused(ledger: CardLedger, card_id: UUID, body: object) -> DomainError:
    written = ledger.recorder.max_notification_id()
    with pytest.raises(DomainError) as info:
        ledger.redeem(card_id, body)  # type: ignore[arg-type]
    assert ledger.recorder.max_notification_id() == written  # a refusal writes nothing
    return info.value


def test_liaocheng_art_7_registers_a_son_of_21_filed_with_his_sex(
    ledger: CardLedger, clock: FakeClock
):
    card_id = gold_card(ledger, ({**SON, "sex": "male"},))
    clock.now = RECTIFIED
    _, use = ledger.redeem(card_id, household())  # type: ignore[arg-type]
    assert "liaocheng.beneficiary.household_2026" in use.rules


def test_liaocheng_art_7_does_not_register_a_daughter_of_21(ledger: CardLedger, clock: FakeClock):
    card_id = gold_card(ledger, ({**SON, "name": "李月", "sex": "female"},))
    clock.now = RECTIFIED
    error = refused(ledger, card_id, household())
    assert "the child is 21 on 2026-12-08, of legal marriage age" in error.message


def test_liaocheng_art_7_refuses_a_child_of_21_whose_sex_is_not_filed_naming_what_is_missing(
    ledger: CardLedger, clock: FakeClock
):
    card_id = gold_card(ledger, (SON,))
    clock.now = RECTIFIED
    error = refused(ledger, card_id, household())
    assert "the child's sex is needed at 21" in error.message
    assert "--sex male|female" in error.message


def test_liaocheng_art_7_registers_a_son_of_21_once_card_amend_files_his_sex(
    ledger: CardLedger, clock: FakeClock
):
    card_id = gold_card(ledger, (SON,))
    generation = ledger.get_card(card_id).credential_generation
    clock.now = RECTIFIED
    f.amend_and_approve(
        ledger, card_id, change="correct_member", member=1, sex="male", takes_effect_on="2026-12-08"
    )
    ledger.redeem(card_id, household())  # type: ignore[arg-type]
    # The credential carries no sex (RD-2026-89): the one handed out still names him rightly.
    assert ledger.get_card(card_id).credential_generation == generation


def test_a_correction_giving_a_marital_status_without_its_day_is_refused_as_it_is_read() -> None:
    # The request is refused where it is decoded (the CLI's exit 2, HTTP's 400), before any
    # command reaches the ledger.
    with pytest.raises(msgspec.ValidationError, match="married and married_as_of go together"):
        f.amend(change="correct_member", member=1, married=False)


def test_shandong_annex_a_3_registers_a_son_of_21_filed_with_his_sex(
    ledger: CardLedger, clock: FakeClock
):
    card_id = f.shandong_card(ledger, family=({**SON, "sex": "male"},))
    clock.now = RECTIFIED
    body = f.redeem(
        item="shandong.3",
        beneficiary="child",
        family_member="1",
        venue="济南市公安局",
        city="shandong",
    )
    _, use = ledger.redeem(card_id, body)
    assert "shandong.beneficiary.household_2026" in use.rules
