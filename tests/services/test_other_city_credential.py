"""Weihai 2023 part 1(2)① (持其他地市市级人才服务绿卡): from 2026-12-07 the other city's card
is shown by its own credential, verified offline for the applicant, never typed by the
enterprise nor looked up by id in another city's files (RD-2026-96)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import msgspec
import pytest

from domain.errors import DomainError
from domain.user import PROVINCE, Principal
from domain.vocabulary import Role
from ledger import commands as c
from ledger.app import CardLedger
from services.audit.verify import verify_export
from services.bootstrap import Registry
from services.evidence import EVIDENCE_REFUSED
from tests import factories as f
from tests.api.http_users import request_of
from tests.conftest import FakeClock

PERSON = f.resident_id(7171)
WEIHAI_ENTERPRISE = "91371000MA3C4QYP6E"
RECTIFIED = datetime(2026, 12, 8, 2, tzinfo=UTC)  # 2026-12-08 in Shanghai


def enterprise_talent(**fields: Any) -> c.ApplyRequest:
    """An enterprise-talent filing for PERSON by a Weihai target enterprise; ``facts``
    are added to the planned hire."""
    facts = {"planned_hire_of_target_enterprise": True, **fields.pop("facts", {})}
    body = f.apply_body(
        actor="qi.enterprise",
        role="enterprise",
        scheme="weihai",
        category="enterprise_talent",
        enterprise_id="E-1",
        facts=facts,
        holder=f.holder(PERSON),
        sponsor={
            "kind": "enterprise",
            "name": "威海新材料有限公司",
            "credit_code": WEIHAI_ENTERPRISE,
        },
    )
    return msgspec.convert({**request_of(body), **fields}, c.ApplyRequest)


@pytest.fixture
def enterprise(registry: Registry) -> Principal:
    return f.user(registry, "qi.enterprise", Role.ENTERPRISE, "weihai", WEIHAI_ENTERPRISE)


@pytest.fixture
def jinan(ledger: CardLedger, registry: Registry, clock: FakeClock) -> tuple[UUID, str]:
    """On 2026-12-08, with keys: PERSON's Jinan card and its credential."""
    clock.now = RECTIFIED
    registry.keys.init()
    card = f.jinan_card(ledger, id_number=PERSON)
    return card, registry.issuance.credential(card).text


def refusal(registry: Registry, who: Principal, request: c.ApplyRequest) -> DomainError:
    with pytest.raises(DomainError) as refused:
        registry.cards.apply(who, request)
    return refused.value


def test_weihai_2023_part_1_2_1_another_city_s_card_is_shown_by_its_credential(
    ledger: CardLedger, registry: Registry, enterprise: Principal, jinan: tuple[UUID, str]
):
    card, token = jinan
    filed = registry.cards.apply(enterprise, enterprise_talent(evidence_credential=token))
    application = ledger.get_card(filed.card_id).application
    term = ledger.get_card(card).term
    assert term is not None and term.valid_until is not None
    assert application.basis.facts["holds_other_city_card"] is True
    assert application.basis.facts["other_city_card_valid_until"] == term.valid_until.isoformat()
    [read] = application.credentials
    assert (read.card_id, read.scheme, read.verified_at) == (card, "jinan", RECTIFIED)


def test_weihai_2023_part_1_2_1_a_typed_other_city_card_is_refused(
    registry: Registry, enterprise: Principal, jinan: tuple[UUID, str]
):
    typed = enterprise_talent(
        facts={"holds_other_city_card": True, "other_city_card_valid_from": "2026-01-01"}
    )
    refused = refusal(registry, enterprise, typed)
    assert (refused.code, refused.rule) == (
        "fact_needs_credential",
        "weihai.recognition.other_city_card_credential",
    )
    card, _ = jinan
    named = refusal(
        registry, enterprise, enterprise_talent(facts={"other_city_card_id": str(card)})
    )
    assert named.code == "fact_needs_credential"


def test_weihai_2023_part_1_2_1_a_revoked_card_s_credential_gets_the_one_refusal(
    ledger: CardLedger, registry: Registry, enterprise: Principal, jinan: tuple[UUID, str]
):
    card, token = jinan
    stranger = registry.issuance.credential(f.jinan_card(ledger)).text
    other_person = refusal(registry, enterprise, enterprise_talent(evidence_credential=stranger))
    f.revoke(ledger, card, proposer="city_window")  # no unit: jinan.revocation.without_unit
    revoked = refusal(registry, enterprise, enterprise_talent(evidence_credential=token))
    for refused in (other_person, revoked):
        assert (refused.code, refused.message) == ("evidence_not_accepted", EVIDENCE_REFUSED)


def test_weihai_2023_part_1_2_1_before_the_rectification_the_typed_fact_still_decides(
    ledger: CardLedger, registry: Registry, enterprise: Principal
):
    typed = enterprise_talent(
        facts={"holds_other_city_card": True, "other_city_card_valid_from": "2026-01-01"}
    )
    filed = registry.cards.apply(enterprise, typed)  # 2026-03-02: weihai-2024-continued
    facts = ledger.get_card(filed.card_id).application.basis.facts
    assert facts["holds_other_city_card"] is True


def test_the_application_s_credential_replays_in_an_audit_and_its_export_names_no_token(
    registry: Registry, enterprise: Principal, jinan: tuple[UUID, str], tmp_path: Path
):
    _, token = jinan
    registry.cards.apply(enterprise, enterprise_talent(evidence_credential=token))
    registry.transparency.checkpoint("ops@host")
    auditor = Principal(user_id=uuid4(), name="zhao.auditor", role=Role.AUDITOR, authority=PROVINCE)
    with (tmp_path / "audit.jsonl").open("wb") as stream:
        registry.audit_export.export(auditor, stream, redacted=False)
    assert token.encode() not in (tmp_path / "audit.jsonl").read_bytes()
    registry.issuance.write_bundle(tmp_path / "bundle")
    report = verify_export(tmp_path / "audit.jsonl", trust_source=tmp_path / "bundle", workers=1)
    assert report.ok, report.findings
