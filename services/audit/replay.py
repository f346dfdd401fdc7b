"""The second pass of ``audit verify`` (services.audit.verify), on the other cores: every
aggregate's events rebuilt from their leaves and applied through the domain model; every
decision the rules made (admission, term on issue, upgrade and extension) decided again
from the inputs the event recorded and compared with what it recorded, so a doctored
tier or term is caught even where it was written before any checkpoint.

Each worker reads the whole export and keeps the aggregates whose ids fall to it, so
every aggregate's events are replayed in order by one process.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import typing
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.domain import Aggregate
from eventsourcing.utils import resolve_topic

from domain import policy
from domain.card import Card
from domain.clock import business_date
from domain.errors import DomainError
from domain.policy.results import EligibilityDecision
from ledger.event_signer import RECORD_TOPICS
from ledger.leaves import (
    LEAF_TAG,
    LeafError,
    encode_personal,
    join_personal,
    personal_digest,
    read_leaf,
    read_personal,
)
from ledger.sealing import SealingError, open_holder
from ledger.transcoder import TRUSTED_MODULE_PREFIXES
from services.audit.file_format import EventLine
from services.audit.reading import export_lines
from services.audit.report import Finding

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
_DECIDED = (Card.Issued, Card.Upgraded, Card.Extended)


class ReplayShare(msgspec.Struct, kw_only=True):
    """What one replay worker found."""

    findings: list[Finding]
    aggregates: int
    cards: int
    first: str | None
    last: str | None
    erased: list[int] = []  # positions whose people were erased


def _mine(leaf: bytes, worker: int, workers: int) -> bool:
    oid = leaf[_OID_AT : _OID_AT + 16]
    return (
        len(oid) == 16
        and int.from_bytes(hashlib.blake2b(oid, digest_size=2).digest()) % workers == worker
    )


def replay_share(path: str, worker: int, workers: int, redacted: bool) -> ReplayShare:
    """Replay the aggregates whose ids fall to ``worker`` of ``workers``."""
    streams: dict[UUID, list[tuple[int, Any, Any]]] = {}
    findings: list[Finding] = []
    erased: list[int] = []
    first: datetime | None = None
    last: datetime | None = None
    for _, line in export_lines(Path(path)):
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
        personal = _personal(line, content, findings, erased)
        stamp = content.public.get("timestamp")
        if isinstance(stamp, datetime):
            first = stamp if first is None or stamp < first else first
            last = stamp if last is None or stamp > last else last
        streams.setdefault(content.originator_id, []).append((line.position, content, personal))
    cards = 0
    for oid, events in streams.items():
        # An aggregate whose people were erased is replayed as a redacted one is: its
        # decisions that read them are not re-decidable (reported, not failed).
        blind = redacted or any(p is None and c.personal_digest is not None for _, c, p in events)
        is_card = _replay(oid, events, findings, redacted=blind)
        cards += is_card
    return ReplayShare(
        findings=findings,
        aggregates=len(streams),
        cards=cards,
        first=first.isoformat() if first else None,
        last=last.isoformat() if last else None,
        erased=erased,
    )


def _personal(line: EventLine, content: Any, findings: list[Finding], erased: list[int]) -> Any:
    """The holder's data a full export's line carries, if its leaf commits to it (else a
    finding); None in a redacted export, and for an event whose people were erased (its
    position is added to ``erased``: not a failure, but nothing to re-decide with)."""
    if line.sealed is not None:
        holder = _opened(line, content, findings, erased)
        if holder is None:
            return None
        personal = encode_personal([holder])
    elif line.personal is None:
        return None
    else:
        personal = line.personal
    if line.salt is None or content.personal_digest != personal_digest(line.salt, personal):
        findings.append(_changed(line, content, "does not match the digest its leaf commits to"))
        return None
    return read_personal(personal)


def _changed(line: EventLine, content: Any, why: str) -> Finding:
    return Finding(
        position=line.position,
        aggregate=str(content.originator_id),
        code="personal_changed",
        message=f"the personal data at position {line.position} {why}",
    )


def _opened(
    line: EventLine, content: Any, findings: list[Finding], erased: list[int]
) -> dict[str, Any] | None:
    """A sealed holder opened with the data keys the export carries (ledger.sealing);
    None when it does not open (a finding) or names an erased person."""
    assert line.sealed is not None
    keys: dict[UUID, bytes] = {}
    for hex_id, key in (line.keys or {}).items():
        try:
            keys[UUID(hex_id)] = key
        except ValueError:
            continue
    try:
        envelope = msgspec.msgpack.decode(line.sealed)
        holder, gone = open_holder(
            envelope, content.originator_id, content.originator_version, keys
        )
    except (SealingError, msgspec.DecodeError) as e:
        findings.append(_changed(line, content, f"is sealed and does not open: {e}"))
        return None
    if gone:
        erased.append(line.position)
        return None
    return holder


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
            if isinstance(aggregate, Card) and isinstance(event, _DECIDED):
                redecide(aggregate, event, fail)
            elif aggregate is None and type(event).__name__ == "Applied" and not redacted:
                readmit(event, fail)
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


def readmission(event: Any) -> EligibilityDecision:
    """The filing's eligibility decided again from what it recorded."""
    application = event.application
    return policy.decide_eligibility(
        application.scheme,
        application.basis.category,
        application.basis.facts,
        business_date(event.ctx.effective_at),
        date_of_birth=application.holder.date_of_birth,
    )


def readmit(event: Any, fail: Callable[[str, str], None]) -> None:
    """Decide the filing's eligibility again from what it recorded."""
    admission = event.admission
    decision = readmission(event)
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


def retrial(card: Card, event: object) -> object:
    """Run the recorded command again on a copy of the card as it stood, with the inputs
    the event recorded: what the rules decide (an issuance, upgrade or extension), or None
    for an event that decides nothing. A refusal raises the command's ``DomainError``."""
    # A shallow copy is enough: issue, upgrade and extend only rebind the card's
    # attributes, never change a list or dict in place, and the copy gets pending
    # events of its own.
    trial = copy.copy(card)
    trial.__dict__["_pending_events"] = []
    match event:
        case Card.Issued(ctx=ctx, issuance=issuance):
            trial.issue(
                ctx,
                valid_from=issuance.valid_from_asked,
                bases=issuance.bases,
                credentials=issuance.credentials,
            )
        case Card.Upgraded(ctx=ctx, upgrade=upgrade):
            trial.upgrade(ctx, upgrade.tier, upgrade.facts)
        case Card.Extended(ctx=ctx, extension=extension):
            trial.extend(
                ctx,
                event_on=extension.event_on,
                evidence=extension.evidence,
                shows=extension.shows,
            )
        case _:
            return None
    return recorded_decision(trial.collect_events()[-1])


def redecide(card: Card, event: object, fail: Callable[[str, str], None]) -> None:
    """Run the recorded command again on a copy of the card as it stood, with the inputs
    the event recorded, and compare what the rules decide with what was recorded."""
    decided = retrial(card, event)
    if decided is None:
        return
    recorded = recorded_decision(event)
    if decided != recorded:
        fail(
            "decision_differs",
            f"{type(event).__name__}: recorded {term_text(recorded)}, "
            f"the rules decide {term_text(decided)}",
        )


def recorded_decision(event: object) -> object:
    """What an issue, upgrade or extension event records as decided (None: another)."""
    match event:
        case (
            Card.Issued(issuance=decided)
            | Card.Upgraded(upgrade=decided)
            | Card.Extended(extension=decided)
        ):
            return decided
    return None


def term_text(value: Any) -> str:
    """A decided tier and term in words, with the rules that decided it."""
    term = value.term
    tier = getattr(value, "tier", None)
    until = term.valid_until.isoformat() if term.valid_until else "no end"
    head = f"tier {tier}, " if tier else ""
    return f"{head}{term.valid_from.isoformat()} to {until} ({', '.join(term.rules)})"
