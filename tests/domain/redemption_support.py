"""Builders of recorded uses (domain.redemption) on a Liaocheng tier-B card issued
2026-07-01: the counter of one item and person, a use at an Asia/Shanghai instant."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid4

from domain.clock import SHANGHAI
from domain.policy import Beneficiary, BeneficiaryKind, CardSnapshot
from domain.redemption import BenefitUse, Redemption, UseRequest, use_scope
from domain.values import Context
from domain.vocabulary import Role, Scheme

CARD_ID = UUID("00000000-0000-4000-8000-000000000001")
ISSUED = date(2026, 7, 1)  # mid-year: the first three years span four calendar years
FILMS = "liaocheng.21.films"
CARE = "liaocheng.22"
GYM = "liaocheng.20"
HOLDER = Beneficiary(kind=BeneficiaryKind.HOLDER)
PARENT = Beneficiary(
    kind=BeneficiaryKind.PARENT, date_of_birth=date(1950, 1, 1), in_city_care_home=True
)
COMPANION = Beneficiary(kind=BeneficiaryKind.COMPANION, holder_present=True)


def card(scheme: Scheme = Scheme.LIAOCHENG, tier: str = "B", **fields: object) -> CardSnapshot:
    values: dict[str, object] = {
        "scheme": scheme,
        "tier": tier,
        "status": "active",
        "valid_from": ISSUED,
        "valid_until": None,
        "issued_on": ISSUED,
    }
    values.update(fields)
    return CardSnapshot(**values)  # type: ignore[arg-type]


def at(when: datetime, role: Role = Role.VENUE) -> Context:
    return Context(actor="clerk", role=role, effective_at=when, recorded_at=when)


def shanghai(*parts: int) -> datetime:
    """An instant given as an Asia/Shanghai wall-clock time."""
    return datetime(*parts, tzinfo=SHANGHAI)  # type: ignore[arg-type, misc]


def counter(
    item: str = FILMS,
    *,
    kind: BeneficiaryKind = BeneficiaryKind.HOLDER,
    city: Scheme = Scheme.LIAOCHENG,
    scheme: Scheme = Scheme.LIAOCHENG,
) -> BenefitUse:
    scope = use_scope(CARD_ID, scheme, city, item, kind, 1 if kind is BeneficiaryKind.PARENT else 0)
    return BenefitUse(ctx=at(shanghai(2026, 7, 1, 9)), scope=scope)


def use(
    record: BenefitUse,
    when: datetime,
    quantity: int = 1,
    *,
    person: Beneficiary = HOLDER,
    presented: CardSnapshot | None = None,
    role: Role = Role.VENUE,
    venue: str = "东昌影城",
) -> Redemption:
    request = UseRequest(venue=venue, quantity=quantity, holder_present=True)
    return record.redeem(at(when, role), request, presented or card(), person, uuid4())
