"""A card's term (有效期) as recorded: the ``Term`` value made from what the policy engine
decided on issue, upgrade or extension, with the rules and policy version that decided it.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.errors import InvalidInput
from domain.policy import TermDecision
from domain.policy.results import UpgradeDecision
from domain.values import Term


def term_of(decision: TermDecision) -> Term:
    """A Term value from the engine's term decision."""
    return Term(
        valid_from=decision.valid_from,
        valid_until=decision.valid_until,
        basis=decision.basis,
        rules=decision.rules,
        policy_version=decision.version,
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
