"""Recognition (互认): another city's card as an eligibility basis (Weihai enterprise_talent
①). Which cards a venue honours is ``reach.py``, decided with the item by
``decide_entitlement``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from domain.errors import InvalidInput
from domain.policy.model import Policy
from domain.policy.results import CredentialEvidence, RecognitionDecision
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


FactValue = str | int | float | bool


def facts_from_credentials(
    scheme: Scheme,
    category: str,
    facts: Mapping[str, FactValue],
    evidence: Sequence[CredentialEvidence],
    day: date,
    *,
    policy: Policy | None = None,
) -> dict[str, FactValue]:
    """The filed facts with those a recognition rule reads from a verified credential
    (Weihai enterprise_talent ① from 2026-12-07: another city's card, shown by its
    credential): set from ``evidence``, what the registry read from it. Raises
    ``InvalidInput`` for such a fact typed, or evidence no rule in force reads."""
    ctx = RuleScope(scheme, day, policy)
    rules = [
        r for r in ctx.rules(ctx.data.recognitions) if r.category == category and r.from_credential
    ]
    if evidence and not rules:
        raise InvalidInput(
            f"no {scheme} {category} rule reads a card's credential on {day}",
            code="evidence_not_applicable",
        )
    found = dict(facts)
    for rule in rules:
        names = (rule.fact, rule.valid_from_fact, rule.valid_until_fact, *rule.refuses_facts)
        typed = next((n for n in names if n and n in facts), None)
        if typed is not None:
            raise InvalidInput(
                f"fact {typed}: the card is shown by its credential ({rule.id}), not typed: "
                "pass the credential instead",
                code="fact_needs_credential",
                rule=rule.id,
            )
        if any(e.scheme not in rule.card_schemes for e in evidence):
            schemes = ", ".join(rule.card_schemes)
            raise InvalidInput(
                f"the credential passed is not of a card {rule.id} recognises ({schemes})",
                code="evidence_not_applicable",
                rule=rule.id,
            )
        for card in evidence[:1]:
            found[rule.fact] = True
            if rule.valid_from_fact:
                found[rule.valid_from_fact] = card.valid_from.isoformat()
            if rule.valid_until_fact and card.valid_until is not None:
                found[rule.valid_until_fact] = card.valid_until.isoformat()
    return found
