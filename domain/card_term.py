"""A card's term (有效期) as recorded: the ``Term`` value made from what the policy engine
decides on issue, upgrade or extension, with the rules and policy version that decided it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from domain import policy
from domain.errors import IllegalTransition, InvalidInput
from domain.policy import CredentialEvidence, TermBasis, TermDecision
from domain.policy.results import UpgradeDecision
from domain.values import Application, Extension, Term


def term_of(decision: TermDecision) -> Term:
    """A Term value from the engine's term decision."""
    return Term(
        valid_from=decision.valid_from,
        valid_until=decision.valid_until,
        basis=decision.basis,
        rules=decision.rules,
        policy_version=decision.version,
        lapsed_from=decision.lapsed_from,
        lapsed_until=decision.lapsed_until,
    )


def upgraded_term(decision: UpgradeDecision) -> Term:
    """The term an allowed upgrade sets (its basis is the decision's reason)."""
    assert decision.valid_from is not None  # an allowed upgrade has a start
    return Term(
        valid_from=decision.valid_from,
        valid_until=decision.valid_until,
        basis=decision.reason,
        rules=decision.rules,
        policy_version=decision.version,
    )


def evidence_refs(evidence: Sequence[str]) -> tuple[str, ...]:
    """The evidence references an extension rests on, trimmed; refused when none is left."""
    refs = tuple(e.strip() for e in evidence if e.strip())
    if not refs:
        raise InvalidInput("an extension needs at least one evidence reference")
    return refs


def shown(shows: Sequence[str]) -> tuple[str, ...]:
    """What the evidence shows, trimmed, in the order given (for the engine)."""
    return tuple(x.strip() for x in shows if x.strip())


def issued_term(
    application: Application,
    today: date,
    valid_from: date | None,
    bases: Sequence[TermBasis],
    credentials: Sequence[CredentialEvidence] = (),
) -> Term:
    """The term a card issued ``today`` gets from the bases and the facts read from
    verified credentials (default: the scheme's standard term), starting on
    ``valid_from`` (default: the issue date, never before)."""
    start = valid_from or today
    if start < today:
        raise InvalidInput(f"valid_from {start} is before the issue date {today}")
    category = application.basis.category
    facts = application.basis.facts
    return term_of(
        policy.decide_term(
            application.scheme, category, start, bases, facts=facts, credentials=credentials
        )
    )


def extension_of(
    application: Application,
    term: Term,
    today: date,
    *,
    event_on: date,
    evidence: Sequence[str],
    shows: Sequence[str],
) -> Extension:
    """The extension of ``term`` when the scheme's trigger happened on ``event_on``, with
    the evidence references and what they show: refused without evidence, for an event
    after ``today``, or for a term with no end date."""
    refs = evidence_refs(evidence)
    if event_on > today:
        raise InvalidInput(f"event_on {event_on} is after today ({today}): not yet evidence")
    if term.valid_until is None:
        raise IllegalTransition("the card has no end date to extend", code="term_not_longer")
    decision = policy.extension_term(
        application.scheme,
        application.basis.category,
        term.valid_from,
        term.valid_until,
        event_on,
        shows=shown(shows),
        decided_on=today,
    )
    return Extension(
        term=term_of(decision),
        event_on=event_on,
        evidence=refs,
        previous_term=term,
        shows=tuple(sorted(set(shown(shows)))),
    )
