"""Weihai 2019 part 2(3): a category 1 card's term is the 惠才卡's own (凭“山东惠才卡”申领的，
按“山东惠才卡”待遇享有期限确定), read from the 惠才卡's credential as the registry verifies
it offline, from 2026-12-07 (RD-2026-95); every failed check gets one refusal."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import msgspec
import pytest

import ledger.card_commands as cc
from domain.card import Card
from domain.errors import DomainError
from domain.policy import CredentialEvidence
from domain.user import PROVINCE, Principal
from domain.vocabulary import Role, Scheme
from ledger import commands as c
from ledger.app import CardLedger
from ledger.limits import EVIDENCE_CREDENTIAL_MAX
from services.access import Idempotency
from services.audit.verify import verify_export
from services.bootstrap import Registry
from services.evidence import EVIDENCE_REFUSED
from signing.credential import MAX_TEXT_CHARS
from tests import factories as f
from tests.api.http_users import request_of
from tests.conftest import FakeClock

PERSON = f.resident_id(5151)
RECTIFIED = datetime(2026, 12, 8, 2, tzinfo=UTC)  # 2026-12-08 in Shanghai
AUDITOR = Principal(user_id=uuid4(), name="zhao.auditor", role=Role.AUDITOR, authority=PROVINCE)


def category_1(
    ledger: CardLedger,
    id_number: str = PERSON,
    since: str = "2026-12-08",
    *,
    huicai: UUID | None = None,
) -> UUID:
    """A Weihai category 1 file (works in Weihai, holds a 惠才卡), filed by the city HRSS:
    with ``huicai``, the 惠才卡 as the registry reads it from its verified credential
    (weihai.recognition.huicai_card_credential, from 2026-12-07: RD-2026-98); without,
    typed (the reading of the days before)."""
    facts: dict[str, Any] = {"works_in_weihai": True}
    credentials: tuple[CredentialEvidence, ...] = ()
    if huicai is None:
        facts |= {"holds_huicai_card": True, "huicai_card_valid_from": since}
    else:
        card = ledger.get_card(huicai)
        assert card.term is not None
        read = CredentialEvidence(
            card_id=huicai,
            scheme=Scheme.SHANDONG,
            status_uri="https://registry.example/status/shandong",
            status_index=0,
            valid_from=card.term.valid_from,
            valid_until=card.term.valid_until,
            verified_at=RECTIFIED,
        )
        credentials = (read,)
    body = f.apply_body(
        actor="zhang.hrss",
        role="city_hrss",
        scheme="weihai",
        category="1",
        facts=facts,
        holder=f.holder(id_number),
        sponsor={"kind": "employer", "name": "威海市立医院"},
    )
    card_id, _ = ledger.apply(msgspec.structs.replace(body, credentials=credentials))
    return card_id


@pytest.fixture
def hrss(registry: Registry) -> Principal:
    """The Weihai city HRSS, which issues Weihai cards."""
    return f.user(registry, "zhang.hrss", Role.CITY_HRSS, "weihai")


def issue(registry: Registry, hrss: Principal, card_id: UUID, **fields: Any) -> None:
    """``card issue`` as ``hrss``."""
    request = msgspec.convert(fields, c.IssueRequest)
    registry.cards.run(hrss, cc.ISSUE, card_id, request)


@pytest.fixture
def world(ledger: CardLedger, registry: Registry, clock: FakeClock) -> tuple[UUID, str]:
    """On 2026-12-08, with keys: a 惠才卡 for PERSON (to 2031-12-07) and its credential."""
    clock.now = RECTIFIED
    registry.keys.init()
    huicai = f.shandong_card(ledger, id_number=PERSON)
    return huicai, registry.issuance.credential(huicai).text


def test_weihai_2019_part_2_3_a_category_1_term_is_the_huicai_card_s_own(
    ledger: CardLedger, registry: Registry, hrss: Principal, world: tuple[UUID, str]
):
    huicai, token = world
    card_id = category_1(ledger, huicai=world[0])
    issue(registry, hrss, card_id, evidence_credential=token, evidence_holder_id=PERSON)
    card = ledger.get_card(card_id)
    assert card.term is not None
    assert card.term.valid_until == date(2031, 12, 7)  # the 惠才卡's last day
    assert card.term.rules == ("weihai.term.huicai_card_credential",)
    assert str(huicai) in card.term.basis


def test_weihai_2019_part_2_3_a_typed_huicai_card_date_is_refused(
    ledger: CardLedger, registry: Registry, hrss: Principal, world: tuple[UUID, str]
):
    card_id = category_1(ledger, huicai=world[0])
    with pytest.raises(DomainError) as refused:
        issue(registry, hrss, card_id, bases=[{"kind": "huicai_card", "until": "2040-01-01"}])
    assert refused.value.code == "basis_needs_credential"
    assert ledger.get_card(card_id).term is None


def test_weihai_2019_part_2_3_a_contract_does_not_override_the_huicai_card_term(
    ledger: CardLedger, registry: Registry, hrss: Principal, world: tuple[UUID, str]
):
    _, token = world
    card_id = category_1(ledger, huicai=world[0])
    with pytest.raises(DomainError) as refused:
        issue(
            registry,
            hrss,
            card_id,
            evidence_credential=token,
            evidence_holder_id=PERSON,
            bases=[{"kind": "contract", "years": 7}],
        )
    assert (refused.value.code, refused.value.rule) == (
        "basis_not_applicable",
        "weihai.term.huicai_card_credential",
    )


def test_weihai_2019_part_2_3_before_the_rectification_the_typed_date_still_decides(
    ledger: CardLedger, registry: Registry, hrss: Principal
):
    card_id = category_1(ledger, since="2020-01-01")  # 2026-03-02: weihai-2024-continued
    issue(registry, hrss, card_id, bases=[{"kind": "huicai_card", "until": "2031-05-31"}])
    card = ledger.get_card(card_id)
    assert card.term is not None
    assert (card.term.valid_until, card.term.rules) == (
        date(2031, 5, 31),
        ("weihai.term.huicai_card",),
    )


def refusal(
    registry: Registry, hrss: Principal, card_id: UUID, token: str, holder_id: str = PERSON
) -> str:
    with pytest.raises(DomainError) as refused:
        issue(registry, hrss, card_id, evidence_credential=token, evidence_holder_id=holder_id)
    return str(refused.value)


def test_weihai_2019_part_2_3_every_unaccepted_credential_gets_the_same_one_line(
    ledger: CardLedger, registry: Registry, hrss: Principal, world: tuple[UUID, str]
):
    huicai, token = world
    card_id = category_1(ledger, huicai=world[0])
    other = f.resident_id(5252)
    others = registry.issuance.credential(f.shandong_card(ledger, id_number=other)).text
    forged = token[:-8] + ("A" if token[-8] != "A" else "B") + token[-7:]
    answers = {
        "forged": refusal(registry, hrss, card_id, forged),
        "garbage": refusal(registry, hrss, card_id, "TC1:NOTATOKEN"),
        "another person's": refusal(registry, hrss, card_id, others),
        "another person's, with their number": refusal(registry, hrss, card_id, others, other),
        "no holder id": refusal(registry, hrss, card_id, token, ""),
    }
    f.revoke(ledger, huicai)
    answers["revoked"] = refusal(registry, hrss, card_id, token)
    assert set(answers.values()) == {f"evidence_not_accepted: {EVIDENCE_REFUSED}"}
    assert "\n" not in EVIDENCE_REFUSED
    assert ledger.get_card(card_id).term is None


def test_the_issue_records_what_was_read_not_the_token_and_replays_identically(
    ledger: CardLedger, registry: Registry, hrss: Principal, world: tuple[UUID, str], tmp_path: Path
):
    huicai, token = world
    card_id = category_1(ledger, huicai=world[0])
    issue(registry, hrss, card_id, evidence_credential=token, evidence_holder_id=PERSON)
    [issued] = [e for e in ledger.history(card_id) if isinstance(e, Card.Issued)]
    [evidence] = issued.issuance.credentials
    assert (evidence.card_id, evidence.valid_until, evidence.verified_at) == (
        huicai,
        date(2031, 12, 7),
        RECTIFIED,
    )
    recorded = msgspec.json.encode(issued.issuance)
    assert b"TC1:" not in recorded and PERSON.encode() not in recorded
    registry.transparency.checkpoint("ops@host")
    with (tmp_path / "audit.jsonl").open("wb") as stream:
        registry.audit_export.export(AUDITOR, stream, redacted=False)
    registry.issuance.write_bundle(tmp_path / "bundle")
    report = verify_export(tmp_path / "audit.jsonl", trust_source=tmp_path / "bundle", workers=1)
    assert report.ok, report.findings


def test_the_request_caps_the_credential_at_the_verifier_s_own_limit():
    assert EVIDENCE_CREDENTIAL_MAX == MAX_TEXT_CHARS
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"evidence_credential": "x" * (MAX_TEXT_CHARS + 1)}, c.IssueRequest)


# ---- the 惠才卡 as an eligibility fact (RD-2026-98, RD-2026-99) ----------------------------


def huicai_filing(scheme: str, category: str, **fields: Any) -> c.ApplyRequest:
    """A filing for PERSON on the 惠才卡: Weihai category 1 (works in Weihai) or Liaocheng
    art. 5(1); ``facts`` replace the category's own, other fields join the request."""
    facts = fields.pop("facts", {"works_in_weihai": True} if scheme == "weihai" else {})
    body = f.apply_body(
        scheme=scheme,
        category=category,
        facts=facts,
        holder=f.holder(PERSON),
        sponsor={"kind": "employer", "name": "某单位"},
    )
    return msgspec.convert({**request_of(body), **fields}, c.ApplyRequest)


TYPED = {"holds_huicai_card": True, "huicai_card_valid_from": "2026-12-08"}


@pytest.mark.parametrize(
    ("scheme", "category", "city", "typed"),
    [
        ("weihai", "1", "weihai", {"works_in_weihai": True, **TYPED}),
        ("liaocheng", "art5.1", "liaocheng", TYPED),
    ],
    ids=["weihai 2019 part 2(1).1", "liaocheng art. 5(1)"],
)
def test_the_huicai_card_a_category_asks_for_is_shown_by_its_credential_not_typed(
    ledger: CardLedger,
    registry: Registry,
    world: tuple[UUID, str],
    scheme: str,
    category: str,
    city: str,
    typed: dict[str, Any],
):
    huicai, token = world
    hrss = f.user(registry, f"hrss.{city}", Role.CITY_HRSS, city)
    with pytest.raises(DomainError) as refused:
        registry.cards.apply(hrss, huicai_filing(scheme, category, facts=typed))
    assert refused.value.code == "fact_needs_credential"
    with pytest.raises(DomainError) as named:
        registry.cards.apply(
            hrss, huicai_filing(scheme, category, facts={"huicai_card_id": str(huicai)})
        )
    assert named.value.code == "fact_needs_credential"  # no lookup in the province's files
    filed = registry.cards.apply(hrss, huicai_filing(scheme, category, evidence_credential=token))
    facts = ledger.get_card(filed.card_id).application.basis.facts
    assert facts["holds_huicai_card"] is True
    assert facts["huicai_card_valid_until"] == "2031-12-07"


def test_a_revoked_huicai_card_s_credential_admits_no_one(
    ledger: CardLedger, registry: Registry, world: tuple[UUID, str]
):
    huicai, token = world
    f.revoke(ledger, huicai, proposer="employer")
    hrss = f.user(registry, "hrss.liaocheng", Role.CITY_HRSS, "liaocheng")
    with pytest.raises(DomainError) as refused:
        registry.cards.apply(hrss, huicai_filing("liaocheng", "art5.1", evidence_credential=token))
    assert (refused.value.code, str(refused.value)) == (
        "evidence_not_accepted",
        f"evidence_not_accepted: {EVIDENCE_REFUSED}",
    )


def test_a_retried_issue_answers_as_the_first_even_after_the_huicai_card_was_revoked(
    ledger: CardLedger, registry: Registry, hrss: Principal, world: tuple[UUID, str]
):
    # The receipt is looked for before the credential is verified again: a client that
    # lost the first answer is told the issue it recorded, not a refusal.
    huicai, token = world
    card_id = category_1(ledger, huicai=huicai)
    once = Idempotency.of("issue-1", "POST", f"/cards/{card_id}/issue", b"same")
    request = msgspec.convert(
        {"evidence_credential": token, "evidence_holder_id": PERSON}, c.IssueRequest
    )
    first = registry.cards.run(hrss, cc.ISSUE, card_id, request, idempotency=once)
    f.revoke(ledger, huicai, proposer="employer")
    again = registry.cards.run(hrss, cc.ISSUE, card_id, request, idempotency=once)
    assert again == first and ledger.get_card(card_id).version == first.version
