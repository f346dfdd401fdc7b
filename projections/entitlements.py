"""``entitlements`` (服务权益): per card, the facts that decide which service items it
grants to each beneficiary (holder, family members, one companion) on a date: the card
snapshot and the beneficiaries' relations and dates of birth (no names). The items are
decided when queried, by the policy engine's pure functions over these facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.errors import IllegalTransition
from domain.policy import Beneficiary, BeneficiaryKind, CardSnapshot
from domain.policy.grants import granted_codes
from domain.vocabulary import CardStatus, Scheme
from projections.base import (
    STATUS_AFTER,
    Page,
    ReadModel,
    Table,
    apply_status_and_grant,
    card_key,
    day,
    effective_day,
    event_name,
    topic,
)

_EVENTS = ("Applied", *STATUS_AFTER, "Upgraded", "Extended")

CARDS = Table(
    "rm_entitlement_card",
    (
        ("card_id", "TEXT"),
        ("scheme", "TEXT"),
        ("tier", "TEXT"),
        ("status", "TEXT"),
        ("valid_from", "TEXT"),
        ("valid_until", "TEXT"),
        ("issued_on", "TEXT"),
    ),
    key=("card_id",),
)
BENEFICIARIES = Table(
    "rm_beneficiary",
    (
        ("card_id", "TEXT"),
        ("position", "INTEGER"),  # 0 the holder, then family in filing order, then companion
        ("kind", "TEXT"),
        ("date_of_birth", "TEXT"),
    ),
    key=("card_id", "position"),
)


@dataclass(frozen=True)
class Entitlement:
    """What one beneficiary of the card may use on the day asked about."""

    kind: str
    date_of_birth: str | None
    items: tuple[str, ...]


class Entitlements(ReadModel):
    """Card snapshots and beneficiaries."""

    name = "entitlements"
    topics = tuple(topic(e) for e in _EVENTS)
    tables = (CARDS, BENEFICIARIES)

    def apply(self, cursor: Any, page: Page) -> None:
        events = self.relevant(page)
        if not events:
            return
        pending = {card_key(e.originator_id) for e, _ in events if event_name(e) != "Applied"}
        cards = self.load(cursor, CARDS, pending)
        people: list[tuple[str, int, str, str | None]] = []
        for event, _ in events:
            key = card_key(event.originator_id)
            name = event_name(event)
            if name == "Applied":
                cards[key] = _filed(event)
                people.extend(_beneficiaries(key, event))
                continue
            row = cards.get(key)
            if row is None:
                continue
            apply_status_and_grant(row, event)
            if name == "Issued":
                row["issued_on"] = row["issued_on"] or effective_day(event)
        self.save(cursor, CARDS, cards.values())
        self.put(cursor, BENEFICIARIES, people)

    def entitlements(self, card_id: Any, on: date) -> list[Entitlement]:
        """Per beneficiary, the item codes the card grants on ``on`` (an item with parts
        is listed by the codes of its parts). Refused for a card never issued."""
        key = card_key(card_id)
        with self.view.reading() as cursor:
            row = self.load(cursor, CARDS, [key]).get(key)
            people = self.view.fetch(
                cursor,
                f"SELECT kind, date_of_birth FROM {self.view.table(BENEFICIARIES.name)}"  # noqa: S608
                " WHERE card_id = ? ORDER BY position",
                (key,),
            )
        if row is None or row["issued_on"] is None:
            raise IllegalTransition("the card is not issued", code="not_issued")
        snapshot = _snapshot(row, on)
        answer = []
        for kind, born in people:
            beneficiary = Beneficiary(
                kind=BeneficiaryKind(kind),
                date_of_birth=date.fromisoformat(born) if born else None,
            )
            granted = granted_codes(snapshot, beneficiary, on)
            answer.append(Entitlement(kind=kind, date_of_birth=born, items=granted))
        return answer


def _snapshot(row: dict[str, Any], on: date) -> CardSnapshot:
    status = row["status"]
    until = date.fromisoformat(row["valid_until"]) if row["valid_until"] else None
    if status in ("active", "suspended") and until is not None and on > until:
        status = str(CardStatus.EXPIRED)  # as Card.status_on decides it
    return CardSnapshot(
        scheme=Scheme(row["scheme"]),
        tier=row["tier"],
        status=status,
        valid_from=date.fromisoformat(row["valid_from"]),
        valid_until=until,
        issued_on=date.fromisoformat(row["issued_on"]),
    )


def _filed(event: Any) -> dict[str, Any]:
    return {
        "card_id": card_key(event.originator_id),
        "scheme": str(event.application.scheme),
        "tier": event.admission.tier,
        "status": str(CardStatus.UNDER_REVIEW),
        "valid_from": None,
        "valid_until": None,
        "issued_on": None,
    }


def _beneficiaries(key: str, event: Any) -> list[tuple[str, int, str, str | None]]:
    holder = event.application.holder
    people: list[tuple[str, int, str, str | None]] = [
        (key, 0, str(BeneficiaryKind.HOLDER), day(holder.date_of_birth))
    ]
    for member in holder.family:
        people.append(
            (
                key,
                len(people),
                str(BeneficiaryKind(str(member.relation))),
                day(member.date_of_birth),
            )
        )
    people.append((key, len(people), str(BeneficiaryKind.COMPANION), None))
    return people
