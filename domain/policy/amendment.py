"""Who reports a change to a card's people after issuance and who decides it (信息变更):
the scheme's amendment rule (Liaocheng art. 33; elsewhere a recorded decision, the sources
being silent), read as data."""

from __future__ import annotations

from datetime import date

import msgspec

from domain.errors import NotAuthorised
from domain.policy.filing import filer_roles
from domain.policy.model import Policy
from domain.policy.versions import RuleScope
from domain.vocabulary import Role, Scheme


class AmendmentRoles(msgspec.Struct, frozen=True, kw_only=True):
    """The roles that file and decide an amendment on a day, and the rule that says so."""

    filers: frozenset[Role] | None  # None: any role may file (no filer rule in force)
    deciders: frozenset[Role]
    rule: str
    version: str


def amendment_roles(scheme: Scheme, day: date, *, policy: Policy | None = None) -> AmendmentRoles:
    """The scheme's amendment rule in force on ``day``; refused where it has none."""
    scope = RuleScope(scheme, day, policy)
    rules = scope.rules(scope.data.amendments)
    if not rules:
        raise NotAuthorised(
            f"the {scheme} rules in force on {day} name no one who amends a card",
            code="amendment_not_available",
        )
    rule = rules[0]
    filers = frozenset(rule.filers) if rule.filers else filer_roles(scheme, day, policy=policy)
    return AmendmentRoles(
        filers=filers, deciders=frozenset(rule.deciders), rule=rule.id, version=scope.version.id
    )


def check_amendment_filer(scheme: Scheme, role: Role, day: date) -> AmendmentRoles:
    """The amendment rule, once ``role`` is found among its filers."""
    roles = amendment_roles(scheme, day)
    if roles.filers is not None and role not in roles.filers:
        who = ", ".join(sorted(roles.filers))
        raise NotAuthorised(
            f"a change to a {scheme} card's people is filed by {who}, not {role}",
            code="amendment_filer_not_authorised",
            rule=roles.rule,
        )
    return roles


def check_amendment_decider(scheme: Scheme, role: Role, day: date) -> AmendmentRoles:
    """The amendment rule, once ``role`` is found among its deciders."""
    roles = amendment_roles(scheme, day)
    if role not in roles.deciders:
        who = ", ".join(sorted(roles.deciders))
        raise NotAuthorised(
            f"a change to a {scheme} card's people is decided by {who}, not {role}",
            code="amendment_decider_not_authorised",
            rule=roles.rule,
        )
    return roles
