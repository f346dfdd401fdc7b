"""Entitlements (服务待遇): does this card grant this item to this person on this day."""

from __future__ import annotations

from datetime import date

from domain.errors import InvalidInput
from domain.policy.cards import card_refusal
from domain.policy.catalogue import find_item, listed
from domain.policy.dates import age_on, term_end
from domain.policy.model import (
    BeneficiaryRule,
    BeneficiaryToken,
    Policy,
    ServiceItem,
    UsageLimitRule,
)
from domain.policy.results import (
    Beneficiary,
    BeneficiaryKind,
    CardSnapshot,
    EntitlementDecision,
    Usage,
)
from domain.policy.versions import RuleScope

# Age of majority, 18 (民法典 art. 17): a 未成年子女 is a child under 18 on the day.
ADULT_AGE = 18

_TOKENS = {
    BeneficiaryKind.HOLDER: BeneficiaryToken.HOLDER,
    BeneficiaryKind.SPOUSE: BeneficiaryToken.SPOUSE,
    BeneficiaryKind.CHILD: BeneficiaryToken.MINOR_CHILD,
    BeneficiaryKind.PARENT: BeneficiaryToken.PARENT,
    BeneficiaryKind.SPOUSE_PARENT: BeneficiaryToken.SPOUSE_PARENT,
    BeneficiaryKind.COMPANION: BeneficiaryToken.COMPANION,
}


def decide_entitlement(
    card: CardSnapshot,
    item: str,
    beneficiary: Beneficiary,
    day: date,
    *,
    usage: Usage | None = None,
    policy: Policy | None = None,
) -> EntitlementDecision:
    """Whether ``card`` grants ``item`` (a code of the card's own scheme) to
    ``beneficiary`` on ``day``, given what was already used (``usage``, counted by the
    caller). Checks, in order: the card is active and within its dates; the tier covers
    the item; the person may use it (holder, family, one companion); the item's limits
    (uses per year, years from issue, months in all, age, care home). For another city's
    venue use ``honours`` (stacking). Raises ``InvalidInput`` for an unknown item code.
    """
    ctx = RuleScope(card.scheme, day, policy)
    used = usage or Usage()
    catalogue_item = find_item(ctx.data, item)

    def answer(
        granted: bool, reason: str, rules: tuple[str, ...], detail: str = ""
    ) -> EntitlementDecision:
        return EntitlementDecision(
            granted=granted,
            item=item,
            reason=reason,
            detail=detail,
            rules=rules,
            version=ctx.version.id,
        )

    refusal = card_refusal(card, day)
    if refusal is not None:
        return answer(False, refusal, ())
    coverage = [c for c in ctx.rules(ctx.data.coverage) if listed(c.items, item, catalogue_item)]
    granting = [c for c in coverage if card.tier in c.tiers]
    if not granting:
        return answer(
            False,
            f"tier {card.tier} does not include {item} ({catalogue_item.name_en})",
            tuple(c.id for c in coverage),
        )
    cover = granting[0]
    who = _beneficiary_rule(ctx.rules(ctx.data.beneficiaries), item, catalogue_item)
    not_allowed = _beneficiary_refusal(who, beneficiary, used, day)
    if not_allowed is not None:
        return answer(False, not_allowed, (cover.id, who.id))
    rules = [cover.id, who.id]
    details = [cover.detail] if cover.detail else []
    for limit in ctx.rules(ctx.data.limits):
        if not listed(limit.items, item, catalogue_item):
            continue
        rules.append(limit.id)
        exceeded = _limit_refusal(limit, card, beneficiary, used, day)
        if exceeded is not None:
            return answer(False, f"{exceeded} ({limit.id})", tuple(rules))
        if limit.amount_cny_per_month is not None:
            details.append(f"{limit.amount_cny_per_month} CNY for this month")
    return answer(
        True,
        f"{catalogue_item.name_en} granted to the {beneficiary.kind.value} on tier {card.tier}",
        tuple(rules),
        "; ".join(details),
    )


def _beneficiary_rule(
    rules: list[BeneficiaryRule], code: str, item: ServiceItem
) -> BeneficiaryRule:
    for rule in rules:
        if not rule.default and listed(rule.items, code, item):
            return rule
    for rule in rules:
        if rule.default:
            return rule
    raise InvalidInput(f"no beneficiary rule in force for {code}", code="no_beneficiary_rule")


def _beneficiary_refusal(
    rule: BeneficiaryRule, person: Beneficiary, used: Usage, day: date
) -> str | None:
    token = _TOKENS[person.kind]
    if token not in rule.allowed:
        allowed = ", ".join(t.value for t in rule.allowed)
        return f"this item is for: {allowed}; not for a {person.kind.value} ({rule.id})"
    if token is BeneficiaryToken.MINOR_CHILD:
        if person.date_of_birth is None:
            return "a child's date of birth is needed to judge minority"
        if age_on(person.date_of_birth, day) >= ADULT_AGE:
            return f"the child is {ADULT_AGE} or older on {day}, not a minor ({rule.id})"
    if token is BeneficiaryToken.COMPANION and used.companions_admitted >= rule.max_companions:
        return f"at most {rule.max_companions} companion(s) with the holder ({rule.id})"
    return None


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
