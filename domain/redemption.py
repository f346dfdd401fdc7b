"""Recorded use of service items (服务使用记录): what a venue or a paying office gave, to
whom, and what is left of the item's limits (issue 11, "Recorded use").

Offline, a venue learns from the card only that an item is granted; what was already used
is known here, so the limits that count (``domain.policy.usage``: so many films a calendar
year over the card's first three years, so many months of a subsidy) are checked when the
venue records the use, and a use past one is refused naming the rule and its source.

One ``BenefitUse`` aggregate per card, item and beneficiary holds every use of that item by
that person over the card's whole life; its id is derived from that key, so two venues
recording the same person's use of the same item both write the next version of the same
aggregate and the store lets only one of them in (the other is decided again on fresh
state, and refused if the last use is gone). Why not one per calendar year: Liaocheng's
films are 12 a year *and* never more than 36 in all (art. 21, 连续3年), and a card issued
in July spends its first three years in four calendar years; with one aggregate a year,
two venues recording in different years would each see 35 and both pass the 36th. With
one aggregate the per-year and the total limits are decided on one version. Why not the
Card: a gym visit then writes only this aggregate, never the card, so it cannot conflict
with a clerk changing the card, and the card's own history stays the card's decisions.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from uuid import NAMESPACE_URL, UUID, uuid5

import msgspec
from eventsourcing.domain import Aggregate, event

from domain import policy
from domain.card_amendment import present_family
from domain.clock import business_date
from domain.errors import IllegalTransition, InvalidInput, NotAuthorised
from domain.policy import Balance, Beneficiary, BeneficiaryKind, CardSnapshot, Usage
from domain.policy.model import PayerRule, UsageLimitRule
from domain.text import check_text
from domain.values import Context, Holder, Value
from domain.vocabulary import Role, Scheme

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:talentcard:benefit-use")

# Who records a use (issue 11: "recorded by a venue or paying-office user in its city"):
# the venue where it was used, or the office that paid the subsidy. Until users carry their
# city (the HTTP API issue), the city is the one the command names as the venue's.
USE_ROLES = frozenset({Role.VENUE, Role.PAYING_OFFICE})


class UnknownRedemption(IllegalTransition):
    """No recorded use of this card has the id given."""

    code = "unknown_redemption"


class UseScope(Value, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What one ``BenefitUse`` counts: one card's uses of one item (a code of the ``city``
    whose catalogue holds it) by one beneficiary. ``family_member`` is the family member's
    place in the filing (1 the first), 0 for the holder and for the companion. ``scheme``
    is the card's, so the audit trail files the uses under the card's authority."""

    key: str
    card_id: UUID
    scheme: Scheme
    city: Scheme
    item: str
    beneficiary: BeneficiaryKind
    family_member: int = 0


class UseRequest(Value, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What a venue or paying office asks to record: ``quantity`` uses (films, visits,
    companions on one trip) or months of a monthly subsidy, at the venue named ``venue``
    of ``city``, with what it has seen: the holder there in person (None: not said), the
    parent living in a city care home, and the facts an article's conditions read."""

    venue: str
    quantity: int = 1
    holder_present: bool | None = None
    in_city_care_home: bool = False
    facts: dict[str, str | bool] = msgspec.field(default_factory=dict)


class Redemption(Value, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A use recorded (服务使用): its id, the card, item and beneficiary, the venue and its
    city, how many, the business date it took place on (Asia/Shanghai) and, for a monthly
    subsidy, the months it pays (``YYYY-MM``). ``counted_before`` is what was already used
    when it was decided, ``requires`` what the venue had to see (and by recording it says it
    saw), ``rules`` and ``policy_version`` what decided it."""

    redemption_id: UUID
    card_id: UUID
    item: str
    beneficiary: BeneficiaryKind
    family_member: int
    venue: str
    city: Scheme
    quantity: int
    used_on: date
    months: tuple[str, ...] = ()
    counted_before: Usage
    requires: tuple[str, ...] = ()
    rules: tuple[str, ...]
    policy_version: str


class Reversal(Value, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A recorded use undone (冲销): which one, why, and by which venue of which city."""

    redemption_id: UUID
    reason: str
    venue: str
    city: Scheme


def use_scope(
    card_id: UUID,
    scheme: Scheme,
    city: Scheme,
    item: str,
    beneficiary: BeneficiaryKind,
    family_member: int = 0,
) -> UseScope:
    """The scope of one card's uses of ``item`` by one beneficiary."""
    person = f"{beneficiary}.{family_member}" if family_member else str(beneficiary)
    return UseScope(
        key=f"{card_id}:{item}:{person}",
        card_id=card_id,
        scheme=scheme,
        city=city,
        item=item,
        beneficiary=beneficiary,
        family_member=family_member,
    )


def benefit_use_id(key: str) -> UUID:
    """The ``BenefitUse`` aggregate's id for a scope's key (the same key, the same id)."""
    return uuid5(_NAMESPACE, key)


def check_use_instant(effective_at: datetime, *, now: datetime) -> None:
    """A use is recorded when it took place or later (a venue that checked the card
    offline records it when it is back online), never ahead of time. This is not
    ``domain.backdating``: a venue records what happened at its counter, not a decision
    taken on paper, and the use's own date is what its year and month are counted by."""
    if effective_at.tzinfo is None:
        raise InvalidInput("effective_at must be a timezone-aware instant")
    if effective_at > now:
        raise InvalidInput(
            f"effective_at {effective_at.isoformat()} is in the future (now {now.isoformat()})",
            code="effective_in_future",
        )


def beneficiary_of(
    holder: Holder, kind: BeneficiaryKind, family_member: str, request: UseRequest
) -> tuple[Beneficiary, int]:
    """The person a use is for, from the card's people on the day of the use
    (``Card.holder_on``), and their number in the family (0 for the holder and the
    companion). A family member is named by number (``"1"``: the first filed) or by name;
    with one member of that kind, by nothing."""
    chosen = family_member.strip()
    present, care_home = request.holder_present, request.in_city_care_home
    if kind in (BeneficiaryKind.HOLDER, BeneficiaryKind.COMPANION):
        if chosen:
            raise InvalidInput(f"family_member names a family member; a {kind} is not one")
        born = holder.date_of_birth if kind is BeneficiaryKind.HOLDER else None
        person = Beneficiary(
            kind=kind, date_of_birth=born, holder_present=present, in_city_care_home=care_home
        )
        return person, 0
    # An erased member (PIPL art. 47, domain.values.FamilyMember.erased) shares no benefit,
    # nor does one removed by an amendment; the others keep their numbers.
    members = [(i, m) for i, m in present_family(holder) if str(m.relation) == kind]
    if chosen.isdigit():
        members = [(i, m) for i, m in members if i == int(chosen)]
    elif chosen:
        name = unicodedata.normalize("NFC", chosen)
        members = [(i, m) for i, m in members if m.name == name]
    if len(members) != 1:
        filed = ", ".join(f"{i} {m.relation}" for i, m in present_family(holder)) or "no family"
        which = f" {chosen!r}" if chosen else ""
        raise InvalidInput(
            f"family_member{which}: the card names {len(members)} {kind} matching; give the "
            f"family member's place in the filing or name (filed: {filed})",
            code="unknown_family_member",
        )
    place, member = members[0]
    marital = member.marital
    person = Beneficiary(
        kind=kind,
        date_of_birth=member.date_of_birth,
        # What the household-registration articles ask of a child (issue 27), as the
        # family record files them on the day of the use (None: not filed).
        sex=member.sex,
        married=None if marital is None else marital.married,
        married_as_of=None if marital is None else marital.as_of,
        holder_present=present,
        in_city_care_home=care_home,
    )
    return person, place


def months_paid(day: date, count: int) -> tuple[str, ...]:
    """The calendar months (``YYYY-MM``) a payment of ``count`` months made on ``day``
    pays: the day's month and, for arrears (补发), the months before it. Not ahead: a
    monthly subsidy (每月给予, Liaocheng art. 22; 按月发放, Weihai 2019 part 3(十)) is paid
    for a month that has begun."""
    year, month = day.year, day.month
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return tuple(reversed(months))


def usage_of(uses: Iterable[tuple[date, int, tuple[str, ...]]], day: date) -> Usage:
    """What was used, counted for ``day``: uses in its calendar year (Asia/Shanghai
    business dates), uses in all, months paid. ``uses`` are (date, quantity, months) of
    the uses still standing (not reversed)."""
    this_year = in_all = 0
    months: set[str] = set()
    for used_on, quantity, paid in uses:
        in_all += quantity
        if used_on.year == day.year:
            this_year += quantity
        months.update(paid)
    return Usage(uses_this_year=this_year, uses_in_all=in_all, months_used=len(months))


class BenefitUse(Aggregate):
    """Every use of one item by one beneficiary of one card (服务使用记录), and their
    reversals."""

    @staticmethod
    def create_id(scope: UseScope) -> UUID:
        return benefit_use_id(scope.key)

    class BenefitUseOpened(Aggregate.Created):
        """The record of one item's uses by one beneficiary of one card was opened."""

        ctx: Context
        scope: UseScope

    @event(BenefitUseOpened)
    def __init__(self, ctx: Context, scope: UseScope) -> None:
        self.scope = scope
        self.uses: dict[UUID, Redemption] = {}
        self.reversals: dict[UUID, Reversal] = {}

    # ---- queries ----------------------------------------------------------------------

    def standing(self) -> list[Redemption]:
        """The uses not reversed, in the order recorded."""
        return [u for k, u in self.uses.items() if k not in self.reversals]

    def usage_on(self, day: date) -> Usage:
        """What was used, counted for ``day`` (see ``usage_of``)."""
        return usage_of(((u.used_on, u.quantity, u.months) for u in self.standing()), day)

    def balances(self, issued_on: date, day: date) -> tuple[Balance, ...]:
        """What is left on ``day`` under each counted limit in force then."""
        used = self.usage_on(day)
        limits = policy.counted_limits(self.scope.city, self.scope.item, day)
        return tuple(policy.balance_of(limit, used, issued_on, day) for limit in limits)

    # ---- commands ---------------------------------------------------------------------

    def redeem(
        self,
        ctx: Context,
        request: UseRequest,
        card: CardSnapshot,
        person: Beneficiary,
        redemption_id: UUID,
    ) -> Redemption:
        """Record ``request.quantity`` uses on the day of ``ctx.effective_at``, decided by
        ``decide_entitlement`` on ``card`` (the card as it stood then) with what was
        already used counted here. Refused, writing nothing, when the card does not grant
        the item to the person then (``not_granted``), when the last of the uses would pass
        a limit (``limit_reached``), or when a month asked for was already paid or comes
        before the card's month of issue (``month_already_paid``, ``month_before_issue``);
        each refusal names its rule and the rule's source."""
        scope = self.scope
        day = business_date(ctx.effective_at)
        _check_user(ctx, request.venue, policy.payer_roles(scope.city, scope.item, day))
        if request.quantity < 1:
            raise InvalidInput(f"quantity must be at least 1, not {request.quantity}")
        limits = policy.counted_limits(scope.city, scope.item, day)
        monthly = [limit for limit in limits if limit.max_months is not None]
        months = months_paid(day, request.quantity) if monthly else ()
        counted = self.usage_on(day)
        # The last of the uses asked for decides: every limit only grows with use, so when
        # the last one is within them all, every earlier one is.
        more = request.quantity - 1
        asked = Usage(
            uses_this_year=counted.uses_this_year + more,
            uses_in_all=counted.uses_in_all + more,
            months_used=counted.months_used + more,
            companions_admitted=more if person.kind is BeneficiaryKind.COMPANION else 0,
        )
        decision = policy.decide_entitlement(
            card, scope.item, person, day, venue=scope.city, usage=asked, facts=request.facts
        )
        if not decision.granted:
            # Granted on a clean slate, refused on what was used: the limit is reached.
            fresh = policy.decide_entitlement(
                card, scope.item, person, day, venue=scope.city, facts=request.facts
            )
            # decide_entitlement lists the rules in the order it applied them and stops at
            # the one that refused, so the refusing rule is the last it names.
            rule = decision.rules[-1] if decision.rules else None
            source = policy.rule_source(scope.city, rule) if rule else ""
            raise IllegalTransition(
                decision.reason + (f"; source: {source}" if source else ""),
                code="limit_reached" if fresh.granted else "not_granted",
                rule=rule,
            )
        if monthly:
            self._check_months(months, card.issued_on, monthly[0].id)
            _check_months_of_age(scope.city, months, monthly, person)
        redemption = Redemption(
            redemption_id=redemption_id,
            card_id=scope.card_id,
            item=scope.item,
            beneficiary=scope.beneficiary,
            family_member=scope.family_member,
            venue=request.venue.strip(),
            city=scope.city,
            quantity=request.quantity,
            used_on=day,
            months=months,
            counted_before=counted,
            requires=decision.requires,
            rules=decision.rules,
            policy_version=decision.version,
        )
        self._redeemed(ctx=ctx, redemption=redemption)
        return redemption

    class BenefitRedeemed(Aggregate.Event):
        """A use of the item was recorded (服务使用)."""

        ctx: Context
        redemption: Redemption

    @event(BenefitRedeemed)
    def _redeemed(self, ctx: Context, redemption: Redemption) -> None:
        self.uses[redemption.redemption_id] = redemption

    def reverse(
        self, ctx: Context, redemption_id: UUID, *, venue: str, city: Scheme, reason: str
    ) -> Reversal:
        """Undo a recorded use (a use recorded by mistake, a payment returned), by the venue
        or office of the city that recorded it, saying why: what it counted is counted no
        more. A use is reversed once; an id this record does not hold is refused."""
        payers = policy.payer_roles(
            self.scope.city, self.scope.item, business_date(ctx.effective_at)
        )
        _check_user(ctx, venue, payers)
        original = self.uses.get(redemption_id)
        if original is None:
            raise UnknownRedemption(
                f"no use {redemption_id} of {self.scope.item} is recorded for this card"
            )
        done = self.reversals.get(redemption_id)
        if done is not None:
            raise IllegalTransition(
                f"use {redemption_id} was already reversed ({done.reason})",
                code="already_reversed",
            )
        if (original.venue, original.city) != (venue.strip(), city):
            raise NotAuthorised(
                f"use {redemption_id} was recorded by {original.venue} ({original.city}); "
                "only the venue or office that recorded a use may reverse it",
                code="not_the_recording_venue",
                rule="a use is reversed by the venue or office that recorded it (冲销)",
            )
        if not reason.strip():
            raise InvalidInput("reason must say why the use is reversed")
        check_text("reason", reason, multiline=True)
        reversal = Reversal(
            redemption_id=redemption_id, reason=reason.strip(), venue=venue.strip(), city=city
        )
        self._reversed(ctx=ctx, reversal=reversal)
        return reversal

    class RedemptionReversed(Aggregate.Event):
        """A recorded use was reversed (冲销)."""

        ctx: Context
        reversal: Reversal

    @event(RedemptionReversed)
    def _reversed(self, ctx: Context, reversal: Reversal) -> None:
        self.reversals[reversal.redemption_id] = reversal

    # ---- guards -----------------------------------------------------------------------

    def _check_months(self, months: tuple[str, ...], issued_on: date, rule: str) -> None:
        """A month is paid once (每月: one payment a month, the monthly limit's own source),
        and none before the card's month of issue."""
        source = policy.rule_source(self.scope.city, rule)
        first = f"{issued_on.year:04d}-{issued_on.month:02d}"
        if months[0] < first:
            raise IllegalTransition(
                f"{len(months)} month(s) back from {months[-1]} reach {months[0]}, before the "
                f"card was issued ({issued_on}); source: {source}",
                code="month_before_issue",
                rule=rule,
            )
        paid = {m for u in self.standing() for m in u.months}
        twice = [m for m in months if m in paid]
        if twice:
            raise IllegalTransition(
                f"{', '.join(twice)} already paid: a monthly subsidy is paid once a month; "
                f"source: {source}",
                code="month_already_paid",
                rule=rule,
            )


def _check_months_of_age(
    city: Scheme, months: tuple[str, ...], limits: Iterable[UsageLimitRule], person: Beneficiary
) -> None:
    """A monthly subsidy for a person of an age pays no month before the one they reach
    it, arrears included, where the limit in force says so (Liaocheng art. 22: 父母年龄在60
    周岁以上的……每月给予800元)."""
    for limit in limits:
        first = policy.first_month_of_age(limit, person.date_of_birth)
        if first is not None and months[0] < first:
            early = [m for m in months if m < first]
            # Not the month the person reaches the age: the paying office is told which
            # months it may not pay, not the person's date of birth.
            raise IllegalTransition(
                f"{len(early)} of the {len(months)} months asked for come before the "
                f"{person.kind.value} is {limit.min_age}: a month is paid only from the one "
                f"they reach it; source: {limit.source}",
                code="month_before_age",
                rule=limit.id,
            )


def _check_user(ctx: Context, venue: str, payers: tuple[PayerRule, ...] = ()) -> None:
    """The user records uses of the item: the venue or paying office where it happens, or,
    where a payer rule is in force for the item, one of the roles it names (the body that
    pays it, e.g. the employer for Shandong annex A.9's allowance) and no other."""
    if not ctx.actor.strip():
        raise InvalidInput("actor must name who acts")
    roles = frozenset(r for rule in payers for r in rule.roles) or USE_ROLES
    if ctx.role not in roles:
        rule = (
            f"{payers[0].id} ({payers[0].source})"
            if payers
            else "a use is recorded by the venue or paying office where it happens"
        )
        raise NotAuthorised(
            f"a use of this item is recorded by a {' or a '.join(sorted(roles))} user, "
            f"not {ctx.role}",
            code="use_not_authorised",
            rule=rule,
        )
    if not venue.strip():
        raise InvalidInput("venue must name the venue or paying office")
    check_text("venue", venue)
