"""``card_current`` (卡片现状): one row per card as it stands after its last event, for
``card list`` with filters and cursor pagination. The recorded status is stored; whether
an active or suspended card has expired is decided against the caller's ``as_of`` date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from domain.authority import authority_of
from domain.card import TRANSITIONS, Card
from domain.card_status import CLOSED, IN_FORCE, status_after, status_on
from domain.clock import business_date
from domain.jurisdiction import ListScope, file_city
from domain.vocabulary import CardStatus
from ledger.personal_columns import is_sealed
from projections.base import (
    GRANTS,
    IN_FORCE_SQL,
    CardRowModel,
    Table,
    apply_status_and_grant,
    card_key,
    context_of,
    event_name,
    instant,
    topics_of,
)

MAX_LIMIT = 500

CARDS = Table(
    # _v2: it gained city, sponsor_code and filed_by (issue 12: jurisdiction), which an
    # existing table would lack; `init` creates it, `projections rebuild card_current`
    # fills it.
    "rm_card_current_v2",
    (
        ("card_id", "TEXT"),
        ("filed_at", "INTEGER"),  # the Applied event's notification id: filing order
        ("scheme", "TEXT"),
        ("authority", "TEXT"),
        ("category", "TEXT"),
        ("route", "TEXT"),
        ("tier", "TEXT"),
        ("status", "TEXT"),  # recorded status; "expired" is derived when queried
        ("stages", "TEXT"),  # required review stages, comma-separated
        ("approved", "INTEGER"),  # how many of them have approved
        ("next_stage", "TEXT"),
        ("holder_name", "TEXT"),
        ("sponsor_kind", "TEXT"),
        ("sponsor_name", "TEXT"),
        ("city", "TEXT"),  # the city the file belongs to (domain.jurisdiction.file_city)
        ("sponsor_code", "TEXT"),
        ("filed_by", "TEXT"),
        ("valid_from", "TEXT"),
        ("valid_until", "TEXT"),
        ("last_event", "TEXT"),
        ("version", "INTEGER"),
        ("last_effective_at", "TEXT"),
    ),
    key=("card_id",),
    # A page of ``card list`` is read along the key and filtered, which stays cheap at
    # 100,000 cards. My work (issue 28) looks for the few files still open among them:
    # under review, along (status, next_stage); with a request open on an issued card,
    # along (status, last_event), without which it read every active card's row
    # (68 ms of a 120 ms page at 100,000 cards, bench/console.py).
    indexes=(("status", "next_stage"), ("status", "last_event")),
)


@dataclass(frozen=True)
class CardFilter:
    """What ``card list`` filters on; None: any. ``status`` may be ``expired``."""

    scheme: str | None = None
    authority: str | None = None
    route: str | None = None
    status: str | None = None
    tier: str | None = None
    sponsor_kind: str | None = None
    sponsor_name: str | None = None
    # The caller's jurisdiction (``domain.jurisdiction.list_scope``); None: every file.
    within: ListScope | None = None


@dataclass(frozen=True)
class CardRow:
    """A card as listed, with its status as of the query's date."""

    card_id: str
    scheme: str
    authority: str
    category: str
    route: str
    tier: str
    status: str
    next_stage: str | None
    holder_name: str | None  # None: the holder was erased
    sponsor_kind: str
    sponsor_name: str
    valid_from: str | None
    valid_until: str | None
    last_event: str
    version: int
    last_effective_at: str


@dataclass(frozen=True)
class CardPage:
    """One page of cards and the cursor for the next (None: this was the last page)."""

    rows: list[CardRow]
    next_after: str | None


class CardCurrent(CardRowModel):
    """Every card's current state."""

    name = "card_current"
    topics = topics_of(
        Card.Applied,
        Card.ReviewRecorded,
        *TRANSITIONS,
        *GRANTS,
        Card.RevocationProposed,
        Card.RevocationApproved,
        Card.RevocationDeclined,
        Card.DeadlineStarted,
        Card.AmendmentRequested,
        Card.AmendmentDecided,
    )
    tables = (CARDS,)
    row_table = CARDS

    def filed(self, event: Card.Applied, notification_id: int) -> dict[str, Any]:
        row = _filed(event, notification_id)
        holder = event.application.holder
        keys = self.page_keys
        row["holder_name"] = (
            None
            if holder.erased
            else keys.seal(event.originator_id, 0, "holder_name", holder.name)
        )
        return row

    def changed(self, row: dict[str, Any], event: Card.Event) -> None:
        _change(row, event)
        if isinstance(event, Card.AmendmentDecided) and event.decision.holder is not None:
            # A corrected name is the card's name from then on (the filing keeps its own).
            holder = event.decision.holder
            row["holder_name"] = (
                None
                if holder.erased
                else self.page_keys.seal(event.originator_id, 0, "holder_name", holder.name)
            )

    def list_cards(
        self,
        where: CardFilter,
        *,
        as_of: date,
        limit: int = 50,
        after: str | None = None,
    ) -> CardPage:
        """Cards matching the filter, ordered by card id, ``limit`` (≤ 500) from the one
        after ``after``; ``expired`` and ``active`` are decided as of ``as_of``."""
        limit = max(1, min(limit, MAX_LIMIT))
        today = as_of.isoformat()
        clauses, params = _filter_clauses(where)
        if where.status is not None:
            clause, extra = _status_clause(where.status, today)
            clauses.append(clause)
            params.extend(extra)
        if after is not None:
            clauses.append("card_id > ?")
            params.append(after)
        sql = f"SELECT {', '.join(CARDS.column_names)} FROM {self.view.table(CARDS.name)}"  # noqa: S608
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += f" ORDER BY card_id LIMIT {limit + 1}"
        with self.view.reading() as cursor:
            found = self.view.fetch(cursor, sql, params)
        named = [dict(zip(CARDS.column_names, r, strict=True)) for r in found]
        self._open_names(named)
        rows = [_row(r, today) for r in named]
        more = len(rows) > limit
        rows = rows[:limit]
        return CardPage(rows=rows, next_after=rows[-1].card_id if more else None)

    def waiting(
        self,
        *,
        stages: tuple[str, ...],
        issuing_schemes: tuple[str, ...],
        open_requests: tuple[tuple[str, str], ...],
        where: CardFilter,
        limit: int,
        after: tuple[str, str] | None = None,
    ) -> tuple[list[tuple[CardRow, str | None, str | None]], tuple[str, str] | None]:
        """Cards that may wait for a user (my work, 待办), soonest due first: under review
        at one of ``stages``, fully approved in one of ``issuing_schemes`` (waiting to be
        issued, or for a receipt or contract before), or with a request open after they
        were issued (``open_requests``: the (scheme, last event) pairs of a revocation or
        an amendment that may wait for the user, ``domain.work.open_request_events``); each with
        its deadline's due day and rule (``statistics``). The caller decides from the card
        itself whether it waits for its user (``domain.work``); ``after`` is the last row's
        (due key, card id) of the page before."""
        current, files = self.view.table(CARDS.name), self.view.table("rm_statistics_v2")
        chances: list[str] = []
        params: list[Any] = []
        if stages:
            marks = ", ".join("?" for _ in stages)
            chances.append(f"(c.status = 'under_review' AND c.next_stage IN ({marks}))")
            params.extend(stages)
        if issuing_schemes:
            marks = ", ".join("?" for _ in issuing_schemes)
            chances.append(
                f"(c.status = 'under_review' AND c.next_stage IS NULL AND c.scheme IN ({marks}))"
            )
            params.extend(issuing_schemes)
        if open_requests:
            # The events and the schemes apart (a superset of the pairs): an IN list on
            # last_event keeps the (status, last_event) index's lookup, where an OR of
            # pairs made SQLite read every live card.
            events = sorted({e for _, e in open_requests})
            schemes = sorted({s for s, _ in open_requests})
            chances.append(
                "(c.status IN ('active', 'suspended')"
                f" AND c.last_event IN ({', '.join('?' for _ in events)})"
                f" AND c.scheme IN ({', '.join('?' for _ in schemes)}))"
            )
            params.extend([*events, *schemes])
        if not chances:
            return [], None
        filters, more_params = _filter_clauses(where, "c.")
        clauses = [f"({' OR '.join(chances)})", *filters]
        params.extend(more_params)
        due = "COALESCE(f.due_on, '9999-12-31')"
        if after is not None:
            clauses.append(f"({due} > ? OR ({due} = ? AND c.card_id > ?))")
            params.extend([after[0], after[0], after[1]])
        columns = ", ".join(f"c.{name}" for name in CARDS.column_names)
        sql = (
            f"SELECT {columns}, f.due_on, f.deadline_rules FROM {current} c"  # noqa: S608
            f" LEFT JOIN {files} f ON f.card_id = c.card_id WHERE {' AND '.join(clauses)}"
            f" ORDER BY {due}, c.card_id LIMIT {limit + 1}"
        )
        with self.view.reading() as cursor:
            found = self.view.fetch(cursor, sql, params)
        width = len(CARDS.column_names)
        named = [dict(zip(CARDS.column_names, r[:width], strict=True)) for r in found]
        self._open_names(named)
        today = "0001-01-01"  # the row's status is the recorded one: work is never expired
        rows = [
            (_row(r, today), f[width], f[width + 1])
            for r, f in zip(named, found, strict=True)
        ]
        more = len(rows) > limit
        rows = rows[:limit]
        cursor_after = None
        if more:
            last = rows[-1]
            cursor_after = (last[1] or "9999-12-31", last[0].card_id)
        return rows, cursor_after

    def get(self, card_id: str, *, as_of: date) -> CardRow | None:
        """One card's row, or None if no such card was filed."""
        with self.view.reading() as cursor:
            found = self.load(cursor, CARDS, [card_id])
        row = found.get(card_id)
        if row is None:
            return None
        row = dict(row)
        self._open_names([row])
        return _row(row, as_of.isoformat())

    def ended_cards(self, today: date) -> list[tuple[str, str, date, str]]:
        """(card id, status today, the day it ended, its city) of every card that ended by
        ``today`` and whose holder is not erased: refused, withdrawn or revoked on the day
        of its last event, or expired the day after its ``valid_until``."""
        sql = (
            f"SELECT card_id, status, valid_until, last_effective_at, city"  # noqa: S608
            f" FROM {self.view.table(CARDS.name)} WHERE holder_name IS NOT NULL AND"
            f" (status IN ('rejected', 'withdrawn', 'revoked') OR ({IN_FORCE_SQL}"
            " AND valid_until IS NOT NULL AND valid_until < ?)) ORDER BY card_id"
        )
        with self.view.reading() as cursor:
            found = self.view.fetch(cursor, sql, [today.isoformat()])
        ended = []
        for card_id, status, until, last, city in found:
            if status in IN_FORCE:
                ran_out = date.fromisoformat(until) + timedelta(days=1)
                ended.append((card_id, str(CardStatus.EXPIRED), ran_out, city))
            else:
                closed = business_date(datetime.fromisoformat(last))
                ended.append((card_id, status, closed, city))
        return ended

    def _open_names(self, rows: list[dict[str, Any]]) -> None:
        """Decrypt the holders' names (ledger.personal_columns); an erased one is None."""
        sealed = [r for r in rows if is_sealed(r["holder_name"])]
        if not sealed:
            return
        keys = self.sealed_columns().of_cards(UUID(r["card_id"]) for r in sealed)
        for r in sealed:
            r["holder_name"] = keys.open(UUID(r["card_id"]), 0, "holder_name", r["holder_name"])


def _filed(event: Card.Applied, notification_id: int) -> dict[str, Any]:
    application, admission = event.application, event.admission
    stages = [str(s) for s in admission.required_stages]
    return {
        "card_id": card_key(event.originator_id),
        "filed_at": notification_id,
        "scheme": str(application.scheme),
        "authority": authority_of(application.scheme),
        "category": application.basis.category,
        "route": str(admission.route),
        "tier": admission.tier,
        "status": str(Card.Applied.status_after),
        "stages": ",".join(stages),
        "approved": 0,
        "next_stage": stages[0] if stages else None,
        "holder_name": application.holder.name,
        "sponsor_kind": str(application.sponsor.kind),
        "sponsor_name": application.sponsor.name,
        "city": file_city(application.scheme, application.city),
        "sponsor_code": application.sponsor.credit_code,
        "filed_by": event.ctx.actor,
        "valid_from": None,
        "valid_until": None,
        "last_event": "Applied",
        "version": event.originator_version,
        "last_effective_at": instant(event.ctx.effective_at),
    }


def _change(row: dict[str, Any], event: Card.Event) -> None:
    match event:
        case Card.ReviewRecorded(review=review) if str(review.decision) == "approved":
            stages = [s for s in row["stages"].split(",") if s]
            row["approved"] += 1
            row["next_stage"] = stages[row["approved"]] if row["approved"] < len(stages) else None
    apply_status_and_grant(row, event)
    if status_after(event) in CLOSED:
        row["next_stage"] = None  # closed: no stage will decide again
    row["last_event"] = event_name(event)
    row["version"] = event.originator_version
    row["last_effective_at"] = instant(context_of(event).effective_at)


def _filter_clauses(where: CardFilter, prefix: str = "") -> tuple[list[str], list[Any]]:
    """The equality filters and the jurisdiction of ``where`` (not its status, which
    depends on the day), as SQL on the columns named with ``prefix``."""
    clauses: list[str] = []
    params: list[Any] = []
    for column in ("scheme", "authority", "route", "tier", "sponsor_kind", "sponsor_name"):
        value = getattr(where, column)
        if value is not None:
            clauses.append(f"{prefix}{column} = ?")
            params.append(value)
    if where.within is not None:
        for column, value in _scope_columns(where.within):
            clauses.append(f"{prefix}{column} = ?")
            params.append(value)
    return clauses, params


def _scope_columns(scope: ListScope) -> list[tuple[str, str]]:
    """The columns and values ``domain.jurisdiction.in_scope`` compares."""
    pairs = (
        ("scheme", scope.scheme),
        ("city", scope.city),
        ("sponsor_kind", scope.sponsor_kind),
        ("sponsor_code", scope.sponsor_code),
        ("filed_by", scope.filed_by),
    )
    return [(column, str(value)) for column, value in pairs if value is not None]


def _status_clause(status: str, today: str) -> tuple[str, list[Any]]:
    """SQL for a status as of ``today``: active and suspended cards past their
    ``valid_until`` count as expired, as ``domain.card_status.status_on`` decides
    (tests/projections/test_status_on_day.py holds the two together)."""
    if status == CardStatus.EXPIRED:
        return f"({IN_FORCE_SQL} AND valid_until IS NOT NULL AND valid_until < ?)", [today]
    if status in IN_FORCE:
        return "(status = ? AND (valid_until IS NULL OR valid_until >= ?))", [status, today]
    return "status = ?", [status]


def _row(row: dict[str, Any], today: str) -> CardRow:
    until = row["valid_until"]
    status = status_on(
        CardStatus(row["status"]),
        date.fromisoformat(until) if until else None,
        date.fromisoformat(today),
    )
    return CardRow(
        card_id=row["card_id"],
        scheme=row["scheme"],
        authority=row["authority"],
        category=row["category"],
        route=row["route"],
        tier=row["tier"],
        status=str(status),
        next_stage=row["next_stage"],
        holder_name=row["holder_name"],
        sponsor_kind=row["sponsor_kind"],
        sponsor_name=row["sponsor_name"],
        valid_from=row["valid_from"],
        valid_until=row["valid_until"],
        last_event=row["last_event"],
        version=row["version"],
        last_effective_at=row["last_effective_at"],
    )
