"""An auditor with only the export, an earlier checkpoint and the trust list proves the
history complete and untampered; every single-event tampering is caught and placed."""

from __future__ import annotations

import base64
from pathlib import Path
from uuid import UUID, uuid4

import msgspec
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

import ledger.card_commands as cc
from domain.errors import NotAuthorised
from domain.user import PROVINCE
from domain.vocabulary import Role
from ledger.app import CardLedger
from ledger.leaves import read_leaf
from ledger.sealing import aad
from services.access import Principal
from services.audit.report import AuditReport
from services.audit.verify import verify_export
from services.bootstrap import Registry
from tests import factories as f
from tests.conftest import FakeClock

AUDITOR = Principal(user_id=uuid4(), name="zhao.auditor", role=Role.AUDITOR, authority=PROVINCE)


def history(ledger: CardLedger, clock: FakeClock) -> None:
    """Three cards: one issued and upgraded, one issued, one still under review."""
    jinan, _ = ledger.apply(f.jinan_body("C", holder=f.holder(name="韩梅梅")))
    ledger.run(cc.ISSUE, jinan, f.issue())
    liaocheng, _ = ledger.apply(f.apply_body())
    ledger.run(cc.REVIEW, liaocheng, f.review("city_hrss"))
    ledger.run(cc.REVIEW, liaocheng, f.review("talent_office"))
    ledger.run(cc.ISSUE, liaocheng, f.issue())
    ledger.apply(f.jinan_body("B", holder=f.holder(id_number=f.resident_id(990), name="李四")))


def export(registry: Registry, path: Path, *, redacted: bool = False) -> Path:
    with path.open("wb") as stream:
        registry.audit_export.export(AUDITOR, stream, redacted=redacted)
    return path


def bundle(registry: Registry, tmp_path: Path) -> Path:
    folder = tmp_path / "bundle"
    registry.issuance.write_bundle(folder)
    return folder


def lines(path: Path) -> list[dict]:  # type: ignore[type-arg]
    return [msgspec.json.decode(raw) for raw in path.read_bytes().splitlines()]


def write(path: Path, records: list[dict]) -> Path:  # type: ignore[type-arg]
    path.write_bytes(b"".join(msgspec.json.encode(r) + b"\n" for r in records))
    return path


def first_event_line(records: list[dict]) -> int:  # type: ignore[type-arg]
    return next(i for i, r in enumerate(records) if r["kind"] == "event")


@pytest.fixture
def checkpointed(ledger: CardLedger, registry: Registry, clock: FakeClock, tmp_path: Path) -> Path:
    registry.keys.init()
    history(ledger, clock)
    registry.transparency.checkpoint("ops@host")
    return export(registry, tmp_path / "audit.jsonl")


def verified(path: Path, registry: Registry, tmp_path: Path, **kw: object) -> AuditReport:
    return verify_export(path, trust_source=bundle(registry, tmp_path), workers=1, **kw)  # type: ignore[arg-type]


def test_an_untouched_export_verifies_and_counts_the_cards(
    checkpointed: Path, registry: Registry, tmp_path: Path
) -> None:
    report = verified(checkpointed, registry, tmp_path)
    assert report.ok, report.findings
    assert report.cards == 3
    assert report.covered == report.events > 0
    assert report.first_event_at is not None and report.first_event_at <= report.last_event_at  # type: ignore[operator]


def test_a_redacted_export_holds_no_names_and_still_verifies(
    ledger: CardLedger, registry: Registry, clock: FakeClock, tmp_path: Path
) -> None:
    registry.keys.init()
    history(ledger, clock)
    registry.transparency.checkpoint("ops@host")
    path = export(registry, tmp_path / "redacted.jsonl", redacted=True)
    assert "韩梅梅".encode() not in path.read_bytes()
    assert base64.b64encode("韩梅梅".encode()) not in path.read_bytes()
    report = verified(path, registry, tmp_path)
    assert report.ok and report.redacted, report.findings


def test_the_verifier_runs_on_two_processes_with_the_same_verdict(
    checkpointed: Path, registry: Registry, tmp_path: Path
) -> None:
    report = verify_export(checkpointed, trust_source=bundle(registry, tmp_path), workers=2)
    assert report.ok and report.cards == 3


def test_an_altered_event_in_the_export_is_caught_at_its_position(
    checkpointed: Path, registry: Registry, tmp_path: Path
) -> None:
    records = lines(checkpointed)
    at = next(  # the Jinan card's issue
        i
        for i, r in enumerate(records)
        if r["kind"] == "event" and b"Card.Issued" in base64.b64decode(r["leaf"])
    )
    leaf = base64.b64decode(records[at]["leaf"])
    assert b"2026-" in leaf
    records[at]["leaf"] = base64.b64encode(leaf.replace(b"2026-", b"2031-", 1)).decode()
    report = verified(write(tmp_path / "t.jsonl", records), registry, tmp_path)
    assert not report.ok
    assert report.first_bad_position == records[at]["position"]


def test_a_deleted_event_in_the_export_is_caught_at_its_position(
    checkpointed: Path, registry: Registry, tmp_path: Path
) -> None:
    records = lines(checkpointed)
    at = first_event_line(records) + 2
    position = records[at]["position"]
    del records[at]
    report = verified(write(tmp_path / "t.jsonl", records), registry, tmp_path)
    assert not report.ok and report.first_bad_position == position


def test_two_swapped_events_in_the_export_are_caught_at_the_first(
    checkpointed: Path, registry: Registry, tmp_path: Path
) -> None:
    records = lines(checkpointed)
    at = first_event_line(records) + 1
    records[at], records[at + 1] = records[at + 1], records[at]
    report = verified(write(tmp_path / "t.jsonl", records), registry, tmp_path)
    assert not report.ok and report.first_bad_position == at - first_event_line(records)


def test_an_inserted_event_in_the_export_is_caught_at_its_position(
    checkpointed: Path, registry: Registry, tmp_path: Path
) -> None:
    records = lines(checkpointed)
    at = first_event_line(records) + 1
    records.insert(at, dict(records[at + 2], position=records[at]["position"]))
    report = verified(write(tmp_path / "t.jsonl", records), registry, tmp_path)
    assert not report.ok and report.first_bad_position == records[at]["position"]


def test_a_changed_personal_part_in_the_export_is_caught(
    checkpointed: Path, registry: Registry, tmp_path: Path
) -> None:
    # The export carries each person's data key (for the auditor to open the sealed
    # holder with), so whoever holds it can seal a changed name that opens: the digest
    # the leaf commits to still catches it.
    records = lines(checkpointed)
    at = next(i for i, r in enumerate(records) if r.get("sealed"))  # the first holder's
    envelope = msgspec.msgpack.decode(base64.b64decode(records[at]["sealed"]))
    leaf = read_leaf(base64.b64decode(records[at]["leaf"]))
    keys = {UUID(k): base64.b64decode(v) for k, v in records[at]["keys"].items()}
    for position, part in enumerate(envelope["people"]):
        where = aad(leaf.originator_id, leaf.originator_version, position)
        key = AESGCM(keys[UUID(bytes=part["key"])])
        body = msgspec.msgpack.decode(key.decrypt(part["nonce"], part["ct"], where))
        if body["name"] == "韩梅梅":
            body["name"] = "韩梅花"
            part["ct"] = key.encrypt(part["nonce"], msgspec.msgpack.encode(body), where)
    records[at]["sealed"] = base64.b64encode(msgspec.msgpack.encode(envelope)).decode()
    report = verified(write(tmp_path / "t.jsonl", records), registry, tmp_path)
    assert [f.code for f in report.findings] == ["personal_changed"]


def test_only_the_provincial_auditor_or_the_administrator_exports_the_log(
    registry: Registry, tmp_path: Path
) -> None:
    clerk = Principal(user_id=uuid4(), name="li.clerk", role=Role.AUDITOR, authority="jinan")
    path = tmp_path / "x.jsonl"
    with pytest.raises(NotAuthorised, match="export the whole log"), path.open("wb") as out:
        registry.audit_export.export(clerk, out, redacted=True)


def doctored(path: Path, tmp_path: Path, topic_end: str, change) -> tuple[Path, int]:  # type: ignore[no-untyped-def]
    """The export with the first event of ``topic_end`` rewritten by ``change`` (on its
    decoded public part) and re-encoded, as someone who could write the log before any
    checkpoint would do it."""
    records = lines(path)
    for record in records:
        if record["kind"] != "event":
            continue
        item = msgspec.msgpack.decode(base64.b64decode(record["leaf"]))
        if item[3].endswith(topic_end):
            change(item[4])
            leaf = msgspec.msgpack.Encoder(order="sorted").encode(item)
            record["leaf"] = base64.b64encode(leaf).decode()
            return write(tmp_path / "doctored.jsonl", records), record["position"]
    raise AssertionError(f"no {topic_end} event")


@pytest.fixture
def unchecked(ledger: CardLedger, registry: Registry, clock: FakeClock, tmp_path: Path) -> Path:
    """An export of a history no checkpoint covers yet."""
    registry.keys.init()
    history(ledger, clock)
    return export(registry, tmp_path / "audit.jsonl")


def test_a_doctored_term_is_caught_by_deciding_it_again(
    unchecked: Path, registry: Registry, tmp_path: Path
) -> None:
    def longer(public: dict) -> None:  # type: ignore[type-arg]
        public["issuance"]["term"]["valid_until"] = "2099-12-31"

    path, position = doctored(unchecked, tmp_path, "Card.Issued", longer)
    report = verified(path, registry, tmp_path)
    # Decided again, and not what its event signature signed either.
    assert {(f.code, f.position) for f in report.findings} == {
        ("decision_differs", position),
        ("event_signature_mismatch", position),
    }
    (differs,) = [f for f in report.findings if f.code == "decision_differs"]
    assert "2099-12-31" in differs.message


def test_a_doctored_tier_is_caught_by_deciding_the_filing_again(
    unchecked: Path, registry: Registry, tmp_path: Path
) -> None:
    def higher(public: dict) -> None:  # type: ignore[type-arg]
        public["admission"]["tier"] = "A"

    path, position = doctored(unchecked, tmp_path, "Card.Applied", higher)
    report = verified(path, registry, tmp_path)
    assert ("decision_differs", position) in [(f.code, f.position) for f in report.findings]


def test_an_export_with_no_checkpoint_cannot_prove_a_saved_one_extended(
    unchecked: Path, registry: Registry, tmp_path: Path
) -> None:
    saved = tmp_path / "saved.cose"
    saved.write_bytes(registry.transparency.checkpoint("ops@host").signed)
    report = verified(unchecked, registry, tmp_path, saved_checkpoint=saved)
    assert [f.code for f in report.findings] == ["no_checkpoint"]
