"""entitlements: what an issued card grants each beneficiary on a date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import pytest

import ledger.card_commands as cc
from domain import policy
from domain.errors import DomainError, IllegalTransition
from domain.policy import Beneficiary, BeneficiaryKind
from domain.vocabulary import CardStatus
from ledger.app import CardLedger
from projections.engine import ReadModels
from tests import factories as f
from tests.conftest import FakeClock
from tests.projections import scenario

TODAY = date(2026, 3, 2)


def decided(
    ledger: CardLedger, card_id: UUID, kind: BeneficiaryKind, born: str | None
) -> tuple[str, ...]:
    """What the policy engine grants over the card aggregate itself."""
    snapshot = ledger.get_card(card_id).snapshot(TODAY)
    person = Beneficiary(kind=kind, date_of_birth=date.fromisoformat(born) if born else None)
    granted = []
    for item in policy.service_items(snapshot.scheme):
        for code in [p.code for p in item.parts] or [item.code]:
            try:
                if policy.decide_entitlement(snapshot, code, person, TODAY).granted:
                    granted.append(code)
            except DomainError:  # an item that does not apply to this person
                continue
    return tuple(granted)


def test_each_beneficiary_gets_the_items_the_rules_grant_over_the_card(
    ledger: CardLedger, clock: FakeClock
):
    r = scenario.build(ledger, clock)
    ledger.run(
        cc.REINSTATE, r.suspended, f.status("cleared", actor="zhao.office", role="talent_office")
    )
    models = ReadModels(ledger)
    models.catch_up()
    answer = models.entitlements.entitlements(r.suspended, TODAY)
    assert [(e.kind, e.date_of_birth) for e in answer] == [
        ("holder", "1949-12-31"),
        ("spouse", scenario.SPOUSE_BORN),
        ("child", scenario.CHILD_BORN),
        ("companion", None),
    ]
    for entitlement in answer:
        kind = BeneficiaryKind(entitlement.kind)
        assert entitlement.items == decided(ledger, r.suspended, kind, entitlement.date_of_birth)
    assert answer[0].items and answer[-1].items  # the holder's and the companion's


def test_a_suspended_or_revoked_card_grants_nothing(ledger: CardLedger, clock: FakeClock):
    r = scenario.build(ledger, clock)
    models = ReadModels(ledger)
    models.catch_up()
    for card_id in (r.suspended, r.revoked):
        assert all(e.items == () for e in models.entitlements.entitlements(card_id, TODAY))
    assert models.entitlements.entitlements(r.upgraded, TODAY)[0].items


def test_a_card_never_issued_has_no_entitlements(ledger: CardLedger, clock: FakeClock):
    r = scenario.build(ledger, clock)
    models = ReadModels(ledger)
    models.catch_up()
    with pytest.raises(IllegalTransition, match="not issued"):
        models.entitlements.entitlements(r.applied, TODAY)


def test_weihai_2023_part_2_a_card_extended_after_it_lapsed_grants_nothing_for_the_gap(
    ledger: CardLedger, clock: FakeClock
):
    # RD-2026-100 (weihai-2026-rectified): the first year runs 2026-03-02..2027-03-01; the
    # project lands on 2027-06-01; 2027-03-02..2027-05-31 stay lapsed.
    elite, _ = ledger.apply(f.business_elite_body("P-GAP"))
    f.approve_all(ledger, elite)
    ledger.run(cc.ISSUE, elite, f.issue())
    clock.now = datetime(2027, 6, 2, 2, tzinfo=UTC)
    ledger.run(cc.EXTEND, elite, f.extend("2027-06-01"))
    models = ReadModels(ledger)
    models.catch_up()

    def holder_items(on: date) -> tuple[str, ...]:
        return models.entitlements.entitlements(elite, on)[0].items

    assert holder_items(date(2027, 5, 1)) == ()
    assert holder_items(date(2027, 3, 2)) == holder_items(date(2027, 5, 31)) == ()
    assert holder_items(date(2027, 2, 1)) and holder_items(date(2027, 6, 1))
    assert ledger.get_card(elite).status_on(date(2027, 5, 1)) is CardStatus.EXPIRED
