"""``entitlements`` (服务权益): per card, the facts that decide which service items it
grants to each beneficiary (holder, family members, one companion) on a date: the card
snapshot and the beneficiaries' relations, dates of birth and, for family members, sex
and marital status where filed (no names; the personal column sealed). The items are
decided when queried, by the policy engine's pure functions over these facts.

It also keeps every recorded use of an item (``BenefitRedeemed``, and the day a
``RedemptionReversed`` undid it), so what is left of each counted limit is decided when
queried too, with the same counting (``domain.redemption.usage_of``) and the same limits
(``domain.policy.counted_limits``) the record of use decides with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from domain import policy
from domain.card import TRANSITIONS, Card
from domain.card_status import status_on
from domain.errors import IllegalTransition
from domain.policy import (
    Balance,
    Beneficiary,
    BeneficiaryKind,
    CardSnapshot,
    Sex,
    responsible_units,
)
from domain.policy.grants import granted_codes
from domain.redemption import BenefitUse, Redemption, usage_of
from domain.values import FamilyMember, Holder
from domain.vocabulary import CardStatus, Scheme
from ledger.personal_columns import CardKeys, is_sealed
from projections.base import (
    GRANTS,
    Page,
    ReadModel,
    Table,
    apply_status_and_grant,
    card_key,
    day,
    effective_day,
    grant_of,
    topics_of,
)

_USES = (BenefitUse.BenefitRedeemed, BenefitUse.RedemptionReversed)

CARDS = Table(
    # _v2 (issue 27): a term may keep a lapsed gap (an extension decided after the first
    # term ran out, Weihai 2023), which an existing table would lack.
    "rm_entitlement_card_v2",
    (
        ("card_id", "TEXT"),
        ("scheme", "TEXT"),
        ("tier", "TEXT"),
        ("status", "TEXT"),
        ("valid_from", "TEXT"),
        ("valid_until", "TEXT"),
        ("issued_on", "TEXT"),
        ("lapsed_from", "TEXT"),  # the term's lapsed gap, inclusive (none: NULL)
        ("lapsed_until", "TEXT"),
    ),
    key=("card_id",),
)
BENEFICIARIES = Table(
    # _v2 (issue 26): the card's people from a day, since a change to them takes effect on
    # a day; the companion moved to position -1, since an added family member takes the
    # number after the last.
    "rm_beneficiary_v2",
    (
        ("card_id", "TEXT"),
        ("position", "INTEGER"),  # 0 the holder, family members by number, -1 the companion
        # The first business day this set of the card's people holds ("" from the filing):
        # on a day, the set with the latest ``since`` not after it holds, whole.
        ("since", "TEXT"),
        ("kind", "TEXT"),  # REMOVED: the member is not among them from ``since``
        # The person's sealed record: the date of birth and, for a family member whose sex
        # or marital status is filed (issue 27), ``|SEX|MARRIED|AS_OF`` after it
        # (``person_record``). A row with nothing more filed holds the date alone, as
        # before, so stores projected earlier keep their rows and checksums.
        ("date_of_birth", "TEXT"),
    ),
    key=("card_id", "position", "since"),
    indexes=(("card_id",),),
)
REMOVED = "removed"
COMPANION = -1
"""The companion's position: one accompanying person, named by no one."""
USES = Table(
    "rm_benefit_use",
    (
        ("redemption_id", "TEXT"),
        ("use_id", "TEXT"),  # the BenefitUse holding it, which a reversal is saved to
        ("card_id", "TEXT"),
        ("city", "TEXT"),  # whose catalogue the item is of (a 惠才卡 used in a city)
        ("item", "TEXT"),
        ("kind", "TEXT"),
        ("family_member", "INTEGER"),  # the place in the filing; 0 holder and companion
        ("used_on", "TEXT"),  # business date (Asia/Shanghai) the use took place
        ("quantity", "INTEGER"),
        ("months", "TEXT"),  # a monthly subsidy's months paid, YYYY-MM, comma-separated
        ("reversed_on", "TEXT"),  # business date of its reversal, if reversed
    ),
    key=("redemption_id",),
    indexes=(("card_id",),),
)


@dataclass(frozen=True)
class RecordedUse:
    """Where a recorded use is kept: its ``BenefitUse`` and card, and whether reversed."""

    redemption_id: str
    use_id: str
    card_id: str
    reversed_on: str | None


@dataclass(frozen=True)
class BenefitBalance:
    """What is left of one counted item for one beneficiary (``family_member``: the
    place in the filing, 0 for the holder and the companion), under each of its limits."""

    kind: str
    family_member: int
    item: str
    balances: tuple[Balance, ...]


@dataclass(frozen=True)
class Entitlement:
    """What one beneficiary of the card may use on the day asked about."""

    kind: str
    date_of_birth: str | None
    items: tuple[str, ...]
    # The units that answer for each item listed (责任单位), as its seed lists them; an
    # item whose seed names none (the provincial annex) is left out.
    responsible: dict[str, tuple[str, ...]] = field(default_factory=dict)


class Entitlements(ReadModel):
    """Card snapshots and beneficiaries."""

    name = "entitlements"
    topics = topics_of(Card.Applied, *TRANSITIONS, *GRANTS, *_USES, Card.AmendmentDecided)
    tables = (CARDS, BENEFICIARIES, USES)

    def apply(self, cursor: Any, page: Page) -> None:
        relevant = self.relevant(page)
        uses = [(e, t) for e, t in relevant if isinstance(e, _USES)]
        if uses:
            self._apply_uses(cursor, uses)
        events = [(e, t) for e, t in relevant if not isinstance(e, _USES)]
        if not events:
            return
        self.load_page_keys(cursor, events)
        pending = {card_key(e.originator_id) for e, _ in events if not isinstance(e, Card.Applied)}
        cards = self.load(cursor, CARDS, pending)
        people: list[tuple[str, int, str, str, str | None]] = []
        for event, _ in events:
            key = card_key(event.originator_id)
            if isinstance(event, Card.Applied):
                cards[key] = _filed(event)
                filed = event.application.holder
                people.extend(self._sealed(_beneficiaries(key, filed), event.originator_id, filed))
                continue
            if isinstance(event, Card.AmendmentDecided) and event.decision.holder is not None:
                # From the day the change takes effect the card's people are the change's,
                # whole (the companion stays); a second change that day replaces the first.
                since = event.decision.takes_effect_on.isoformat()
                holder = event.decision.holder
                rows = _beneficiaries(key, holder, since=since, companion=False)
                people.extend(self._sealed(rows, event.originator_id, holder))
                continue
            row = cards.get(key)
            if row is None:
                continue
            apply_status_and_grant(row, event)
            _, term = grant_of(event)
            if term is not None:
                row["lapsed_from"], row["lapsed_until"] = (
                    day(term.lapsed_from),
                    day(term.lapsed_until),
                )
            if isinstance(event, Card.Issued):
                row["issued_on"] = row["issued_on"] or effective_day(event.ctx)
        self.save(cursor, CARDS, cards.values())
        # A key once per statement: the later of two changes on one day wins.
        self.put(cursor, BENEFICIARIES, list({p[:3]: p for p in people}.values()))

    def _sealed(
        self, people: list[tuple[str, int, str, str, str | None]], card_id: UUID, holder: Holder
    ) -> list[tuple[str, int, str, str, str | None]]:
        """The beneficiaries' rows, their dates of birth encrypted under each one's key
        (ledger.personal_columns); an erased person's is the ERASED mark."""
        erased = {0} if holder.erased else set()
        erased |= {i for i, m in enumerate(holder.family, start=1) if m.erased}
        keys = self.page_keys
        return [
            (
                key,
                position,
                since,
                kind,
                ERASED
                if position in erased and kind != REMOVED
                else keys.seal(card_id, position, "date_of_birth", born),
            )
            for key, position, since, kind, born in people
        ]

    def _rows_on(self, cursor: Any, key: str, on: date) -> list[Any]:
        """The card's beneficiary rows that hold on ``on``: the holder, the family members
        present that day, the companion (in that order)."""
        table = self.view.table(BENEFICIARIES.name)
        return self.view.fetch(
            cursor,
            f"SELECT position, kind, date_of_birth FROM {table} WHERE card_id = ?"  # noqa: S608
            f" AND kind <> '{REMOVED}' AND (position < 0 OR since = (SELECT MAX(since)"
            f" FROM {table} WHERE card_id = ? AND position >= 0 AND since <= ?))"
            " ORDER BY CASE WHEN position < 0 THEN 1 ELSE 0 END, position",
            (key, key, on.isoformat()),
        )

    def _people(self, card_id: str, rows: list[Any]) -> list[tuple[int, str, str | None]]:
        """(position, kind, record: ``person_record``) of a card's beneficiaries,
        decrypted; erased people left out (they share no benefit)."""
        oid = UUID(card_id)
        sealed = any(is_sealed(stored) for _, _, stored in rows)
        keys = self.sealed_columns().of_cards([oid]) if sealed else CardKeys({})
        if any(is_sealed(stored) and not keys.has(oid, position) for position, _, stored in rows):
            # A member added since this process last read the card's keys (perhaps by
            # another process): read them from the table rather than drop the member.
            keys = self.sealed_columns().of_cards([oid], fresh=True)
        people = []
        for position, kind, stored in rows:
            born = keys.open(oid, position, "date_of_birth", stored)
            if stored == ERASED or (stored is not None and born is None):
                continue
            people.append((position, kind, born))
        return people

    def _apply_uses(self, cursor: Any, events: Page) -> None:
        """A row per recorded use; a reversal dates its use's row."""
        reversed_ids = [card_key(e.reversal.redemption_id) for e in _reversals(events)]
        rows = self.load(cursor, USES, reversed_ids)
        for event, _ in events:
            match event:
                case BenefitUse.RedemptionReversed(ctx=ctx, reversal=reversal):
                    row = rows.get(card_key(reversal.redemption_id))
                    if row is not None:
                        row["reversed_on"] = effective_day(ctx)
                case BenefitUse.BenefitRedeemed(redemption=use):
                    key = card_key(use.redemption_id)
                    rows[key] = _use_row(key, event.originator_id, use)
        self.save(cursor, USES, rows.values())

    def recorded_use(self, redemption_id: Any) -> RecordedUse | None:
        """Where a recorded use is kept, or None for an id never recorded."""
        key = card_key(redemption_id)
        with self.view.reading() as cursor:
            row = self.load(cursor, USES, [key]).get(key)
        if row is None:
            return None
        return RecordedUse(
            redemption_id=key,
            use_id=row["use_id"],
            card_id=row["card_id"],
            reversed_on=row["reversed_on"],
        )

    def balances(self, card_id: Any, on: date) -> list[BenefitBalance]:
        """Per beneficiary, what is left on ``on`` of each item with a counted limit: the
        items the card grants the person that day and those the person used, counting the
        uses that had taken place by ``on`` and were not reversed by then. What a venue or
        office attests when it records a use (the holder there, a parent in a city care
        home) is taken as given: a balance says what is left, not that a use today would
        be granted. Refused for a card never issued."""
        key = card_key(card_id)
        with self.view.reading() as cursor:
            row = self.load(cursor, CARDS, [key]).get(key)
            people = self._rows_on(cursor, key, on)
            uses = self.view.fetch(
                cursor,
                f"SELECT kind, family_member, city, item, used_on, quantity, months"  # noqa: S608
                f" FROM {self.view.table(USES.name)} WHERE card_id = ? AND used_on <= ?"
                " AND (reversed_on IS NULL OR reversed_on > ?) ORDER BY used_on, redemption_id",
                (key, on.isoformat(), on.isoformat()),
            )
        if row is None or row["issued_on"] is None:
            raise IllegalTransition("the card is not issued", code="not_issued")
        snapshot = _snapshot(row, on)
        answer: list[BenefitBalance] = []
        for position, kind, record in self._people(key, people):
            person_kind = BeneficiaryKind(kind)
            family = (
                0
                if person_kind in (BeneficiaryKind.HOLDER, BeneficiaryKind.COMPANION)
                else position
            )
            mine = [u for u in uses if (u[0], u[1]) == (kind, family)]
            person = beneficiary_of_record(
                person_kind, record, holder_present=True, in_city_care_home=True
            )
            items = [(snapshot.scheme, code) for code in granted_codes(snapshot, person, on)]
            items += [(Scheme(u[2]), u[3]) for u in mine]
            for city, item in dict.fromkeys(items):
                limits = policy.counted_limits(city, item, on)
                if not limits:
                    continue
                counted = [
                    (date.fromisoformat(u[4]), u[5], tuple(m for m in u[6].split(",") if m))
                    for u in mine
                    if (u[2], u[3]) == (city, item)
                ]
                used = usage_of(counted, on)
                balances = tuple(
                    policy.balance_of(limit, used, snapshot.issued_on, on) for limit in limits
                )
                answer.append(BenefitBalance(kind, family, item, balances))
        return answer

    def entitlements(self, card_id: Any, on: date) -> list[Entitlement]:
        """Per beneficiary, the item codes the card grants on ``on`` (an item with parts
        is listed by the codes of its parts). Refused for a card never issued."""
        key = card_key(card_id)
        with self.view.reading() as cursor:
            row = self.load(cursor, CARDS, [key]).get(key)
            people = self._rows_on(cursor, key, on)
        if row is None or row["issued_on"] is None:
            raise IllegalTransition("the card is not issued", code="not_issued")
        snapshot = _snapshot(row, on)
        answer = []
        for _, kind, record in self._people(key, people):
            beneficiary = beneficiary_of_record(BeneficiaryKind(kind), record)
            granted = granted_codes(snapshot, beneficiary, on)
            born = None if record is None else record.split("|")[0]
            units = {code: responsible_units(code) for code in granted}
            answer.append(
                Entitlement(
                    kind=kind,
                    date_of_birth=born,
                    items=granted,
                    responsible={code: found for code, found in units.items() if found},
                )
            )
        return answer


def _reversals(events: Page) -> list[BenefitUse.RedemptionReversed]:
    return [e for e, _ in events if isinstance(e, BenefitUse.RedemptionReversed)]


def _use_row(key: str, use_id: UUID, use: Redemption) -> dict[str, Any]:
    """A recorded use's row (not reversed)."""
    return {
        "redemption_id": key,
        "use_id": card_key(use_id),
        "card_id": card_key(use.card_id),
        "city": str(use.city),
        "item": use.item,
        "kind": str(use.beneficiary),
        "family_member": use.family_member,
        "used_on": use.used_on.isoformat(),
        "quantity": use.quantity,
        "months": ",".join(use.months),
        "reversed_on": None,
    }


def _snapshot(row: dict[str, Any], on: date) -> CardSnapshot:
    until = date.fromisoformat(row["valid_until"]) if row["valid_until"] else None
    # A day in the gap an extension kept lapsed counts as expired, as the card decides.
    lapsed = (row["lapsed_from"], row["lapsed_until"])
    status = status_on(CardStatus(row["status"]), until, on, lapsed=_dates(lapsed))
    return CardSnapshot(
        scheme=Scheme(row["scheme"]),
        tier=row["tier"],
        status=str(status),
        valid_from=date.fromisoformat(row["valid_from"]),
        valid_until=until,
        issued_on=date.fromisoformat(row["issued_on"]),
    )


def _dates(pair: tuple[str | None, str | None]) -> tuple[date | None, date | None]:
    return (
        date.fromisoformat(pair[0]) if pair[0] else None,
        date.fromisoformat(pair[1]) if pair[1] else None,
    )


def _filed(event: Card.Applied) -> dict[str, Any]:
    return {
        "card_id": card_key(event.originator_id),
        "scheme": str(event.application.scheme),
        "tier": event.admission.tier,
        "status": str(Card.Applied.status_after),
        "valid_from": None,
        "valid_until": None,
        "issued_on": None,
        "lapsed_from": None,
        "lapsed_until": None,
    }


ERASED = "erased"
"""What an erased person's date of birth column holds (set by the erasure's purge, and by a
rebuild after it): unlike NULL (the companion, who has none), it drops the person."""


def _beneficiaries(
    key: str, holder: Holder, *, since: str = "", companion: bool = True
) -> list[tuple[str, int, str, str, str | None]]:
    """(card, position, since, kind, date of birth) of the people ``holder`` names: the
    holder, every family member by number (a removed one as REMOVED, so that it replaces
    an earlier row of the same day), and the companion."""
    people: list[tuple[str, int, str, str, str | None]] = [
        (key, 0, since, str(BeneficiaryKind.HOLDER), day(holder.date_of_birth))
    ]
    for number, member in enumerate(holder.family, start=1):
        if member.removed:
            people.append((key, number, since, REMOVED, None))
        else:
            kind = str(BeneficiaryKind(str(member.relation)))
            people.append((key, number, since, kind, person_record(member)))
    if companion:
        people.append((key, COMPANION, since, str(BeneficiaryKind.COMPANION), None))
    return people


# One character each, and a placeholder day: every record with a sex or a marital status
# filed has the same length, so its ciphertext (AES-SIV keeps the plaintext's length)
# does not tell a son from a daughter, or a married child from an unmarried one.
_SEX_CODES = {Sex.MALE: "M", Sex.FEMALE: "F"}
_SEX_OF = {"M": Sex.MALE, "F": Sex.FEMALE, "male": Sex.MALE, "female": Sex.FEMALE}
_NO_DAY = "----------"


def person_record(member: FamilyMember) -> str:
    """A family member's sealed column: the date of birth, then ``|S|M|AS_OF`` where a sex
    or marital status is filed: ``S`` is ``M``, ``F`` or ``-``, ``M`` is ``Y``, ``N`` or
    ``-`` and ``AS_OF`` the day the status was shown or ``----------``, so every such
    record is 25 characters (``2005-06-01|M|-|----------``, ``1998-02-01|-|N|2026-12-01``)."""
    born = member.date_of_birth.isoformat()
    marital = member.marital
    if member.sex is None and marital is None:
        return born
    sex = "-" if member.sex is None else _SEX_CODES[member.sex]
    married = "-" if marital is None else ("Y" if marital.married else "N")
    as_of = _NO_DAY if marital is None else marital.as_of.isoformat()
    return f"{born}|{sex}|{married}|{as_of}"


def beneficiary_of_record(kind: BeneficiaryKind, record: str | None, **seen: bool) -> Beneficiary:
    """The person the engine decides for, from a row's opened record (``person_record``;
    the holder's and a member's with nothing more filed is the date of birth alone)."""
    born, sex, married, as_of = ((record or "") + "|||").split("|")[:4]
    return Beneficiary(
        kind=kind,
        date_of_birth=date.fromisoformat(born) if born else None,
        sex=_SEX_OF.get(sex),
        married={"Y": True, "yes": True, "N": False, "no": False}.get(married),
        married_as_of=date.fromisoformat(as_of) if as_of and as_of != _NO_DAY else None,
        **seen,
    )
