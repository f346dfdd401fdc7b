"""Whether a card grants a service item to a person at a venue, decided offline from the
credential and the bundle's venue rules (``signing.venue_rules``) alone.

It answers as the registry's engine (``domain.policy.entitlement``) does for what a venue
knows: the card's scheme, tier, category and dates, the person's class (the holder, a
companion, or a family member with the age dates the credential carries) and whether the
holder is present. What it cannot know offline it does not count: uses already recorded are
checked when the venue records this one; a fact an article needs that the card does not
settle is returned in ``requires``. A property test holds the two to the same answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Protocol, TypeVar

import msgspec

from domain.card_status import expired_on, started_by
from domain.clock import anniversary
from signing.venue_rules import (
    Accept,
    Condition,
    Cover,
    Item,
    Limit,
    VenueRules,
    Who,
    in_force,
)

R = TypeVar("R", Cover, Accept, Condition, Limit)

# The classes of person the articles name (the engine's BeneficiaryToken values).
HOLDER, SPOUSE, PARENT, SPOUSE_PARENT, COMPANION = (
    "holder",
    "spouse",
    "parent",
    "spouse_parent",
    "companion",
)
MINOR_CHILD, UNDER_MARRIAGE_AGE, UNMARRIED_CHILD, CHILD = (
    "minor_child",
    "child_under_marriage_age",
    "unmarried_child",
    "child",
)
SHANDONG = "shandong"


class ServiceError(ValueError):
    """The question cannot be decided: an unknown item, or no rule in force for it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class CardFacts(Protocol):
    """What the credential says that the decision reads (``signing.credential.CardClaims``
    has it all; the scheme may be a ``str`` enum)."""

    @property
    def scheme(self) -> str: ...
    @property
    def tier(self) -> str: ...
    @property
    def category(self) -> str | None: ...
    @property
    def valid_from(self) -> date: ...
    @property
    def valid_until(self) -> date | None: ...
    @property
    def issued_on(self) -> date: ...


# The decision's own values are msgspec Structs: built per card checked, and a frozen
# Struct is several times cheaper to make than a frozen dataclass.
class Person(msgspec.Struct, frozen=True, kw_only=True):
    """Who is to use the item. ``kind`` is holder, companion or a relation; a child's
    ``minor_until`` and ``marriage_age_until`` and anyone's ``age_from`` come from the
    credential; ``holder_present`` None means the venue has not said."""

    kind: str
    minor_until: date | None = None
    marriage_age_until: date | None = None
    age_from: Mapping[int, date] = msgspec.field(default_factory=dict)
    holder_present: bool | None = None


class Answer(msgspec.Struct, frozen=True, kw_only=True):
    """The decision: granted or not, why, by which rules (ids, in the engine's order), the
    policy version in force, what the venue must still see, and per part for an article
    asked for whole."""

    granted: bool
    item: str
    reason: str
    rules: tuple[str, ...]
    version: str
    requires: tuple[str, ...] = ()
    detail: str = ""
    parts: tuple[Answer, ...] = ()


class DayRules(msgspec.Struct, frozen=True, kw_only=True):
    """An item's rules in force on one day, looked up once per (venue, item, day): what
    a venue checking cards all day asks thousands of times."""

    item: Item
    version: str
    cover: tuple[Cover, ...]
    accepts: tuple[Accept, ...]
    stacking_rule: str | None  # the provincial stacking rule honouring the city that day
    provincial: tuple[tuple[str, tuple[Cover, ...]], ...]  # matched items' covers that day
    who: Who | None
    conditions: tuple[Condition, ...]
    limits: tuple[Limit, ...]


class VenueIndex:
    """The venue rules indexed for lookups: built once per bundle."""

    _LIMIT = 10_000  # (venue, item, day) entries kept; a venue asks about a few items a day

    def __init__(self, rules: VenueRules) -> None:
        self.rules = rules
        self._days: dict[tuple[str, str, date], DayRules | tuple[str, ...]] = {}

    def on(self, venue: str, code: str, day: date) -> DayRules | tuple[str, ...]:
        """The item's rules in force on ``day``, or the part codes of an article asked for
        whole; raises ServiceError for an unknown city or item, or a day no policy covers."""
        key = (venue, code, day)
        hit = self._days.get(key)
        if hit is None:
            hit = self._look_up(venue, code, day)
            if len(self._days) >= self._LIMIT:
                self._days.clear()
            self._days[key] = hit
        return hit

    def version(self, venue: str, day: date) -> str:
        """The id of ``venue``'s policy version in force on ``day``."""
        city = self.rules.cities.get(venue)
        if city is None:
            raise ServiceError("unknown_city", f"no venue rules for {venue!r}")
        version = next((v.id for v in city.versions if in_force(v.spans, day)), None)
        if version is None:
            raise ServiceError("no_policy", f"no {venue} policy version is in force on {day}")
        return version

    def _look_up(self, venue: str, code: str, day: date) -> DayRules | tuple[str, ...]:
        version = self.version(venue, day)
        city = self.rules.cities[venue]
        parts = city.wholes.get(code)
        if parts is not None:
            return parts
        item = city.items.get(code)
        if item is None:
            raise ServiceError("unknown_item", f"{code!r} is not a {venue} service item")
        stacking_rule = None
        provincial: tuple[tuple[str, tuple[Cover, ...]], ...] = ()
        if item.stacking is not None:
            stacking_rule = next(
                (rid for rid, spans in item.stacking.rules if in_force(spans, day)), None
            )
            covers = self.rules.provincial_cover
            provincial = tuple(
                (p, tuple(c for c in covers.get(p, ()) if in_force(c.spans, day)))
                for p in item.stacking.provincial
            )

        def today(rules: tuple[R, ...]) -> tuple[R, ...]:
            return tuple(r for r in rules if in_force(r.spans, day))

        return DayRules(
            item=item,
            version=version,
            cover=today(item.cover),
            accepts=today(item.accepts),
            stacking_rule=stacking_rule,
            provincial=provincial,
            who=_who(item.who, day) or _who(city.default_who, day),
            conditions=today(item.conditions),
            limits=today(item.limits),
        )


def decide(
    index: VenueIndex, card: CardFacts, code: str, person: Person, day: date, venue: str
) -> Answer:
    """Whether ``card`` grants ``code`` (an item of ``venue``'s catalogue) to ``person``
    on ``day``; raises ServiceError when it cannot be decided."""
    found = index.on(venue, code, day)
    if isinstance(found, tuple):
        return _by_parts(index, card, code, found, person, day, venue)
    item, version = found.item, found.version

    def answer(
        granted: bool,
        reason: str,
        rules_: list[str] | tuple[str, ...],
        detail: str = "",
        requires: tuple[str, ...] = (),
    ) -> Answer:
        return Answer(
            granted=granted,
            item=code,
            reason=reason,
            rules=tuple(rules_),
            version=version,
            requires=requires,
            detail=detail,
        )

    refusal = _card_refusal(card, day)
    if refusal:
        return answer(False, refusal, ())
    reached, reason, used, detail = _reach(index, found, card, day, venue)
    if not reached:
        return answer(False, reason, used)
    applied = list(used)
    details = [detail] if detail else []
    who = found.who
    if who is None:
        raise ServiceError("no_beneficiary_rule", f"no beneficiary rule in force for {code}")
    applied.append(who.id)
    refused = _person_refusal(who, person, day)
    if refused:
        return answer(False, refused, applied)
    requires: list[str] = []
    if who.with_holder and person.holder_present is None and person.kind != HOLDER:
        requires.append(index.rules.with_holder_requires)
    for condition in found.conditions:
        applied.append(condition.id)
        if condition.categories and card.category in condition.categories:
            continue  # met by the card's category
        if condition.categories and not condition.fact and card.category is not None:
            return answer(False, f"not met: {condition.label} ({condition.id})", applied)
        requires.append(condition.label)
    for limit in found.limits:
        applied.append(limit.id)
        exceeded = _limit_refusal(limit, card, person, day)
        if exceeded:
            return answer(False, f"{exceeded} ({limit.id})", applied)
        if limit.within_years is not None:
            requires.append(limit.pending)
        if limit.amount_cny_per_month is not None:
            details.append(f"{limit.amount_cny_per_month} CNY for this month")
        if limit.detail:
            details.append(limit.detail)
    subject = " subject to what it requires" if requires else ""
    return answer(
        True,
        f"{item.name_en} granted to the {person.kind}{subject}; {reason}",
        applied,
        "; ".join(details),
        tuple(requires),
    )


def _by_parts(
    index: VenueIndex,
    card: CardFacts,
    code: str,
    parts: tuple[str, ...],
    person: Person,
    day: date,
    venue: str,
) -> Answer:
    version = index.version(venue, day)
    answers = tuple(decide(index, card, part, person, day, venue) for part in parts)
    refused = [a.item for a in answers if not a.granted]
    granted = [a.item for a in answers if a.granted]
    if not refused:
        reason = f"every part of {code} is granted: {', '.join(granted)}"
    elif not granted:
        reason = f"no part of {code} is granted: {', '.join(refused)} refused"
    else:
        reason = (
            f"{code} is granted in part: {', '.join(granted)} granted; "
            f"{', '.join(refused)} refused"
        )
    used = tuple(dict.fromkeys(r for a in answers for r in a.rules))
    return Answer(
        granted=not refused, item=code, reason=reason, rules=used, version=version, parts=answers
    )


def _card_refusal(card: CardFacts, day: date) -> str:
    """Why the card's term refuses every item on ``day`` (domain.card_status), or ""."""
    if not started_by(card.valid_from, day):
        return f"the card is valid from {card.valid_from}, not yet on {day}"
    if expired_on(card.valid_until, day):
        return f"the card expired after {card.valid_until}"
    return ""


def _reach(
    index: VenueIndex, found: DayRules, card: CardFacts, day: date, venue: str
) -> tuple[bool, str, tuple[str, ...], str]:
    """(reached, why, the rules that decided, coverage detail)."""
    item = found.item
    if card.scheme == venue:
        covering = found.cover
        granting = [c for c in covering if card.tier in c.tiers]
        if not granting:
            return False, f"tier {card.tier} does not include {item.code}", _ids(covering), ""
        first = granting[0]
        return True, f"on tier {card.tier} of the {venue} card", (first.id,), first.detail
    for accept in found.accepts:
        if card.scheme in accept.card_schemes:
            return True, f"{venue} accepts the {card.scheme} card for {item.code}", (accept.id,), ""
    stacking = item.stacking
    if card.scheme != SHANDONG or stacking is None:
        return False, f"a {card.scheme} card is not honoured in {venue}", (), ""
    index.version(SHANDONG, day)  # the province's rules decide stacking: one must be in force
    rule = found.stacking_rule
    if rule is None:
        return False, f"no stacking rule for {venue} is in force on {day}", (), ""
    if not stacking.reached:
        why = "gated by the city card's own classes" if stacking.withheld else "the city's own"
        return False, f"{item.code} is not reached by stacking: {why}", (rule,), ""
    for provincial, covers in found.provincial:
        cover = next((c for c in covers if card.tier in c.tiers), None)
        if cover is not None:
            return True, f"the 惠才卡 reaches it by stacking ({provincial})", (rule, cover.id), ""
    return False, f"the 惠才卡's tier {card.tier} covers nothing matching {item.code}", (rule,), ""


def _ids(covers: tuple[Cover, ...]) -> tuple[str, ...]:
    return tuple(c.id for c in covers)


def _who(rules: tuple[Who, ...], day: date) -> Who | None:
    return next((w for w in rules if in_force(w.spans, day)), None)


def classes_of(person: Person, day: date) -> frozenset[str]:
    """The classes the articles name that ``person`` belongs to on ``day``."""
    if person.kind != CHILD:
        return frozenset({person.kind})
    classes = {CHILD}
    if person.minor_until is not None and day <= person.minor_until:
        classes.add(MINOR_CHILD)
    if person.marriage_age_until is not None and day <= person.marriage_age_until:
        classes.add(UNDER_MARRIAGE_AGE)
    # 未婚子女 needs the child's marriage, which the credential does not carry.
    return frozenset(classes)


def _person_refusal(who: Who, person: Person, day: date) -> str:
    classes = classes_of(person, day)
    if not classes & set(who.allowed):
        return f"this item is for: {', '.join(who.allowed)}; not for this {person.kind} ({who.id})"
    if who.with_holder and person.kind != HOLDER and person.holder_present is False:
        return f"only together with the holder, never alone (同步享受; {who.id})"
    if COMPANION in classes and who.max_companions <= 0:
        return f"at most {who.max_companions} companion(s) with the holder ({who.id})"
    return ""


def _limit_refusal(limit: Limit, card: CardFacts, person: Person, day: date) -> str:
    """Why the dated part of a limit refuses; counted parts (per year, in all, months)
    refuse offline only when they allow nothing at all."""
    if limit.years_from_issue is not None:
        last = anniversary(card.issued_on, limit.years_from_issue) - timedelta(days=1)
        if day > last:
            return f"only for {limit.years_from_issue} years from issue, i.e. until {last}"
    if limit.per_calendar_year is not None and limit.per_calendar_year <= 0:
        return "no uses a calendar year"
    if limit.min_age is not None:
        reached = person.age_from.get(limit.min_age)
        if reached is None:
            return f"the {person.kind}'s age is not on the credential (minimum {limit.min_age})"
        if day < reached:
            return f"the {person.kind} is {limit.min_age} only from {reached}"
    if limit.requires_city_care_home:
        return f"the {person.kind} must live in a care home in the city: decided by the office"
    if limit.max_months is not None and limit.max_months <= 0:
        return "no months"
    return ""
