"""Compile the policy engine's entitlement rules into the bundle's venue rules
(``signing.venue_rules``): what a venue needs to decide offline as the engine does.

Each rule's days in force are resolved here once: the engine applies a rule on a day when
the rule's own dates cover it and its version is the version in force that day (the first
whose dates cover it) or one that version continues. Item lists naming an article are
expanded to its parts, so the venue looks an item code up and finds every rule for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

from domain.clock import anniversary
from domain.policy import default_policy
from domain.policy.beneficiaries import (
    ADULT_AGE,
    CHILD_CLASSES,
    MARRIAGE_AGE,
    WITH_HOLDER_REQUIRES,
)
from domain.policy.entitlement import window_pending
from domain.policy.model import (
    BeneficiaryRule,
    BeneficiaryToken,
    CoverageRule,
    Policy,
    Rule,
    SchemeData,
    ServiceItem,
)
from domain.policy.versions import lineage
from domain.vocabulary import Relation, Scheme
from signing.credential import FamilyEntry
from signing.venue_rules import (
    Accept,
    City,
    Condition,
    Cover,
    Item,
    Limit,
    Span,
    Stacking,
    VenueRules,
    Version,
    Who,
)

_OPEN = date.max.toordinal()
Interval = tuple[int, int]  # inclusive ordinals; _OPEN for an open end


def compile_venue_rules(policy: Policy | None = None) -> VenueRules:
    """The venue rules of every scheme, from the policy data in force at any day."""
    policy = policy or default_policy()
    cities = {str(s): _city(policy, policy.scheme(s)) for s in policy.schemes}
    provincial = policy.scheme(Scheme.SHANDONG)
    # A match may name a provincial article or one of its parts: coverage lists either.
    codes = {c for item in provincial.items for c in (item.code, *_codes(item))}
    provincial_cover = {
        code: tuple(_cover(provincial, c) for c in provincial.coverage if code in c.items)
        for code in sorted(codes)
    }
    return VenueRules(
        cities=cities,
        provincial_cover={k: v for k, v in provincial_cover.items() if v},
        with_holder_requires=WITH_HOLDER_REQUIRES,
    )


def _relation(token: BeneficiaryToken) -> Relation | None:
    """The filed relation an article's class of person is drawn from (every child class
    is a child); None for the holder and a companion."""
    if token in CHILD_CLASSES:
        return Relation.CHILD
    return Relation(token.value) if token.value in {r.value for r in Relation} else None


def min_ages(policy: Policy | None = None) -> dict[Relation, tuple[int, ...]]:
    """Per relation, the minimum ages an article's limit sets on an item that relation may
    use: the only ages a credential dates for a family member. A date of turning 60 is as
    telling as the date of birth, so it is written only where an article needs it."""
    policy = policy or default_policy()
    hit = _MIN_AGES.get(id(policy))
    if hit is not None and hit[0] is policy:  # asked once per credential signed
        return hit[1]
    ages: dict[Relation, set[int]] = {}
    for data in policy.schemes.values():
        for limit in data.limits:
            if limit.min_age is None:
                continue
            for item in data.items:
                for code in (item.code, *_codes(item)):
                    if not (code in limit.items or item.code in limit.items):
                        continue
                    for rule in data.beneficiaries:
                        if rule.default or code in rule.items or item.code in rule.items:
                            for token in rule.allowed:
                                relation = _relation(token)
                                if relation is not None:
                                    ages.setdefault(relation, set()).add(limit.min_age)
    result = {relation: tuple(sorted(found)) for relation, found in ages.items()}
    _MIN_AGES[id(policy)] = (policy, result)
    return result


_MIN_AGES: dict[int, tuple[Policy, dict[Relation, tuple[int, ...]]]] = {}


def family_entry(
    relation: Relation,
    name: str,
    date_of_birth: date,
    ages: Mapping[Relation, Sequence[int]],
) -> FamilyEntry:
    """A family member as a credential carries them: the dates the articles' age classes
    turn on, computed from the filed date of birth, and only those (``min_ages``). Each
    date gives the birth date away to whoever reads the QR code; the credential holds no
    other trace of it. The marriage age is the lower one, 20, whatever sex is filed: the
    credential carries no sex or marriage (RD-2026-89), and the engine grants a child of
    20 or 21 of unknown sex nothing under it either; the registry decides the items that
    turn on them (household registration) online."""
    minor = marriage = None
    if relation is Relation.CHILD:
        minor = anniversary(date_of_birth, ADULT_AGE) - timedelta(days=1)
        marriage = anniversary(date_of_birth, min(MARRIAGE_AGE.values())) - timedelta(days=1)
    return FamilyEntry(
        relation=relation,
        name=name,
        minor_until=minor,
        marriage_age_until=marriage,
        age_from={age: anniversary(date_of_birth, age) for age in ages.get(relation, ())},
    )


def _city(policy: Policy, data: SchemeData) -> City:
    stacking_reach = next((r for r in policy.stacking.reach if r.city is data.scheme), None)
    provincial = policy.scheme(Scheme.SHANDONG)
    honouring = [r for r in provincial.stacking if data.scheme in r.honoured_in]
    items: dict[str, Item] = {}
    for item in data.items:
        for code in _codes(item):

            def names(codes: tuple[str, ...], code: str = code, item: ServiceItem = item) -> bool:
                return code in codes or item.code in codes

            stacking = None
            if data.scheme is not Scheme.SHANDONG:
                reached = stacking_reach is not None and names(stacking_reach.reached)
                stacking = Stacking(
                    rules=tuple((r.id, _spans(provincial, r)) for r in honouring),
                    reached=reached,
                    withheld=stacking_reach is not None and names(stacking_reach.withheld),
                    provincial=tuple(
                        m.provincial for m in policy.stacking.matches if names(m.city)
                    ),
                )
            items[code] = Item(
                code=code,
                name_en=item.name_en,
                cover=tuple(_cover(data, c) for c in data.coverage if names(c.items)),
                accepts=tuple(
                    Accept(
                        id=r.id,
                        spans=_spans(data, r),
                        card_schemes=tuple(str(s) for s in r.card_schemes),
                    )
                    for r in data.accepts
                    if names(r.items)
                ),
                stacking=stacking,
                who=tuple(
                    _who(data, r) for r in data.beneficiaries if not r.default and names(r.items)
                ),
                conditions=tuple(
                    Condition(
                        id=r.id,
                        spans=_spans(data, r),
                        label=r.label,
                        categories=r.categories,
                        fact=r.fact,
                    )
                    for r in data.conditions
                    if names(r.items)
                ),
                limits=tuple(
                    Limit(
                        id=r.id,
                        spans=_spans(data, r),
                        years_from_issue=r.years_from_issue,
                        per_calendar_year=r.per_calendar_year,
                        min_age=r.min_age,
                        requires_city_care_home=r.requires_city_care_home,
                        max_months=r.max_months,
                        within_years=r.within_years,
                        pending=window_pending(r) if r.within_years is not None else "",
                        amount_cny_per_month=r.amount_cny_per_month,
                        detail=r.detail,
                    )
                    for r in data.limits
                    if names(r.items)
                ),
            )
    return City(
        scheme=str(data.scheme),
        versions=tuple(
            Version(id=v.id, spans=_to_spans(_effective(data)[v.id])) for v in data.versions
        ),
        items=items,
        wholes={i.code: tuple(p.code for p in i.parts) for i in data.items if i.parts},
        default_who=tuple(_who(data, r) for r in data.beneficiaries if r.default),
    )


def _codes(item: ServiceItem) -> list[str]:
    return [p.code for p in item.parts] or [item.code]


def _cover(data: SchemeData, rule: CoverageRule) -> Cover:
    return Cover(id=rule.id, spans=_spans(data, rule), tiers=rule.tiers, detail=rule.detail)


def _who(data: SchemeData, rule: BeneficiaryRule) -> Who:
    return Who(
        id=rule.id,
        spans=_spans(data, rule),
        allowed=tuple(str(t) for t in rule.allowed),
        with_holder=rule.with_holder,
        max_companions=rule.max_companions,
    )


def _effective(data: SchemeData) -> dict[str, list[Interval]]:
    """Each version's days as the one in force: its own dates less any earlier version's
    (``version_in_force`` takes the first that covers a day)."""
    taken: list[Interval] = []
    result: dict[str, list[Interval]] = {}
    for version in data.versions:
        own = [_interval(version.effective_from, version.effective_until)]
        result[version.id] = _subtract(own, taken)
        taken = _union([*taken, *own])
    return result


def _spans(data: SchemeData, rule: Rule) -> tuple[Span, ...]:
    """The days the engine applies ``rule``: its dates, within the versions whose lineage
    holds the rule's version."""
    own = _interval(rule.effective_from, rule.effective_until)
    return _to_spans(_intersect(_version_days(data).get(rule.version, []), own))


_VERSION_DAYS: dict[int, tuple[SchemeData, dict[str, list[Interval]]]] = {}


def _version_days(data: SchemeData) -> dict[str, list[Interval]]:
    """Per version id, the days a rule of that version may apply: the days of every version
    in force whose lineage holds it. Worked out once per scheme's data, not once per rule
    (a compile asks for a few thousand rules' spans)."""
    hit = _VERSION_DAYS.get(id(data))
    if hit is not None and hit[0] is data:
        return hit[1]
    effective = _effective(data)
    days = {
        version.id: _union(
            i for v in data.versions if version.id in lineage(data, v) for i in effective[v.id]
        )
        for version in data.versions
    }
    _VERSION_DAYS[id(data)] = (data, days)
    return days


def _interval(start: date, end: date | None) -> Interval:
    return start.toordinal(), _OPEN if end is None else end.toordinal()


def _union(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _subtract(intervals: list[Interval], taken: list[Interval]) -> list[Interval]:
    result = intervals
    for t_start, t_end in taken:
        pieces: list[Interval] = []
        for start, end in result:
            if t_end < start or t_start > end:
                pieces.append((start, end))
                continue
            if start < t_start:
                pieces.append((start, t_start - 1))
            if t_end < end:
                pieces.append((t_end + 1, end))
        result = pieces
    return result


def _intersect(intervals: list[Interval], window: Interval) -> list[Interval]:
    return [
        (max(s, window[0]), min(e, window[1]))
        for s, e in intervals
        if max(s, window[0]) <= min(e, window[1])
    ]


def _to_spans(intervals: list[Interval]) -> tuple[Span, ...]:
    return tuple(
        Span(date.fromordinal(s), None if e == _OPEN else date.fromordinal(e)) for s, e in intervals
    )
