"""Eligibility and route (申领条件与颁发方式): may this category be granted on these facts,
by which route, through which ordered review stages, at which tier."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import msgspec

from domain.errors import InvalidInput
from domain.policy.dates import age_on
from domain.policy.model import CategoryRule, Condition, PathRule, Policy
from domain.policy.results import EligibilityDecision
from domain.policy.versions import RuleScope
from domain.vocabulary import Scheme

Facts = Mapping[str, str | int | float | bool]


def decide_eligibility(
    scheme: Scheme,
    category: str,
    facts: Facts,
    day: date,
    *,
    date_of_birth: date | None = None,
    policy: Policy | None = None,
) -> EligibilityDecision:
    """Decide whether ``category`` of ``scheme`` is met by ``facts`` on ``day``.

    ``facts`` are the boolean and numeric facts the category's conditions name (see the
    scheme's data file); ``date_of_birth`` supplies the computed fact ``age`` where a
    condition needs it. An unknown category raises ``InvalidInput``; a category whose rule
    is not in force on ``day`` is ineligible. Raises ``NoPolicyInForce`` if no version
    covers ``day``.
    """
    ctx = RuleScope(scheme, day, policy)
    known = [c for c in ctx.data.categories if c.category == category]
    if not known:
        names = ", ".join(c.category for c in ctx.data.categories)
        raise InvalidInput(
            f"{category!r} is not a {scheme} category (categories: {names})",
            code="unknown_category",
        )
    in_force = ctx.rules(known)
    if not in_force:
        return _not_in_force(ctx, known[0], category, day)
    rule = in_force[0]
    path = _review_path(ctx, rule, facts, category, day)
    known_facts = _with_ages(rule, facts, day, date_of_birth)
    failed = _first_failure(rule, known_facts, day)
    exceptions = tuple(
        f"{c.label}: exception {facts[c.exception_ref]} by {c.exception_by}"
        for c in _conditions(rule)
        if c.soft
        and _is_ref(facts.get(c.exception_ref))
        and not _holds(msgspec.structs.replace(c, soft=False), known_facts, day)
    )
    return EligibilityDecision(
        scheme=scheme,
        category=category,
        eligible=failed is None,
        failed_condition=failed,
        route=rule.route,
        stages=path.stages,
        intake=path.intake,
        intake_before=path.intake_before,
        joint=path.joint,
        tier=rule.tier,
        reason=(
            f"meets {scheme} category {category}: {rule.summary}"
            if failed is None
            else f"does not meet {scheme} category {category}: {failed}"
        ),
        rules=(rule.id, path.id),
        version=ctx.version.id,
        exceptions=exceptions if failed is None else (),
    )


def _not_in_force(
    ctx: RuleScope, rule: CategoryRule, category: str, day: date
) -> EligibilityDecision:
    """The answer for a category whose rule is not in force on ``day``: ineligible."""
    return EligibilityDecision(
        scheme=ctx.scheme,
        category=category,
        eligible=False,
        failed_condition="category in force",
        route=None,
        stages=(),
        tier=None,
        reason=(
            f"category {category} ({rule.id}) is in force from {rule.effective_from}"
            + (f" to {rule.effective_until}" if rule.effective_until else "")
            + f", not on {day}"
        ),
        rules=(rule.id,),
        version=ctx.version.id,
    )


def _review_path(
    ctx: RuleScope, rule: CategoryRule, facts: Facts, category: str, day: date
) -> PathRule:
    """The review path the filing takes; refused naming the facts that choose one where
    the path depends on the filing, or saying none is in force."""
    path = _path(ctx.rules(ctx.data.paths), rule, facts)
    if path is not None:
        return path
    choices = sorted(
        {p.when for p in ctx.rules(ctx.data.paths) if p.route is rule.route and p.when}
    )
    if choices:
        raise InvalidInput(
            f"the {ctx.scheme} {rule.route} review path depends on the filing: give one of "
            f"the facts {', '.join(choices)} as true",
            code="path_fact_required",
            rule=rule.id,
        )
    raise InvalidInput(
        f"no review path for {ctx.scheme} {rule.route} category {category} is in force on {day}",
        code="route_not_available",
        rule=rule.id,
    )


def _with_ages(
    rule: CategoryRule, facts: Facts, day: date, date_of_birth: date | None
) -> dict[str, str | int | float | bool]:
    """The facts with the computed ages the rule's conditions read: ``age`` on ``day``,
    and ``age@FACT`` on the date another fact gives."""
    known_facts: dict[str, str | int | float | bool] = dict(facts)
    if date_of_birth is not None:
        known_facts["age"] = age_on(date_of_birth, day)
        for condition in _conditions(rule):
            if condition.age_on:
                on = _date_fact(facts, condition.age_on)
                if on is not None:
                    known_facts[f"age@{condition.age_on}"] = age_on(date_of_birth, on)
    return known_facts


def _path(paths: list[PathRule], rule: CategoryRule, facts: Facts) -> PathRule | None:
    """The path for the category's route: a rule naming the category beats a general one,
    and, as specific, a path whose ``when`` fact is true beats one without."""
    candidates = [
        p
        for p in paths
        if p.route is rule.route
        and (not p.categories or rule.category in p.categories)
        and (not p.when or _fact(facts, p.when) is True)
    ]
    ranked = sorted(candidates, key=lambda p: (rule.category not in p.categories, not p.when))
    return ranked[0] if ranked else None


def _fact(facts: Facts, name: str) -> str | int | float | bool | None:
    """A fact a condition reads. Conditions compare booleans and numbers only, so a text
    value ("true", "3") is refused by name rather than silently failing the condition."""
    value = facts.get(name)
    if isinstance(value, str):
        raise InvalidInput(
            f"fact {name} is the text {value!r}; give true/false or a number",
            code="fact_not_typed",
        )
    return value


def _conditions(rule: CategoryRule) -> list[Condition]:
    return [*rule.all_of, *(c for alt in rule.any_of for c in alt.all_of)]


def _date_fact(facts: Facts, name: str) -> date | None:
    """A date fact (YYYY-MM-DD), None when not given; a malformed one is refused by name."""
    value = facts.get(name)
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value)) if isinstance(value, str) else _bad_date(name)
    except ValueError:
        return _bad_date(name)


def _bad_date(name: str) -> date:
    raise InvalidInput(f"fact {name} must be a date, YYYY-MM-DD", code="fact_not_a_date")


def _first_failure(rule: CategoryRule, facts: Facts, day: date) -> str | None:
    """The label of the first condition that fails, or None when the category is met."""
    for condition in rule.all_of:
        if not _holds(condition, facts, day):
            return condition.label
    if not rule.any_of:
        return None
    if any(all(_holds(c, facts, day) for c in alt.all_of) for alt in rule.any_of):
        return None
    return "none of: " + "; ".join(alt.label for alt in rule.any_of)


def _is_ref(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _holds(condition: Condition, facts: Facts, day: date) -> bool:
    if condition.when and _fact(facts, condition.when) is not True:
        return True
    if condition.soft and _is_ref(facts.get(condition.exception_ref)):
        return True  # 一般: the recorded exception names its decision
    if condition.in_force_from:
        start = _date_fact(facts, condition.in_force_from)
        end = _date_fact(facts, condition.in_force_until) if condition.in_force_until else None
        return (
            _fact(facts, condition.fact) is True
            and start is not None
            and start <= day
            and (end is None or day <= end)
        )
    name = f"age@{condition.age_on}" if condition.fact == "age" and condition.age_on else ""
    value = facts.get(name) if name else _fact(facts, condition.fact)
    comparisons = (condition.at_least, condition.greater_than, condition.at_most)
    if all(c is None for c in comparisons):
        return value is True
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return (
        (condition.at_least is None or value >= condition.at_least)
        and (condition.greater_than is None or value > condition.greater_than)
        and (condition.at_most is None or value <= condition.at_most)
    )
