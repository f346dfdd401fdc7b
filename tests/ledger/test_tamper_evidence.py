"""Tampering with the events table itself, as its owner, with the guards switched off:
the next checkpoint refuses to sign and names the position, and an audit export of the
tampered table fails verification at that position, on both stores."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import psycopg
import pytest
from psycopg import sql

import ledger.card_commands as cc
from domain.user import PROVINCE
from domain.vocabulary import Role
from ledger.app import CardLedger
from ledger.store import postgres_conninfo
from services.access import Principal
from services.audit.signatures import SignatureReport
from services.audit.transparency import LogRewritten
from services.audit.verify import verify_export
from services.bootstrap import Registry
from tests import factories as f

AUDITOR = Principal(
    user_id=uuid.uuid4(), name="zhao.auditor", role=Role.AUDITOR, authority=PROVINCE
)


class Owner:
    """The table's owner at a console of its own, triggers disabled for the statement."""

    def __init__(self, ledger: CardLedger) -> None:
        self.env = dict(ledger.env.items())
        self.sqlite = self.env.get("PERSISTENCE_MODULE") == "eventsourcing.sqlite"
        self.id = "rowid" if self.sqlite else "notification_id"

    def run(self, statement: str, *params: Any) -> list[Any]:
        if self.sqlite:
            conn = sqlite3.connect(self.env.get("SQLITE_DBNAME") or "")
            try:
                saved = conn.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                ).fetchall()
                assert saved, "the guards are installed"
                for name, _ in saved:
                    conn.execute(f"DROP TRIGGER {name}")
                rows = conn.execute(statement.format(t="stored_events"), params).fetchall()
                for _, text in saved:
                    conn.execute(text)
                conn.commit()
                return rows
            finally:
                conn.close()
        table = sql.Identifier(self.env.get("POSTGRES_SCHEMA") or "public", "talentcard_events")
        with psycopg.connect(postgres_conninfo(self.env), autocommit=True) as conn:
            conn.execute(sql.SQL("ALTER TABLE {t} DISABLE TRIGGER USER").format(t=table))
            cursor = conn.execute(
                sql.SQL(statement.replace("?", "%s")).format(t=table),  # type: ignore[arg-type]
                params,
            )
            rows = cursor.fetchall() if cursor.description else []
            conn.execute(sql.SQL("ALTER TABLE {t} ENABLE TRIGGER USER").format(t=table))
            return rows


def alter(owner: Owner, nid: int) -> None:
    (state,) = owner.run(f"SELECT state FROM {{t}} WHERE {owner.id} = ?", nid)[0]
    changed = bytes(state).replace(b"2026", b"2031", 1)
    assert changed != bytes(state)
    owner.run(f"UPDATE {{t}} SET state = ? WHERE {owner.id} = ?", changed, nid)


def delete(owner: Owner, nid: int) -> None:
    owner.run(f"DELETE FROM {{t}} WHERE {owner.id} = ?", nid)


def swap(owner: Owner, nid: int) -> None:
    i = owner.id
    owner.run(f"UPDATE {{t}} SET {i} = -1 WHERE {i} = ?", nid)
    owner.run(f"UPDATE {{t}} SET {i} = ? WHERE {i} = ?", nid, nid + 1)
    owner.run(f"UPDATE {{t}} SET {i} = ? WHERE {i} = -1", nid + 1)


def insert(owner: Owner, nid: int) -> None:
    """A made-up card's filing put in at ``nid``, the later events moved up one."""
    i = owner.id
    rows = owner.run(f"SELECT {i} FROM {{t}} WHERE {i} >= ? ORDER BY {i} DESC", nid)
    for (later,) in rows:
        owner.run(f"UPDATE {{t}} SET {i} = ? WHERE {i} = ?", later + 1, later)
    (topic, state) = owner.run(f"SELECT topic, state FROM {{t}} WHERE {i} = 1")[0]
    fake = str(uuid.uuid4()) if owner.sqlite else uuid.uuid4()
    owner.run(
        f"INSERT INTO {{t}} ({i}, originator_id, originator_version, topic, state) "
        "VALUES (?, ?, 1, ?, ?)",
        nid,
        fake,
        topic,
        bytes(state),
    )


TAMPERINGS: dict[str, Callable[[Owner, int], None]] = {
    "altered": alter,
    "deleted": delete,
    "reordered": swap,
    "inserted": insert,
}


class Target(NamedTuple):
    """The checkpointed history, and where the Jinan card's issue stands in it."""

    size: int
    notification_id: int
    position: int


@pytest.fixture
def checkpointed(ledger: CardLedger, registry: Registry) -> Target:
    """A history of three cards and a checkpoint over it; the target is the first Jinan
    card's issue (its notification id and tree position, which the event signatures'
    records, written with every save, move on from where they stood before them)."""
    registry.keys.init()
    jinan, _ = ledger.apply(f.jinan_body("C"))
    ledger.run(cc.ISSUE, jinan, f.issue())
    liaocheng, _ = ledger.apply(f.apply_body())
    ledger.run(cc.REVIEW, liaocheng, f.review("city_hrss"))
    ledger.run(cc.ISSUE, ledger.apply(f.jinan_body("B"))[0], f.issue())
    size = registry.transparency.checkpoint("ops@host").size
    issued = next(
        e
        for e in registry.transparency.events()
        if (e.originator_id, e.originator_version) == (jinan, 2)
    )
    return Target(size, issued.notification_id, issued.position)


@pytest.mark.parametrize("how", TAMPERINGS.values(), ids=TAMPERINGS.keys())
def test_tampering_with_the_table_stops_the_next_checkpoint_at_the_position(
    checkpointed: Target, ledger: CardLedger, registry: Registry, how: Callable[[Owner, int], None]
) -> None:
    how(Owner(ledger), checkpointed.notification_id)
    with pytest.raises(LogRewritten, match=f"at position {checkpointed.position} "):
        registry.transparency.checkpoint("ops@host")


@pytest.mark.parametrize("how", TAMPERINGS.values(), ids=TAMPERINGS.keys())
def test_tampering_with_the_table_fails_the_audit_at_the_position(
    checkpointed: Target,
    ledger: CardLedger,
    registry: Registry,
    tmp_path: Path,
    how: Callable[[Owner, int], None],
) -> None:
    how(Owner(ledger), checkpointed.notification_id)
    path = tmp_path / "audit.jsonl"
    with path.open("wb") as stream:
        registry.audit_export.export(AUDITOR, stream, redacted=False)
    anchor = tmp_path / "anchor"
    anchor.mkdir()
    for name, data in registry.issuance.trust_files().items():
        (anchor / name).write_bytes(data)
    report = verify_export(path, trust_source=anchor, workers=1)
    assert not report.ok
    assert report.first_bad_position == checkpointed.position, report.findings


def test_a_forked_history_re_signed_with_the_log_key_fails_against_a_saved_checkpoint(
    checkpointed: Target,
    ledger: CardLedger,
    registry: Registry,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The operator holds the log key and the event key: it rewrites an event, throws
    away its checkpoints and signs the new history afresh (its event signatures too,
    which here the checkpoint is simply not shown). Every checkpoint in that export
    verifies; only the one the auditor saved earlier shows the two histories part."""
    saved = tmp_path / "saved.cose"
    latest = registry.transparency.latest()
    assert latest is not None
    saved.write_bytes(latest.signed)
    owner = Owner(ledger)
    alter(owner, checkpointed.notification_id)
    owner.run("DELETE FROM {t} WHERE topic LIKE ?", "domain.tree_head:%")
    log = registry.transparency
    monkeypatch.setattr(log, "signed_leaves", lambda: (log.hashed_leaves(), SignatureReport()))
    assert registry.transparency.latest() is None
    forked = registry.transparency.checkpoint("ops@host")
    assert (forked.size, forked.root == latest.root) == (checkpointed.size, False)
    path = tmp_path / "audit.jsonl"
    with path.open("wb") as stream:
        registry.audit_export.export(AUDITOR, stream, redacted=False)
    anchor = tmp_path / "anchor"
    anchor.mkdir()
    for name, data in registry.issuance.trust_files().items():
        (anchor / name).write_bytes(data)
    alone = verify_export(path, trust_source=anchor, workers=1)
    assert [f.code for f in alone.findings if f.code == "root_mismatch"] == []
    report = verify_export(path, trust_source=anchor, saved_checkpoint=saved, workers=1)
    assert not report.ok
    assert [f for f in report.findings if f.code == "root_mismatch" and "saved" in f.message]
