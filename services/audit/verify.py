"""``talentcard audit verify``: check an audit export alone, offline (离线审计).

Nothing here opens a store or reads a key: the export, an optional checkpoint the auditor
saved earlier and a trust anchor (a bundle, or a trust list and the root key) are all.

1. The tree (this process): every event line's leaf is hashed in order (RFC 9162), the
   roots at each checkpoint's size compared with the signed ones, every checkpoint's
   signature checked against the trust list, the saved checkpoint proved to be extended
   by the latest (a consistency proof, as a CT auditor would check it), and each leaf
   compared with the hash recorded when its checkpoint was made, which names the first
   position that changed.
2. The replay (the other cores): every aggregate's events rebuilt from their leaves and
   applied through the domain model; every decision the rules made (admission, term on
   issue, upgrade and extension) decided again from the inputs the event recorded and
   compared with what it recorded, so a doctored tier or term is caught even where it was
   written before any checkpoint.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import os
import time
import typing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.domain import Aggregate
from eventsourcing.utils import resolve_topic

from domain import policy
from domain.card import Card
from domain.clock import business_date
from domain.errors import DomainError
from ledger.event_signer import RECORD_TOPICS
from ledger.leaves import (
    LEAF_TAG,
    LeafError,
    join_personal,
    personal_digest,
    read_leaf,
    read_personal,
)
from ledger.transcoder import TRUSTED_MODULE_PREFIXES
from services.audit.file_format import (
    DECODER,
    FORMAT,
    MAX_LINE_BYTES,
    CheckpointLine,
    EventLine,
    Header,
    Trust,
)
from services.audit.signatures import SignatureWalk
from signing import merkle
from signing.bundle import unpack
from signing.checkpoint import CheckpointError, TreeHead, read_checkpoint
from signing.root import EVENTS
from signing.trust import TrustList, TrustListError, read_trust_list

# A redacted export has no holder to replay with: this stands in (no decision that reads
# the holder is decided again then).
_REDACTED_HOLDER = {
    "name": "",
    "identity": {"kind": "other", "digest": "", "salt": "", "last4": ""},
    "date_of_birth": "1900-01-01",
    "family": [],
}
# The leaf's originator id sits at a fixed offset in its MessagePack: the array head, the
# tag text (head + 17 bytes) and the bin 8 head (2 bytes) come first.
_OID_AT = 1 + 1 + len(LEAF_TAG) + 2
_DECIDED = ("Issued", "Upgraded", "Extended")


class AuditFileError(ValueError):
    """The export, checkpoint or trust anchor cannot be read at all (exit 2)."""


class Finding(msgspec.Struct, frozen=True, kw_only=True):
    """One disagreement: where (tree position, aggregate) and what."""

    position: int | None
    aggregate: str | None
    code: str
    message: str


class AuditReport(msgspec.Struct, kw_only=True):
    """What ``audit verify`` found."""

    ok: bool
    redacted: bool
    events: int
    aggregates: int
    cards: int
    checkpoints: int
    covered: int  # events the latest valid checkpoint covers
    first_event_at: str | None
    last_event_at: str | None
    seconds: float
    events_per_second: float
    first_bad_position: int | None
    findings: list[Finding]
    signed_events: int = 0  # proven by an event signature
    legacy_events: int = 0  # unsigned, from before signing started, under a checkpoint


# ---- reading ------------------------------------------------------------------------


def _lines(path: Path) -> Iterator[tuple[int, Any]]:
    try:
        stream = path.open("rb")
    except OSError as e:
        raise AuditFileError(f"{path}: {e.strerror}") from None
    with stream:
        for number, raw in enumerate(stream, start=1):
            if len(raw) > MAX_LINE_BYTES:
                raise AuditFileError(f"{path} line {number}: longer than {MAX_LINE_BYTES} bytes")
            try:
                yield number, DECODER.decode(raw)
            except msgspec.DecodeError as e:
                raise AuditFileError(f"{path} line {number}: {e}") from None


def read_trust_anchor(source: Path | None, root_hex: str | None, export: Trust) -> TrustList:
    """The trust list to check checkpoints with: from a bundle (folder or one file), or a
    trust-list file with the root key given, or else the export's own (the operator's)."""
    if source is None:
        root, data = root_hex or export.root, export.trust_list
    elif source.is_dir():
        root = root_hex or _read(source / "root.pub").decode().strip()
        data = _read(source / "trust-list.cwt")
    else:
        raw = _read(source)
        try:
            files = unpack(raw)
            data = files["trust-list.cwt"]
            root = root_hex or files["root.pub"].decode().strip()
        except Exception:  # not a one-file bundle: a trust list on its own
            if root_hex is None:
                raise AuditFileError(
                    f"{source} is not a bundle: give the root key with --root to trust it"
                ) from None
            root, data = root_hex, raw
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(root))
        return read_trust_list(data, key)
    except (ValueError, TrustListError) as e:
        raise AuditFileError(f"trust list: {e}") from None


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise AuditFileError(f"{path}: {e.strerror}") from None


# ---- the tree -----------------------------------------------------------------------


class _Tree:
    """Pass 1: the tree over the export's leaves and every check of it."""

    def __init__(
        self,
        heads: list[tuple[int, TreeHead | None, str]],
        saved: TreeHead | None,
        signatures: SignatureWalk,
    ):
        self.heads = heads  # (line, verified head or None, why not)
        self.signatures = signatures
        self.saved = saved
        self.sizes = {h.size for _, h, _ in heads if h is not None}
        if saved is not None:
            self.sizes.add(saved.size)
        self.roots: dict[int, bytes] = {}
        self.hashes: list[bytes] = []
        self.findings: list[Finding] = []

    def add(self, line: EventLine) -> None:
        position = len(self.hashes)
        if line.position != position:
            self._fail(
                position,
                "position_out_of_order",
                f"the line for position {position} holds position {line.position}: "
                "an event was removed, inserted or moved",
            )
        hashed = merkle.leaf_hash(line.leaf)
        if line.recorded is not None and line.recorded != hashed:
            self._fail(
                position,
                "leaf_changed",
                f"the event at position {position} does not hash to the leaf "
                "recorded when its checkpoint was signed",
            )
        self.hashes.append(hashed)
        self.signatures.add(position, line.leaf)

    def finish(self) -> int:
        """Check every checkpoint against the tree; the size the latest good one covers."""
        compact = merkle.CompactRange()
        for hashed in self.hashes:
            compact.append(hashed)
            if compact.size in self.sizes:
                self.roots[compact.size] = compact.root()
        if 0 in self.sizes:
            self.roots[0] = merkle.EMPTY_ROOT
        covered, last = 0, -1
        for number, head, why in self.heads:
            if head is None:
                self._fail(None, "checkpoint_invalid", f"checkpoint on line {number}: {why}")
                continue
            if head.size <= last:
                self._fail(
                    None,
                    "checkpoints_out_of_order",
                    f"checkpoint {head.size} follows checkpoint {last}: checkpoints only grow",
                )
            last = max(last, head.size)
            if self._matches(head, f"checkpoint {head.size}"):
                covered = max(covered, head.size)
        saved = self.saved
        if saved is not None and self._matches(saved, f"your saved checkpoint {saved.size}"):
            latest = max(
                (h for _, h, _ in self.heads if h is not None), key=lambda h: h.size, default=None
            )
            if latest is None:
                self._fail(
                    None,
                    "no_checkpoint",
                    f"the export holds no valid checkpoint to prove your saved checkpoint "
                    f"{saved.size} extended by",
                )
            elif latest.size >= saved.size and latest.root == self.roots.get(latest.size):
                proof = (
                    merkle.consistency_proof(self.hashes, saved.size, latest.size)
                    if 0 < saved.size < latest.size
                    else []
                )
                if saved.size and not merkle.verify_consistency(
                    saved.size, saved.root, latest.size, latest.root, proof
                ):
                    self._fail(
                        None,
                        "not_consistent",
                        f"checkpoint {latest.size} is not consistent with your saved "
                        f"checkpoint {saved.size}",
                    )
        return covered

    def _matches(self, head: TreeHead, what: str) -> bool:
        if head.size > len(self.hashes):
            self._fail(
                len(self.hashes),
                "events_missing",
                f"{what} covers {head.size} events; the export holds {len(self.hashes)}",
            )
            return False
        if self.roots.get(head.size) != head.root:
            self._fail(
                None,
                "root_mismatch",
                f"the export's first {head.size} events do not hash to the root {what} "
                "signed: an event before it was changed, removed, reordered or inserted"
                + (" (or the log forked from the one you saved)" if "saved" in what else ""),
            )
            return False
        return True

    def _fail(self, position: int | None, code: str, message: str) -> None:
        self.findings.append(Finding(position=position, aggregate=None, code=code, message=message))


# ---- the replay ---------------------------------------------------------------------


class _Share(msgspec.Struct, kw_only=True):
    """What one replay worker found."""

    findings: list[Finding]
    aggregates: int
    cards: int
    first: str | None
    last: str | None


def _mine(leaf: bytes, worker: int, workers: int) -> bool:
    oid = leaf[_OID_AT : _OID_AT + 16]
    return (
        len(oid) == 16
        and int.from_bytes(hashlib.blake2b(oid, digest_size=2).digest()) % workers == worker
    )


def replay_share(path: str, worker: int, workers: int, redacted: bool) -> _Share:
    """Replay the aggregates whose ids fall to ``worker`` of ``workers``."""
    streams: dict[UUID, list[tuple[int, Any, Any]]] = {}
    findings: list[Finding] = []
    first: datetime | None = None
    last: datetime | None = None
    for _, line in _lines(Path(path)):
        if not isinstance(line, EventLine) or not _mine(line.leaf, worker, workers):
            continue
        try:
            content = read_leaf(line.leaf)
        except LeafError as e:
            findings.append(
                Finding(
                    position=line.position, aggregate=None, code="leaf_unreadable", message=str(e)
                )
            )
            continue
        if content.topic in RECORD_TOPICS:
            continue  # services.audit.signatures checks them; nothing to replay
        if content.position != line.position:
            findings.append(
                Finding(
                    position=line.position,
                    aggregate=str(content.originator_id),
                    code="leaf_moved",
                    message=f"the leaf at position {line.position} was made for position "
                    f"{content.position}: an event was copied or moved here",
                )
            )
        personal = None
        if line.personal is not None:
            if line.salt is None or content.personal_digest != personal_digest(
                line.salt, line.personal
            ):
                findings.append(
                    Finding(
                        position=line.position,
                        aggregate=str(content.originator_id),
                        code="personal_changed",
                        message=f"the personal data at position {line.position} does not "
                        "match the digest its leaf commits to",
                    )
                )
            else:
                personal = read_personal(line.personal)
        stamp = content.public.get("timestamp")
        if isinstance(stamp, datetime):
            first = stamp if first is None or stamp < first else first
            last = stamp if last is None or stamp > last else last
        streams.setdefault(content.originator_id, []).append((line.position, content, personal))
    cards = 0
    for oid, events in streams.items():
        is_card = _replay(oid, events, findings, redacted=redacted)
        cards += is_card
    return _Share(
        findings=findings,
        aggregates=len(streams),
        cards=cards,
        first=first.isoformat() if first else None,
        last=last.isoformat() if last else None,
    )


@functools.cache
def _event_class(topic: str) -> tuple[type[Any], dict[str, Any]]:
    """The event class a topic names (only the domain's) and its attributes' types,
    looked up once per topic (a refused topic raises and so is never remembered)."""
    if not topic.startswith(TRUSTED_MODULE_PREFIXES):
        raise LeafError(f"topic {topic!r} is outside the domain")
    cls = resolve_topic(topic)
    if not isinstance(cls, type):
        raise LeafError(f"topic {topic!r} is not an event class")
    return cls, typing.get_type_hints(cls)


def _rebuild(content: Any, personal: Any) -> Any:
    """The domain event a leaf holds, typed again by its class's annotations."""
    cls, hints = _event_class(content.topic)
    state = (
        join_personal(content.public, personal, _REDACTED_HOLDER)
        if content.personal_digest is not None
        else content.public
    )
    kwargs = {
        name: msgspec.convert(value, hints.get(name, Any), strict=False)
        for name, value in state.items()
    }
    kwargs["originator_id"] = content.originator_id
    kwargs["originator_version"] = content.originator_version
    return cls(**kwargs)


def _replay(
    oid: UUID, events: list[tuple[int, Any, Any]], findings: list[Finding], *, redacted: bool
) -> bool:
    """Replay one aggregate; append what disagrees. Whether it is a card."""
    aggregate: Aggregate | None = None
    for expected, (position, content, personal) in enumerate(events, start=1):

        def fail(code: str, message: str, position: int = position) -> None:
            findings.append(
                Finding(position=position, aggregate=str(oid), code=code, message=message)
            )

        if content.originator_version != expected:
            fail(
                "version_gap",
                f"version {content.originator_version} of {oid} comes where version "
                f"{expected} was due: an event was removed, inserted or moved",
            )
            return isinstance(aggregate, Card)
        try:
            event = _rebuild(content, personal)
            if isinstance(aggregate, Card) and type(event).__name__ in _DECIDED:
                _redecide(aggregate, event, fail)
            elif aggregate is None and type(event).__name__ == "Applied" and not redacted:
                _readmit(event, fail)
            aggregate = event.mutate(aggregate)
        except (
            DomainError,
            LeafError,
            msgspec.ValidationError,
            TypeError,
            ValueError,
            AssertionError,  # the library's, for a first event that creates nothing
        ) as e:
            fail("replay_failed", f"the event at position {position} does not replay: {e}")
            return isinstance(aggregate, Card)
    return isinstance(aggregate, Card)


def _readmit(event: Any, fail: Callable[[str, str], None]) -> None:
    """Decide the filing's eligibility again from what it recorded."""
    application, admission = event.application, event.admission
    decision = policy.decide_eligibility(
        application.scheme,
        application.basis.category,
        application.basis.facts,
        business_date(event.ctx.effective_at),
        date_of_birth=application.holder.date_of_birth,
    )
    decided = (decision.tier, decision.route, decision.stages, decision.rules, decision.version)
    recorded = (
        admission.tier,
        admission.route,
        admission.required_stages,
        admission.rules,
        admission.policy_version,
    )
    if decided != recorded:
        fail(
            "decision_differs",
            f"the admission recorded tier {admission.tier} (rules {', '.join(admission.rules)}, "
            f"version {admission.policy_version}); the rules decide tier {decision.tier} "
            f"(rules {', '.join(decision.rules)}, version {decision.version})",
        )


def _redecide(card: Card, event: Any, fail: Callable[[str, str], None]) -> None:
    """Run the recorded command again on a copy of the card as it stood, with the inputs
    the event recorded, and compare what the rules decide with what was recorded."""
    # A shallow copy is enough: issue, upgrade and extend only rebind the card's
    # attributes, never change a list or dict in place, and the copy gets pending
    # events of its own.
    trial = copy.copy(card)
    trial.__dict__["_pending_events"] = []
    name = type(event).__name__
    if name == "Issued":
        recorded = event.issuance
        trial.issue(event.ctx, valid_from=recorded.valid_from_asked, bases=recorded.bases)
        decided = trial.collect_events()[-1].issuance  # type: ignore[attr-defined]
    elif name == "Upgraded":
        recorded = event.upgrade
        trial.upgrade(event.ctx, recorded.tier, recorded.facts)
        decided = trial.collect_events()[-1].upgrade  # type: ignore[attr-defined]
    else:
        recorded = event.extension
        trial.extend(
            event.ctx, event_on=recorded.event_on, evidence=recorded.evidence, shows=recorded.shows
        )
        decided = trial.collect_events()[-1].extension  # type: ignore[attr-defined]
    if decided != recorded:
        fail(
            "decision_differs",
            f"{name}: recorded {_term(recorded)}, the rules decide {_term(decided)}",
        )


def _term(value: Any) -> str:
    term = value.term
    tier = getattr(value, "tier", None)
    until = term.valid_until.isoformat() if term.valid_until else "no end"
    head = f"tier {tier}, " if tier else ""
    return f"{head}{term.valid_from.isoformat()} to {until} ({', '.join(term.rules)})"


# ---- the whole check ----------------------------------------------------------------


def verify_export(
    path: Path,
    *,
    saved_checkpoint: Path | None = None,
    trust_source: Path | None = None,
    root_hex: str | None = None,
    workers: int | None = None,
) -> AuditReport:
    """Check the export at ``path``; raises AuditFileError if it cannot be read at all."""
    started = time.perf_counter()
    lines = _lines(path)
    header, trust, checkpoint_lines = _preamble(path, lines)
    anchor = read_trust_anchor(trust_source, root_hex, trust)
    heads: list[tuple[int, TreeHead | None, str]] = []
    for number, line in checkpoint_lines:
        try:
            heads.append((number, read_checkpoint(line.signed, anchor), ""))
        except CheckpointError as e:
            heads.append((number, None, str(e)))
    saved = None
    if saved_checkpoint is not None:
        try:
            saved = read_checkpoint(_read(saved_checkpoint), anchor)
        except CheckpointError as e:
            raise AuditFileError(f"{saved_checkpoint}: {e}") from None
    count = max(1, min(2, os.cpu_count() or 1)) if workers is None else workers
    event_keys = {k.kid: k for k in anchor.keys if k.authority == EVENTS}
    tree = _Tree(heads, saved, SignatureWalk(event_keys))
    if count > 1:
        with ProcessPoolExecutor(max_workers=count) as pool:
            futures = [
                pool.submit(replay_share, str(path), w, count, header.redacted)
                for w in range(count)
            ]
            _walk_tree(lines, tree)
            shares = [f.result() for f in futures]
    else:
        _walk_tree(lines, tree)
        shares = [replay_share(str(path), 0, 1, header.redacted)]
    covered = tree.finish()
    signed = tree.signatures.finish()
    unsigned = [
        Finding(
            position=f.position,
            aggregate=str(f.aggregate),
            code=f.code,
            message=f"{f.aggregate} v{f.version}: {f.message}",
        )
        for f in signed.findings
    ]
    findings = sorted(
        [*tree.findings, *unsigned, *(f for s in shares for f in s.findings)],
        key=lambda f: (f.position is None, f.position or 0),
    )
    seconds = time.perf_counter() - started
    events = len(tree.hashes)
    firsts = [s.first for s in shares if s.first]
    lasts = [s.last for s in shares if s.last]
    return AuditReport(
        ok=not findings,
        redacted=header.redacted,
        events=events,
        aggregates=sum(s.aggregates for s in shares),
        cards=sum(s.cards for s in shares),
        checkpoints=len(heads),
        covered=covered,
        first_event_at=min(firsts) if firsts else None,
        last_event_at=max(lasts) if lasts else None,
        seconds=round(seconds, 3),
        events_per_second=round(events / seconds, 1) if seconds else 0.0,
        first_bad_position=next((f.position for f in findings if f.position is not None), None),
        findings=findings,
        signed_events=signed.signed,
        legacy_events=signed.legacy,
    )


def _preamble(
    path: Path, lines: Iterator[tuple[int, Any]]
) -> tuple[Header, Trust, list[tuple[int, CheckpointLine]]]:
    first = next(lines, None)
    if first is None or not isinstance(first[1], Header) or first[1].format != FORMAT:
        raise AuditFileError(f"{path}: not a {FORMAT} export (its first line is no header)")
    header = first[1]
    second = next(lines, None)
    if second is None or not isinstance(second[1], Trust):
        raise AuditFileError(f"{path} line 2: the trust record is missing")
    checkpoints: list[tuple[int, CheckpointLine]] = []
    for _ in range(header.checkpoints):
        item = next(lines, None)
        if item is None or not isinstance(item[1], CheckpointLine):
            raise AuditFileError(
                f"{path}: the header announces {header.checkpoints} checkpoints; "
                f"found {len(checkpoints)}"
            )
        checkpoints.append((item[0], item[1]))
    return header, second[1], checkpoints


def _walk_tree(lines: Iterator[tuple[int, Any]], tree: _Tree) -> None:
    for number, line in lines:
        if not isinstance(line, EventLine):
            raise AuditFileError(f"line {number}: only event lines follow the checkpoints")
        tree.add(line)


def summary_lines(report: AuditReport) -> list[str]:
    """The report for people, a line each."""
    verdict = "OK: the history is complete and untampered" if report.ok else "FAILED"
    out = [
        f"{verdict}",
        f"events {report.events}, aggregates {report.aggregates}, cards {report.cards}, "
        f"checkpoints {report.checkpoints} (the latest good one covers {report.covered})",
        f"first event {report.first_event_at or '-'}, last event {report.last_event_at or '-'}",
        f"event signatures: {report.signed_events} events signed, "
        f"{report.legacy_events} legacy (from before signing started, under a checkpoint)",
        f"{report.seconds:.2f} s, {report.events_per_second:,.0f} events/s"
        + (" (redacted export: holders' data not checked)" if report.redacted else ""),
    ]
    if report.first_bad_position is not None:
        out.append(f"first bad position: {report.first_bad_position}")
    out.extend(
        f"position {f.position if f.position is not None else '-'}: {f.code}: {f.message}"
        for f in report.findings[:50]
    )
    if len(report.findings) > 50:
        out.append(f"… and {len(report.findings) - 50} more")
    return out
