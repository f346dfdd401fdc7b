"""The event signatures' walk (services.audit.signatures) as a property, with no store:
any history of honest saves is proven whole, and one forged, changed or unvouched event
anywhere in it is named by aggregate and version."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import msgspec
import pytest
from eventsourcing.persistence import Mapper, StoredEvent
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.event_keys import EventKeys
from ledger.event_signer import EventSigner
from ledger.leaves import make_leaf
from ledger.transcoder import MsgspecTranscoder
from services.audit.signatures import SignatureReport, SignatureWalk
from services.issuance import event_key_record
from signing.trust import trusted_key

SALT_KEY = b"k" * 32
START = datetime(2026, 3, 2, tzinfo=UTC)
TOPIC = "domain.card:Card.ReviewRecorded"
MAPPER = Mapper(transcoder=MsgspecTranscoder())

# A history: saves of 1 to 3 events, each event a (new aggregate?, note) pair.
SAVES = st.lists(
    st.lists(st.tuples(st.booleans(), st.text(max_size=8)), min_size=1, max_size=3),
    min_size=1,
    max_size=8,
)


class History:
    """Saves made as the ledger makes them: each event's stored form and, after it, the
    save's signature record, numbered as leaves in log order."""

    def __init__(self, folder: Path) -> None:
        self.keys = EventKeys(folder)
        self.clock = START
        self.signer = EventSigner(
            self.keys, lambda: self.clock, salt_key=SALT_KEY, head=lambda chain: None
        )
        self.versions: dict[UUID, int] = {}
        self.stored: list[StoredEvent] = []

    def save(self, events: list[tuple[bool, str]]) -> None:
        batch = []
        for new, note in events:
            oid = uuid4() if new or not self.versions else next(iter(self.versions))
            version = self.versions[oid] = self.versions.get(oid, 0) + 1
            state = msgspec.msgpack.encode({"note": note, "timestamp": self.clock})
            batch.append(StoredEvent(oid, version, TOPIC, state))
        self.clock += timedelta(seconds=1)
        with self.signer.signing():
            record = self.signer.record(batch, self.clock)
            self.signer.saved()
        self.stored.extend([*batch, MAPPER.to_stored_event(record)])

    def walk(self, stored: list[StoredEvent] | None = None) -> SignatureReport:
        keys = {r.kid_bytes: trusted_key(event_key_record(r)) for r in self.keys.records()}
        walk = SignatureWalk(keys)
        for position, s in enumerate(self.stored if stored is None else stored):
            oid = (
                s.originator_id if isinstance(s.originator_id, UUID) else UUID(str(s.originator_id))
            )
            leaf = make_leaf(
                position, oid, s.originator_version, s.topic, s.state, salt_key=SALT_KEY
            )
            walk.add(position, leaf.data)
        return walk.finish()


def history_of(
    saves: list[list[tuple[bool, str]]], tmp_path_factory: pytest.TempPathFactory
) -> History:
    history = History(tmp_path_factory.mktemp("event-keys"))
    for events in saves:
        history.save(events)
    return history


def events_of(history: History) -> list[int]:
    return [i for i, s in enumerate(history.stored) if s.topic == TOPIC]


@settings(max_examples=40, deadline=None)
@given(saves=SAVES)
def test_any_history_of_honest_saves_is_proven_whole(
    saves: list[list[tuple[bool, str]]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    history = history_of(saves, tmp_path_factory)
    report = history.walk()
    assert report.findings == []
    assert report.signed == sum(len(events) for events in saves)


@settings(max_examples=40, deadline=None)
@given(saves=SAVES, where=st.integers(min_value=0), note=st.text(max_size=8))
def test_a_forged_event_anywhere_is_named_by_aggregate_and_version(
    saves: list[list[tuple[bool, str]]],
    where: int,
    note: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    history = history_of(saves, tmp_path_factory)
    forged = StoredEvent(uuid4(), 1, TOPIC, msgspec.msgpack.encode({"note": note}))
    at = where % (len(history.stored) + 1)
    report = history.walk([*history.stored[:at], forged, *history.stored[at:]])
    assert [(f.aggregate, f.version, f.code) for f in report.findings] == [
        (forged.originator_id, 1, "event_unsigned")
    ]


@settings(max_examples=40, deadline=None)
@given(saves=SAVES, which=st.integers(min_value=0))
def test_an_event_changed_after_it_was_signed_is_named(
    saves: list[list[tuple[bool, str]]], which: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    history = history_of(saves, tmp_path_factory)
    positions = events_of(history)
    at = positions[which % len(positions)]
    stored = list(history.stored)
    original = stored[at]
    state = msgspec.msgpack.decode(original.state)
    state["note"] += "!"
    stored[at] = StoredEvent(
        original.originator_id, original.originator_version, TOPIC, msgspec.msgpack.encode(state)
    )
    report = history.walk(stored)
    assert [(f.position, f.code) for f in report.findings] == [(at, "event_signature_mismatch")]


@settings(max_examples=40, deadline=None)
@given(saves=SAVES, which=st.integers(min_value=0))
def test_a_record_taken_out_leaves_its_events_unproven_and_breaks_the_chain(
    saves: list[list[tuple[bool, str]]], which: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    history = history_of(saves, tmp_path_factory)
    records = [i for i, s in enumerate(history.stored) if s.topic != TOPIC]
    at = records[which % len(records)]
    stored = history.stored[:at] + history.stored[at + 1 :]
    codes = {f.code for f in history.walk(stored).findings}
    assert "event_unsigned" in codes
    if at != records[-1]:  # a later record no longer follows the one before it
        assert "signature_chain_broken" in codes
