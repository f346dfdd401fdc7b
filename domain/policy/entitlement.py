"""Entitlements (服务待遇): does this card grant this item to this person on this day, at a
venue of this city.

One function decides every case, the card's own city and another city's venue alike
(stacking, 叠加): first whether the card reaches the item at all (``reach.py``), then, with
the venue city's own data for the article, who may use it, its conditions and its limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from domain.errors import InvalidInput
from domain.policy.beneficiaries import (
    WITH_HOLDER_REQUIRES,
    beneficiary_refusal,
    beneficiary_rule,
)
from domain.policy.cards import card_refusal
from domain.policy.catalogue import find_item, listed, whole_item
from domain.policy.conditions import condition_outcome
from domain.policy.dates import age_on, term_end
from domain.policy.model import BeneficiaryRule, Policy, ServiceItem, UsageLimitRule
from domain.policy.reach import reach
from domain.policy.results import (
    Beneficiary,
    BeneficiaryKind,
    CardSnapshot,
    EntitlementDecision,
    Usage,
)
from domain.policy.versions import RuleScope
from domain.vocabulary import Scheme


def decide_entitlement(
    card: CardSnapshot,
    item: str,
    beneficiary: Beneficiary,
    day: date,
    *,
    venue: Scheme | None = None,
    usage: Usage | None = None,
    facts: Mapping[str, bool | str] | None = None,
    policy: Policy | None = None,
) -> EntitlementDecision:
    """Whether ``card`` grants ``item`` (a code of the ``venue`` city's catalogue; default
    the card's own scheme) to ``beneficiary`` on ``day``, given what was already used
    (``usage``, counted by the caller) and what the clerk or venue has seen (``facts``,
    the conditions' fact names).

    Checks, in order: the card is active and within its dates; the card reaches the item
    (its tier's coverage, a city's acceptance of the card, or stacking); the person may use
    it (holder, family as the article names them, companions, together with the holder);
    the article's conditions; its limits (uses per year and in all, years from issue,
    months, age, care home). An article with parts is decided part by part. Raises
    ``InvalidInput`` for an item code that is not the venue city's.
    """
    ctx = RuleScope(venue or card.scheme, day, policy)
    whole = whole_item(ctx.data, item)
    if whole is not None:
        return _by_parts(card, whole, beneficiary, day, ctx, usage, facts)
    catalogue_item = find_item(ctx.data, item)
    known = facts or {}
    used = usage or Usage()

    def answer(
        granted: bool,
        reason: str,
        rules: tuple[str, ...],
        detail: str = "",
        requires: tuple[str, ...] = (),
    ) -> EntitlementDecision:
        return EntitlementDecision(
            granted=granted,
            item=item,
            reason=reason,
            detail=detail,
            rules=rules,
            version=ctx.version.id,
            requires=requires,
            responsible=catalogue_item.responsible,
        )

    refusal = card_refusal(card, day)
    if refusal is not None:
        return answer(False, refusal, ())
    reached = reach(ctx, card, item, catalogue_item)
    if not reached.reached:
        return answer(False, reached.reason, reached.rules)
    rules = list(reached.rules)
    details = [reached.detail] if reached.detail else []
    who = beneficiary_rule(ctx.rules(ctx.data.beneficiaries), item, catalogue_item)
    rules.append(who.id)
    not_allowed = beneficiary_refusal(who, beneficiary, used, day)
    if not_allowed is not None:
        return answer(False, not_allowed, tuple(rules))
    requires = _holder_requirement(who, beneficiary)
    unmet = _conditions_refusal(ctx, item, catalogue_item, card, known, rules, requires)
    if unmet is not None:
        return answer(False, unmet, tuple(rules))
    exceeded = _limits_refusal(
        ctx, item, catalogue_item, card, beneficiary, used, day, known, rules, requires, details
    )
    if exceeded is not None:
        return answer(False, exceeded, tuple(rules))
    subject = " subject to what it requires" if requires else ""
    return answer(
        True,
        f"{catalogue_item.name_en} granted to the {beneficiary.kind.value}{subject}; "
        f"{reached.reason}",
        tuple(rules),
        "; ".join(details),
        tuple(requires),
    )


def _holder_requirement(who: BeneficiaryRule, beneficiary: Beneficiary) -> list[str]:
    """What the venue must still see where the article lets the family use the item only
    with the holder and nobody has said whether the holder is there."""
    alone_possible = beneficiary.kind is not BeneficiaryKind.HOLDER
    if who.with_holder and beneficiary.holder_present is None and alone_possible:
        return [WITH_HOLDER_REQUIRES]
    return []


def _conditions_refusal(
    ctx: RuleScope,
    item: str,
    catalogue_item: ServiceItem,
    card: CardSnapshot,
    known: Mapping[str, bool | str],
    rules: list[str],
    requires: list[str],
) -> str | None:
    """The item's article conditions, in the data's order: the first one not met, or
    None; each condition read is added to ``rules``, and one the venue has still to check
    to ``requires``."""
    for condition in ctx.rules(ctx.data.conditions):
        if not listed(condition.items, item, catalogue_item):
            continue
        rules.append(condition.id)
        outcome = condition_outcome(condition, card, known)
        if outcome is False:
            return f"not met: {condition.label} ({condition.id})"
        if outcome is None:
            requires.append(condition.label)
    return None


def _limits_refusal(
    ctx: RuleScope,
    item: str,
    catalogue_item: ServiceItem,
    card: CardSnapshot,
    beneficiary: Beneficiary,
    used: Usage,
    day: date,
    known: Mapping[str, bool | str],
    rules: list[str],
    requires: list[str],
    details: list[str],
) -> str | None:
    """The item's limits, in the data's order: the first one passed, or None; each limit
    read is added to ``rules``, what it still needs to ``requires`` and what it grants
    (an amount, a note) to ``details``."""
    for limit in ctx.rules(ctx.data.limits):
        if not listed(limit.items, item, catalogue_item):
            continue
        rules.append(limit.id)
        exceeded = _limit_refusal(limit, card, beneficiary, used, day)
        if exceeded is None and limit.within_years is not None:
            exceeded, pending = _window_refusal(limit, known, day)
            if pending:
                requires.append(pending)
        if exceeded is not None:
            return f"{exceeded} ({limit.id})"
        if limit.amount_cny_per_month is not None:
            details.append(f"{limit.amount_cny_per_month} CNY for this month")
        if limit.detail:
            details.append(limit.detail)
    return None


def _by_parts(
    card: CardSnapshot,
    item: ServiceItem,
    beneficiary: Beneficiary,
    day: date,
    ctx: RuleScope,
    usage: Usage | None,
    facts: Mapping[str, bool | str] | None,
) -> EntitlementDecision:
    """An article asked for whole: each part decided, granted only when every part is."""
    parts = tuple(
        decide_entitlement(
            card,
            part.code,
            beneficiary,
            day,
            venue=ctx.scheme,
            usage=usage,
            facts=facts,
            policy=ctx.policy,
        )
        for part in item.parts
    )
    granted = [p.item for p in parts if p.granted]
    refused = [p.item for p in parts if not p.granted]
    if not refused:
        reason = f"every part of {item.code} is granted: {', '.join(granted)}"
    elif not granted:
        reason = f"no part of {item.code} is granted: {', '.join(refused)} refused"
    else:
        reason = (
            f"{item.code} is granted in part: {', '.join(granted)} granted; "
            f"{', '.join(refused)} refused"
        )
    rules = tuple(dict.fromkeys(r for p in parts for r in p.rules))
    return EntitlementDecision(
        granted=not refused,
        item=item.code,
        reason=reason,
        detail="",
        rules=rules,
        version=ctx.version.id,
        responsible=item.responsible,
        parts=parts,
    )


def window_pending(limit: UsageLimitRule) -> str:
    """What the venue or clerk must see for a limit of years from a date they give."""
    return f"the date {limit.within_years_of} (within {limit.within_years} years of it)"


def _window_refusal(
    limit: UsageLimitRule, facts: Mapping[str, bool | str], day: date
) -> tuple[str | None, str]:
    """A limit of so many years from a date the clerk gives: the refusal past it, or what
    is still to be seen when the date is not given."""
    assert limit.within_years is not None
    given = facts.get(limit.within_years_of)
    what = window_pending(limit)
    if not isinstance(given, str):
        return None, what
    try:
        start = date.fromisoformat(given)
    except ValueError:
        raise InvalidInput(
            f"fact {limit.within_years_of} must be a date, YYYY-MM-DD", code="fact_not_a_date"
        ) from None
    last = term_end(start, limit.within_years)
    if day > last:
        return f"only within {limit.within_years} years of {start}, i.e. until {last}", ""
    return None, ""


def _limit_refusal(
    limit: UsageLimitRule, card: CardSnapshot, person: Beneficiary, used: Usage, day: date
) -> str | None:
    if limit.years_from_issue is not None:
        last = term_end(card.issued_on, limit.years_from_issue)
        if day > last:
            return f"only for {limit.years_from_issue} years from issue, i.e. until {last}"
    if limit.per_calendar_year is not None and used.uses_this_year >= limit.per_calendar_year:
        return (
            f"{limit.per_calendar_year} uses a calendar year; use {used.uses_this_year + 1}"
            f" in {day.year} is refused"
        )
    if limit.per_calendar_year is not None and limit.years_from_issue is not None:
        # So many a year over the first N years never adds up to more than N years' worth:
        # a card issued in July spans four calendar years in its first three.
        total = limit.per_calendar_year * limit.years_from_issue
        if used.uses_in_all >= total:
            return f"at most {total} uses in all; use {used.uses_in_all + 1} is refused"
    if limit.min_age is not None:
        if person.date_of_birth is None:
            return (
                f"the {person.kind.value}'s date of birth is needed (minimum age {limit.min_age})"
            )
        age = age_on(person.date_of_birth, day)
        if age < limit.min_age:
            return f"the {person.kind.value} is {age}, under {limit.min_age}"
    if limit.requires_city_care_home and not person.in_city_care_home:
        return f"the {person.kind.value} must live in a care home in the city"
    if limit.max_months is not None and used.months_used >= limit.max_months:
        return f"at most {limit.max_months} months; month {used.months_used + 1} is refused"
    return None
