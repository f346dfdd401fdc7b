"""Sealing the personal data of a store written before it was sealed per person
(``talentcard ledger seal-personal-data``, run once by the store's owner).

Every stored event whose holder is still plaintext is rewritten in place with its holder
sealed (ledger.sealing), under data keys made for its people and written to the key table
in the same transaction. The sealed envelope keeps the leaf digest of the plaintext, so
every leaf, every checkpoint already signed and every event signature stays valid:
``audit verify`` before and after agrees. The append-only guard is lifted for these
updates only, inside the transaction (which holds the table locked against writers), and
put back before it commits; a failure rolls everything back, guard included.

Only the owner can do it: on PostgreSQL the runtime role may not alter the table's
triggers; the embedded store's file is its owner's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import sql

from ledger.guards import SQLITE_GUARDS
from ledger.leaves import NOT_LEAVES
from ledger.person_keys import keys_table, wipe_sqlite_log
from ledger.sealing import NewKey, new_data_key, seal_state

PAGE = 2_000


def plaintext_holders(recorder: Any) -> list[tuple[UUID, int, str, bytes]]:
    """(originator, version, topic, state) of every stored event with a plaintext holder."""
    found = []
    start: int | None = None
    head = recorder.max_notification_id()
    while head is not None:
        page = recorder.select_notifications(start, PAGE, stop=head)
        for n in page:
            if n.topic in NOT_LEAVES or b"holder" not in n.state or b"$sealed" in n.state:
                continue
            oid = n.originator_id if isinstance(n.originator_id, UUID) else UUID(n.originator_id)
            found.append((oid, int(n.originator_version), n.topic, bytes(n.state)))
        if len(page) < PAGE:
            break
        start = page[-1].id + 1
    return found


def seal_store(recorder: Any, *, salt_key: bytes, wrap: Callable[[bytes], bytes]) -> int:
    """Seal every plaintext holder in the store; the number of events sealed."""
    pending = plaintext_holders(recorder)
    if not pending:
        return 0
    rows: list[tuple[bytes, UUID, int]] = []
    keys: list[NewKey] = []
    for oid, version, topic, state in pending:

        def key(position: int, oid: UUID = oid) -> tuple[UUID, bytes]:
            made = NewKey(key_id=uuid4(), key=new_data_key(), card_id=oid, position=position)
            keys.append(made)
            return made.key_id, made.key

        sealed = seal_state(state, oid, version, topic, salt_key=salt_key, keys=key)
        if sealed != state:  # "holder" in the bytes but not as a key (a reservation's text)
            rows.append((sealed, oid, version))
    if not rows:
        return 0
    table = recorder.events_table_name
    if isinstance(recorder, PostgresApplicationRecorder):
        _postgres(recorder, table, rows, keys, wrap)
    else:
        _sqlite(recorder, table, rows, keys, wrap)
    return len(rows)


def _sqlite(
    recorder: Any,
    table: str,
    rows: list[tuple[bytes, UUID, int]],
    keys: list[NewKey],
    wrap: Callable[[bytes], bytes],
) -> None:
    guard = next(s for s in SQLITE_GUARDS if "BEFORE UPDATE" in s).format(table=table)
    with recorder.datastore.transaction(commit=True) as c:
        # Freed space is zeroed, or the plaintext would stay readable in the file's free
        # pages; the write-ahead log is emptied after the commit for the same reason.
        c.execute("PRAGMA secure_delete = ON")
        c.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        c.executemany(
            f"UPDATE {table} SET state = ? WHERE originator_id = ? AND originator_version = ?",  # noqa: S608
            [(state, oid.hex, version) for state, oid, version in rows],
        )
        c.executemany(
            f"INSERT INTO {keys_table(table)} (key_id, card_id, position, wrapped) "  # noqa: S608
            "VALUES (?, ?, ?, ?)",
            [(str(k.key_id), str(k.card_id), k.position, wrap(k.key)) for k in keys],
        )
        c.execute(guard)
    wipe_sqlite_log(recorder)


def _postgres(
    recorder: Any,
    table: str,
    rows: list[tuple[bytes, UUID, int]],
    keys: list[NewKey],
    wrap: Callable[[bytes], bytes],
) -> None:
    schema = recorder.datastore.schema
    events = sql.Identifier(schema, table)
    with recorder.datastore.transaction(commit=True) as curs:
        curs.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(events))
        curs.execute(
            sql.SQL("ALTER TABLE {} DISABLE TRIGGER talentcard_append_only").format(events)
        )
        curs.executemany(
            sql.SQL(
                "UPDATE {} SET state = %s WHERE originator_id = %s AND originator_version = %s"
            ).format(events),
            [(state, oid, version) for state, oid, version in rows],
        )
        curs.executemany(
            sql.SQL(
                "INSERT INTO {} (key_id, card_id, position, wrapped) VALUES (%s, %s, %s, %s)"
            ).format(sql.Identifier(schema, keys_table(table))),
            [(k.key_id, k.card_id, k.position, wrap(k.key)) for k in keys],
        )
        curs.execute(sql.SQL("ALTER TABLE {} ENABLE TRIGGER talentcard_append_only").format(events))
