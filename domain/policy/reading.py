"""The current reading (现行解读) of the rules, applied to every day: for ``policy recheck``.

A corrected rule (issue 27) is in force only from the day its correction was decided and
names, in ``replaces``, the earlier rules it corrects; those keep deciding the days before,
so past decisions replay under the version they were made under. To list the past
decisions the correction would have decided differently, this builds a policy in which
each corrected rule stands in for the rules it replaces over their whole span (their
version and first day), and the replaced rules are gone. Rules nobody replaced are left as
they are: a rule that started later for another reason (a later notice) still starts then.
"""

from __future__ import annotations

from typing import Any

import msgspec

from domain.policy.loader import RULE_KINDS
from domain.policy.model import Policy, Rule, SchemeData


def current_reading(policy: Policy) -> Policy:
    """``policy`` with every replacing rule read back over the days of the rules it
    replaces (``Rule.replaces``), and the replaced rules removed."""
    schemes = {scheme: _read_back(data) for scheme, data in policy.schemes.items()}
    return msgspec.structs.replace(policy, schemes=schemes)


def _read_back(data: SchemeData) -> SchemeData:
    changes: dict[str, Any] = {}
    # A single rule (tiers, term_combination) is replaced by editing it: nothing to read back.
    for field in RULE_KINDS:
        rules: tuple[Rule, ...] = getattr(data, field)
        if not any(r.replaces for r in rules):
            continue
        changes[field] = _reread(rules)
    return msgspec.structs.replace(data, **changes) if changes else data


def _reread(rules: tuple[Rule, ...]) -> tuple[Rule, ...]:
    """Each replacing rule takes the span and version of what it replaces (oldest first,
    so a chain of corrections reaches back to the first rule of the chain)."""
    by_id: dict[str, Rule] = {r.id: r for r in rules}
    replaced: set[str] = set()
    for rule in sorted(rules, key=lambda r: r.effective_from):
        if not rule.replaces:
            continue
        olds = [by_id[i] for i in rule.replaces if i in by_id]
        if not olds:
            continue
        first = min(olds, key=lambda r: r.effective_from)
        by_id[rule.id] = msgspec.structs.replace(
            rule, version=first.version, effective_from=first.effective_from
        )
        replaced.update(rule.replaces)
    return tuple(by_id[r.id] for r in rules if r.id not in replaced)
