"""Recognition (互认): another city's card as an eligibility basis (Weihai enterprise_talent
①). Which cards a venue honours is ``reach.py``, decided with the item by
``decide_entitlement``."""

from __future__ import annotations

from datetime import date

from domain.policy.model import Policy
from domain.policy.results import RecognitionDecision
from domain.policy.versions import RuleScope
from domain.vocabulary import Scheme


def recognised_as_basis(
    scheme: Scheme,
    category: str,
    presented: Scheme,
    day: date,
    *,
    policy: Policy | None = None,
) -> RecognitionDecision:
    """Whether holding a card of ``presented`` counts towards ``category`` of ``scheme`` on
    ``day`` (Weihai enterprise_talent ①: another city's city-level card). When it does,
    ``reason`` names the eligibility fact to set."""
    ctx = RuleScope(scheme, day, policy)
    for rule in ctx.rules(ctx.data.recognitions):
        if rule.category == category and presented in rule.card_schemes:
            return RecognitionDecision(
                honoured=True,
                reason=f"a {presented} card counts for {scheme} {category} (fact {rule.fact})",
                rules=(rule.id,),
                version=ctx.version.id,
            )
    return RecognitionDecision(
        honoured=False,
        reason=f"a {presented} card is no basis for {scheme} {category} on {day}",
        rules=tuple(r.id for r in ctx.rules(ctx.data.recognitions) if r.category == category),
        version=ctx.version.id,
    )
