"""``talentcard policy recheck``: the past decisions a corrected reading would have decided
differently (issue 27), listed for a person to look at; nothing is changed.

A corrected rule is in force from the day it was decided, so every recorded decision stands
under the version it was made under (``audit verify`` checks exactly that). This replays
every card's history and decides each admission, issue, upgrade and extension again, on its
own day and inputs, by the *current reading* (``domain.policy.reading``): every correcting
rule read back over the days of the rule it replaced. Where the outcome differs from what
was recorded (eligibility, tier, route and stages; an issue's, upgrade's or extension's tier
and term), or the current reading would refuse the step, the decision is listed; a decision
whose outcome is the same under a rule of another id is not. The list names cards, steps,
days and decisions, never a person.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import UUID

import msgspec

from domain.card import Card
from domain.clock import business_date
from domain.errors import DomainError
from domain.policy import default_policy, using_policy
from domain.policy.reading import current_reading
from ledger.app import CardLedger
from services.audit.replay import readmission, recorded_decision, retrial, term_text

_DECIDED = (Card.Issued, Card.Upgraded, Card.Extended)


class RecheckFinding(msgspec.Struct, frozen=True, kw_only=True):
    """One recorded decision the current reading decides differently (or refuses)."""

    card_id: str
    scheme: str
    step: str  # Applied, Issued, Upgraded or Extended
    card_version: int
    effective_on: date
    recorded_under: str  # the policy version the decision was made under
    code: str  # decision_differs, or the code the current reading refuses with
    message: str


class RecheckReport(msgspec.Struct, frozen=True, kw_only=True):
    """What a recheck looked at and what it found."""

    cards: int
    decisions: int
    findings: tuple[RecheckFinding, ...]


class PolicyRecheck:
    """The recheck over one ledger (built by the composition root)."""

    def __init__(self, ledger: CardLedger) -> None:
        self._ledger = ledger

    def run(self, scheme: str | None = None) -> RecheckReport:
        """Every recorded decision decided again by the current reading."""
        return recheck(self._ledger, scheme=scheme)


def recheck(ledger: CardLedger, *, scheme: str | None = None) -> RecheckReport:
    """Decide every recorded decision again by the current reading (of ``scheme`` only, if
    given) and list the ones that come out differently."""
    reading = current_reading(default_policy())
    cards = decisions = 0
    findings: list[RecheckFinding] = []
    with using_policy(reading):
        for card_id in ledger.card_ids():
            events = ledger.history(card_id)
            applied: Any = events[0]
            if scheme is not None and str(applied.application.scheme) != scheme:
                continue
            cards += 1
            for found, counted in _card(card_id, events):
                decisions += counted
                if found is not None:
                    findings.append(found)
    return RecheckReport(cards=cards, decisions=decisions, findings=tuple(findings))


def _card(card_id: UUID, events: list[Any]) -> Iterator[tuple[RecheckFinding | None, int]]:
    card: Card | None = None
    scheme = str(events[0].application.scheme)
    for event in events:
        decided = isinstance(event, _DECIDED) and card is not None
        # An erased holder's data is gone, so the admission that read it is not re-decided.
        admitted = isinstance(event, Card.Applied) and not event.application.holder.erased
        if decided or admitted:
            try:
                found = _admission(event) if admitted else _retried(card, event)
            except DomainError as e:
                rule = f" (rule: {e.rule})" if e.rule else ""
                found = (e.code, f"the current reading refuses it: {e.message}{rule}")
            yield (_finding(card_id, scheme, event, *found) if found else None), 1
        card = event.mutate(card)


def _admission(event: Any) -> tuple[str, str] | None:
    """What differs in the admission's outcome (eligibility, tier, route, stages): a new
    reading names other rules by design, so the rule ids alone are no difference."""
    decision = readmission(event)
    admission = event.admission
    if not decision.eligible:
        return "not_eligible", f"the current reading refuses the admission: {decision.reason}"
    decided = (decision.tier, decision.route, decision.stages)
    recorded = (admission.tier, admission.route, admission.required_stages)
    if decided == recorded:
        return None
    return "decision_differs", (
        f"the admission recorded {_route(*recorded)}; the current reading decides "
        f"{_route(*decided)} (rules {', '.join(decision.rules)})"
    )


def _retried(card: Card | None, event: Any) -> tuple[str, str] | None:
    """What differs in an issue's, upgrade's or extension's outcome (tier and term)."""
    assert card is not None
    decided = retrial(card, event)
    recorded = recorded_decision(event)
    if decided is None or _outcome(decided) == _outcome(recorded):
        return None
    return "decision_differs", (
        f"{type(event).__name__}: recorded {term_text(recorded)}, "
        f"the current reading decides {term_text(decided)}"
    )


def _outcome(value: Any) -> tuple[object, ...]:
    term = value.term
    lapsed = (getattr(term, "lapsed_from", None), getattr(term, "lapsed_until", None))
    return (getattr(value, "tier", None), term.valid_from, term.valid_until, *lapsed)


def _route(tier: object, route: object, stages: tuple[object, ...]) -> str:
    through = ", ".join(str(s) for s in stages) or "no review"
    return f"tier {tier} by the {route} route ({through})"


def _finding(card_id: UUID, scheme: str, event: Any, code: str, message: str) -> RecheckFinding:
    recorded = event.admission if isinstance(event, Card.Applied) else recorded_decision(event)
    return RecheckFinding(
        card_id=str(card_id),
        scheme=scheme,
        step=type(event).__name__,
        card_version=event.originator_version,
        effective_on=business_date(event.ctx.effective_at),
        recorded_under=_version(recorded),
        code=code,
        message=message,
    )


def _version(recorded: Any) -> str:
    """The policy version a decision records: its own, or its term's (issue, extension)."""
    version = getattr(recorded, "policy_version", "")
    term = getattr(recorded, "term", None)
    return str(version or getattr(term, "policy_version", "") or "")
