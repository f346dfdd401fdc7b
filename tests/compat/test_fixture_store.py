"""A store written by an earlier version of the registry still opens, replays, rebuilds
its read models to the checksums committed with it and passes ``audit verify`` against
the checkpoint written with it, on both stores (issue 24, "Compatibility (tested)").

The fixture (tests/compat/fixture, see its README) is never written to: each test opens
a copy of the SQLite store, or a fresh database restored from the PostgreSQL dump.
"""

from __future__ import annotations

import json
import shutil
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from eventsourcing.utils import resolve_topic

from domain.user import PROVINCE, Principal
from domain.vocabulary import Role
from services.audit.verify import verify_export
from services.bootstrap import Registry
from tests.compat.layout import (
    EXPECTED,
    FIXTURE,
    FIXTURES,
    POSTGRES_DUMP,
    POSTGRES_SCHEMA,
    SQLITE_FILE,
    TRUST,
    FixedClock,
    declared_event_topics,
    environ,
    topic,
)
from tests.conftest import (
    as_role,
    create_login_role,
    drop_role,
    drop_schema,
    init_as_owner,
    with_schema,
)

AUDITOR = Principal(
    user_id=uuid.uuid4(), name="fixture.auditor", role=Role.AUDITOR, authority=PROVINCE
)
LATER = datetime(2026, 9, 1, 1, 0, tzinfo=UTC)
"""The registry's clock when it opens the fixture: months after its last event."""
_PAGE = 1000


@dataclass(frozen=True)
class Store:
    """One of the fixture's stores, opened afresh: its settings and what it must show."""

    kind: str
    environ: dict[str, str]
    data_dir: Path
    expected: dict[str, Any]
    owner_url: str = ""  # the store's owner (PostgreSQL; the embedded store has one user)

    def registry(self) -> Registry:
        return Registry(self.environ, clock=FixedClock(LATER))

    def owner_registry(self) -> Registry:
        """The registry as the store's owner runs it (``init``, a migration)."""
        environ = dict(self.environ)
        if self.owner_url:
            environ["TALENTCARD_DATABASE_URL"] = self.owner_url
        return Registry(environ, clock=FixedClock(LATER))


@pytest.fixture(
    params=[
        pytest.param((fixture, kind), id=f"{fixture.name}-{kind}", marks=marks)
        for fixture in FIXTURES
        for kind, marks in (("sqlite", ()), ("postgres", pytest.mark.postgres))
    ]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh copy of each committed store of each fixture."""
    fixture: Path
    kind: str
    fixture, kind = request.param
    yield from copied_store(request, tmp_path, fixture, kind)


def copied_store(
    request: pytest.FixtureRequest, tmp_path: Path, fixture: Path, kind: str
) -> Iterator[Store]:
    """A fresh copy of one committed store (a fixture's body)."""
    data_dir = private_copy(fixture / kind, tmp_path / kind)
    expected = json.loads((fixture / EXPECTED).read_text())[kind]
    if kind == "sqlite":
        url = f"sqlite:///{data_dir / SQLITE_FILE}"
        yield Store(kind, environ(data_dir, url), data_dir, expected)
        return
    postgres_url: str = request.getfixturevalue("postgres_url")
    with restored_dump(postgres_url, data_dir, fixture) as (runtime_url, owner_url):
        yield Store(kind, environ(data_dir, runtime_url), data_dir, expected, owner_url)


def private_copy(source: Path, target: Path) -> Path:
    """Copy a data folder with the modes the registry asks of it (git keeps none): its
    folders 0700, its files 0600."""
    shutil.copytree(source, target)
    target.chmod(0o700)
    for path in target.rglob("*"):
        path.chmod(0o700 if path.is_dir() else 0o600)
    return target


@contextmanager
def restored_dump(
    server_url: str, data_dir: Path, fixture: Path = FIXTURE
) -> Iterator[tuple[str, str]]:
    """The dump restored into a schema of its own (the dumped schema's name is unique in
    the dump, so it is replaced), set up as ``talentcard init`` leaves a store: its
    owner's guards, a runtime role's grants; the runtime role's URL and the owner's. The
    role and the schema are dropped afterwards."""
    schema = f"tc_fixture_{uuid.uuid4().hex[:12]}"
    dump = (fixture / POSTGRES_DUMP).read_text().replace(POSTGRES_SCHEMA, schema)
    url = with_schema(server_url, schema)
    role = None
    try:
        with psycopg.connect(server_url.split("?")[0], autocommit=True) as conn:
            conn.execute(dump)
        role = create_login_role(server_url)
        init_as_owner(database_url=url, data_dir=data_dir, app_role=role)
        yield as_role(url, role), url
    finally:
        if role is not None:  # DROP OWNED revokes its grants: the role before its schema
            drop_role(server_url, role)
        drop_schema(server_url, schema)


def notifications(registry: Registry) -> Iterator[Any]:
    """Every event in the store, in the log's order, as the recorder reads it."""
    recorder = registry.ledger.recorder
    start = 1
    while page := recorder.select_notifications(start, _PAGE):
        yield from page
        start = page[-1].id + 1


def stored_topics(registry: Registry) -> Counter[str]:
    """How many events of each topic the store holds."""
    return Counter(n.topic for n in notifications(registry))


def test_the_store_holds_every_event_it_was_written_with(store: Store) -> None:
    with store.registry() as registry:
        assert stored_topics(registry) == Counter(store.expected["topics"])


def test_the_fixture_holds_an_event_of_every_event_class_the_packages_declare(
    store: Store,
) -> None:
    declared = declared_event_topics()
    assert len(declared) >= 37  # the 18 card events and those of the 8 other aggregates
    with store.registry() as registry:
        # A stored topic names the class it resolves to now (an event class that moved
        # keeps its old topic as an alias registered with the library).
        stored = {topic(resolve_topic(t)) for t in stored_topics(registry)}
    # An event class added later is held by a later fixture (see fixture/README.md).
    for fixture in FIXTURES:
        later = json.loads((fixture / EXPECTED).read_text())[store.kind]["topics"]
        stored |= {topic(resolve_topic(t)) for t in later}
    missing = declared - stored
    assert not missing, f"the fixture has no event of {sorted(missing)}: see its README"


def test_every_aggregate_replays_every_one_of_its_events(store: Store) -> None:
    with store.registry() as registry:
        ids = {n.originator_id for n in notifications(registry)}
        versions = sum(registry.ledger.repository.get(i).version for i in ids)
    assert versions == store.expected["events"]
    assert len(ids) > 50


def test_the_read_models_rebuilt_from_the_log_match_the_committed_checksums(
    store: Store,
) -> None:
    with store.registry() as registry:
        registry.projections.rebuild(None, progress=lambda done, total: None)
        assert registry.projections.checksum(None) == store.expected["checksums"]


def test_the_read_models_caught_up_from_where_they_were_match_the_committed_checksums(
    store: Store,
) -> None:
    with store.registry() as registry:
        registry.projections.run(until_caught_up=True, stop=threading.Event())
        assert registry.projections.checksum(None) == store.expected["checksums"]


def test_the_store_s_latest_checkpoint_is_the_one_committed_with_it(store: Store) -> None:
    with store.registry() as registry:
        latest = registry.transparency.latest()
    assert latest is not None
    committed = store.expected["checkpoint"]
    assert (latest.size, str(latest.root)) == (committed["size"], committed["root"])
    assert latest.signed == (store.data_dir / committed["file"]).read_bytes()


def test_an_audit_export_verifies_against_the_committed_checkpoint_with_no_finding(
    store: Store, tmp_path: Path
) -> None:
    export = tmp_path / "audit.jsonl"
    with store.registry() as registry, export.open("wb") as stream:
        registry.audit_export.export(AUDITOR, stream, redacted=False)
    report = verify_export(
        export,
        saved_checkpoint=store.data_dir / store.expected["checkpoint"]["file"],
        trust_source=store.data_dir / TRUST,
        workers=1,
    )
    assert report.ok, report.findings
    assert report.findings == []
    # Every event is a leaf of the tree but those recording the checkpoints themselves,
    # written after the tree head they sign.
    assert report.events == report.covered == store.expected["checkpoint"]["size"]
    assert report.checkpoints == store.expected.get("checkpoints", 2)
    assert report.erased_events == store.expected.get("erased_events", 0)
    assert report.cards == store.expected["topics"]["domain.card:Card.Applied"]
