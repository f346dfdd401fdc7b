"""How a card and its history read to people and machines (``card show``, the API)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.domain import DomainEventProtocol

from domain.card import Card
from domain.clock import SHANGHAI
from domain.history import decision_of
from domain.policy import StepTaken
from domain.values import (
    Amendment,
    AmendmentDecision,
    Application,
    Context,
    RevocationProposal,
    Term,
)

# What stays in the store and never reaches any reader, however authorised: the keyed ID
# digest and its salt (with the salt, a copy of the digest is a target for guessing the
# number), and the venue binding (sealed, or its salt). Staff match a person by last4.
SEALED_IDENTITY_FIELDS = ("digest", "salt", "binding_salt", "binding_sealed")


class EventView(msgspec.Struct, frozen=True, kw_only=True):
    """One event as recorded: what, when it took effect, who, and its payload."""

    version: int
    event: str
    effective_at: datetime
    recorded_at: datetime
    actor: str
    original_actor: str  # for an imported event, the user the source system named
    role: str
    note: str
    summary: str
    rules: list[str]
    policy_version: str
    details: dict[str, Any]


class FamilyView(msgspec.Struct, frozen=True, kw_only=True):
    """A family member as the card now names them: their number for the card's life (1
    the first filed), relation and name, and whether a change removed them or their data
    was erased (the name is then empty). ``sex`` and ``married`` (as of ``married_as_of``):
    as filed for the household-registration articles, empty where not filed (issue 27);
    shown, like the name, only to who may read the card."""

    member: int
    relation: str
    name: str
    removed: bool = False
    erased: bool = False
    sex: str = ""
    married: bool | None = None
    married_as_of: date | None = None


class CardView(msgspec.Struct, frozen=True, kw_only=True):
    """A card's current state (status as of ``as_of``) and, optionally, its history."""

    card_id: UUID
    version: int
    as_of: date
    scheme: str
    route: str
    category: str
    holder_name: str
    holder_id_last4: str
    sponsor: str
    status: str
    tier: str | None
    valid_from: date | None
    valid_until: date | None
    term_basis: str | None
    required_stages: list[str]
    approved_stages: list[str]
    next_stage: str | None
    admitted_by: list[str]
    policy_version: str
    history: list[EventView] = []
    # The family as it now stands, every member the card ever named (issue 26).
    family: list[FamilyView] = []
    # Which of the card's credentials is current (1 from issuance; a change that removed
    # or corrected someone named starts the next, the earlier ones then superseded).
    credential_generation: int = 1


def event_view(event: DomainEventProtocol[UUID]) -> EventView:
    """An event's common fields and its payload as plain data."""
    state = vars(event)
    ctx: Context = state["ctx"]
    rules, version = decision_of(event)
    details = {
        key: _readable(value)
        for key, value in state.items()
        if key
        not in ("ctx", "originator_id", "originator_version", "timestamp", "originator_topic")
    }
    return EventView(
        version=event.originator_version,
        event=type(event).__name__,
        effective_at=ctx.effective_at,
        recorded_at=ctx.recorded_at,
        actor=ctx.actor,
        original_actor=ctx.original_actor,
        role=str(ctx.role),
        note=ctx.note,
        summary=summarise(event),
        rules=list(rules),
        policy_version=version,
        details=details,
    )


def _readable(value: Any) -> Any:
    """A payload value as plain data, with the holder's sealed identity fields left out."""
    data = msgspec.to_builtins(value)
    # Whichever payload carries the holder (the filing, a change to the card's people).
    holder = data.get("holder") if isinstance(data, dict) else None
    if isinstance(holder, dict):
        for name in SEALED_IDENTITY_FIELDS:
            holder["identity"].pop(name, None)
    return data


class PublicCardView(msgspec.Struct, frozen=True, kw_only=True):
    """What anyone holding the card's QR code already sees (the credential shows no more):
    which card, its scheme and tier, and whether it is in force. No personal data."""

    card_id: UUID
    as_of: date
    scheme: str
    status: str
    tier: str | None
    valid_from: date | None
    valid_until: date | None


def public_card_view(card: Card, as_of: date) -> PublicCardView:
    """The card's public face as of a business date."""
    return PublicCardView(
        card_id=card.id,
        as_of=as_of,
        scheme=str(card.application.scheme),
        status=str(card.status_on(as_of)),
        tier=card.tier,
        valid_from=card.term.valid_from if card.term else None,
        valid_until=card.term.valid_until if card.term else None,
    )


def card_view(
    card: Card, as_of: date, events: list[DomainEventProtocol[UUID]] | None = None
) -> CardView:
    """The card as of a business date, with its history when events are given."""
    application = card.application
    return CardView(
        card_id=card.id,
        version=card.version,
        as_of=as_of,
        scheme=str(application.scheme),
        route=str(card.admission.route),
        category=application.basis.category,
        holder_name=card.holder.name,
        holder_id_last4=application.holder.identity.last4,
        sponsor=f"{application.sponsor.kind}: {application.sponsor.name}".rstrip(": "),
        status=str(card.status_on(as_of)),
        tier=card.tier,
        valid_from=card.term.valid_from if card.term else None,
        valid_until=card.term.valid_until if card.term else None,
        term_basis=card.term.basis if card.term else None,
        required_stages=[str(s) for s in card.required_stages],
        approved_stages=[str(s) for s in card.approved_stages],
        next_stage=str(card.next_stage) if card.next_stage else None,
        admitted_by=list(card.admission.rules),
        policy_version=card.admission.policy_version,
        history=[event_view(e) for e in events or []],
        family=[
            FamilyView(
                member=number,
                relation=str(m.relation),
                name="" if m.erased else m.name,
                removed=m.removed,
                erased=m.erased,
                sex="" if m.sex is None else str(m.sex),
                married=None if m.marital is None else m.marital.married,
                married_as_of=None if m.marital is None else m.marital.as_of,
            )
            for number, m in enumerate(card.holder.family, start=1)
        ],
        credential_generation=card.credential_generation,
    )


def summarise(event: DomainEventProtocol[UUID]) -> str:
    """A one-line reading of an event for the history table, chosen by the event's class;
    the rules and policy version that decided it (``domain.history``) close the line."""
    reading = _READINGS.get(type(event))
    text = reading(event) if reading is not None else ""
    rules, version = decision_of(event)
    if rules:
        text = (
            f"{text}; rules {', '.join(rules)} ({version})"
            if text
            else f"rules {', '.join(rules)} ({version})"
        )
    return text


def _applied(e: Any) -> str:
    application: Application = e.application
    admission = e.admission
    stages = ", ".join(admission.required_stages) or "none"
    return (
        f"{application.scheme} category {application.basis.category}; "
        f"holder {application.holder.name}; {admission.route}, tier {admission.tier}; "
        f"stages: {stages}"
    )


def _term(term: Term) -> str:
    return f"{term.valid_from}..{term.valid_until or 'no end date'} ({term.basis})"


def _taken(step: StepTaken) -> str:
    past = {"propose": "proposed", "approve": "approved", "decline": "declined"}
    return f"{past.get(step.action, step.action)} by {step.role} {step.actor}"


def _proposed(e: Any) -> str:
    p: RevocationProposal = e.proposal
    steps = " → ".join(f"{s.action} ({' or '.join(s.roles)})" for s in p.steps)
    return f"{_taken(p.proposed_by)}: {p.reason}; steps: {steps}"


def _change(change: Amendment | AmendmentDecision) -> str:
    # No names or dates of birth: what changed, for whom by number, from when.
    who = "the holder" if change.member == 0 else f"family member {change.member}"
    return f"{change.change} ({who}) from {change.takes_effect_on}"


def _amendment(e: Any) -> str:
    a: Amendment = e.amendment
    return f"{_change(a)}; evidence={','.join(a.evidence)}; {a.reason}"


def _amendment_decided(e: Any) -> str:
    d: AmendmentDecision = e.decision
    verdict = "approved" if d.approved else f"refused: {d.reason}"
    superseded = "; earlier credentials superseded" if d.supersedes else ""
    return f"{_change(d)} {verdict}{superseded}"


_READINGS: dict[type[Any], Callable[[Any], str]] = {
    Card.AmendmentRequested: _amendment,
    Card.AmendmentDecided: _amendment_decided,
    Card.FileReceived: lambda e: (
        f"received by {e.receipt.window} on {e.receipt.received_on}"
    ),
    Card.ContractConfirmed: lambda e: (
        f"contract confirmed on {e.confirmation.confirmed_on}"
    ),
    Card.DeadlineStarted: lambda e: (
        f"{e.deadline.clock} clock from {e.deadline.starts_on}: "
        f"due {e.deadline.due_on or '-'} ({e.deadline.reason})"
    ),
    Card.Applied: _applied,
    Card.UpgradeRequested: lambda e: (
        f"upgrade to category {e.request.category} (tier {e.request.tier}) requested; "
        f"stages: {', '.join(e.request.stages) or 'none'}"
    ),
    Card.UpgradeReviewed: lambda e: (
        f"upgrade request: {e.review.stage} {e.review.decision} by {e.review.reviewer}"
    ),
    Card.ReviewRecorded: lambda e: (
        f"stage={e.review.stage}; decision={e.review.decision}; reviewer={e.review.reviewer}"
    ),
    Card.Rejected: lambda e: (
        f"stage={e.rejection.stage}; reviewer={e.rejection.reviewer}"
    ),
    Card.Withdrawn: lambda e: "",
    Card.Issued: lambda e: (
        f"tier={e.issuance.tier}; {_term(e.issuance.term)}"
    ),
    Card.Upgraded: lambda e: f"tier={e.upgrade.tier}; {_term(e.upgrade.term)}",
    Card.Extended: lambda e: (
        f"{_term(e.extension.term)}; event_on={e.extension.event_on}; "
        f"evidence={','.join(e.extension.evidence)}"
    ),
    Card.Suspended: lambda e: f"reason={e.change.reason}; decision_ref={e.change.decision_ref}",
    Card.Reinstated: lambda e: f"reason={e.change.reason}; decision_ref={e.change.decision_ref}",
    Card.RevocationProposed: _proposed,
    Card.RevocationApproved: lambda e: (
        f"step {e.approval.step + 1}: {_taken(e.approval.approved_by)}"
    ),
    Card.RevocationDeclined: lambda e: (
        f"step {e.decline.step + 1}: {_taken(e.decline.declined_by)}: {e.decline.reason}"
    ),
    Card.Revoked: lambda e: (
        f"{e.revocation.reason}; {', '.join(_taken(t) for t in e.revocation.steps)}"
    ),
}


def local_time(instant: datetime) -> str:
    """An instant as Asia/Shanghai wall-clock time, to the second."""
    return instant.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
