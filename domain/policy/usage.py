"""Counted limits (使用限额): the limits on an item that count what was used, and what is
left of each.

Three kinds of limit count uses, each as its rule's data says: so many a calendar year
(``per_calendar_year``: Liaocheng art. 21, 12 films 每年; Weihai 2019 part 3(二十), one
health check 每年), with, where the rule also runs for some years from issue, never more
than that many years' worth in all (``years_from_issue``: art. 21's 连续3年, 36 films); and
so many months in all (``max_months``: Liaocheng art. 22, Shandong annex A.9, Weihai 2019
part 3(十), 3 years = 36 monthly payments). ``decide_entitlement`` refuses a use past any of
them from the ``Usage`` its caller counted; this module says which limits count and how much
is left, for the balance a holder or a venue is shown.
"""

from __future__ import annotations

from datetime import date

from domain.policy.catalogue import find_item, listed
from domain.policy.dates import term_end
from domain.policy.loader import default_policy
from domain.policy.model import PayerRule, Policy, Rule, UsageLimitRule
from domain.policy.results import Usage, Value
from domain.policy.versions import RuleScope
from domain.vocabulary import Scheme


class Balance(Value, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What is left under one counted limit (``rule``, with its ``source``) on a day: of
    the uses a calendar year (``per_year``, in the day's year), of the uses in all
    (``in_all``, a per-year limit over ``years_from_issue``, which ends on ``until``) and
    of the months (``max_months``). A part the rule does not set is None. What is left is
    never below zero, even where uses recorded under an earlier rule went further."""

    rule: str
    source: str
    year: int
    per_year: int | None = None
    left_this_year: int | None = None
    in_all: int | None = None
    left_in_all: int | None = None
    until: date | None = None
    max_months: int | None = None
    months_left: int | None = None


def counts(limit: UsageLimitRule) -> bool:
    """Whether a limit counts uses (so many a year, or so many months), rather than
    bounding them by age, residence or a window of dates only."""
    return limit.per_calendar_year is not None or limit.max_months is not None


def counted_limits(
    venue: Scheme, code: str, day: date, *, policy: Policy | None = None
) -> tuple[UsageLimitRule, ...]:
    """The counting limits on ``code`` (an item or part of the ``venue`` city's catalogue)
    in force on ``day``. Raises ``InvalidInput`` for a code that is not the city's and for
    an article with parts (a use is of one part: the films, not the whole of art. 21)."""
    scope = RuleScope(venue, day, policy)
    item = find_item(scope.data, code)
    return tuple(
        limit
        for limit in scope.rules(scope.data.limits)
        if listed(limit.items, code, item) and counts(limit)
    )


def balance_of(limit: UsageLimitRule, used: Usage, issued_on: date, day: date) -> Balance:
    """What is left under ``limit`` on ``day`` after ``used`` (counted for ``day``'s
    calendar year), for a card issued on ``issued_on``."""
    per_year = limit.per_calendar_year
    in_all = until = None
    if per_year is not None and limit.years_from_issue is not None:
        # the same total decide_entitlement enforces: so many a year over the first N
        # years never adds up to more than N years' worth
        in_all = per_year * limit.years_from_issue
        until = term_end(issued_on, limit.years_from_issue)
    if until is not None and day > until:
        # past the years from issue nothing is left, whatever was not used (the engine
        # refuses every use then)
        used = Usage(
            uses_this_year=per_year or 0,
            uses_in_all=in_all or 0,
            months_used=limit.max_months or 0,
        )
    return Balance(
        rule=limit.id,
        source=limit.source,
        year=day.year,
        per_year=per_year,
        left_this_year=None if per_year is None else max(0, per_year - used.uses_this_year),
        in_all=in_all,
        left_in_all=None if in_all is None else max(0, in_all - used.uses_in_all),
        until=until,
        max_months=limit.max_months,
        months_left=(
            None if limit.max_months is None else max(0, limit.max_months - used.months_used)
        ),
    )


def payer_roles(
    scheme: Scheme, code: str, day: date, *, policy: Policy | None = None
) -> tuple[PayerRule, ...]:
    """The payer rules in force on ``day`` for ``code`` (an item or part of ``scheme``'s
    catalogue): who records its uses (Shandong annex A.9: the employer pays the spouse's
    allowance). Empty: its city's venue or paying office records them."""
    scope = RuleScope(scheme, day, policy)
    item = find_item(scope.data, code)
    return tuple(r for r in scope.rules(scope.data.payers) if listed(r.items, code, item))


def first_month_of_age(limit: UsageLimitRule, date_of_birth: date | None) -> str | None:
    """The first calendar month (``YYYY-MM``) a monthly payment under ``limit`` may pay the
    person born on ``date_of_birth``: the month they reach the limit's minimum age, where
    the limit asks the age of every month paid (``min_age_each_month``: Liaocheng art. 22,
    父母年龄在60周岁以上的……每月给予). None: the limit asks no such thing, or the date of
    birth is unknown (``decide_entitlement`` refuses that on its own)."""
    if not limit.min_age_each_month or limit.min_age is None or date_of_birth is None:
        return None
    return f"{date_of_birth.year + limit.min_age:04d}-{date_of_birth.month:02d}"


def rule_source(scheme: Scheme, rule_id: str, *, policy: Policy | None = None) -> str:
    """The ``source`` of the rule ``rule_id`` in a scheme's data (any kind of rule), or ""
    for an id the scheme does not have."""
    data = (policy or default_policy()).scheme(scheme)
    for field in data.__struct_fields__:
        value = getattr(data, field)
        rules = value if isinstance(value, tuple) else (value,)
        for rule in rules:
            if isinstance(rule, Rule) and rule.id == rule_id:
                return rule.source
    return ""
