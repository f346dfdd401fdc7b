"""Who issues a card (颁发) and who changes its grant (upgrade, extension): the scheme's
issuer rules (``[[issuers]]``), read as data on the day of the act. Each scheme names its
own issuing body (liaocheng-2022 art. 32, shandong standard 7.1, weihai-2019 part 2(2));
where an article names none, the rule rests on a recorded decision."""

from __future__ import annotations

from datetime import date

import msgspec

from domain.errors import NotAuthorised
from domain.policy.model import IssuerAction, Policy
from domain.policy.versions import RuleScope
from domain.vocabulary import Role, Scheme


class IssuerRoles(msgspec.Struct, frozen=True, kw_only=True):
    """The roles that take an action on a scheme's cards on a day, and the rules saying so."""

    roles: frozenset[Role]
    rules: tuple[str, ...]
    version: str


def issuer_roles(
    scheme: Scheme, action: IssuerAction, day: date, *, policy: Policy | None = None
) -> IssuerRoles:
    """The roles the ``scheme``'s issuer rules in force on ``day`` give ``action`` (none
    where no rule names the action)."""
    scope = RuleScope(scheme, day, policy)
    rules = [r for r in scope.rules(scope.data.issuers) if action in r.actions]
    return IssuerRoles(
        roles=frozenset(role for r in rules for role in r.roles),
        rules=tuple(r.id for r in rules),
        version=scope.version.id,
    )


def check_issuer(
    scheme: Scheme, action: IssuerAction, role: Role, day: date, *, policy: Policy | None = None
) -> IssuerRoles:
    """The issuer rules of ``action``, once ``role`` is found among their roles; refused
    (403) otherwise, naming who does take it."""
    found = issuer_roles(scheme, action, day, policy=policy)
    if role not in found.roles:
        who = ", ".join(sorted(found.roles)) or "no one"
        raise NotAuthorised(
            f"a {role} does not {action} {scheme} cards; the rules in force on {day} give "
            f"it to {who}",
            code="issuer_not_authorised",
            rule=", ".join(found.rules) or f"no {scheme} issuer rule names {action} on {day}",
        )
    return found
