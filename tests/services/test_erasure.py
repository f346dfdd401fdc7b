"""PIPL art. 47: an erasure proposed by one administrator and approved by another destroys
the people's keys; afterwards no read, rebuild or copy of the database gives them back,
while the card's status and history stay and the audit still verifies."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID, uuid4

import pytest

from domain.errors import IllegalTransition, NotAuthorised
from domain.user import Principal
from domain.vocabulary import Role
from ledger import card_commands as cc
from ledger.app import CardLedger
from ledger.errors import CardNotFound
from services.audit.verify import verify_export
from services.bootstrap import Registry
from tests import factories as f
from tests.security.test_personal_data_at_rest import FAMILY, database_text
from tests.services.test_audit_verify import bundle, export

ADMIN = Principal(user_id=uuid4(), name="admin.one", role=Role.ADMINISTRATOR, authority="province")
SECOND = Principal(user_id=uuid4(), name="admin.two", role=Role.ADMINISTRATOR, authority="province")
AUDITOR = Principal(user_id=uuid4(), name="auditor", role=Role.AUDITOR, authority="province")


@pytest.fixture
def withdrawn(ledger: CardLedger) -> UUID:
    """An application with a family, withdrawn by the investment department that filed it."""
    card_id, _ = ledger.apply(f.apply_body(holder=f._person(None, FAMILY)))
    ledger.run(cc.WITHDRAW, card_id, f.withdraw("zhou.invest", "investment_department"))
    return card_id


def erase(registry: Registry, card_id: UUID, family: int | None = None) -> None:
    erasure = registry.personal_data.propose_erasure(
        ADMIN, card_id, family=family, ground="consent_withdrawn", decision="REQ-2026-17"
    )
    registry.personal_data.approve_erasure(SECOND, erasure.id)


def test_an_erased_holder_is_gone_from_every_read_and_from_the_database(
    ledger: CardLedger, registry: Registry, withdrawn: UUID, tmp_path: Path
):
    before = ledger.get_card(withdrawn)
    name = before.application.holder.name
    registry.read_models.catch_up()
    erase(registry, withdrawn)
    after = ledger.get_card(withdrawn)
    assert after.application.holder.erased
    assert all(m.erased for m in after.application.holder.family)
    assert after.recorded_status == before.recorded_status
    assert after.version == before.version
    view = registry.cards.show(AUDITOR, withdrawn)
    assert name not in str(view)
    page = registry.cards.list_cards(AUDITOR)
    assert [r.holder_name for r in page.rows if r.card_id == str(withdrawn)] == [None]
    assert name not in database_text(ledger, tmp_path)


def test_a_rebuild_after_an_erasure_equals_the_purged_read_models(
    ledger: CardLedger, registry: Registry, withdrawn: UUID
):
    registry.read_models.catch_up()
    erase(registry, withdrawn)
    live = registry.read_models.card_current.get(str(withdrawn), as_of=registry.cards.today())
    registry.read_models.rebuild(["card_current", "entitlements"])
    rebuilt = registry.read_models.card_current.get(str(withdrawn), as_of=registry.cards.today())
    assert live == rebuilt
    assert rebuilt is not None and rebuilt.holder_name is None


def test_one_family_member_can_be_erased_alone_from_a_card_in_force(
    ledger: CardLedger, registry: Registry
):
    card_id = f.liaocheng_card(ledger, FAMILY)
    erase(registry, card_id, family=2)
    holder = ledger.get_card(card_id).application.holder
    assert not holder.erased
    assert [m.erased for m in holder.family] == [False, True]
    assert holder.family[0].name == FAMILY[0]["name"]


def test_the_holder_of_a_card_in_force_cannot_be_erased(ledger: CardLedger, registry: Registry):
    card_id = f.liaocheng_card(ledger)
    with pytest.raises(IllegalTransition) as refused:
        registry.personal_data.propose_erasure(
            ADMIN, card_id, family=None, ground="consent_withdrawn", decision="REQ-1"
        )
    assert refused.value.code == "card_in_force"


def test_the_proposer_cannot_approve_their_own_erasure(
    ledger: CardLedger, registry: Registry, withdrawn: UUID
):
    erasure = registry.personal_data.propose_erasure(
        ADMIN, withdrawn, family=None, ground="purpose_met", decision="D-1"
    )
    with pytest.raises(NotAuthorised):
        registry.personal_data.approve_erasure(ADMIN, erasure.id)
    assert not ledger.get_card(withdrawn).application.holder.erased


def test_an_erasure_keeps_the_log_verifiable_and_reports_the_erased_events(
    ledger: CardLedger, registry: Registry, withdrawn: UUID, tmp_path: Path
):
    registry.keys.init()
    registry.transparency.checkpoint("ops@host")  # signed before the erasure
    erase(registry, withdrawn)
    registry.transparency.checkpoint("ops@host")
    path = export(registry, tmp_path / "audit.jsonl")
    report = verify_export(path, trust_source=bundle(registry, tmp_path), workers=1)
    assert report.ok, report.findings
    assert report.erased_events == 1


def test_every_staff_read_of_a_file_is_recorded_without_the_data(
    ledger: CardLedger, registry: Registry
):
    card_id = f.liaocheng_card(ledger)
    registry.cards.show(AUDITOR, card_id)
    reads = registry.personal_data.reads_of(AUDITOR, card_id)
    assert [(r.actor, r.role, r.cards) for r in reads] == [("auditor", "auditor", (card_id,))]
    assert "card show" in reads[0].route
    assert ledger.get_card(card_id).application.holder.name not in str(reads)


def test_an_erasure_of_a_card_outside_the_administrator_s_city_answers_as_no_card(
    ledger: CardLedger, registry: Registry, withdrawn: UUID
):
    jinan = Principal(
        user_id=uuid4(), name="jinan.admin", role=Role.ADMINISTRATOR, authority="jinan"
    )
    missing = uuid4()
    answers = []
    for card_id in (withdrawn, missing):
        with pytest.raises(CardNotFound) as refused:
            registry.personal_data.propose_erasure(
                jinan, card_id, family=None, ground="purpose_met", decision="D-2"
            )
        answers.append(str(refused.value).replace(str(card_id), "ID"))
    assert answers[0] == answers[1]


def test_only_an_administrator_proposes_an_erasure(
    ledger: CardLedger, registry: Registry, withdrawn: UUID
):
    with pytest.raises(NotAuthorised):
        registry.personal_data.propose_erasure(
            AUDITOR, withdrawn, family=None, ground="purpose_met", decision="D-3"
        )


def test_a_person_s_export_holds_their_file_their_events_and_who_read_it(
    ledger: CardLedger, registry: Registry
):
    card_id = f.liaocheng_card(ledger, FAMILY)
    registry.cards.show(AUDITOR, card_id)
    found = registry.personal_data.export(AUDITOR, card_id)
    holder = ledger.get_card(card_id).application.holder
    assert found["file"]["name"] == holder.name
    assert [m["name"] for m in found["file"]["family"]] == [m["name"] for m in FAMILY]
    assert [e["event"] for e in found["events"]][:1] == ["Card.Applied"]
    assert len(found["events"]) == ledger.get_card(card_id).version
    assert {c["by"] for c in found["changed_by"]} >= {"wang.employer"}
    assert [r["route"].split(" (")[1] for r in found["read_by"]] == ["card show)", "holder export)"]


def test_the_due_list_names_an_ended_card_once_its_retention_ran_out(
    ledger: CardLedger, registry: Registry, withdrawn: UUID
):
    today = registry.cards.today()
    assert registry.personal_data.due_for_erasure(ADMIN, today) == []
    due = registry.personal_data.due_for_erasure(ADMIN, today.replace(year=today.year + 5))
    assert [(d.card_id, d.status, d.ended_on) for d in due] == [(withdrawn, "withdrawn", today)]
    assert "PIPL" in due[0].source
    erase(registry, withdrawn)
    assert registry.personal_data.due_for_erasure(ADMIN, today.replace(year=today.year + 5)) == []


def test_the_record_of_reads_goes_with_the_holder_s_data(
    ledger: CardLedger, registry: Registry, withdrawn: UUID
):
    registry.cards.show(AUDITOR, withdrawn)
    assert len(registry.personal_data.reads_of(AUDITOR, withdrawn)) == 1
    erase(registry, withdrawn)
    assert registry.personal_data.reads_of(AUDITOR, withdrawn) == []


def test_a_credential_issued_after_a_family_member_s_erasure_does_not_name_them(
    ledger: CardLedger, registry: Registry
):
    card_id = f.liaocheng_card(ledger, FAMILY)
    before = registry.issuance.claims(card_id, registry.clock())
    assert len(before.family) == 2
    erase(registry, card_id, family=2)
    after = registry.issuance.claims(card_id, registry.clock())
    assert after.family == before.family[:1]
    assert after.holder_name == before.holder_name
