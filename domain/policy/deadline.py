"""Issuance deadlines (办理时限) in working days (工作日).

Counting: the day the file is received (or the contract confirmed) does not count; the
deadline is the Nth working day after it. A direct file received on Friday 2025-09-26 is
due on Monday 2025-10-13 (working days 09-28 adjusted, 09-29, 09-30, 10-09, 10-10, 10-11
adjusted, 10-13; 10-01..10-08 are the National Day holiday).

Calendar: an administrator-supplied year in ``workdays.toml`` wins; otherwise the
``chinese_calendar`` package (2004-2026 in 1.11); otherwise Monday-Friday, and the
deadline is marked ``estimated``.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar

from domain.errors import InvalidInput
from domain.policy.loader import default_policy
from domain.policy.model import Policy
from domain.policy.results import DeadlineDecision
from domain.policy.versions import RuleScope
from domain.vocabulary import Route, Scheme


def is_working_day(day: date, *, policy: Policy | None = None) -> tuple[bool, bool]:
    """``(working, estimated)`` for ``day``: estimated when no calendar covers its year and
    Monday-Friday was assumed."""
    for year in (policy or default_policy()).workdays.years:
        if year.year == day.year:
            if day in year.adjusted_workdays:
                return True, False
            if day in year.holidays:
                return False, False
            return day.weekday() < 5, False
    try:
        return bool(chinese_calendar.is_workday(day)), False
    except NotImplementedError:  # a year the package does not cover
        return day.weekday() < 5, True


def add_working_days(start: date, count: int, *, policy: Policy | None = None) -> tuple[date, bool]:
    """The ``count``-th working day after ``start`` (``start`` itself not counted), and
    whether any day on the way had to be estimated."""
    if count < 1:
        raise InvalidInput(
            "a working-day count must be at least 1", code="working_days_not_positive"
        )
    day, found, estimated = start, 0, False
    while found < count:
        day += timedelta(days=1)
        working, guessed = is_working_day(day, policy=policy)
        estimated = estimated or guessed
        found += working
    return day, estimated


def issuance_deadline(
    route: Route,
    received_on: date,
    *,
    contract_confirmed_on: date | None = None,
    scheme: Scheme = Scheme.SHANDONG,
    policy: Policy | None = None,
    decided_on: date | None = None,
) -> DeadlineDecision:
    """When a card must be issued once the (provincial) window has the file on
    ``received_on``: Shandong direct 7 working days; reviewed 14 working days from the
    later of receipt and the confirmation of the employment contract (None until then);
    evaluated after the expert review, no fixed count (None). Schemes whose sources set no
    deadline answer None with the reason. The rule is the one in force on ``decided_on``
    (default: ``received_on``), the day the clock started."""
    ctx = RuleScope(scheme, decided_on or received_on, policy)
    rules = [r for r in ctx.rules(ctx.data.deadlines) if r.route is route]

    def answer(
        due: date | None,
        start: date | None,
        reason: str,
        estimated: bool = False,
        days: int | None = None,
    ) -> DeadlineDecision:
        return DeadlineDecision(
            due_on=due,
            starts_on=start,
            working_days=days,
            estimated=estimated,
            reason=reason,
            rules=tuple(r.id for r in rules[:1]),
            version=ctx.version.id,
        )

    if not rules:
        return answer(None, None, f"the {scheme} sources set no {route} issuance deadline")
    rule = rules[0]
    if rule.starts == "expert_review" or rule.working_days is None:
        return answer(None, None, f"issued by procedure after the expert review ({rule.source})")
    start = received_on
    if rule.starts == "contract_confirmed":
        if contract_confirmed_on is None:
            return answer(None, None, "the count starts once the employment contract is confirmed")
        start = max(received_on, contract_confirmed_on)
    due, estimated = add_working_days(start, rule.working_days, policy=ctx.policy)
    note = (
        " (estimated: Monday-Friday assumed where no calendar covers the year)" if estimated else ""
    )
    return answer(
        due,
        start,
        f"{rule.working_days} working days after {start}, not counting that day{note}",
        estimated,
        rule.working_days,
    )
