"""Changes to a card's people after issuance (信息变更, issue 26), on both stores: asked
for by a filer, decided by the issuing body, in force from the day they take effect."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

import ledger.card_commands as cc
from domain.clock import SHANGHAI
from domain.errors import DomainError
from domain.vocabulary import ErasureGround, Role
from ledger.app import CardLedger
from tests import factories as f
from tests.conftest import FakeClock, runtime_ledger

CHILD = {"relation": "child", "name": "李小雷", "date_of_birth": "2015-09-30"}
SPOUSE = {"relation": "spouse", "name": "陈静", "date_of_birth": "1988-09-02"}


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=10, tzinfo=SHANGHAI)


def test_a_spouse_married_after_issuance_uses_the_gym_from_the_day_of_the_marriage(
    ledger: CardLedger, clock: FakeClock
):
    card_id = f.liaocheng_card(ledger)
    clock.advance(days=200)  # 2026-09-18
    f.amend_and_approve(
        ledger, card_id, change="add_member", takes_effect_on="2026-09-01", **SPOUSE
    )
    card = ledger.get_card(card_id)
    assert [m.name for m in card.holder_on(date(2026, 9, 1)).family] == ["陈静"]
    assert card.holder_on(date(2026, 8, 31)).family == ()
    _, use = ledger.redeem(
        card_id, f.redeem("liaocheng.20", beneficiary="spouse", effective_at=at("2026-09-01"))
    )
    assert use.family_member == 1
    with pytest.raises(DomainError) as refused:
        ledger.redeem(
            card_id, f.redeem("liaocheng.20", beneficiary="spouse", effective_at=at("2026-08-31"))
        )
    assert refused.value.code == "unknown_family_member"


def test_a_removed_child_uses_nothing_from_the_day_of_removal_and_keeps_earlier_uses(
    ledger: CardLedger, clock: FakeClock
):
    card_id = f.liaocheng_card(ledger, (CHILD,))
    clock.advance(days=30)  # 2026-04-01
    counter, before = ledger.redeem(card_id, f.redeem("liaocheng.20", beneficiary="child"))
    clock.advance(days=10)
    f.amend_and_approve(
        ledger, card_id, change="remove_member", member=1, takes_effect_on="2026-04-05"
    )
    with pytest.raises(DomainError) as refused:
        ledger.redeem(card_id, f.redeem("liaocheng.20", beneficiary="child"))
    assert refused.value.code == "unknown_family_member"
    kept = ledger.get_benefit_use(counter.id)
    assert kept is not None and kept.standing() == [before]
    # A use that took place before the removal, recorded now, is still the child's.
    _, late = ledger.redeem(
        card_id, f.redeem("liaocheng.20", beneficiary="child", effective_at=at("2026-04-03"))
    )
    assert late.family_member == 1


def test_an_added_member_gets_the_next_number_and_a_removed_one_keeps_theirs(
    ledger: CardLedger, clock: FakeClock
):
    card_id = f.liaocheng_card(ledger, (CHILD, SPOUSE))
    clock.advance(days=10)
    f.amend_and_approve(
        ledger, card_id, change="remove_member", member=1, takes_effect_on="2026-03-05"
    )
    f.amend_and_approve(ledger, card_id, change="add_member", takes_effect_on="2026-03-06", **CHILD)
    family = ledger.get_card(card_id).holder.family
    assert [(m.relation, m.removed) for m in family] == [
        ("child", True),
        ("spouse", False),
        ("child", False),
    ]
    _, use = ledger.redeem(card_id, f.redeem("liaocheng.20", beneficiary="child"))
    assert use.family_member == 3


def test_each_person_keeps_one_data_key_across_the_changes_that_name_them(
    ledger: CardLedger, clock: FakeClock
):
    card_id = f.liaocheng_card(ledger, (CHILD,))
    clock.advance(days=10)
    f.amend_and_approve(
        ledger,
        card_id,
        change="correct_member",
        member=1,
        name="李晓雷",
        takes_effect_on="2026-03-10",
    )
    f.amend_and_approve(
        ledger, card_id, change="add_member", takes_effect_on="2026-03-12", **SPOUSE
    )
    keys = ledger.person_keys.current(card_id)
    assert sorted(keys) == [0, 1, 2]
    assert len({key_id for key_id, _ in keys.values()}) == 3


def test_a_change_is_refused_to_a_role_the_scheme_does_not_name_and_writes_nothing(
    ledger: CardLedger,
):
    card_id = f.liaocheng_card(ledger)
    written = ledger.recorder.max_notification_id()
    with pytest.raises(DomainError) as refused:
        ledger.run(
            cc.AMEND,
            card_id,
            f.amend(actor="zhao", role="talent_office", **SPOUSE, change="add_member"),
        )
    assert refused.value.code == "amendment_filer_not_authorised"
    assert refused.value.rule == "liaocheng.amendment"
    assert ledger.recorder.max_notification_id() == written


def test_only_the_issuing_body_decides_a_change(ledger: CardLedger):
    card_id = f.liaocheng_card(ledger)
    ledger.run(cc.AMEND, card_id, f.amend(change="add_member", **SPOUSE))
    with pytest.raises(DomainError) as refused:
        ledger.run(
            cc.DECIDE_AMENDMENT, card_id, f.decide_amendment(actor="wang.employer", role="employer")
        )
    assert refused.value.code == "amendment_decider_not_authorised"


def test_a_second_change_waits_until_the_first_is_decided(ledger: CardLedger):
    card_id = f.liaocheng_card(ledger)
    ledger.run(cc.AMEND, card_id, f.amend(change="add_member", **SPOUSE))
    with pytest.raises(DomainError) as refused:
        ledger.run(cc.AMEND, card_id, f.amend(change="add_member", **CHILD))
    assert refused.value.code == "amendment_pending"


def test_a_refused_change_leaves_the_people_as_they_were(ledger: CardLedger):
    card_id = f.liaocheng_card(ledger)
    ledger.run(cc.AMEND, card_id, f.amend(change="add_member", **SPOUSE))
    ledger.run(cc.DECIDE_AMENDMENT, card_id, f.decide_amendment("refused", reason="no certificate"))
    card = ledger.get_card(card_id)
    assert card.holder.family == () and card.amendment is None


def test_a_refusal_must_say_why(ledger: CardLedger):
    card_id = f.liaocheng_card(ledger)
    ledger.run(cc.AMEND, card_id, f.amend(change="add_member", **SPOUSE))
    with pytest.raises(DomainError, match="reason must say why"):
        ledger.run(cc.DECIDE_AMENDMENT, card_id, f.decide_amendment("refused"))


@pytest.mark.parametrize(
    ("day", "code"),
    [("2026-03-03", "amendment_in_future"), ("2026-02-28", "amendment_before_issue")],
)
def test_a_change_takes_effect_between_the_issue_day_and_today(
    ledger: CardLedger, day: str, code: str
):
    card_id = f.liaocheng_card(ledger)
    with pytest.raises(DomainError) as refused:
        ledger.run(cc.AMEND, card_id, f.amend(change="add_member", takes_effect_on=day, **SPOUSE))
    assert refused.value.code == code


def test_changes_are_recorded_in_the_order_they_took_effect(ledger: CardLedger, clock: FakeClock):
    card_id = f.liaocheng_card(ledger)
    clock.advance(days=20)
    f.amend_and_approve(
        ledger, card_id, change="add_member", takes_effect_on="2026-03-15", **SPOUSE
    )
    with pytest.raises(DomainError) as refused:
        ledger.run(
            cc.AMEND, card_id, f.amend(change="add_member", takes_effect_on="2026-03-10", **CHILD)
        )
    assert refused.value.code == "amendment_out_of_order"


def test_a_holder_with_a_resident_id_cannot_have_the_birth_date_changed(ledger: CardLedger):
    card_id = f.liaocheng_card(ledger)
    with pytest.raises(DomainError) as refused:
        ledger.run(cc.AMEND, card_id, f.amend(change="correct_holder", date_of_birth="1950-01-01"))
    assert refused.value.code == "birth_date_from_id"


def test_a_corrected_holder_name_is_the_card_s_name_from_then_on(ledger: CardLedger):
    card_id = f.liaocheng_card(ledger)
    f.amend_and_approve(ledger, card_id, change="correct_holder", name="李蕾")
    card = ledger.get_card(card_id)
    assert (card.holder.name, card.application.holder.name) == ("李蕾", "李雷")


def test_erasing_a_member_another_process_added_destroys_the_key_that_opens_them_everywhere(
    ledger: CardLedger, clock: FakeClock, database_url: str, tmp_path: Path
):
    card_id = f.liaocheng_card(ledger)
    ledger.person_keys.of_cards([card_id])  # this process read the card's keys before
    other = runtime_ledger(database_url=database_url, data_dir=tmp_path, clock=clock, environ={})
    try:
        f.amend_and_approve(other, card_id, change="add_member", **SPOUSE)
    finally:
        other.close()
    f.revoke(ledger, card_id)
    ground = ErasureGround.CONSENT_WITHDRAWN
    erasure = ledger.propose_erasure("admin.one", Role.ADMINISTRATOR, card_id, (1,), ground, "R-1")
    ledger.approve_erasure("admin.two", Role.ADMINISTRATOR, erasure.id)
    assert sorted(ledger.person_keys.current(card_id)) == [0]
    asked, decided = [e for e in ledger.history(card_id) if "Amendment" in type(e).__name__]
    assert asked.amendment.holder.family[0].erased
    assert decided.decision.holder is not None and decided.decision.holder.family[0].erased
