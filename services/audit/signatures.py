"""Checking the event signatures (事件签名) over the log, leaf by leaf in tree order: what
``ledger checkpoint`` does before it signs and ``audit verify`` does offline.

Each signature record must vouch, by digest, for exactly the events stored since the
record before it in the log (its own save's events: one transaction, adjacent in the
log), and must sit where it says it does (its chain and sequence are its aggregate and
version). Records of one chain link by hash; the last record of each chain, and any
record whose successor does not link to it, must carry a valid signature by an event key
that the trust list names and that could sign at the record's time.

Found: an event no record vouches for (``event_unsigned``: inserted by someone without
the key, or with a notification id of their choosing); an event whose digest differs from
what its record says (``event_signature_mismatch``: changed after it was signed); a
record vouching for events that are not right before it, or stored under another chain
or version (``event_signature_moved``); a broken link (``signature_chain_broken``); a
signature that does not verify, by an unknown key, or by a key outside its window
(``event_signature_invalid``: every event that chain vouches for is then unproven).

Unsigned events before the recorded start of signing (domain.event_signature
.EventSigning) that the last checkpoint before it covered are counted as legacy instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.utils import get_topic

from domain.event_signature import ChainRecord, EventSigning
from ledger import event_record
from ledger.event_signer import RECORD_TOPICS
from ledger.leaves import LeafError, event_digest_of_leaf, leaf_head, read_leaf
from signing.trust import TrustedKey

_STARTED = get_topic(EventSigning.Started)


@dataclass(frozen=True, slots=True)
class SignatureFinding:
    """One event or record that the signatures do not prove."""

    position: int
    aggregate: UUID
    version: int
    code: str
    message: str


@dataclass(slots=True)
class SignatureReport:
    """What the walk found: events proven by a signature, legacy events, findings."""

    signed: int = 0
    legacy: int = 0
    findings: list[SignatureFinding] = field(default_factory=list)


@dataclass(slots=True)
class _Pending:
    position: int
    aggregate: UUID
    version: int
    topic: str
    digest: bytes


@dataclass(slots=True)
class _Record:
    position: int
    record: ChainRecord
    payload: bytes
    link: bytes
    vouched: list[_Pending] = field(default_factory=list)  # the events it was found to prove


@dataclass(slots=True)
class _Chain:
    last: _Record
    events: list[_Pending]  # every event the chain vouches for, to name if it fails
    unlinked: list[_Record] = field(default_factory=list)  # records no successor vouches for


class SignatureWalk:
    """Feed every leaf in tree order with :meth:`add`, then :meth:`finish`."""

    def __init__(self, keys: Mapping[bytes, TrustedKey]) -> None:
        self._keys = keys
        self._pending: dict[tuple[UUID, int], _Pending] = {}
        self._unsigned: list[_Pending] = []
        self._chains: dict[UUID, _Chain] = {}
        # Positions below this may be legacy: the events before signing started that the
        # last checkpoint then covered (None: no start recorded).
        self._legacy_below: int | None = None
        self._started_signed = False
        self.report = SignatureReport()

    def add(self, position: int, leaf: bytes) -> None:
        """One leaf, in tree order (``position`` is where it stands)."""
        try:
            head = leaf_head(leaf)
        except LeafError:
            return  # the tree and the replay report a leaf that cannot be read
        aggregate, version, topic = (
            UUID(bytes=head.originator_id),
            head.originator_version,
            head.topic,
        )
        if topic in RECORD_TOPICS:
            self._record(position, aggregate, version, leaf)
            return
        digest = event_digest_of_leaf(leaf, head)
        self._pending[(aggregate, version)] = _Pending(position, aggregate, version, topic, digest)
        if topic == _STARTED:
            public = read_leaf(leaf).public
            self._legacy_below = min(
                int(public.get("legacy_leaves", 0)), int(public.get("checkpointed", 0))
            )

    def finish(self) -> SignatureReport:
        """Check the chains' heads and classify what no record vouched for."""
        self._unsigned.extend(self._pending.values())
        self._pending = {}
        for chain in self._chains.values():
            for record in [*chain.unlinked, chain.last]:
                problem = self._signature_problem(record)
                if problem is not None:
                    self._fail_chain(chain, record, problem)
                    break
        # Legacy only before a start that a record vouches for: a log with no start at all
        # (never opened by a version that signs, or with its records taken out) proves
        # nothing, and says so.
        below = self._legacy_below if self._started_signed else None
        for event in self._unsigned:
            if below is not None and event.position < below:
                self.report.legacy += 1
            else:
                self._find(
                    event,
                    "event_unsigned",
                    "no event signature vouches for it: it was not written by the "
                    "registry's process (inserted into the table, or renumbered)",
                )
        self.report.findings.sort(key=lambda f: f.position)
        return self.report

    # ---- internals ----------------------------------------------------------------------

    def _record(self, position: int, aggregate: UUID, version: int, leaf: bytes) -> None:
        try:
            record = _parse(position, read_leaf(leaf).public)
        except (LeafError, KeyError, msgspec.ValidationError) as e:
            self._find_at(
                position,
                aggregate,
                version,
                "event_signature_moved",
                f"a signature record that cannot be read: {e}",
            )
            self._unsigned.extend(self._pending.values())
            self._pending = {}
            return
        chain, sequence = record.record.chain, record.record.sequence
        if (chain, sequence) != (aggregate, version):
            self._find_at(
                position,
                aggregate,
                version,
                "event_signature_moved",
                f"signature record {chain} #{sequence} is stored as "
                f"{aggregate} v{version}: it was copied or moved there",
            )
        for claim in record.record.events:
            event = self._pending.pop((claim.originator_id, claim.version), None)
            if event is None:
                self._find_at(
                    position,
                    claim.originator_id,
                    claim.version,
                    "event_signature_moved",
                    f"the signature record at position {position} vouches for "
                    f"{claim.originator_id} v{claim.version}, which is not among the events "
                    "saved with it",
                )
            elif (event.topic, event.digest) != (claim.topic, claim.digest):
                self._find(
                    event,
                    "event_signature_mismatch",
                    "its content is not what its event signature signed: it was changed "
                    "after it was written",
                )
            else:
                record.vouched.append(event)
                self.report.signed += 1
                if event.topic == _STARTED:
                    self._started_signed = True
        # Whatever was saved since the last record and is not vouched for here is unsigned.
        self._unsigned.extend(self._pending.values())
        self._pending = {}
        self._link(record, aggregate, version)

    def _link(self, record: _Record, aggregate: UUID, version: int) -> None:
        this = record.record
        chain = self._chains.get(this.chain)
        if chain is None:
            if this.sequence != 1 or this.previous:
                self._find_at(
                    record.position,
                    aggregate,
                    version,
                    "signature_chain_broken",
                    f"signature record #{this.sequence} of chain {this.chain} has no "
                    "record before it in the log",
                )
            self._chains[this.chain] = _Chain(last=record, events=list(record.vouched))
            return
        last = chain.last
        if this.sequence != last.record.sequence + 1 or this.previous != last.link:
            self._find_at(
                record.position,
                aggregate,
                version,
                "signature_chain_broken",
                f"signature record #{this.sequence} of chain {this.chain} does not "
                f"follow record #{last.record.sequence} (its link names another record)",
            )
            chain.unlinked.append(last)
        chain.last = record
        chain.events.extend(record.vouched)

    def _signature_problem(self, record: _Record) -> str | None:
        this = record.record
        key = self._keys.get(this.kid)
        if key is None:
            return f"its key {this.kid.hex()} is not an event key on the trust list"
        if not key.signed_within(int(this.signed_at.timestamp())):
            return f"its key {this.kid.hex()} could not sign at {this.signed_at.isoformat()}"
        if not event_record.verifies(record.payload, this.signature, key.public()):
            return "its signature does not verify"
        return None

    def _fail_chain(self, chain: _Chain, record: _Record, problem: str) -> None:
        self._find_at(
            record.position,
            record.record.chain,
            record.record.sequence,
            "event_signature_invalid",
            f"signature record #{record.record.sequence} of chain {record.record.chain}: {problem}",
        )
        for event in chain.events:
            self.report.signed -= 1
            self._find(
                event,
                "event_signature_invalid",
                f"vouched for only by chain {record.record.chain}, whose signature does not hold",
            )

    def _find(self, event: _Pending, code: str, message: str) -> None:
        self._find_at(event.position, event.aggregate, event.version, code, message)

    def _find_at(
        self, position: int, aggregate: UUID, version: int, code: str, message: str
    ) -> None:
        self.report.findings.append(SignatureFinding(position, aggregate, version, code, message))


def _parse(position: int, public: Mapping[str, Any]) -> _Record:
    """A record as its leaf holds it, typed again (which checks its shape)."""
    record = msgspec.convert(public["record"], ChainRecord, strict=False)
    data = event_record.payload(record)
    return _Record(position=position, record=record, payload=data, link=event_record.link(data))
