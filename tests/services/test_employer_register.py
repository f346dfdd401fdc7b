"""The register of employers through the services (RD-2026-91): the administrator keeps
it, the auditor reads it, and a file decided from it replays as it was decided."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest

from domain.errors import NotAuthorised
from domain.user import PROVINCE
from domain.vocabulary import EmployerLevel, ReviewStage, Role
from ledger.app import CardLedger
from services.access import Principal
from services.bootstrap import Registry
from tests import factories as f
from tests.conftest import FakeClock
from tests.services.test_audit_verify import export, verified


def principal(role: Role, authority: str = PROVINCE, employer: str = "") -> Principal:
    return Principal(
        user_id=uuid4(), name=f"{role}.user", role=role, authority=authority, employer=employer
    )


ADMIN = principal(Role.ADMINISTRATOR)


def test_the_auditor_reads_the_register_and_an_employer_does_not(registry: Registry) -> None:
    registry.employers.register(
        ADMIN, credit_code=f.CREDIT_CODE, name="山东大学", level=EmployerLevel.PROVINCE
    )
    [entry] = registry.employers.list(principal(Role.AUDITOR))
    assert (entry.credit_code, entry.level, entry.registered_by) == (
        f.CREDIT_CODE,
        EmployerLevel.PROVINCE,
        ADMIN.name,
    )
    with pytest.raises(NotAuthorised):
        registry.employers.list(principal(Role.EMPLOYER, "jinan", f.CREDIT_CODE))


def test_an_employer_cannot_register_itself_at_a_level(registry: Registry) -> None:
    own = principal(Role.EMPLOYER, "liaocheng", f.CREDIT_CODE)
    with pytest.raises(NotAuthorised):
        registry.employers.register(
            own, credit_code=f.CREDIT_CODE, name="x", level=EmployerLevel.PROVINCE
        )
    assert registry.employers.list(ADMIN) == []


def test_a_file_whose_level_came_from_the_register_replays_as_it_was_decided(
    ledger: CardLedger, registry: Registry, clock: FakeClock, tmp_path: Path
) -> None:
    registry.keys.init()
    registry.employers.register(
        ADMIN,
        credit_code=f.CREDIT_CODE,
        name="山东大学",
        level=EmployerLevel.COUNTY,
        city="liaocheng",
        county="371502",
    )
    clock.now = datetime(2026, 12, 8, 2, tzinfo=UTC)
    facts = {k: v for k, v in f.SHANDONG_DIRECT.items() if k != "city_employer"}
    sponsor = {"kind": "employer", "name": "山东大学", "credit_code": f.CREDIT_CODE}
    card_id, _ = ledger.apply(
        f.apply_body(scheme="shandong", category="direct", facts=facts, sponsor=sponsor)
    )
    assert ledger.get_card(card_id).required_stages[0] is ReviewStage.COUNTY_WINDOW
    # Moved up afterwards: the filed file keeps the level it was decided with.
    registry.employers.register(
        ADMIN,
        credit_code=f.CREDIT_CODE,
        name="山东大学",
        level=EmployerLevel.PROVINCE,
        reason="now a provincial body",
    )
    report = verified(export(registry, tmp_path / "audit.jsonl"), registry, tmp_path)
    assert report.ok, report.findings
