"""``audit_trail`` (审计记录): every event in log order with who acted, as which role,
for which authority, when it took effect and when it was recorded, and the rules and
policy version that decided it. No personal data: names and ID data stay in the events.
Exported as CSV or JSON Lines for auditors.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any, BinaryIO

from eventsourcing.persistence import Tracking

from domain.authority import authority_of
from domain.card import Card
from domain.event_signature import EventSigning, SignatureChain
from domain.history import decision_of
from domain.quota import CardQuota
from domain.redemption import BenefitUse
from domain.vocabulary import Scheme
from projections.base import Event, Page, ReadModel, Table, card_key, effective_day, instant

MAX_LIMIT = 10_000

TRAIL = Table(
    "rm_audit_trail",
    (
        ("notification_id", "INTEGER"),
        ("card_id", "TEXT"),  # the event's originator: a card, a quota or a reservation
        ("version", "INTEGER"),
        ("event", "TEXT"),
        ("effective_at", "TEXT"),
        ("effective_on", "TEXT"),  # business date (Asia/Shanghai) of effective_at
        ("recorded_at", "TEXT"),
        ("actor", "TEXT"),
        ("role", "TEXT"),
        ("authority", "TEXT"),
        ("rules", "TEXT"),  # comma-separated rule ids
        ("policy_version", "TEXT"),
        ("note", "TEXT"),
    ),
    key=("notification_id",),
    # A card's history is read often; actor and authority queries are an auditor's, rare
    # enough to scan: fewer indexes keep a rebuild fast.
    indexes=(("card_id",),),
)
# The authority of each card, learnt from its Applied event, for its later events.
AUTHORITIES = Table("rm_audit_card", (("card_id", "TEXT"), ("authority", "TEXT")), key=("card_id",))


@dataclass(frozen=True)
class AuditRow:
    """One event as the audit trail shows it."""

    notification_id: int
    card_id: str
    version: int
    event: str
    effective_at: str
    effective_on: str
    recorded_at: str
    actor: str
    role: str
    authority: str
    rules: str
    policy_version: str
    note: str


@dataclass(frozen=True)
class AuditQuery:
    """Which events: by card, actor, authority and effective business dates (inclusive)."""

    card_id: str | None = None
    actor: str | None = None
    authority: str | None = None
    since: date | None = None
    until: date | None = None


_SIGNING = (
    SignatureChain.Opened,
    SignatureChain.Signed,
    EventSigning.Started,
)


class AuditTrail(ReadModel):
    """Every event of the log, in order, but what event signing writes (its records, and
    where it started): they say which process wrote the events beside them, not what
    happened, and ``ledger checkpoint`` and ``audit verify`` check them
    (services.audit.signatures)."""

    name = "audit_trail"
    topics = ()  # every event
    tables = (TRAIL, AUTHORITIES)

    def relevant(self, page: Page) -> list[tuple[Event, Tracking]]:
        return [(e, t) for e, t in page if not isinstance(e, _SIGNING)]

    def apply(self, cursor: Any, page: Page) -> None:
        page = self.relevant(page)
        if not page:
            return
        known: dict[str, str] = {}
        for event, _ in page:
            scheme = _scheme_of(event)
            if scheme is not None:
                known[card_key(event.originator_id)] = authority_of(scheme)
        others = {card_key(e.originator_id) for e, _ in page} - set(known)
        found = {k: r["authority"] for k, r in self.load(cursor, AUTHORITIES, others).items()}
        rows = []
        for event, tracking in page:
            key = card_key(event.originator_id)
            ctx = getattr(event, "ctx", None)
            rules, version = decision_of(event)
            rows.append(
                (
                    tracking.notification_id,
                    key,
                    event.originator_version,
                    f"{type(event).__qualname__}",
                    instant(ctx.effective_at) if ctx else instant(_timestamp(event)),
                    effective_day(ctx) if ctx else "",
                    # when the registry recorded it, by its one clock (the library's own
                    # timestamp reads the system clock)
                    instant(ctx.recorded_at) if ctx else instant(_timestamp(event)),
                    ctx.actor if ctx else "",
                    str(ctx.role) if ctx else "",
                    known.get(key) or found.get(key) or "",
                    ",".join(rules),
                    version,
                    ctx.note if ctx else "",
                )
            )
        self.put(cursor, TRAIL, rows)
        self.save(cursor, AUTHORITIES, ({"card_id": k, "authority": a} for k, a in known.items()))

    def trail(
        self, query: AuditQuery, *, limit: int = 1000, after: int | None = None
    ) -> tuple[list[AuditRow], int | None]:
        """Matching events in log order, ``limit`` of them after notification ``after``;
        returns them and the cursor for the next page (None: no more)."""
        limit = max(1, min(limit, MAX_LIMIT))
        clauses: list[str] = []
        params: list[Any] = []
        for column in ("card_id", "actor", "authority"):
            value = getattr(query, column)
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if query.since is not None:
            clauses.append("effective_on >= ?")
            params.append(query.since.isoformat())
        if query.until is not None:
            clauses.append("effective_on <= ?")
            params.append(query.until.isoformat())
        if after is not None:
            clauses.append("notification_id > ?")
            params.append(after)
        sql = f"SELECT {', '.join(TRAIL.column_names)} FROM {self.view.table(TRAIL.name)}"  # noqa: S608
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += f" ORDER BY notification_id LIMIT {limit + 1}"
        with self.view.reading() as cursor:
            rows = [AuditRow(*r) for r in self.view.fetch(cursor, sql, params)]
        more = len(rows) > limit
        rows = rows[:limit]
        return rows, rows[-1].notification_id if more else None


def _timestamp(event: Event) -> datetime:
    """The library's timestamp of an event that carries no context of the registry's."""
    stamp: datetime = vars(event)["timestamp"]
    return stamp


def _scheme_of(event: Event) -> Scheme | None:
    """The scheme an aggregate's first event names: a card's application, a quota's or a
    use record's scope (a holder's reservation names none: its events have no authority)."""
    match event:
        case Card.Applied(application=application):
            return application.scheme
        case CardQuota.QuotaOpened(scope=quota) | BenefitUse.BenefitUseOpened(scope=quota):
            return quota.scheme
    return None


def write_csv(rows: Iterable[AuditRow], stream: BinaryIO) -> None:
    """The rows as CSV (UTF-8, a header line first) to a binary stream."""
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow(TRAIL.column_names)
        for row in rows:
            writer.writerow([_cell(v) for v in asdict(row).values()])
        text.flush()
    finally:
        text.detach()


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection,
# OWASP): an actor's name or a note typed as "=HYPERLINK(…)" must open as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_jsonl(rows: Iterable[AuditRow], stream: BinaryIO) -> None:
    """The rows as JSON Lines (one object per event) to a binary stream."""
    for row in rows:
        stream.write(json.dumps(asdict(row), ensure_ascii=False).encode() + b"\n")
