"""Policy versions (政策版本) and which rules are in force on a day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, TypeVar

from domain.policy.errors import NoPolicyInForce
from domain.policy.loader import default_policy
from domain.policy.model import Policy, PolicyVersion, Rule, SchemeData
from domain.vocabulary import Scheme

R = TypeVar("R", bound=Rule)


def policy_versions(scheme: Scheme, *, policy: Policy | None = None) -> tuple[PolicyVersion, ...]:
    """Every policy version of a scheme, oldest first."""
    return (policy or default_policy()).scheme(scheme).versions


def version_in_force(scheme: Scheme, day: date, *, policy: Policy | None = None) -> PolicyVersion:
    """The policy version of ``scheme`` in force on ``day``; raises ``NoPolicyInForce``."""
    data = (policy or default_policy()).scheme(scheme)
    for version in data.versions:
        if covers(version.effective_from, version.effective_until, day):
            return version
    spans = ", ".join(
        f"{v.id} {v.effective_from}..{v.effective_until or 'open'}" for v in data.versions
    )
    raise NoPolicyInForce(f"no {scheme} policy version is in force on {day} (versions: {spans})")


def covers(start: date, end: date | None, day: date) -> bool:
    """Whether the inclusive span ``start..end`` (end None = open) contains ``day``."""
    return start <= day and (end is None or day <= end)


_LINEAGE: dict[tuple[int, str], tuple[SchemeData, frozenset[str]]] = {}


def lineage(data: SchemeData, version: PolicyVersion) -> frozenset[str]:
    """The version's id and the ids of every version it continues, transitively.
    Remembered per (scheme data, version): an audit replay decides again on thousands of
    distinct days, which the per-day cache of :class:`RuleScope` never hits."""
    key = (id(data), version.id)
    hit = _LINEAGE.get(key)
    if hit is not None and hit[0] is data:  # the same data, not a reused id
        return hit[1]
    ids = _lineage(data, version)
    if len(_LINEAGE) >= _IN_FORCE_LIMIT:
        _LINEAGE.clear()
    _LINEAGE[key] = (data, ids)
    return ids


def _lineage(data: SchemeData, version: PolicyVersion) -> frozenset[str]:
    by_id = {v.id: v for v in data.versions}
    ids = {version.id}
    current = version
    while current.continues is not None:
        current = by_id[current.continues]
        ids.add(current.id)
    return frozenset(ids)


def in_force(rules: Iterable[R], data: SchemeData, version: PolicyVersion, day: date) -> list[R]:
    """The rules that apply on ``day`` under ``version``: their own dates cover the day and
    their version is the one in force or one it continues."""
    ids = lineage(data, version)
    return [
        r for r in rules if r.version in ids and covers(r.effective_from, r.effective_until, day)
    ]


class RuleScope:
    """A scheme's data and the version in force on a day, looked up once per decision."""

    def __init__(self, scheme: Scheme, day: date, policy: Policy | None) -> None:
        self.policy = policy or default_policy()
        self.scheme = scheme
        self.day = day
        self.data = self.policy.scheme(scheme)
        self.version = version_in_force(scheme, day, policy=self.policy)

    def rules(self, rules: Iterable[R]) -> list[R]:
        """The given rules that are in force for this context. Answers are remembered per
        (rule table, version, day): the tables are immutable, and a venue checking cards
        all day asks the same question thousands of times."""
        key = (id(rules), self.version.id, self.day)
        hit = _IN_FORCE.get(key)
        if hit is not None and hit[0] is rules:  # the same table, not a reused id
            return list(hit[1])
        result = in_force(rules, self.data, self.version, self.day)
        if len(_IN_FORCE) >= _IN_FORCE_LIMIT:
            _IN_FORCE.clear()
        _IN_FORCE[key] = (rules, tuple(result))
        return result


_IN_FORCE_LIMIT = 20_000
_IN_FORCE: dict[tuple[int, str, date], tuple[object, tuple[Any, ...]]] = {}
