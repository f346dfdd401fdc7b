"""How a card and its history read to people and machines (``card show``, the API)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.domain import DomainEventProtocol

from domain.card import Card
from domain.clock import SHANGHAI
from domain.values import Application, Context

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
    role: str
    note: str
    details: dict[str, Any]


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


def event_view(event: DomainEventProtocol[UUID]) -> EventView:
    """An event's common fields and its payload as plain data."""
    state = vars(event)
    ctx: Context = state["ctx"]
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
        role=str(ctx.role),
        note=ctx.note,
        details=details,
    )


def _readable(value: Any) -> Any:
    """A payload value as plain data, with the holder's sealed identity fields left out."""
    data = msgspec.to_builtins(value)
    if isinstance(value, Application):
        identity = data["holder"]["identity"]
        for name in SEALED_IDENTITY_FIELDS:
            identity.pop(name, None)
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
        holder_name=application.holder.name,
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
    )


def summarise(details: dict[str, Any]) -> str:
    """A one-line reading of an event's payload for the history table."""
    parts: list[str] = []
    for value in details.values():
        if not isinstance(value, dict):
            continue
        if "holder" in value:  # the application
            parts.append(f"{value['scheme']} category {value['basis']['category']}")
            parts.append(f"holder {value['holder']['name']}")
            continue
        if "required_stages" in value:  # the admission decision
            parts.append(f"{value['route']}, tier {value['tier']}")
            parts.append("stages: " + (", ".join(value["required_stages"]) or "none"))
            parts.append(f"rules {', '.join(value['rules'])} ({value['policy_version']})")
            continue
        revocation = _revocation_step(value)
        if revocation:
            parts.append(revocation)
            continue
        for key, item in value.items():
            if key == "term" and isinstance(item, dict):
                until = item["valid_until"] or "no end date"
                parts.append(f"{item['valid_from']}..{until} ({item['basis']})")
            elif item not in ("", [], (), None) and key not in ("rules", "policy_version"):
                parts.append(f"{key}={_short(item)}")
    return "; ".join(parts)


def _revocation_step(value: dict[str, Any]) -> str:
    """A revocation step's reading: who took which step in which role, and (for the
    proposal) the steps it must take; empty for any other payload."""
    rules = f" (rules {', '.join(value.get('rules') or [])}, {value.get('policy_version')})"
    if "proposed_by" in value:
        steps = " → ".join(f"{s['action']} ({' or '.join(s['roles'])})" for s in value["steps"])
        return f"{_taken(value['proposed_by'])}: {value['reason']}; steps: {steps}{rules}"
    if "approved_by" in value:
        return f"step {value['step'] + 1}: {_taken(value['approved_by'])}{rules}"
    if "declined_by" in value:
        return f"step {value['step'] + 1}: {_taken(value['declined_by'])}: {value['reason']}"
    if "steps" in value and "reason" in value:  # the revocation itself
        taken = ", ".join(_taken(t) for t in value["steps"])
        return f"{value['reason']}; {taken}{rules}"
    return ""


def _taken(step: dict[str, Any]) -> str:
    past = {"propose": "proposed", "approve": "approved", "decline": "declined"}
    return f"{past.get(step['action'], step['action'])} by {step['role']} {step['actor']}"


def _short(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def local_time(instant: datetime) -> str:
    """An instant as Asia/Shanghai wall-clock time, to the second."""
    return instant.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
