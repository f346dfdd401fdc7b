"""Quotas (名额): how many cards one investment project or enterprise may hold."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from domain.errors import InvalidInput
from domain.policy.model import Policy, QuotaRule
from domain.policy.results import QuotaDecision
from domain.policy.versions import RuleScope
from domain.vocabulary import Scheme


def quota_rule(
    scheme: Scheme, category: str, day: date, *, policy: Policy | None = None
) -> tuple[QuotaRule | None, str]:
    """The quota rule in force for a category on ``day`` (None: the category is not
    counted) and the policy version it belongs to: the one lookup both the quota's scope
    (``domain.quota.quota_scope``) and the decision below use."""
    ctx = RuleScope(scheme, day, policy)
    rules = [q for q in ctx.rules(ctx.data.quotas) if q.category == category]
    return (rules[0] if rules else None), ctx.version.id


def decide_quota(
    scheme: Scheme,
    category: str,
    existing: int,
    day: date,
    *,
    case_by_case_quota: int | None = None,
    attests: Collection[str] = (),
    policy: Policy | None = None,
) -> QuotaDecision:
    """Whether one more card of ``category`` fits, given ``existing`` live applications and
    cards for the same project or enterprise (counted by the caller).

    Weihai 2023: 3 per investment project (business_elite), 3 per enterprise
    (enterprise_talent). A recorded case-by-case decision (一事一议) of the talent office
    granting ``case_by_case_quota`` raises a project's quota to that number; it must
    raise it (``InvalidInput`` otherwise), applies only where the rule allows it, and must
    ``attests`` what the rule asks of the project (重大项目: ``major_project``).
    Categories without a quota rule are always allowed.
    """
    if existing < 0:
        raise InvalidInput("existing must not be negative", code="negative_count")
    rule, version = quota_rule(scheme, category, day, policy=policy)
    if rule is None:
        return QuotaDecision(
            allowed=True,
            limit=None,
            existing=existing,
            reason=f"no quota applies to {scheme} {category} on {day}",
            rules=(),
            version=version,
        )
    limit = rule.limit
    if case_by_case_quota is not None:
        refusal = _case_by_case_refusal(rule, attests)
        if refusal is not None:
            return QuotaDecision(
                allowed=False,
                limit=limit,
                existing=existing,
                reason=f"{rule.id} ({rule.source}) {refusal}; the quota stays {limit}",
                rules=(rule.id,),
                version=version,
            )
        if case_by_case_quota <= limit:
            raise InvalidInput(
                f"a case-by-case decision raises the quota above {limit},"
                f" not to {case_by_case_quota}",
                code="quota_not_raised",
                rule=rule.id,
            )
        limit = case_by_case_quota
    allowed = existing < limit
    per = f"per {rule.per}" + (" (raised case by case)" if limit != rule.limit else "")
    return QuotaDecision(
        allowed=allowed,
        limit=limit,
        existing=existing,
        reason=(
            f"{existing} of {limit} {per} used; one more fits"
            if allowed
            else f"quota full: {existing} of {limit} {per} already used ({rule.id}: {rule.source})"
        ),
        rules=(rule.id,),
        version=version,
    )


def _case_by_case_refusal(rule: QuotaRule, attests: Collection[str]) -> str | None:
    """Why the rule takes no case-by-case raise here (none allowed, or not attested), or
    None."""
    if not rule.case_by_case:
        return f"allows no case-by-case increase for a {rule.per}"
    if rule.case_by_case_for and rule.case_by_case_for not in attests:
        return (
            f"raises a quota case by case only where the decision attests {rule.case_by_case_for}"
        )
    return None
