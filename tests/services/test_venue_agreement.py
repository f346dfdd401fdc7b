"""A card issued through the ledger, with a family, is decided at every venue city as the
engine decides it: the credential the issuance service signs and the bundle it writes
carry everything a venue needs."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from uuid import UUID

from domain.clock import SHANGHAI, business_date
from domain.errors import DomainError
from domain.policy import decide_entitlement, default_policy
from domain.policy.results import Beneficiary, BeneficiaryKind
from ledger.app import CardLedger
from services.bootstrap import Registry
from signing.bundle import load_bundle
from signing.verify import verify
from tests import factories as f
from tests.conftest import FakeClock

FAMILY = [
    {"relation": "spouse", "name": "韩梅梅", "date_of_birth": "1988-04-02"},
    {"relation": "child", "name": "李小雷", "date_of_birth": "2015-09-30"},
    {"relation": "child", "name": "李大雷", "date_of_birth": "2005-01-15"},
    {"relation": "parent", "name": "李老", "date_of_birth": "1966-12-31"},
]


def _issued(ledger: CardLedger) -> list[UUID]:
    family = tuple(FAMILY)
    return [
        f.liaocheng_card(ledger, family, id_number=f.resident_id(9001)),
        f.jinan_card(ledger, "B", id_number=f.resident_id(9002), family=family),
    ]


def test_an_issued_card_with_a_family_is_decided_offline_as_the_engine_decides_it(
    ledger: CardLedger, registry: Registry, clock: FakeClock, tmp_path: Path
):
    registry.keys.init()
    cards = _issued(ledger)
    registry.issuance.write_bundle(tmp_path / "b", ttl=timedelta(days=4000), trust_days=4000)
    bundle = load_bundle(tmp_path / "b")
    today = business_date(clock.now)
    # Today, the day the younger child turns 18, the day the parent turns 60, and later.
    days = [today, date(2033, 9, 30), date(2026, 12, 31), date(2029, 6, 1)]
    people = ["holder", "companion", "family:1", "family:2", "family:3", "family:4"]
    decided = granted = 0
    for card_id in cards:
        token = registry.issuance.credential(card_id).text
        card = ledger.get_card(card_id)
        family = card.application.holder.family
        for venue, data in default_policy().schemes.items():
            for code in [c for i in data.items for c in (i.code, *(p.code for p in i.parts))]:
                for day in days:
                    for who in people:
                        at = datetime.combine(day, time(12), SHANGHAI)
                        result = verify(
                            token, bundle, at=at, service=code, beneficiary=who, venue_city=venue
                        )
                        if who.startswith("family:"):
                            member = family[int(who.split(":")[1]) - 1]
                            person = Beneficiary(
                                kind=BeneficiaryKind(member.relation.value),
                                date_of_birth=member.date_of_birth,
                            )
                        else:
                            person = Beneficiary(kind=BeneficiaryKind(who))
                        try:
                            decision = decide_entitlement(
                                card.snapshot(day), code, person, day, venue=venue
                            )
                        except DomainError:
                            assert result.detail.startswith("cannot decide"), result
                            continue
                        assert (result.valid, result.rule, result.requires) == (
                            decision.granted,
                            ", ".join(decision.rules) or None,
                            decision.requires,
                        ), (card_id, venue, code, day, who)
                        decided += 1
                        granted += decision.granted
    assert decided > 1000 and 0 < granted < decided


def test_a_credential_dates_only_the_ages_an_article_decides_for_each_family_member(
    ledger: CardLedger, registry: Registry
):
    # Each date gives a birth date away: a spouse gets none, a child only the minor and
    # marriage-age days, a parent only the day of turning 60 (Liaocheng art. 22).
    registry.keys.init()
    card_id = _issued(ledger)[0]
    family = registry.issuance.credential(card_id).claims.family
    spouse, child, _, parent = family
    assert (spouse.minor_until, spouse.marriage_age_until, dict(spouse.age_from)) == (
        None,
        None,
        {},
    )
    assert (child.minor_until, child.marriage_age_until, dict(child.age_from)) == (
        date(2033, 9, 29),
        date(2035, 9, 29),
        {},
    )
    assert dict(parent.age_from) == {60: date(2026, 12, 31)}
    assert parent.minor_until is None


def test_the_care_home_subsidy_is_never_granted_offline_the_paying_office_decides_it(
    ledger: CardLedger, registry: Registry, clock: FakeClock, tmp_path: Path
):
    # liaocheng-2022 art. 22: a parent of 60 or more in a city care home. Residence is not
    # on the credential, so a venue is told no; the paying office records it with the fact.
    registry.keys.init()
    card_id = _issued(ledger)[0]
    registry.issuance.write_bundle(tmp_path / "b", ttl=timedelta(days=4000), trust_days=4000)
    token = registry.issuance.credential(card_id).text
    at = datetime.combine(date(2027, 6, 1), time(12), SHANGHAI)
    result = verify(
        token, load_bundle(tmp_path / "b"), at=at, service="liaocheng.22", beneficiary="parent"
    )
    assert (result.valid, result.reason) == (False, "service_not_granted")
    assert "care home" in result.detail
