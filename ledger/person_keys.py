"""Each person's data key (个人数据密钥), in its own table, wrapped by a key not in the database.

``<prefix>_person_keys`` holds one row per person named in a filing: the key's id, the
card and the person's place in it (0 the holder, then the family in filing order) and the
data key, AES key-wrapped (RFC 3394) under the key-encryption key, which is derived from
the registry key (``CardLedger.derived_secret``) and so lives outside the database: a
copy of the database alone opens nothing.

The rows are written by the event recorder in the same transaction as the events that
use them (:class:`SQLiteRecorder`, :class:`PostgresRecorder`: ``insert_events`` takes
``person_keys=``), so a filing is stored with its keys or not at all. Nothing updates a
row; the only delete is an approved erasure's (``ledger.erasure_store``): on PostgreSQL
through a SECURITY DEFINER function that checks the approval, the runtime role holding
only SELECT and INSERT on the table.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.sql import SQL, Composed, Identifier

from ledger import sessions
from ledger.sealing import NewKey

WRAP_PURPOSE = "person-data-key-wrap"
CACHE_SIZE = 4096
CACHE_SECONDS = 30.0
"""How long a process keeps an unwrapped key: an erasure made by another process is felt
here within this time (the erasing process forgets at once)."""


class KeyUnavailable(RuntimeError):
    """A wrapped key that this registry key does not unwrap: the wrong registry key."""


def keys_table(events_table: str) -> str:
    """The key table beside an events table (``talentcard_events`` → ``talentcard_person_keys``)."""
    return events_table.removesuffix("_events") + "_person_keys"


def erasures_table(events_table: str) -> str:
    """The approvals table the erasure path checks (ledger.erasure_store)."""
    return events_table.removesuffix("_events") + "_erasure_steps"


def reads_table(events_table: str) -> str:
    """The record of reads of personal data (services.reads)."""
    return events_table.removesuffix("_events") + "_personal_reads"


def sqlite_tables(events_table: str) -> list[str]:
    keys, steps, reads = (
        keys_table(events_table),
        erasures_table(events_table),
        reads_table(events_table),
    )
    return [
        f"CREATE TABLE IF NOT EXISTS {keys} (key_id TEXT PRIMARY KEY, card_id TEXT NOT NULL, "
        "position INTEGER NOT NULL, wrapped BLOB NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS {keys}_card ON {keys} (card_id)",
        f"CREATE TRIGGER IF NOT EXISTS {keys}_no_update BEFORE UPDATE ON {keys} BEGIN "
        f"SELECT RAISE(ABORT, 'talentcard: a data key is never changed'); END",
        f"CREATE TABLE IF NOT EXISTS {steps} (erasure_id TEXT NOT NULL, step TEXT NOT NULL, "
        "actor TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (erasure_id, step))",
        f"CREATE TABLE IF NOT EXISTS {reads} (id INTEGER PRIMARY KEY AUTOINCREMENT, "
        "at TEXT NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL, route TEXT NOT NULL, "
        "card_id TEXT NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS {reads}_card ON {reads} (card_id)",
        *(
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'talentcard: {op} on {table} is refused'); END"
            for table in (steps,)
            for op in ("UPDATE", "DELETE")
        ),
        f"CREATE TRIGGER IF NOT EXISTS {reads}_no_update BEFORE UPDATE ON {reads} "
        f"BEGIN SELECT RAISE(ABORT, 'talentcard: UPDATE on {reads} is refused'); END",
    ]


def postgres_tables(schema: str, events_table: str) -> list[Composed]:
    keys, steps, reads = (
        keys_table(events_table),
        erasures_table(events_table),
        reads_table(events_table),
    )
    names = {
        "keys": Identifier(schema, keys),
        "steps": Identifier(schema, steps),
        "reads": Identifier(schema, reads),
        "keys_card": Identifier(f"{keys}_card"),
        "reads_card": Identifier(f"{reads}_card"),
    }
    return [
        SQL(statement).format(**names)
        for statement in (
            "CREATE TABLE IF NOT EXISTS {keys} (key_id uuid PRIMARY KEY, card_id uuid NOT NULL,"
            " position integer NOT NULL, wrapped bytea NOT NULL)",
            "CREATE INDEX IF NOT EXISTS {keys_card} ON {keys} (card_id)",
            "CREATE TABLE IF NOT EXISTS {steps} (erasure_id uuid NOT NULL, step text NOT NULL,"
            " actor text NOT NULL, at timestamptz NOT NULL, PRIMARY KEY (erasure_id, step))",
            "CREATE TABLE IF NOT EXISTS {reads} (id bigserial PRIMARY KEY,"
            " at timestamptz NOT NULL, actor text NOT NULL, role text NOT NULL,"
            " route text NOT NULL, card_id uuid NOT NULL)",
            "CREATE INDEX IF NOT EXISTS {reads_card} ON {reads} (card_id)",
        )
    ]


class ErasureStep(msgspec.Struct, frozen=True, kw_only=True):
    """One step of an erasure, written with its event: ``approved`` also deletes the keys,
    through the path that checks the two steps were taken by two people."""

    erasure_id: UUID
    step: str  # "proposed" | "approved"
    actor: str
    at: datetime
    key_ids: tuple[UUID, ...] = ()
    # The card whose record of reads goes with its holder's data (the same retention).
    forget_reads_of: UUID | None = None


class ErasureRefused(RuntimeError):
    """The store refused to delete keys: the erasure was not proposed and approved by two."""


def _key_rows(person_keys: Iterable[NewKey], kek: bytes) -> list[tuple[Any, ...]]:
    return [(k.key_id, k.card_id, k.position, aes_key_wrap(kek, k.key)) for k in person_keys]


class SQLiteRecorder(SQLiteApplicationRecorder):
    """The library's recorder, writing the data keys of a save with its events."""

    kek: bytes = b""

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            *sqlite_tables(self.events_table_name),
            *sessions.sqlite_tables(self.events_table_name),
        ]

    def _insert_events(
        self,
        c: Any,
        stored_events: Sequence[StoredEvent],
        *,
        person_keys: Sequence[NewKey] = (),
        erasure_step: ErasureStep | None = None,
        **kwargs: Any,
    ) -> Sequence[int] | None:
        if person_keys:
            c.executemany(
                f"INSERT INTO {keys_table(self.events_table_name)} "  # noqa: S608
                "(key_id, card_id, position, wrapped) VALUES (?, ?, ?, ?)",
                [(str(a), str(b), p, w) for a, b, p, w in _key_rows(person_keys, self.kek)],
            )
        if erasure_step is not None:
            self._erasure_step(c, erasure_step)
        return super()._insert_events(c, stored_events, **kwargs)

    def _erasure_step(self, c: Any, step: ErasureStep) -> None:
        """The embedded store has no roles: this process is the path that checks."""
        steps = erasures_table(self.events_table_name)
        c.execute(
            f"INSERT INTO {steps} (erasure_id, step, actor, at) VALUES (?, ?, ?, ?)",  # noqa: S608
            (str(step.erasure_id), step.step, step.actor, step.at.isoformat()),
        )
        if step.step != "approved":
            return
        c.execute(
            f"SELECT step, actor FROM {steps} WHERE erasure_id = ?",  # noqa: S608
            (str(step.erasure_id),),
        )
        actors = {r["step"]: r["actor"] for r in c.fetchall()}
        proposer = actors.get("proposed")
        if proposer is None or proposer == actors.get("approved"):
            raise ErasureRefused(
                f"erasure {step.erasure_id} is not proposed and approved by two people"
            )
        marks = ",".join("?" * len(step.key_ids))
        c.execute("PRAGMA secure_delete = ON")  # the deleted keys' bytes are zeroed in the file
        c.execute(
            f"DELETE FROM {keys_table(self.events_table_name)} WHERE key_id IN ({marks})",  # noqa: S608
            [str(k) for k in step.key_ids],
        )
        if step.forget_reads_of is not None:
            c.execute(
                f"DELETE FROM {reads_table(self.events_table_name)} WHERE card_id = ?",  # noqa: S608
                (str(step.forget_reads_of),),
            )


class PostgresRecorder(PostgresApplicationRecorder):
    """The library's recorder, writing the data keys of a save with its events."""

    kek: bytes = b""

    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.sql_create_statements.extend(postgres_tables(datastore.schema, events_table_name))
        self.sql_create_statements.extend(
            sessions.postgres_tables(datastore.schema, events_table_name)
        )
        self._insert_keys = SQL(
            "INSERT INTO {} (key_id, card_id, position, wrapped) VALUES (%s, %s, %s, %s)"
        ).format(Identifier(datastore.schema, keys_table(events_table_name)))
        self._insert_step = SQL(
            "INSERT INTO {} (erasure_id, step, actor, at) VALUES (%s, %s, %s, %s)"
        ).format(Identifier(datastore.schema, erasures_table(events_table_name)))
        self._erase = SQL(
            "SELECT {}.talentcard_erase_person_keys(%s, %s::uuid[], %s::uuid)"
        ).format(Identifier(datastore.schema))

    def _insert_events(
        self,
        curs: Any,
        stored_events: Sequence[StoredEvent],
        *,
        person_keys: Sequence[NewKey] = (),
        erasure_step: ErasureStep | None = None,
        **kwargs: Any,
    ) -> None:
        if person_keys:
            curs.executemany(self._insert_keys, _key_rows(person_keys, self.kek))
        if erasure_step is not None:
            curs.execute(
                self._insert_step,
                (erasure_step.erasure_id, erasure_step.step, erasure_step.actor, erasure_step.at),
            )
            if erasure_step.step == "approved":
                curs.execute(
                    self._erase,
                    (
                        erasure_step.erasure_id,
                        list(erasure_step.key_ids),
                        erasure_step.forget_reads_of,
                    ),
                )
        super()._insert_events(curs, stored_events, **kwargs)


def wipe_sqlite_log(recorder: Any) -> None:
    """Copy the write-ahead log into the database and empty it (it would otherwise keep the
    pages as they were before, plaintext or a destroyed key, until overwritten)."""
    with recorder.datastore.transaction(commit=False) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")


class PersonKeys:
    """Reads the data keys (unwrapped, kept a short while) and forgets erased ones."""

    def __init__(self, recorder: Any, kek: bytes) -> None:
        self._recorder = recorder
        self._kek = kek
        self._postgres = isinstance(recorder, PostgresApplicationRecorder)
        table = keys_table(recorder.events_table_name)
        if self._postgres:
            schema = recorder.datastore.schema
            self._by_id = SQL("SELECT key_id, wrapped FROM {} WHERE key_id = ANY(%s)").format(
                Identifier(schema, table)
            )
            self._by_card = SQL(
                "SELECT card_id, position, key_id, wrapped FROM {} WHERE card_id = ANY(%s)"
            ).format(Identifier(schema, table))
        else:
            self._table = table
        self._cache: OrderedDict[UUID, tuple[float, bytes]] = OrderedDict()
        # A card's keys by place, as one read found them (a page of `card list`).
        self._cards: dict[UUID, tuple[float, dict[int, tuple[UUID, bytes]]]] = {}
        self._lock = threading.Lock()

    # ---- reading ----------------------------------------------------------------------

    def get(self, key_ids: Iterable[UUID]) -> dict[UUID, bytes]:
        """The data keys that exist of ``key_ids`` (an erased one is simply absent)."""
        wanted = list(dict.fromkeys(key_ids))
        found: dict[UUID, bytes] = {}
        missing: list[UUID] = []
        now = time.monotonic()
        with self._lock:
            for key_id in wanted:
                hit = self._cache.get(key_id)
                if hit is not None and now - hit[0] < CACHE_SECONDS:
                    found[key_id] = hit[1]
                else:
                    missing.append(key_id)
        if missing:
            for key_id, wrapped in self._select_ids(missing):
                found[key_id] = self._remember(key_id, wrapped)
        return found

    def of_cards(
        self, card_ids: Iterable[UUID], *, cursor: Any = None, fresh: bool = False
    ) -> dict[tuple[UUID, int], tuple[UUID, bytes]]:
        """Every existing data key of these cards: (card, position) → (key id, key);
        ``cursor``: read in the caller's transaction (a projector's, on the same store);
        ``fresh``: read from the table, not memory (a card whose people changed may have
        a key made since it was last read)."""
        ids = list(dict.fromkeys(card_ids))
        found: dict[tuple[UUID, int], tuple[UUID, bytes]] = {}
        missing: list[UUID] = []
        now = time.monotonic()
        with self._lock:
            for card in ids:
                hit = None if fresh else self._cards.get(card)
                if hit is not None and now - hit[0] < CACHE_SECONDS:
                    found.update(((card, p), k) for p, k in hit[1].items())
                else:
                    missing.append(card)
        if not missing:
            return found
        by_card: dict[UUID, dict[int, tuple[UUID, bytes]]] = {card: {} for card in missing}
        for card, position, key_id, wrapped in self._select_cards(missing, cursor):
            by_card[card][position] = (key_id, self._remember(key_id, wrapped))
        with self._lock:
            for card, keys in by_card.items():
                self._cards[card] = (now, keys)
                found.update(((card, p), k) for p, k in keys.items())
            while len(self._cards) > CACHE_SIZE:
                self._cards.pop(next(iter(self._cards)))
        return found

    def current(self, card_id: UUID) -> dict[int, tuple[UUID, bytes]]:
        """One card's keys by position, read from the table now (not from memory: a key
        written by another process a moment ago must be found, or a person would get a
        second key)."""
        found = self.of_cards([card_id], fresh=True)
        return {p: k for (c, p), k in found.items() if c == card_id}

    def warm(self, notifications: Iterable[Any]) -> None:
        """Read, in one query, the keys of every card whose sealed holder is in a page of
        stored events about to be opened one by one (a rebuild, an export)."""
        sealed = [n.originator_id for n in notifications if b"$sealed" in n.state]
        if sealed:
            self.of_cards(UUID(str(oid)) for oid in sealed)

    def remember(self, key_id: UUID, key: bytes) -> None:
        """Keep a key just made (the save that made it writes it): the card's next
        commands then open its holder without reading the key table. A save that fails
        leaves a key in memory that no stored event names."""
        with self._lock:
            self._cache[key_id] = (time.monotonic(), key)
            self._cache.move_to_end(key_id)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)

    def forget(self, key_ids: Iterable[UUID]) -> None:
        """Drop keys from this process's memory (after their erasure)."""
        gone = set(key_ids)
        with self._lock:
            for key_id in gone:
                self._cache.pop(key_id, None)
            for card in [
                c
                for c, (_, keys) in self._cards.items()
                if any(k in gone for k, _ in keys.values())
            ]:
                del self._cards[card]

    def unwrap(self, wrapped: bytes) -> bytes:
        try:
            return aes_key_unwrap(self._kek, wrapped)
        except InvalidUnwrap:
            raise KeyUnavailable(
                "a data key does not unwrap under this registry key: the store was made "
                "with another TALENTCARD registry key"
            ) from None

    def _remember(self, key_id: UUID, wrapped: bytes) -> bytes:
        key = self.unwrap(bytes(wrapped))
        self.remember(key_id, key)
        return key

    def _select_ids(self, key_ids: list[UUID]) -> list[tuple[UUID, bytes]]:
        if self._postgres:
            with self._recorder.datastore.transaction(commit=False) as curs:
                curs.execute(self._by_id, (key_ids,))
                return [(r["key_id"], r["wrapped"]) for r in curs.fetchall()]
        marks = ",".join("?" * len(key_ids))
        with self._recorder.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT key_id, wrapped FROM {self._table} WHERE key_id IN ({marks})",  # noqa: S608
                [str(k) for k in key_ids],
            )
            return [(UUID(r["key_id"]), r["wrapped"]) for r in c.fetchall()]

    def _select_cards(
        self, card_ids: list[UUID], cursor: Any = None
    ) -> list[tuple[UUID, int, UUID, bytes]]:
        if cursor is None:
            with self._recorder.datastore.transaction(commit=False) as own:
                return self._select_cards(card_ids, own)
        if self._postgres:
            cursor.execute(self._by_card, (card_ids,))
            return [
                (r["card_id"], r["position"], r["key_id"], r["wrapped"]) for r in cursor.fetchall()
            ]
        marks = ",".join("?" * len(card_ids))
        cursor.execute(
            f"SELECT card_id, position, key_id, wrapped FROM {self._table} "  # noqa: S608
            f"WHERE card_id IN ({marks})",
            [str(k) for k in card_ids],
        )
        return [
            (UUID(r["card_id"]), r["position"], UUID(r["key_id"]), r["wrapped"])
            for r in cursor.fetchall()
        ]


def keys_for(
    found: Mapping[tuple[UUID, int], tuple[UUID, bytes]], card_id: UUID
) -> dict[int, bytes]:
    """One card's keys by position, from :meth:`PersonKeys.of_cards`."""
    return {pos: key for (card, pos), (_, key) in found.items() if card == card_id}
