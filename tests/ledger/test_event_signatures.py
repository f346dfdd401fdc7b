"""Event signatures (issue 23, finding 2): a database role that can INSERT cannot add
history. The attacks as measured on main, made as the runtime role on both stores: the
next checkpoint refuses to sign and ``audit verify`` names the card and version."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg import sql

import ledger.card_commands as cc
from domain.user import PROVINCE
from domain.vocabulary import CardStatus, Role
from ledger.app import CardLedger
from ledger.event_keys import EventKeys
from ledger.guards import grant_runtime_role
from ledger.leaves import SALT_PURPOSE
from ledger.store import postgres_conninfo
from services.access import Principal
from services.audit.report import AuditReport
from services.audit.signatures import SignatureReport
from services.audit.transparency import EventsNotSigned, LogRewritten
from services.audit.verify import verify_export
from services.bootstrap import Registry
from tests import factories as f
from tests.conftest import KEY_PASSPHRASE

AUDITOR = Principal(
    user_id=uuid.uuid4(), name="zhao.auditor", role=Role.AUDITOR, authority=PROVINCE
)
SUSPENDED = "domain.card:Card.Suspended"
RECORD = "domain.event_signature:SignatureChain.Signed"


class RuntimeRole:
    """A console connected as the service's own database role (not the owner): it may
    INSERT, and the append-only guards stay on."""

    def __init__(self, ledger: CardLedger) -> None:
        env = dict(ledger.env.items())
        self.sqlite = env.get("PERSISTENCE_MODULE") == "eventsourcing.sqlite"
        self.env, self.role = env, ""
        if not self.sqlite:
            datastore: Any = ledger.recorder.datastore  # type: ignore[attr-defined]
            self.role = f"tc_attacker_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(postgres_conninfo(env), autocommit=True) as conn:
                conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(self.role)))
            grant_runtime_role(datastore, "talentcard_events", self.role)

    @property
    def id(self) -> str:
        return "rowid" if self.sqlite else "notification_id"

    def oid(self, value: UUID) -> Any:
        return value.hex if self.sqlite else value

    def run(self, statement: str, *params: Any) -> list[Any]:
        if self.sqlite:
            conn = sqlite3.connect(self.env["SQLITE_DBNAME"])
            try:
                rows = conn.execute(statement.format(t="stored_events"), params).fetchall()
                conn.commit()
                return rows
            finally:
                conn.close()
        table = sql.Identifier(self.env.get("POSTGRES_SCHEMA") or "public", "talentcard_events")
        info = psycopg.conninfo.conninfo_to_dict(postgres_conninfo(self.env))
        info["user"] = self.role
        with psycopg.connect(psycopg.conninfo.make_conninfo(**info), autocommit=True) as conn:
            cursor = conn.execute(
                sql.SQL(statement.replace("?", "%s")).format(t=table),  # type: ignore[arg-type]
                params,
            )
            return cursor.fetchall() if cursor.description else []

    def close(self) -> None:
        if self.role:
            with psycopg.connect(postgres_conninfo(self.env), autocommit=True) as conn:
                for statement in ("DROP OWNED BY {}", "DROP ROLE {}"):
                    conn.execute(sql.SQL(statement).format(sql.Identifier(self.role)))


@pytest.fixture
def attacker(ledger: CardLedger) -> Iterator[RuntimeRole]:
    role = RuntimeRole(ledger)
    yield role
    role.close()


@pytest.fixture
def cards(ledger: CardLedger, registry: Registry) -> tuple[UUID, UUID]:
    """A suspended card and an active one, and a checkpoint over both."""
    registry.keys.init()
    suspended = f.jinan_card(ledger)
    ledger.run(cc.SUSPEND, suspended, f.status(role="talent_office"))
    active = f.jinan_card(ledger, "B")
    registry.transparency.checkpoint("ops@host")
    return suspended, active


def copy_suspension(
    attacker: RuntimeRole, ledger: CardLedger, source: UUID, target: UUID, **at: int
) -> int:
    """The attack as measured: the source's Suspended event copied onto the target at its
    next version (with a notification id of the attacker's choosing, if given)."""
    version = ledger.get_card(target).version + 1
    columns, values = "originator_id, originator_version, topic, state", "?, ?, topic, state"
    params: list[Any] = [attacker.oid(target), version]
    if "notification_id" in at:
        columns, values = f"{attacker.id}, {columns}", f"?, {values}"
        params.insert(0, at["notification_id"])
    attacker.run(
        f"INSERT INTO {{t}} ({columns}) SELECT {values} FROM {{t}} "
        "WHERE originator_id = ? AND topic = ?",
        *params,
        attacker.oid(source),
        SUSPENDED,
    )
    return version


def audit(registry: Registry, tmp_path: Path) -> AuditReport:
    path = tmp_path / "audit.jsonl"
    with path.open("wb") as stream:
        registry.audit_export.export(AUDITOR, stream, redacted=True)
    anchor = tmp_path / "anchor"
    anchor.mkdir(exist_ok=True)
    for name, data in registry.issuance.trust_files().items():
        (anchor / name).write_bytes(data)
    return verify_export(path, trust_source=anchor, workers=1)


def found(report: AuditReport) -> set[tuple[str | None, str]]:
    return {(f.aggregate, f.code) for f in report.findings}


def test_every_event_a_registry_writes_is_signed_and_the_audit_says_so(
    cards: tuple[UUID, UUID], registry: Registry, tmp_path: Path
) -> None:
    report = audit(registry, tmp_path)
    assert report.ok, report.findings
    records = [
        e
        for e in registry.transparency.events()
        if e.topic.startswith("domain.event_signature:SignatureChain")
    ]
    assert report.signed_events == report.events - len(records) and report.legacy_events == 0


def test_a_suspension_copied_onto_another_card_by_the_runtime_role_stops_the_checkpoint(
    cards: tuple[UUID, UUID], ledger: CardLedger, registry: Registry, attacker: RuntimeRole
) -> None:
    suspended, active = cards
    version = copy_suspension(attacker, ledger, suspended, active)
    assert ledger.get_card(active).recorded_status is CardStatus.SUSPENDED  # the forgery loads
    with pytest.raises(EventsNotSigned) as refused:
        registry.transparency.checkpoint("ops@host")
    assert f"{active} v{version}" in refused.value.message
    assert [(x.aggregate, x.version, x.code) for x in refused.value.findings] == [
        (active, version, "event_unsigned")
    ]


def test_a_suspension_copied_onto_another_card_is_named_by_the_audit_by_card_and_version(
    cards: tuple[UUID, UUID],
    ledger: CardLedger,
    registry: Registry,
    attacker: RuntimeRole,
    tmp_path: Path,
) -> None:
    suspended, active = cards
    version = copy_suspension(attacker, ledger, suspended, active)
    report = audit(registry, tmp_path)
    assert not report.ok
    assert [(x.aggregate, x.code) for x in report.findings] == [(str(active), "event_unsigned")]
    assert f"{active} v{version}" in report.findings[0].message


def test_a_forged_row_with_a_notification_id_of_its_own_is_not_outside_the_log(
    cards: tuple[UUID, UUID],
    ledger: CardLedger,
    registry: Registry,
    attacker: RuntimeRole,
    tmp_path: Path,
) -> None:
    suspended, active = cards
    copy_suspension(attacker, ledger, suspended, active, notification_id=-1)
    assert ledger.get_card(active).recorded_status is CardStatus.SUSPENDED
    # Placed before every checkpointed event, it moves them all: the log no longer
    # extends the checkpoint from its first place on.
    with pytest.raises(LogRewritten, match="at position 0 "):
        registry.transparency.checkpoint("ops@host")
    report = audit(registry, tmp_path)
    assert (str(active), "event_unsigned") in found(report)
    assert report.first_bad_position == 0  # the lowest id is the log's first place


def test_a_signature_record_copied_beside_a_forged_event_does_not_vouch_for_it(
    cards: tuple[UUID, UUID],
    ledger: CardLedger,
    registry: Registry,
    attacker: RuntimeRole,
    tmp_path: Path,
) -> None:
    """The record that signed the real suspension, copied (under a chain id of the
    forger's, as the table's keys require) right after the forged event."""
    suspended, active = cards
    copy_suspension(attacker, ledger, suspended, active)
    chain = uuid.uuid4()
    (signer,) = attacker.run(
        f"SELECT originator_id, originator_version FROM {{t}} WHERE topic = ? AND "
        f"{attacker.id} > (SELECT {attacker.id} FROM {{t}} WHERE originator_id = ? AND topic = ?) "
        f"ORDER BY {attacker.id} LIMIT 1",
        RECORD,
        attacker.oid(suspended),
        SUSPENDED,
    )
    attacker.run(
        "INSERT INTO {t} (originator_id, originator_version, topic, state) "
        "SELECT ?, 1, topic, state FROM {t} WHERE originator_id = ? AND originator_version = ?",
        attacker.oid(chain),
        signer[0],
        signer[1],
    )
    with pytest.raises(EventsNotSigned):
        registry.transparency.checkpoint("ops@host")
    codes = found(audit(registry, tmp_path))
    assert (str(active), "event_unsigned") in codes
    assert (str(chain), "event_signature_moved") in codes


@pytest.fixture
def legacy_store(
    database_url: str, tmp_path: Path, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[CardLedger, Registry]]:
    """A store written by a version before event signatures: two cards, no records."""
    from tests.conftest import runtime_ledger

    with monkeypatch.context() as before:
        before.setattr(CardLedger, "sign_events_with", lambda *args, **kwargs: None)
        old = runtime_ledger(database_url=database_url, data_dir=tmp_path, clock=clock, environ={})
    registry = Registry(
        {"TALENTCARD_DATA_DIR": str(tmp_path), "TALENTCARD_KEY_PASSPHRASE": KEY_PASSPHRASE},
        clock=clock,
        ledger=old,
    )
    registry.keys.init()
    for _ in range(2):
        card, _ = old.apply(f.jinan_body("C"))
        old.run(cc.ISSUE, card, f.issue())
    yield old, registry
    old.close()


def upgrade(old: CardLedger, tmp_path: Path, clock: Any) -> None:
    """What opening the store with this version does: sign from now on."""
    keys = EventKeys(tmp_path / "event-keys")
    old.sign_events_with(keys, clock, salt_key=old.derived_secret(SALT_PURPOSE))


def test_events_from_before_signing_under_a_checkpoint_are_legacy_not_tampering(
    legacy_store: tuple[CardLedger, Registry], tmp_path: Path, clock: Any
) -> None:
    old, registry = legacy_store
    log = registry.transparency
    with pytest.MonkeyPatch.context() as older:  # the old version signed without the walk
        older.setattr(log, "signed_leaves", lambda: (log.hashed_leaves(), SignatureReport()))
        before = log.checkpoint("ops@host").size
    upgrade(old, tmp_path, clock)
    old.run(cc.ISSUE, old.apply(f.jinan_body("B"))[0], f.issue())
    registry.transparency.checkpoint("ops@host")
    report = audit(registry, tmp_path)
    assert report.ok, report.findings
    assert report.legacy_events == before > 0
    assert report.signed_events > 0


def test_events_from_before_signing_that_no_checkpoint_covered_are_not_legacy(
    legacy_store: tuple[CardLedger, Registry], tmp_path: Path, clock: Any
) -> None:
    old, registry = legacy_store
    upgrade(old, tmp_path, clock)
    with pytest.raises(EventsNotSigned):
        registry.transparency.checkpoint("ops@host")
    report = audit(registry, tmp_path)
    assert {x.code for x in report.findings} == {"event_unsigned"}
    assert report.legacy_events == 0


def test_a_rotated_event_key_keeps_verifying_what_it_signed_and_the_new_one_signs_on(
    cards: tuple[UUID, UUID], ledger: CardLedger, registry: Registry, clock: Any, tmp_path: Path
) -> None:
    first = registry.event_keys.records()
    clock.advance(minutes=1)
    made = registry.event_keys.rotate(clock())
    clock.advance(minutes=1)
    ledger.run(cc.SUSPEND, cards[1], f.status(role="talent_office"))
    registry.transparency.checkpoint("ops@host")
    report = audit(registry, tmp_path)
    assert report.ok, report.findings
    kids = {r.kid for r in registry.event_keys.records()}
    assert kids == {first[0].kid, made.kid}


def test_a_record_signed_by_a_key_the_trust_list_does_not_name_fails_the_audit(
    cards: tuple[UUID, UUID], ledger: CardLedger, registry: Registry, tmp_path: Path, clock: Any
) -> None:
    """A forger with a key of their own: every record links, none verifies."""
    rogue = EventKeys(tmp_path / "rogue-keys")
    ledger.sign_events_with(rogue, clock, salt_key=ledger.derived_secret(SALT_PURPOSE))
    ledger.run(cc.SUSPEND, cards[1], f.status(role="talent_office"))
    with pytest.raises(EventsNotSigned):
        registry.transparency.checkpoint("ops@host")
    codes = found(audit(registry, tmp_path))
    assert (str(cards[1]), "event_signature_invalid") in codes


def test_opening_a_store_writes_nothing_so_a_process_that_only_reads_signs_nothing(
    database_url: str, tmp_path: Path, clock: Any
) -> None:
    """``talentcard init`` opens the store as its owner, with a data folder (and so event
    keys) of its own: had opening recorded where signing started, that record would be
    signed by a key no runtime process holds, and no checkpoint could ever be signed."""
    from tests.conftest import runtime_ledger

    with runtime_ledger(
        database_url=database_url, data_dir=tmp_path / "owner", clock=clock, environ={}
    ) as owner:
        list(owner.card_ids())
        assert owner.recorder.max_notification_id() is None
    assert not (tmp_path / "owner" / "event-keys").exists()


def test_two_processes_starting_to_sign_at_once_both_save_and_one_start_is_recorded(
    database_url: str, tmp_path: Path, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from domain.event_signature import EventSigning
    from tests.conftest import runtime_ledger

    first = runtime_ledger(database_url=database_url, data_dir=tmp_path, clock=clock, environ={})
    second = runtime_ledger(database_url=database_url, data_dir=tmp_path, clock=clock, environ={})
    try:
        # The second looked for the start just before the first recorded it.
        (late,) = EventSigning(
            legacy_leaves=0, checkpointed=0, recorded_at=clock()
        ).collect_events()
        looked = iter([late])
        fresh = second._signing_start
        monkeypatch.setattr(second, "_signing_start", lambda now: next(looked, None) or fresh(now))
        card, _ = first.apply(f.jinan_body("C"))
        first.run(cc.ISSUE, card, f.issue())
        # A suspension is not retried by the ledger: only the save's own retry can save it.
        second.run(cc.SUSPEND, card, f.status(role="talent_office"))
        assert second.get_card(card).recorded_status is CardStatus.SUSPENDED
        notifications = second.recorder.select_notifications(None, 1_000)
        assert [n.topic for n in notifications].count(
            "domain.event_signature:EventSigning.Started"
        ) == 1
    finally:
        first.close()
        second.close()
