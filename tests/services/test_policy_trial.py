"""policy check --apply: exactly the inputs of card apply, and the same decision (issue 10).
Each body is decided by the trial and then really filed; the admissions must agree, and a
refusal must be the same refusal."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import msgspec
import pytest

from domain.errors import DomainError
from domain.policy import TermBasis, TermBasisKind
from ledger import commands as c
from ledger.app import CardLedger
from services.policy import PolicyService
from tests import factories as f
from tests.conftest import FakeClock

BODIES: dict[str, dict[str, Any]] = {
    "liaocheng art5.3": {},
    "jinan class C": {"actor": "li", "role": "applicant", "scheme": "jinan", "category": "C",
                      "facts": {"certified_class_c": True}, "sponsor": {"kind": "none"}},
    "shandong county employer": {
        "scheme": "shandong", "category": "direct",
        "facts": {"national_comprehensive_programme": True, "county_employer": True,
            "innovation_record": True},
        "sponsor": {"kind": "employer", "name": "某县企业"},
    },
    "weihai business elite": {
        "actor": "zhou", "role": "investment_department", "scheme": "weihai",
        "category": "business_elite", "project_id": "P-1",
        "facts": {"key_member_of_project_under_negotiation": True},
        "sponsor": {"kind": "investment_department", "name": "威海市商务局"},
    },
    "weihai category 1": {
        "scheme": "weihai", "category": "1",
        "facts": {"works_in_weihai": True, "holds_huicai_card": True,
                  "huicai_card_valid_from": "2020-01-01"},
    },
}  # fmt: skip


@pytest.mark.parametrize("name", list(BODIES))
def test_policy_check_decides_an_application_as_card_apply_does(
    name: str, ledger: CardLedger, clock: FakeClock
):
    body = f.apply_body(**BODIES[name])
    trial = PolicyService(clock).trial(body, None, None)
    card_id, _ = ledger.apply(body)
    filed = ledger.get_card(card_id).admission
    assert trial.admission == msgspec.structs.replace(filed, quota_key="")


@pytest.mark.parametrize(
    "fields",
    [
        {"scheme": "jinan", "category": "C", "facts": {"certified_class_c": True}},  # art. 24(1)
        {"scheme": "weihai", "category": "4", "role": "applicant",
         "facts": {"full_senior_title": True, "innovation_record": True}},
        {"scheme": "shandong", "category": "direct",
         "facts": {"national_comprehensive_programme": True}},  # no employer level
        {"facts": {}},  # not eligible
    ],
)  # fmt: skip
def test_policy_check_refuses_what_card_apply_refuses_with_the_same_code(
    fields: dict[str, Any], ledger: CardLedger, clock: FakeClock
):
    body = f.apply_body(**fields)
    with pytest.raises(DomainError) as applied:
        ledger.apply(body)
    with pytest.raises(DomainError) as tried:
        PolicyService(clock).trial(body, None, None)
    assert (tried.value.code, tried.value.message) == (applied.value.code, applied.value.message)


def test_a_term_that_follows_the_huicai_card_needs_its_basis_in_policy_check_too(
    clock: FakeClock,
):
    # weihai-2019 part 2(3): 凭山东惠才卡申领的，按山东惠才卡待遇享有期限确定.
    body = f.apply_body(**BODIES["weihai category 1"])
    service = PolicyService(clock)
    without = service.trial(body, None, None)
    assert without.term is None and "huicai_card" in without.term_needs
    issue = msgspec.convert(
        {"actor": "liu", "role": "city_hrss",
         "bases": [{"kind": "huicai_card", "until": "2028-12-31"}]},
        c.IssueBody,
    )  # fmt: skip
    given = service.trial(body, issue, None)
    assert given.term is not None and given.term.valid_until == date(2028, 12, 31)
    assert TermBasis(kind=TermBasisKind.HUICAI_CARD, until=date(2028, 12, 31)) in issue.bases


def test_policy_check_refuses_a_typed_other_city_card_from_the_rectification_as_card_apply_does(
    ledger: CardLedger, clock: FakeClock
):
    # weihai-2023 part 1(2)① from 2026-12-07 (RD-2026-96): shown by its credential only.
    clock.now = datetime(2026, 12, 8, 2, tzinfo=UTC)
    body = f.apply_body(
        actor="qi", role="enterprise", scheme="weihai", category="enterprise_talent",
        enterprise_id="E-1", sponsor={"kind": "enterprise", "name": "威海新材料有限公司"},
        facts={"planned_hire_of_target_enterprise": True, "holds_other_city_card": True,
               "other_city_card_valid_from": "2026-01-01"},
    )  # fmt: skip
    with pytest.raises(DomainError) as trial:
        PolicyService(clock).trial(body, None, None)
    with pytest.raises(DomainError) as filed:
        ledger.apply(body)
    assert trial.value.code == filed.value.code == "fact_needs_credential"
