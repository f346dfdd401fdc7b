"""The record of reads of personal data (个人信息处理活动记录, PIPL art. 54): who read which
cards' personal data, when and through which route, never the data itself.

Its own append-only table (``<prefix>_personal_reads``, made with the events': not ledger
events, not Merkle leaves), written on the primary with the read. The runtime role may
insert and select, never update or delete; the retention rule's erasure removes a
person's rows with their keys (not before: the record is how an auditor answers "who
read this file").
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL, Identifier

from ledger.person_keys import reads_table

MAX_ROUTE = 200


class PersonalRead(msgspec.Struct, frozen=True, kw_only=True):
    """One recorded read."""

    at: datetime
    actor: str
    role: str
    route: str
    cards: tuple[UUID, ...]


class PersonalReads:
    """Writes and reads the record."""

    def __init__(self, recorder: object) -> None:
        self._recorder = recorder
        self._postgres = isinstance(recorder, PostgresApplicationRecorder)
        table = reads_table(recorder.events_table_name)  # type: ignore[attr-defined]
        if self._postgres:
            name = Identifier(recorder.datastore.schema, table)  # type: ignore[attr-defined]
            self._insert = SQL(
                "INSERT INTO {} (at, actor, role, route, cards) VALUES (%s, %s, %s, %s, %s)"
            ).format(name)
            self._select = SQL(
                "SELECT at, actor, role, route, cards FROM {} WHERE cards LIKE %s ORDER BY id"
            ).format(name)
        else:
            self._insert_sql = (
                f"INSERT INTO {table} (at, actor, role, route, cards) VALUES (?, ?, ?, ?, ?)"  # noqa: S608
            )
            self._select_sql = (
                f"SELECT at, actor, role, route, cards FROM {table} WHERE cards LIKE ? ORDER BY id"  # noqa: S608
            )

    def record(self, read: PersonalRead) -> None:
        """Append one read (nothing when it names no card)."""
        if not read.cards:
            return
        cards = ",".join(str(c) for c in read.cards)
        route = read.route[:MAX_ROUTE]
        datastore = self._recorder.datastore  # type: ignore[attr-defined]
        with datastore.transaction(commit=True) as cursor:
            if self._postgres:
                cursor.execute(self._insert, (read.at, read.actor, read.role, route, cards))
            else:
                cursor.execute(
                    self._insert_sql, (read.at.isoformat(), read.actor, read.role, route, cards)
                )

    def of_card(self, card_id: UUID) -> list[PersonalRead]:
        """Every recorded read that named the card, oldest first."""
        datastore = self._recorder.datastore  # type: ignore[attr-defined]
        pattern = f"%{card_id}%"
        with datastore.transaction(commit=False) as cursor:
            if self._postgres:
                cursor.execute(self._select, (pattern,))
            else:
                cursor.execute(self._select_sql, (pattern,))
            rows = cursor.fetchall()
        return [
            PersonalRead(
                at=r["at"] if isinstance(r["at"], datetime) else datetime.fromisoformat(r["at"]),
                actor=r["actor"],
                role=r["role"],
                route=r["route"],
                cards=tuple(UUID(c) for c in r["cards"].split(",") if c),
            )
            for r in rows
        ]
