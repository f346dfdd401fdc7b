"""The ledger stores cards as events on both stores and gives them back unchanged."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import msgspec
import pytest

import ledger.card_commands as cc
from domain.errors import DomainError, InvalidInput
from domain.vocabulary import CardStatus
from ledger import commands as c
from ledger.app import CardLedger
from ledger.errors import CardNotFound, ConcurrencyConflict
from tests import factories as f
from tests.conftest import FakeClock


def issued(ledger: CardLedger) -> tuple[object, int]:
    """An issued Liaocheng card and its version."""
    card_id = f.liaocheng_card(ledger)
    return card_id, ledger.get_card(card_id).version


def test_a_full_lifecycle_is_stored_and_read_back(ledger: CardLedger, clock: FakeClock):
    card_id, _ = ledger.apply(f.business_elite_body())
    f.approve_all(ledger, card_id)  # the talent institute receives; city HRSS decides jointly
    ledger.run(cc.ISSUE, card_id, f.issue())
    clock.advance(days=30)
    ledger.run(cc.EXTEND, card_id, f.extend("2026-03-20"))
    version = f.revoke(ledger, card_id)
    card = ledger.get_card(card_id)
    assert (card.version, card.tier, card.recorded_status) == (
        version, "business_elite", CardStatus.REVOKED)
    assert card.term is not None
    assert card.term.valid_until == date(2031, 3, 1)
    assert [type(e).__name__ for e in ledger.history(card_id)] == [
        "Applied", "FileReceived", "DeadlineStarted", "ReviewRecorded", "ReviewRecorded",
        "Issued", "Extended",
        "RevocationProposed", "RevocationApproved", "RevocationApproved", "Revoked"]


def test_the_rules_and_policy_version_behind_each_decision_are_stored(ledger: CardLedger):
    card_id, _ = issued(ledger)
    applied, *_, issued_event = ledger.history(card_id)
    admission = applied.admission  # type: ignore[attr-defined]
    assert "liaocheng.category.art5.3" in admission.rules
    assert admission.policy_version == "liaocheng-2022"
    term = issued_event.issuance.term  # type: ignore[attr-defined]
    assert term.rules
    assert term.policy_version == "liaocheng-2022"
    assert term.valid_until is None


def test_the_fourth_application_for_one_project_is_refused(ledger: CardLedger):
    for _ in range(3):
        ledger.apply(f.business_elite_body("P-9"))
    with pytest.raises(DomainError) as info:
        ledger.apply(f.business_elite_body("P-9"))
    assert info.value.code == "quota_full"
    assert info.value.rule == "weihai.quota.business_elite"
    assert len(list(ledger.card_ids())) == 3
    ledger.apply(f.business_elite_body("P-10"))  # another project has its own quota


def test_a_case_by_case_decision_lets_a_fourth_application_through(ledger: CardLedger):
    for _ in range(3):
        ledger.apply(f.business_elite_body("P-9"))
    raise_body = msgspec.convert(
        {"actor": "zhao", "role": "talent_office", "scheme": "weihai",
         "category": "business_elite", "project_id": "P-9", "limit": 4,
         "decision_ref": "威人才办〔2026〕7号", "attests": ["major_project"]},
        c.QuotaRaiseBody,
    )
    quota = ledger.raise_quota(raise_body)
    assert quota.raised_to == 4
    ledger.apply(f.business_elite_body("P-9"))
    with pytest.raises(DomainError, match="4 of 4"):
        ledger.apply(f.business_elite_body("P-9"))


def test_a_withdrawn_application_gives_its_quota_place_back(ledger: CardLedger):
    first, _ = ledger.apply(f.business_elite_body("P-9"))
    ledger.apply(f.business_elite_body("P-9"))
    ledger.apply(f.business_elite_body("P-9"))
    ledger.run(cc.WITHDRAW, first, f.withdraw("zhou.invest", "investment_department"))
    ledger.apply(f.business_elite_body("P-9"))
    assert len(list(ledger.card_ids())) == 4


def test_a_card_can_be_read_as_it_was_at_an_earlier_version(ledger: CardLedger):
    card_id, issued_version = issued(ledger)
    f.upgrade_liaocheng(ledger, card_id)
    then = ledger.get_card(card_id, version=issued_version)
    assert (then.version, then.tier) == (issued_version, "B")
    assert ledger.get_card(card_id).tier == "A"


def test_events_carry_the_injected_clock_s_time(ledger: CardLedger, clock: FakeClock):
    card_id, _ = ledger.apply(f.apply_body())
    clock.advance(days=3)
    ledger.run(cc.REVIEW, card_id, f.review("city_hrss"))
    applied, reviewed = ledger.history(card_id)
    assert (reviewed.ctx.effective_at - applied.ctx.effective_at).days == 3  # type: ignore[attr-defined]
    assert reviewed.ctx.effective_at == clock.now  # type: ignore[attr-defined]


def test_a_refused_command_writes_nothing(ledger: CardLedger):
    card_id, version = issued(ledger)
    written = ledger.recorder.max_notification_id()
    with pytest.raises(DomainError) as info:
        ledger.run(cc.UPGRADE, card_id, f.upgrade("C"))
    assert info.value.code == "tier_not_higher"
    assert ledger.get_card(card_id).version == version
    assert len(ledger.history(card_id)) == version
    assert ledger.recorder.max_notification_id() == written


def test_a_bad_id_number_is_refused_before_anything_is_written(ledger: CardLedger):
    body = f.apply_body(
        holder={"name": "李雷", "id_number": "110105194912310021", "date_of_birth": "1949-12-31"}
    )
    with pytest.raises(InvalidInput, match="check character"):
        ledger.apply(body)
    assert list(ledger.card_ids()) == []


def test_a_date_of_birth_that_disagrees_with_the_id_number_is_refused(ledger: CardLedger):
    body = f.apply_body(
        holder={"name": "李雷", "id_number": f.RESIDENT_ID, "date_of_birth": "1950-01-01"}
    )
    with pytest.raises(InvalidInput, match="does not match"):
        ledger.apply(body)


def test_the_id_number_is_never_stored_in_clear_but_can_be_matched(ledger: CardLedger, tmp_path):
    card_id, _ = ledger.apply(f.apply_body(holder=f.holder()))
    raw = b"".join(bytes(e.state) for e in ledger.recorder.select_events(card_id))
    assert f.RESIDENT_ID.encode() not in raw
    assert f.RESIDENT_ID[:14].encode() not in raw
    card = ledger.get_card(card_id)
    assert card.application.holder.identity.last4 == "002X"
    assert ledger.holder_matches(card, f.RESIDENT_ID.lower())
    assert not ledger.holder_matches(card, "110105194912310039")


def test_cards_are_listed_in_filing_order(ledger: CardLedger):
    first, _ = ledger.apply(f.apply_body())
    second, _ = ledger.apply(f.jinan_body("B"))
    ledger.run(cc.REVIEW, first, f.review("city_hrss"))
    assert list(ledger.card_ids()) == [first, second]


def test_cards_are_listed_across_pages(ledger: CardLedger):
    ids = [ledger.apply(f.apply_body())[0] for _ in range(5)]
    assert list(ledger.card_ids(page_size=2)) == ids


def test_a_quota_id_is_not_mistaken_for_a_card(ledger: CardLedger):
    from domain.quota import quota_id

    ledger.apply(f.business_elite_body("P-9"))
    with pytest.raises(CardNotFound):
        ledger.get_card(quota_id("weihai:business_elite:project:P-9"))


def test_an_unknown_card_is_reported_as_not_found(ledger: CardLedger):
    missing = uuid4()
    with pytest.raises(CardNotFound, match=str(missing)):
        ledger.run(cc.ISSUE, missing, f.issue())
    with pytest.raises(CardNotFound):
        ledger.history(missing)


def test_a_command_against_a_stale_version_is_a_conflict(ledger: CardLedger):
    card_id, version = issued(ledger)
    ledger.run(cc.SUSPEND, card_id, f.status(), expected_version=version)
    with pytest.raises(ConcurrencyConflict, match=f"not {version}"):
        ledger.run(cc.PROPOSE_REVOCATION, card_id, f.propose_revocation(), expected_version=version)
    assert ledger.get_card(card_id).recorded_status is CardStatus.SUSPENDED


def test_a_new_ledger_on_the_same_store_sees_the_same_cards(
    ledger: CardLedger, database_url: str, tmp_path, clock: FakeClock
):
    from tests.conftest import runtime_ledger

    card_id, version = issued(ledger)
    with runtime_ledger(
        database_url=database_url, data_dir=tmp_path, clock=clock, environ={}
    ) as again:
        assert again.get_card(card_id).version == version


def test_the_process_environment_does_not_redirect_the_store(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path, clock: FakeClock
):
    from tests.conftest import runtime_ledger

    monkeypatch.setenv("PERSISTENCE_MODULE", "eventsourcing.popo")
    monkeypatch.setenv("COMPRESSOR_TOPIC", "zlib")
    with runtime_ledger(
        database_url=database_url, data_dir=tmp_path, clock=clock, environ={}
    ) as ledger:
        assert ledger.env.get("PERSISTENCE_MODULE") != "eventsourcing.popo"
        assert ledger.mapper.compressor is None


def test_a_revoked_card_s_history_reads_back_its_reason_and_every_step_s_user_and_role(
    ledger: CardLedger,
):
    card_id, _ = ledger.apply(f.jinan_body("C"))
    ledger.run(cc.ISSUE, card_id, f.issue(actor="zhao", role="talent_office"))
    ledger.run(cc.PROPOSE_REVOCATION, card_id, f.propose_revocation("违纪", actor="wang"))
    ledger.run(cc.APPROVE_REVOCATION, card_id, f.approve_revocation("city_window", "qin"))
    ledger.run(cc.APPROVE_REVOCATION, card_id, f.approve_revocation("city_hrss", "liu"))
    ledger.run(cc.APPROVE_REVOCATION, card_id, f.approve_revocation("talent_office", "zhao"))
    proposed, _, approved, last, revoked = ledger.history(card_id)[-5:]
    assert proposed.proposal.reason == "违纪"  # type: ignore[attr-defined]
    assert [s.roles for s in proposed.proposal.steps] == [  # type: ignore[attr-defined]
        ("employer",), ("county_window", "city_window"), ("city_hrss",), ("talent_office",)]
    assert (approved.approval.step, approved.approval.approved_by.actor) == (  # type: ignore[attr-defined]
        2, "liu")
    assert (last.approval.step, last.ctx.actor) == (3, "zhao")  # type: ignore[attr-defined]
    revocation = revoked.revocation  # type: ignore[attr-defined]
    assert revocation.reason == "违纪"
    assert [(t.action, t.role, t.actor) for t in revocation.steps] == [
        ("propose", "employer", "wang"),
        ("approve", "city_window", "qin"),
        ("approve", "city_hrss", "liu"),
        ("approve", "talent_office", "zhao"),
    ]
    assert (revocation.rules, revocation.policy_version) == (("jinan.revocation",), "jinan-2018")


def test_a_refused_approval_writes_nothing(ledger: CardLedger):
    card_id, _ = issued(ledger)
    version = ledger.run(cc.PROPOSE_REVOCATION, card_id, f.propose_revocation(actor="wang"))
    with pytest.raises(DomainError) as info:
        ledger.run(cc.APPROVE_REVOCATION, card_id, f.approve_revocation("city_window", "wang"))
    assert info.value.code == "self_approval"
    assert ledger.get_card(card_id).version == version
    assert len(ledger.history(card_id)) == version


def test_a_suspension_reads_back_its_acting_user_reason_and_decision_reference(
    ledger: CardLedger,
):
    card_id, _ = issued(ledger)
    ledger.run(cc.SUSPEND, card_id, f.status("调查", actor="liu", decision_ref="聊人社〔2026〕9号"))
    suspended = ledger.history(card_id)[-1]
    assert suspended.ctx.actor == "liu"  # type: ignore[attr-defined]
    change = suspended.change  # type: ignore[attr-defined]
    assert (change.reason, change.decision_ref, change.rules) == (
        "调查", "聊人社〔2026〕9号", ("liaocheng.interim",))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "r" * 2_001, "decision_ref": "d"}, "reason"),
        ({"reason": "r", "decision_ref": "d" * 201}, "decision_ref"),
    ],
)
def test_an_oversized_suspension_field_is_refused_when_decoded(body: dict[str, str], field: str):
    with pytest.raises(msgspec.ValidationError, match=f"`\\$.{field}`"):
        msgspec.convert({"actor": "liu", "role": "city_hrss", **body}, c.StatusBody)


def test_an_oversized_revocation_reason_is_refused_when_decoded():
    with pytest.raises(msgspec.ValidationError, match="reason"):
        msgspec.convert(
            {"actor": "w", "role": "employer", "reason": "r" * 2_001}, c.RevocationProposeBody
        )
