"""A card's upgrade (升级): the higher tier the scheme's ranking allows, and where the
scheme upgrades by category (Liaocheng art. 32) the request (升级申请) that names the
higher category, filed as that category would be and reviewed on its own route first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from domain import policy
from domain.card_term import upgraded_term
from domain.errors import IllegalTransition, InvalidInput, ReviewIncomplete
from domain.policy import CardSnapshot
from domain.values import Application, Context, Term, Upgrade, UpgradeRequest
from domain.vocabulary import ReviewStage, Scheme

Facts = Mapping[str, str | int | float | bool]


def check_higher_tier(scheme: Scheme, tier: str, current: str) -> None:
    """Refuse a scheme without tiers, a tier it does not have, or one not above ``current``."""
    ranking = policy.tier_ranking(scheme)
    if not ranking.ranked:
        raise IllegalTransition(
            f"{scheme} cards have no tiers to upgrade between",
            code="upgrade_not_supported",
            rule=ranking.rule,
        )
    if tier not in ranking.tiers:
        raise InvalidInput(
            f"tier {tier!r} is not a {scheme} tier ({', '.join(ranking.tiers)})",
            rule=ranking.rule,
        )
    if not policy.is_higher_tier(scheme, tier, current):
        raise IllegalTransition(
            f"tier {tier} is not higher than the current tier {current}",
            code="tier_not_higher",
            rule=ranking.rule,
        )


def request_of(
    snapshot: CardSnapshot,
    application: Application,
    ctx: Context,
    day: date,
    category: str,
    facts: Facts,
    *,
    date_of_birth: date,
) -> UpgradeRequest:
    """The request for ``category``: its route and tier as the engine decides them on
    ``day`` for a holder born on ``date_of_birth`` (the card's holder that day, after any
    correction), refused when the card may not move to it or the acting role may not file
    it."""
    decision = policy.upgrade_route(snapshot, category, facts, day, date_of_birth=date_of_birth)
    scheme = application.scheme
    filer = policy.check_filer(scheme, category, ctx.role, application.sponsor.kind, day)
    assert decision.tier is not None  # upgrade_route refuses an ineligible category
    return UpgradeRequest(
        category=category,
        tier=decision.tier,
        facts=dict(facts),
        stages=decision.stages,
        rules=(*decision.rules, *([filer] if filer else [])),
        policy_version=decision.version,
    )


def passed_request(
    scheme: Scheme, request: UpgradeRequest | None, approved: Sequence[ReviewStage], tier: str
) -> UpgradeRequest:
    """The open request for ``tier`` once every one of its stages has approved."""
    if request is None:
        raise IllegalTransition(
            f"a {scheme} upgrade is requested first, naming the higher "
            "category (card upgrade-request), and passes its route",
            code="upgrade_not_requested",
        )
    if tier != request.tier:
        raise IllegalTransition(
            f"the request is for tier {request.tier} (category {request.category}), not {tier}",
            code="upgrade_tier_mismatch",
        )
    waiting = request.stages[len(approved) :]
    if waiting:
        raise ReviewIncomplete(
            f"the upgrade request still waits for {', '.join(waiting)}",
            rule=", ".join(request.rules),
        )
    return request


def upgrade_of(
    snapshot: CardSnapshot,
    previous_term: Term | None,
    tier: str,
    day: date,
    *,
    facts: dict[str, str | int | float | bool],
    category: str,
) -> Upgrade:
    """The move to ``tier`` on ``day`` with the term the engine decides afterwards, on the
    facts given (or the passed request's); refused as the engine refuses it."""
    decision = policy.decide_upgrade(snapshot, tier, day, facts=facts)
    if not decision.allowed or decision.valid_from is None:
        raise IllegalTransition(
            decision.reason, code="upgrade_refused", rule=", ".join(decision.rules)
        )
    return Upgrade(
        tier=tier,
        term=upgraded_term(decision),
        from_tier=snapshot.tier,
        previous_term=previous_term,
        facts=facts,
        category=category,
    )


def upgrade_basis(
    scheme: Scheme,
    day: date,
    request: UpgradeRequest | None,
    approved: Sequence[ReviewStage],
    tier: str,
    facts: Facts | None,
) -> tuple[dict[str, str | int | float | bool], str]:
    """``(facts, category)`` an upgrade to ``tier`` rests on: the facts given, or where the
    scheme upgrades by category the passed request's facts and category."""
    if policy.upgrades_by_category(scheme, day):
        passed = passed_request(scheme, request, approved, tier)
        return dict(passed.facts), passed.category
    return dict(facts or {}), ""
