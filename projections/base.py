"""What every read model shares: the library's ``Projection`` (name, topics,
``process_event``) plus the page path our driver uses, where a page of events becomes
one load of the rows it touches, changes in memory and one ``executemany`` per table,
committed with the tracking position in a single transaction.

Values are facts (dates, instants, codes), never what a clock makes of them: "expired"
or "overdue" is decided when a read model is queried, so a rebuild on any later day
gives the same rows.

SQL here is assembled from table and column names that are constants in code (``Table``);
every value is a bound parameter. That is why the statements carry ``noqa: S608``.
"""

from __future__ import annotations

import hashlib
import json
from abc import abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection
from eventsourcing.utils import get_topic

from domain.card import Card
from domain.card_status import IN_FORCE, status_after
from domain.clock import business_date
from domain.values import Context, Term
from ledger.personal_columns import CardKeys, PersonalColumns
from projections.tables import View

Event = DomainEventProtocol[UUID]
Page = Sequence[tuple[Event, Tracking]]


@dataclass(frozen=True)
class Table:
    """A read-model table: its columns (name and SQL type, TEXT or INTEGER only) and its
    primary key (also the canonical order for checksums)."""

    name: str
    columns: tuple[tuple[str, str], ...]
    key: tuple[str, ...]
    indexes: tuple[tuple[str, ...], ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c for c, _ in self.columns)

    def ddl(self, view: View) -> list[str]:
        """CREATE TABLE and its indexes (idempotent)."""
        columns = ", ".join(f"{name} {_sql_type(kind, view)}" for name, kind in self.columns)
        statements = [
            f"CREATE TABLE IF NOT EXISTS {view.table(self.name)} "
            f"({columns}, PRIMARY KEY ({', '.join(self.key)}))"
        ]
        for index in self.indexes:
            name = f"{self.name}_by_{'_'.join(index)}"
            target = view.table(self.name)
            statements.append(f"CREATE INDEX IF NOT EXISTS {name} ON {target} ({', '.join(index)})")
        return statements

    def upsert(self, view: View) -> str:
        """INSERT … ON CONFLICT (key) DO UPDATE. SQLite: one row's values, for
        executemany. PostgreSQL: every row at once, one array per column through
        ``unnest``, so a page's rows are one statement (pipelined executemany still
        makes the server run one statement per row)."""
        names = self.column_names
        updates = ", ".join(f"{c} = excluded.{c}" for c in names if c not in self.key)
        action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
        if view.is_postgres:
            arrays = ", ".join(f"?::{_sql_type(kind, view)}[]" for _, kind in self.columns)
            values = f"SELECT * FROM unnest({arrays})"  # noqa: S608
        else:
            values = f"VALUES ({', '.join('?' for _ in names)})"
        return (
            f"INSERT INTO {view.table(self.name)} ({', '.join(names)}) {values} "
            f"ON CONFLICT ({', '.join(self.key)}) {action}"
        )


def _sql_type(kind: str, view: View) -> str:
    """Integers are 64-bit on PostgreSQL (notification ids may pass 2**31)."""
    return "BIGINT" if view.is_postgres and kind == "INTEGER" else kind


_TOPICS: dict[type[Any], str] = {}


def _topic(cls: type[Any]) -> str:
    found = _TOPICS.get(cls)
    if found is None:
        found = _TOPICS[cls] = get_topic(cls)
    return found


def topics_of(*classes: type[Any]) -> tuple[str, ...]:
    """The topics a read model subscribes to, from its event classes (each once)."""
    return tuple(dict.fromkeys(get_topic(cls) for cls in classes))


def event_name(event: Event) -> str:
    """The event's class name as the read models show it (``Issued``, ``QuotaRaised``)."""
    return type(event).__name__


def instant(value: datetime) -> str:
    """An instant as fixed-width UTC ISO text (``2026-03-02T01:00:00.000000Z``), so text
    order is time order. The log decodes instants in UTC already: no conversion then."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(timespec="microseconds")[:26] + "Z"


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def context_of(event: Event) -> Context:
    """The event's context (who acted, as which role, when it took effect and was
    recorded): every Card, quota, use and reservation event carries one as ``ctx``."""
    ctx: Context = vars(event)["ctx"]
    return ctx


def effective_day(ctx: Context) -> str:
    """An event's business date (Asia/Shanghai) from its effective instant."""
    return business_date(ctx.effective_at).isoformat()


_KEYS: dict[int, str] = {}


def card_key(card_id: UUID) -> str:
    """The id as text (memoised by its integer, which hashes in C: every read model asks
    for the same few per page)."""
    number = card_id.int
    key = _KEYS.get(number)
    if key is None:
        if len(_KEYS) > 100_000:
            _KEYS.clear()
        key = _KEYS[number] = str(card_id)
    return key


@dataclass
class WriteBehind:
    """A projector session's rows, so that one process that holds the read model's lock
    can decide the next page while the previous page's statements run: ``cache`` holds
    every row the session has read or written (by table, then key), ``writes`` the
    statements of the page being decided. Only the lock holder writes these tables, so
    a row absent from the cache is as the database has it once earlier writes commit."""

    cache: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    absent: dict[str, set[str]] = field(default_factory=dict)  # keys known to have no row
    writes: list[tuple[str, Any]] = field(default_factory=list)

    def size(self) -> int:
        return sum(len(rows) for rows in self.cache.values())


IN_FORCE_SQL = f"status IN ({', '.join(repr(str(s)) for s in sorted(IN_FORCE))})"
"""SQL: a row's recorded status is one whose card expires when its term runs out
(``domain.card_status.IN_FORCE``)."""

GRANTS = (Card.Issued, Card.Upgraded, Card.Extended)
"""The Card's events that set its tier or term."""


def grant_of(event: Event) -> tuple[str | None, Term | None]:
    """``(tier, term)`` an Issued, Upgraded or Extended event sets (tier None: unchanged);
    ``(None, None)`` for any other event."""
    match event:
        case Card.Issued(issuance=issuance):
            return issuance.tier, issuance.term
        case Card.Upgraded(upgrade=upgrade):
            return upgrade.tier, upgrade.term
        case Card.Extended(extension=extension):
            return None, extension.term
    return None, None


def apply_status_and_grant(row: dict[str, Any], event: Event) -> None:
    """The columns every per-card row keeps alike: ``status`` (the status the event
    leaves the card in, ``domain.card_status.Transition``), ``tier``, ``valid_from`` and
    ``valid_until``."""
    status = status_after(event)
    if status is not None:
        row["status"] = str(status)
    tier, term = grant_of(event)
    if tier is not None:
        row["tier"] = tier
    if term is not None:
        row["valid_from"], row["valid_until"] = day(term.valid_from), day(term.valid_until)


class ReadModel(Projection[View]):
    """A read model on the event store's database, fed a page at a time."""

    tables: tuple[Table, ...] = ()
    application_name = "talentcard"
    behind: WriteBehind | None = None
    personal: PersonalColumns | None = None  # set by ReadModels: how personal columns are sealed

    page_keys: CardKeys = CardKeys({})
    """The data keys of the cards filed in the page being applied (:meth:`load_page_keys`)."""

    def load_page_keys(self, cursor: Any, events: Iterable[tuple[Any, Any]]) -> None:
        """Read, in the page's transaction, the keys of the cards the page files."""
        filed = [e.originator_id for e, _ in events if isinstance(e, Card.Applied)]
        personal = self.sealed_columns()
        keys = personal.of_cards(filed, cursor=cursor) if filed else CardKeys({})
        # A change to a card's people may name a person whose key was made after this
        # process last read the card's keys: read them from the table (never seal with
        # a key missing, which would leave the value in clear).
        amended = [e.originator_id for e, _ in events if isinstance(e, Card.AmendmentDecided)]
        if amended:
            keys = keys.merged(personal.of_cards(amended, cursor=cursor, fresh=True))
        self.page_keys = keys

    def sealed_columns(self) -> PersonalColumns:
        """What this read model seals personal values with; a model that holds any must
        be given one, so that none is ever written in clear."""
        if self.personal is None:
            raise RuntimeError(f"read model {type(self).__name__} has no key to seal personal data")
        return self.personal

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """The library's path (``ProjectionRunner``): one event, one transaction."""
        self.process_page([(domain_event, tracking)])

    def process_page(self, page: Page, *, position: int | None = None) -> None:
        """Apply a page of (event, tracking) in one transaction with the tracking position
        (``position``: the log position reached, when past the page's last event)."""
        last = max([t.notification_id for _, t in page] + [position or 0])
        if last == 0:
            return
        with self.view.transaction() as cursor:
            self.apply(cursor, page)
            self.view.set_position(cursor, self.application_name, last)

    def relevant(self, page: Page) -> list[tuple[Event, Tracking]]:
        """The page's events of this read model's topics, in log order."""
        topics = frozenset(self.topics)
        return [(e, t) for e, t in page if _topic(type(e)) in topics]

    @abstractmethod
    def apply(self, cursor: Any, page: Page) -> None:
        """Change the read model's rows for a page of events (in the caller's transaction)."""

    # ---- rows ------------------------------------------------------------------------

    def load(self, cursor: Any, table: Table, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The rows of a one-column-key table for these keys, in one query (rows this
        projector session already holds come from its cache)."""
        wanted = set(keys)
        found: dict[str, dict[str, Any]] = {}
        cached = self.behind.cache.setdefault(table.name, {}) if self.behind else None
        absent = self.behind.absent.setdefault(table.name, set()) if self.behind else None
        if cached is not None and absent is not None:
            found = {k: cached[k] for k in wanted if k in cached}
            wanted.difference_update(found)
            wanted.difference_update(absent)
        names = table.column_names
        ordered = sorted(wanted)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            rows = self.view.fetch(
                cursor,
                f"SELECT {', '.join(names)} FROM {self.view.table(table.name)} "  # noqa: S608
                f"WHERE {table.key[0]} IN ({marks})",
                chunk,
            )
            for row in rows:
                found[row[0]] = dict(zip(names, row, strict=True))
                if cached is not None:
                    cached[row[0]] = found[row[0]]
        if absent is not None:
            absent.update(k for k in ordered if k not in found)
        return found

    def save(self, cursor: Any, table: Table, rows: Iterable[dict[str, Any]]) -> None:
        """Upsert rows given as dicts by column name."""
        batch = list(rows)
        if self.behind is not None:
            key = table.key[0]
            self.behind.cache.setdefault(table.name, {}).update((row[key], row) for row in batch)
            self.behind.absent.setdefault(table.name, set()).difference_update(
                row[key] for row in batch
            )
        values = itemgetter(*table.column_names)
        self.put(cursor, table, [values(row) for row in batch])

    def put(self, cursor: Any, table: Table, rows: Sequence[Sequence[Any]]) -> None:
        """Upsert rows given as tuples in column order: one statement on PostgreSQL, one
        executemany on SQLite. A key may appear once per call. In a write-behind session
        the statement is queued for the session's writer instead."""
        if not rows:
            return
        statement = table.upsert(self.view)
        if self.view.is_postgres:  # binary arrays: no text quoting of every element
            columns = [list(column) for column in zip(*rows, strict=True)]
            if self.behind is not None:
                self.behind.writes.append((statement.replace("?", "%b"), columns))
            else:
                cursor.execute(statement.replace("?", "%b"), columns)
        else:
            cursor.executemany(statement, rows)

    def clear(self, cursor: Any) -> None:
        """Empty every table with DELETE (the runtime role may not TRUNCATE)."""
        for table in self.tables:
            cursor.execute(f"DELETE FROM {self.view.table(table.name)}")  # noqa: S608

    def checksum(self) -> str:
        """SHA-256 over every row of every table, in key order, one JSON array a line."""
        digest = hashlib.sha256()
        with self.view.reading() as cursor:
            for table in self.tables:
                digest.update(f"#{table.name}\n".encode())
                names = ", ".join(table.column_names)
                order = ", ".join(table.key)
                for row in self.view.fetch(
                    cursor,
                    f"SELECT {names} FROM {self.view.table(table.name)} ORDER BY {order}",  # noqa: S608
                ):
                    line = json.dumps(list(row), ensure_ascii=False, separators=(",", ":"))
                    digest.update(line.encode() + b"\n")
        return digest.hexdigest()


class CardRowModel(ReadModel):
    """A read model with one row per card in ``row_table``: a page loads the rows its
    cards already have, files a row on ``Applied`` and changes the others in memory, then
    upserts them all with one statement."""

    row_table: Table

    def apply(self, cursor: Any, page: Page) -> None:
        self.apply_rows(cursor, self.relevant(page))

    def apply_rows(self, cursor: Any, events: Page) -> dict[str, dict[str, Any]]:
        """Apply a page's relevant events to their cards' rows; the rows written."""
        if not events:
            return {}
        self.load_page_keys(cursor, events)
        pending = {card_key(e.originator_id) for e, _ in events if not isinstance(e, Card.Applied)}
        rows = self.load(cursor, self.row_table, pending)
        for event, tracking in events:
            key = card_key(event.originator_id)
            match event:
                case Card.Applied():
                    rows[key] = self.filed(event, tracking.notification_id)
                case Card.Event() if key in rows:
                    self.changed(rows[key], event)
        self.save(cursor, self.row_table, rows.values())
        return rows

    @abstractmethod
    def filed(self, event: Card.Applied, notification_id: int) -> dict[str, Any]:
        """The row an ``Applied`` event files."""

    @abstractmethod
    def changed(self, row: dict[str, Any], event: Card.Event) -> None:
        """Change a card's row for one of its later events."""
