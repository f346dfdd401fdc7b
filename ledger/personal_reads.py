"""The record of reads of personal data (个人信息处理活动记录, PIPL art. 54): who read which
cards' personal data, when and through which route, never the data itself.

Its own append-only table (``<prefix>_personal_reads``, made with the events': not ledger
events, not Merkle leaves), written on the primary with the read, a row per card read.
The runtime role may insert and select, never update or delete; the erasure of a card's
holder removes the card's rows with the people's keys, in the same transaction (they are
kept as long as the data they record reads of, not longer, and not shorter: the record is
how an auditor answers "who read this file").
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
                "INSERT INTO {} (at, actor, role, route, card_id) VALUES (%s, %s, %s, %s, %s)"
            ).format(name)
            self._select = SQL(
                "SELECT at, actor, role, route, card_id FROM {} WHERE card_id = %s ORDER BY id"
            ).format(name)
        else:
            self._insert_sql = (
                f"INSERT INTO {table} (at, actor, role, route, card_id) VALUES (?, ?, ?, ?, ?)"  # noqa: S608
            )
            self._select_sql = (
                f"SELECT at, actor, role, route, card_id FROM {table} WHERE card_id = ? ORDER BY id"  # noqa: S608
            )

    def record(self, read: PersonalRead) -> None:
        """Append one read (nothing when it names no card)."""
        if not read.cards:
            return
        route = read.route[:MAX_ROUTE]
        datastore = self._recorder.datastore  # type: ignore[attr-defined]
        with datastore.transaction(commit=True) as cursor:
            if self._postgres:
                rows = [(read.at, read.actor, read.role, route, c) for c in read.cards]
                cursor.executemany(self._insert, rows)
            else:
                at = read.at.isoformat()
                rows_text = [(at, read.actor, read.role, route, str(c)) for c in read.cards]
                cursor.executemany(self._insert_sql, rows_text)

    def of_card(self, card_id: UUID) -> list[PersonalRead]:
        """Every recorded read that named the card, oldest first."""
        datastore = self._recorder.datastore  # type: ignore[attr-defined]
        with datastore.transaction(commit=False) as cursor:
            if self._postgres:
                cursor.execute(self._select, (card_id,))
            else:
                cursor.execute(self._select_sql, (str(card_id),))
            rows = cursor.fetchall()
        return [
            PersonalRead(
                at=r["at"] if isinstance(r["at"], datetime) else datetime.fromisoformat(r["at"]),
                actor=r["actor"],
                role=r["role"],
                route=r["route"],
                cards=(UUID(str(r["card_id"])),),
            )
            for r in rows
        ]
