"""Who files (申请主体): the roles that may file an application of a category and the
kinds of sponsor it must name, as each seed says (Shandong 7.1; Weihai 2019 part 2(4),
2023 part 3; Liaocheng art. 32; Jinan art. 24(1))."""

from __future__ import annotations

from datetime import date

from domain.errors import InvalidInput, NotAuthorised
from domain.policy.model import FilerRule, Policy
from domain.policy.versions import RuleScope
from domain.vocabulary import Role, Scheme, SponsorKind


def check_filer(
    scheme: Scheme,
    category: str,
    role: Role,
    sponsor: SponsorKind,
    day: date,
    *,
    policy: Policy | None = None,
) -> str | None:
    """The id of the filer rule that lets ``role`` file ``category`` naming a ``sponsor``
    of that kind on ``day`` (None where the scheme has no filer rule in force). Raises
    ``NotAuthorised`` for a role the rule does not name and ``InvalidInput`` for a
    sponsor kind it does not take, each naming the rule."""
    ctx = RuleScope(scheme, day, policy)
    rule = _rule(ctx.rules(ctx.data.filers), category)
    if rule is None:
        return None
    if role not in rule.roles:
        who = ", ".join(r.value for r in rule.roles)
        raise NotAuthorised(
            f"a {scheme} {category} application is filed by {who}, not {role}",
            code="filer_not_authorised",
            rule=rule.id,
        )
    if sponsor not in rule.sponsors:
        kinds = ", ".join(k.value for k in rule.sponsors)
        raise InvalidInput(
            f"a {scheme} {category} application names a sponsor of kind {kinds}, not {sponsor}"
            " (sponsor.kind)",
            code="sponsor_not_accepted",
            rule=rule.id,
        )
    return rule.id


def _rule(rules: list[FilerRule], category: str) -> FilerRule | None:
    for rule in rules:
        if category in rule.categories:
            return rule
    for rule in rules:
        if not rule.categories:
            return rule
    return None


def filer_roles(
    scheme: Scheme, day: date, *, policy: Policy | None = None
) -> frozenset[Role] | None:
    """Every role some filer rule of ``scheme`` in force on ``day`` names (whichever
    category), or None where the scheme has no filer rule in force (any role files)."""
    ctx = RuleScope(scheme, day, policy)
    rules = ctx.rules(ctx.data.filers)
    if not rules:
        return None
    return frozenset(role for rule in rules for role in rule.roles)
