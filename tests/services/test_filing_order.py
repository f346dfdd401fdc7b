"""Who may file is decided before anything a filing names is looked up (issue 23, finding
1): a role that may not file, or a filer outside the filing's jurisdiction, gets the same
refusal whatever card or person the body names; a card the filer may not see is, to it,
a card that does not exist; the one-card-per-person refusal comes only to a filer allowed
to file that application."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
import pytest

import ledger.card_commands as cc
from domain.errors import DomainError
from domain.user import Principal
from domain.vocabulary import Role
from ledger import commands as c
from ledger.app import CardLedger
from services.bootstrap import Registry
from tests import factories as f
from tests.api.http_users import request_of
from tests.factories import user

PERSON = f.resident_id(5151)
STRANGER = f.resident_id(5252)
NO_CARD = "00000000-0000-4000-8000-000000000000"
WEIHAI_ENTERPRISE = "91371000MA3C4QYP6E"


def filing(body: c.ApplyBody) -> c.ApplyRequest:
    return msgspec.convert(request_of(body), c.ApplyRequest)


def refusal(registry: Registry, who: Principal, body: c.ApplyBody) -> tuple[str, str, Any]:
    with pytest.raises(DomainError) as refused:
        registry.cards.apply(who, filing(body))
    return refused.value.code, refused.value.message, refused.value.rule


def jinan_card(ledger: CardLedger, id_number: str = PERSON) -> str:
    """The id of a Jinan card issued by the talent office to ``id_number``."""
    return str(f.jinan_card(ledger, id_number=id_number, actor="zhao", role="talent_office"))


def liaocheng_card(ledger: CardLedger, id_number: str = PERSON) -> str:
    card_id, _ = ledger.apply(f.apply_body(holder=f.holder(id_number)))
    return str(card_id)


def jinan_naming(card: str, id_number: str) -> c.ApplyBody:
    """The issue's probe: a Jinan filing whose basis names another card."""
    return f.jinan_body(
        "C",
        holder=f.holder(id_number),
        facts={
            "certified_class_c": True,
            "other_city_card_id": card,
        },
    )


def enterprise_talent(card: str, id_number: str = PERSON) -> c.ApplyBody:
    return f.apply_body(
        scheme="weihai",
        category="enterprise_talent",
        enterprise_id="E-1",
        facts={"planned_hire_of_target_enterprise": True, "other_city_card_id": card},
        holder=f.holder(id_number),
        sponsor={
            "kind": "enterprise",
            "name": "威海新材料有限公司",
            "credit_code": WEIHAI_ENTERPRISE,
        },
    )


def test_a_role_that_may_not_file_gets_one_refusal_whatever_card_the_body_names(
    registry: Registry, ledger: CardLedger
):
    venue = user(registry, "jinan.venue", Role.VENUE, "jinan")
    card = liaocheng_card(ledger)
    answers = {
        refusal(registry, venue, jinan_naming(named, id_number))
        for named, id_number in ((NO_CARD, PERSON), (card, STRANGER), (card, PERSON))
    }
    assert len(answers) == 1
    assert answers.pop()[0] == "filer_not_authorised"


def test_a_named_card_the_filer_may_not_see_is_answered_as_a_card_that_does_not_exist(
    registry: Registry, ledger: CardLedger
):
    enterprise = user(registry, "qi.enterprise", Role.ENTERPRISE, "weihai", WEIHAI_ENTERPRISE)
    card = jinan_card(ledger)  # a Jinan applicant's card: not the Weihai enterprise's to see
    unknown = refusal(registry, enterprise, enterprise_talent(NO_CARD))
    assert unknown[0] == "other_card_unknown"
    assert refusal(registry, enterprise, enterprise_talent(card, STRANGER)) == unknown
    assert refusal(registry, enterprise, enterprise_talent(card, PERSON)) == unknown


def art5_1(huicai: str, credit_code: str) -> c.ApplyBody:
    """Liaocheng art. 5(1) (持有"山东惠才卡"的高层次人才), filed by an employer."""
    return f.apply_body(
        category="art5.1",
        facts={"huicai_card_id": huicai},
        holder=f.holder(PERSON),
        sponsor={"kind": "employer", "name": "聊城大学", "credit_code": credit_code},
        evidence=[],
    )


def test_a_named_card_the_filer_sees_is_still_the_basis_of_its_filing(
    registry: Registry, ledger: CardLedger
):
    own = user(registry, "wang.employer", Role.EMPLOYER, "liaocheng", f.CREDIT_CODE)
    sponsor = {"kind": "employer", "name": "聊城大学", "credit_code": f.CREDIT_CODE}
    body = f.shandong_body(holder=f.holder(PERSON), sponsor=sponsor)
    huicai = registry.cards.apply(own, filing(body)).card_id
    f.approve_all(ledger, huicai)
    ledger.run(cc.ISSUE, huicai, f.issue(actor="sun", role="provincial_window"))
    # Another employer of the city sees no card it does not sponsor.
    code = "91371500MA3C4QYP6F"
    other = user(registry, "li.employer", Role.EMPLOYER, "liaocheng", code)
    unknown = refusal(registry, other, art5_1(NO_CARD, code))
    assert unknown[0] == "other_card_unknown"
    assert refusal(registry, other, art5_1(str(huicai), code)) == unknown
    # The employer that sponsors both names it as the basis.
    filed = registry.cards.apply(own, filing(art5_1(str(huicai), f.CREDIT_CODE))).card_id
    assert ledger.get_card(filed).application.basis.facts["holds_huicai_card"] is True


def test_a_filer_outside_the_scheme_s_city_learns_nothing_of_who_holds_a_card_there(
    registry: Registry, ledger: CardLedger
):
    applicant = user(registry, "li.talent", Role.APPLICANT, "liaocheng")
    jinan_card(ledger, PERSON)
    holder = refusal(registry, applicant, f.jinan_body("C", holder=f.holder(PERSON)))
    nobody = refusal(registry, applicant, f.jinan_body("C", holder=f.holder(STRANGER)))
    assert holder == nobody
    assert holder[0] == "not_authorised"


def test_the_one_card_per_person_refusal_comes_to_a_filer_allowed_to_file_it(
    registry: Registry, ledger: CardLedger
):
    applicant = user(registry, "li.talent", Role.APPLICANT, "jinan")
    jinan_card(ledger, PERSON)
    assert refusal(registry, applicant, f.jinan_body("C", holder=f.holder(PERSON)))[0] == (
        "already_holds_card"
    )


def test_the_card_a_filing_names_is_looked_up_only_after_the_filer_is_allowed(
    registry: Registry, ledger: CardLedger, monkeypatch: pytest.MonkeyPatch
):
    looked_up: list[UUID] = []
    get_card = ledger.get_card

    def spy(card_id: UUID, **kw: Any) -> Any:
        looked_up.append(card_id)
        return get_card(card_id, **kw)

    card = liaocheng_card(ledger)
    monkeypatch.setattr(ledger, "get_card", spy)
    venue = user(registry, "jinan.venue", Role.VENUE, "jinan")
    refusal(registry, venue, jinan_naming(card, PERSON))
    outsider = user(registry, "li.talent", Role.APPLICANT, "liaocheng")
    refusal(registry, outsider, jinan_naming(card, PERSON))
    assert looked_up == []
