"""The employer's level chooses where a 惠才卡 file starts (shandong-provincial-service-
standard 7.1 item 4: 提交至同级高层次人才服务窗口审核). From 2026-12-07 it is read from the
register of employers the administrators keep, not typed by the filer (RD-2026-91)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from domain.errors import DomainError, NotAuthorised
from domain.vocabulary import EmployerLevel, ReviewStage, Role
from ledger.app import CardLedger
from tests import factories as f
from tests.conftest import FakeClock

RECTIFIED = datetime(2026, 12, 8, 2, tzinfo=UTC)
# The direct file's eligibility facts, without the level (7.1 5.2.1 item 1).
ELIGIBLE = {"national_comprehensive_programme": True, "innovation_record": True}


def register(ledger: CardLedger, level: str, code: str = f.CREDIT_CODE, **place: str) -> Any:
    entry, _ = ledger.register_employer(
        by="root.admin",
        role=Role.ADMINISTRATOR,
        credit_code=code,
        name="聊城某某科技有限公司",
        level=EmployerLevel(level),
        city=place.get("city", ""),
        county=place.get("county", ""),
        reason=place.get("reason", ""),
    )
    return entry


def file(ledger: CardLedger, facts: dict[str, Any] | None = None, code: str = f.CREDIT_CODE) -> Any:
    body = f.apply_body(
        scheme="shandong",
        category="direct",
        facts={**ELIGIBLE, **(facts or {})},
        sponsor={"kind": "employer", "name": "聊城某某科技有限公司", "credit_code": code},
    )
    card_id, _ = ledger.apply(body)
    return ledger.get_card(card_id)


def test_shandong_7_1_item_4_a_county_employer_s_file_goes_to_the_county_window(
    ledger: CardLedger, clock: FakeClock
) -> None:
    register(ledger, "county", city="liaocheng", county="371502")
    clock.now = RECTIFIED
    card = file(ledger)
    assert card.required_stages == (ReviewStage.COUNTY_WINDOW, ReviewStage.PROVINCIAL_WINDOW)
    assert card.admission.intake is Role.CITY_WINDOW  # 逐级提报 through the city window


def test_shandong_7_1_item_4_a_provincial_employer_s_file_goes_to_the_provincial_window(
    ledger: CardLedger, clock: FakeClock
) -> None:
    register(ledger, "province")
    clock.now = RECTIFIED
    assert file(ledger).required_stages == (ReviewStage.PROVINCIAL_WINDOW,)


def test_a_filer_cannot_type_its_own_level(ledger: CardLedger, clock: FakeClock) -> None:
    # A Liaocheng city employer typing provincial_employer would skip its city's review.
    register(ledger, "city", city="liaocheng")
    clock.now = RECTIFIED
    with pytest.raises(DomainError) as refused:
        file(ledger, {"provincial_employer": True})
    assert refused.value.code == "level_from_register"
    assert "provincial_employer" in refused.value.message


def test_a_filer_cannot_type_a_false_level_either(ledger: CardLedger, clock: FakeClock) -> None:
    register(ledger, "province")
    clock.now = RECTIFIED
    with pytest.raises(DomainError) as refused:
        file(ledger, {"county_employer": False})
    assert refused.value.code == "level_from_register"


def test_an_employer_not_in_the_register_is_refused_until_an_administrator_registers_it(
    ledger: CardLedger, clock: FakeClock
) -> None:
    clock.now = RECTIFIED
    with pytest.raises(DomainError) as refused:
        file(ledger)
    assert refused.value.code == "employer_not_registered"
    assert "an administrator must register it" in refused.value.message
    assert f.CREDIT_CODE in refused.value.message
    register(ledger, "city", city="liaocheng")
    assert file(ledger).required_stages[0] is ReviewStage.CITY_WINDOW


def test_the_file_records_the_level_it_was_decided_with(
    ledger: CardLedger, clock: FakeClock
) -> None:
    register(ledger, "county", city="liaocheng", county="371502")
    clock.now = RECTIFIED
    facts = file(ledger).application.basis.facts
    assert facts["county_employer"] is True
    assert facts["city_employer"] is False and facts["provincial_employer"] is False
    assert facts["employer_level"] == "county"
    assert facts["employer_county"] == "371502"
    assert facts["employer_level_rule"] == "shandong.level.register"


def test_a_level_changed_later_leaves_a_filed_file_where_it_started(
    ledger: CardLedger, clock: FakeClock
) -> None:
    register(ledger, "county", city="liaocheng", county="371502")
    clock.now = RECTIFIED
    card = file(ledger)
    register(ledger, "city", city="liaocheng", reason="promoted to a city employer")
    assert ledger.get_card(card.id).required_stages[0] is ReviewStage.COUNTY_WINDOW
    assert file(ledger).required_stages[0] is ReviewStage.CITY_WINDOW


def test_until_2026_12_06_the_typed_level_still_decides(ledger: CardLedger) -> None:
    # The registry's practice until 2026-12-06 (RD-2026-90): files then replay as decided.
    card = file(ledger, {"provincial_employer": True})
    assert card.required_stages == (ReviewStage.PROVINCIAL_WINDOW,)


def test_registering_an_employer_again_at_its_level_records_nothing(ledger: CardLedger) -> None:
    register(ledger, "city", city="liaocheng")
    entry, recorded = ledger.register_employer(
        by="root.admin",
        role=Role.ADMINISTRATOR,
        credit_code=f.CREDIT_CODE.lower(),
        name="聊城某某科技有限公司",
        level=EmployerLevel.CITY,
        city="liaocheng",
        county="",
        reason="",
    )
    assert not recorded and entry.version == 1
    assert [e.credit_code for e in ledger.employers()] == [f.CREDIT_CODE]


def test_changing_a_registered_level_needs_its_reason(ledger: CardLedger) -> None:
    register(ledger, "city", city="liaocheng")
    with pytest.raises(DomainError) as refused:
        register(ledger, "province")
    assert refused.value.code == "level_change_reason"
    assert ledger.employer(f.CREDIT_CODE).level is EmployerLevel.CITY  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("level", "place", "code"),
    [
        ("county", {"city": "liaocheng"}, "employer_place"),
        ("county", {"city": "liaocheng", "county": "371500"}, "employer_place"),
        ("city", {"city": "beijing"}, "employer_place"),
        ("province", {"city": "jinan"}, "employer_place"),
    ],
)
def test_a_level_names_the_place_it_is_at(
    ledger: CardLedger, level: str, place: dict[str, str], code: str
) -> None:
    with pytest.raises(DomainError) as refused:
        register(ledger, level, **place)
    assert refused.value.code == code
    assert ledger.employers() == []


def test_a_malformed_credit_code_is_refused_by_name(ledger: CardLedger) -> None:
    with pytest.raises(DomainError) as refused:
        register(ledger, "province", code="91371500MA3C0000O1")  # O is not in GB 32100
    assert refused.value.code == "bad_credit_code"


def test_only_an_administrator_registers_an_employer(ledger: CardLedger) -> None:
    with pytest.raises(NotAuthorised):
        ledger.register_employer(
            by="wang.employer",
            role=Role.EMPLOYER,
            credit_code=f.CREDIT_CODE,
            name="聊城某某科技有限公司",
            level=EmployerLevel.PROVINCE,
            city="",
            county="",
            reason="",
        )


def test_a_level_change_s_reason_is_held_to_the_note_limit(ledger: CardLedger) -> None:
    register(ledger, "city", city="liaocheng")
    with pytest.raises(DomainError) as refused:
        register(ledger, "province", reason="x" * 2_001)
    assert "reason is longer than 2000 characters" in refused.value.message
    assert ledger.employer(f.CREDIT_CODE).version == 1  # type: ignore[union-attr]


def test_shandong_7_1_items_1_to_4_the_employer_s_commissioner_files_not_the_talent(
    ledger: CardLedger, clock: FakeClock
) -> None:
    # 7.1: the talent gives the personal information, the employer's commissioner submits
    # the file to the window of the employer's level. A talent naming an employer's code
    # chose that employer's level (and learned whether it was registered): from 2026-12-07
    # only the commissioner, bound to the employer's code, files (shandong.filer.commissioner).
    register(ledger, "province")
    clock.now = RECTIFIED
    body = f.apply_body(
        actor="li.talent",
        role="applicant",
        scheme="shandong",
        category="direct",
        facts=ELIGIBLE,
        sponsor={"kind": "employer", "name": "聊城某某科技有限公司", "credit_code": f.CREDIT_CODE},
    )
    with pytest.raises(NotAuthorised) as refused:
        ledger.apply(body)
    assert refused.value.rule is not None and "shandong.filer.commissioner" in refused.value.rule
    assert file(ledger).required_stages == (ReviewStage.PROVINCIAL_WINDOW,)


@pytest.mark.parametrize(
    ("reason", "code"),
    [("\x1b[31m换行", "invalid_characters"), ("x" * 2_001, "invalid_input")],
    ids=["a control character", "over 2,000 characters"],
)
def test_a_first_registration_s_reason_is_held_to_a_level_change_s_limits(
    ledger: CardLedger, reason: str, code: str
) -> None:
    with pytest.raises(DomainError) as refused:
        register(ledger, "city", city="liaocheng", reason=reason)
    assert refused.value.code == code
    assert ledger.employer(f.CREDIT_CODE) is None  # nothing written
