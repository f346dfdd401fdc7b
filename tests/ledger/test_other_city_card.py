"""Weihai 2023 ①: another city's card counts as an enterprise-talent basis only while it is
in force on the decision day; where this registry holds that card, its own record decides,
not what was typed (issue 10)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

import ledger.card_commands as cc
from domain.errors import DomainError
from domain.policy import default_policy
from domain.vocabulary import CardStatus, Scheme
from ledger.app import CardLedger
from tests import factories as f
from tests.conftest import FakeClock

PERSON = f.resident_id(4242)


def jinan_card(ledger: CardLedger, id_number: str = PERSON) -> str:
    """The id of a Jinan card issued by the talent office to ``id_number``."""
    return str(f.jinan_card(ledger, id_number=id_number, actor="zhao", role="talent_office"))


def enterprise_talent(other_card: str, **facts: Any) -> Any:
    return f.apply_body(
        actor="qi.enterprise",
        role="enterprise",
        scheme="weihai",
        category="enterprise_talent",
        enterprise_id="E-1",
        facts={
            "planned_hire_of_target_enterprise": True,
            "other_city_card_id": other_card,
            **facts,
        },
        holder=f.holder(PERSON),
        sponsor={"kind": "enterprise", "name": "威海新材料有限公司"},
    )


def test_a_card_of_this_registry_in_force_is_the_basis_with_its_own_dates(ledger: CardLedger):
    other = jinan_card(ledger)
    card_id, _ = ledger.apply(enterprise_talent(other, other_city_card_valid_until="2000-01-01"))
    facts = ledger.get_card(card_id).application.basis.facts
    assert facts["holds_other_city_card"] is True
    term = ledger.get_card(UUID(other)).term
    assert term is not None
    assert term.valid_until is not None
    assert facts["other_city_card_valid_until"] == term.valid_until.isoformat()


def test_a_revoked_card_is_no_basis(ledger: CardLedger, clock: FakeClock):
    other = jinan_card(ledger)
    f.revoke(ledger, UUID(other))
    with pytest.raises(DomainError) as refused:
        ledger.apply(enterprise_talent(other))
    assert refused.value.code == "not_eligible"


def test_another_person_s_card_is_refused(ledger: CardLedger):
    other = jinan_card(ledger, f.resident_id(4343))
    with pytest.raises(DomainError) as refused:
        ledger.apply(enterprise_talent(other))
    assert refused.value.code == "other_card_not_holders"


def test_a_card_id_the_registry_does_not_hold_is_refused_naming_the_fact(ledger: CardLedger):
    with pytest.raises(DomainError) as refused:
        ledger.apply(enterprise_talent("00000000-0000-4000-8000-000000000000"))
    assert refused.value.code == "other_card_unknown"
    assert "other_city_card_id" in refused.value.message


def liaocheng_on_huicai(card_id: UUID, **facts: Any) -> Any:
    # liaocheng art. 5(1): 持有"山东惠才卡"的高层次人才 (tier A, direct).
    return f.apply_body(
        category="art5.1",
        facts={"huicai_card_id": str(card_id), **facts},
        holder=f.holder(PERSON),
        evidence=[],
    )


def test_a_huicai_card_of_this_registry_is_the_basis_of_a_liaocheng_card(ledger: CardLedger):
    card_id, _ = ledger.apply(liaocheng_on_huicai(f.shandong_card(ledger, id_number=PERSON)))
    facts = ledger.get_card(card_id).application.basis.facts
    assert facts["holds_huicai_card"] is True and "huicai_card_valid_until" in facts


def test_a_revoked_huicai_card_is_no_basis_whatever_was_typed(ledger: CardLedger):
    huicai = f.shandong_card(ledger, id_number=PERSON)
    f.revoke(ledger, huicai, proposer="city_window")
    with pytest.raises(DomainError) as refused:
        ledger.apply(liaocheng_on_huicai(huicai, holds_huicai_card=True))
    assert refused.value.code == "not_eligible"


def test_liaocheng_art_5_1_and_34_a_card_granted_on_the_huicai_card_outlives_its_revocation(
    ledger: CardLedger, clock: FakeClock
):
    # RD-2026-97: art. 5(1) is the condition for obtaining the card; art. 34 alone takes
    # it back (the unit proposes, the city HRSS agrees), never the 惠才卡's own end.
    huicai = f.shandong_card(ledger, id_number=PERSON)
    card_id, _ = ledger.apply(liaocheng_on_huicai(huicai))
    ledger.run(cc.ISSUE, card_id, f.issue())
    f.revoke(ledger, huicai, proposer="city_window")
    today = clock.now.date()
    assert ledger.get_card(huicai).status_on(today) is CardStatus.REVOKED
    card = ledger.get_card(card_id)
    assert card.status_on(today) is CardStatus.ACTIVE and card.revocation is None
    f.revoke(ledger, card_id)  # art. 34: the unit proposes, the window forwards, HRSS agrees
    assert ledger.get_card(card_id).status_on(today) is CardStatus.REVOKED


def test_liaocheng_art_34_the_reading_is_a_recorded_decision() -> None:
    decisions = {d.id: d for d in default_policy().scheme(Scheme.LIAOCHENG).decisions}
    decision = decisions["liaocheng.decision.huicai_basis_outlived"]
    assert decision.reference == "registry decision record RD-2026-97"
    assert "动态管理" in decision.why and "art. 34" in decision.says
