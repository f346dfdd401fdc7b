"""Issuance deadline clocks (办理时限的起算): which recorded event starts the clock a card's
deadline runs on, and the deadline it then runs to.

The clocks are named by the deadline rules' ``starts`` (domain/policy/data, e.g.
shandong.toml [[deadlines]], shandong-provincial-service-standard 7.1): the file received
by the window that counts ("file_received"), the employment contract confirmed, counted
from the later of it and the receipt ("contract_confirmed"), or the expert review done
("expert_review"). A scheme whose sources set no deadline runs the receipt clock with no
due date, so every file still shows when the registry had it.
"""

from __future__ import annotations

from datetime import date

from domain.errors import IllegalTransition, InvalidInput, NotAuthorised
from domain.policy import issuance_deadline
from domain.policy.model import DeadlineRule
from domain.policy.versions import RuleScope
from domain.values import Deadline
from domain.vocabulary import Role, Route, Scheme

FILE_RECEIVED = "file_received"
CONTRACT_CONFIRMED = "contract_confirmed"
EXPERT_REVIEW = "expert_review"
_CLOCK_OF_START = {
    "received": FILE_RECEIVED,
    "contract_confirmed": CONTRACT_CONFIRMED,
    "expert_review": EXPERT_REVIEW,
}

# The roles that receive files: the service windows (高层次人才服务窗口, Shandong path
# "same-level window reviews → escalated to provincial window") and, for the city schemes,
# the city HRSS bureau that issues them (POLICY.md, the schemes' issuer column).
# Who receives files (受理): the service windows at each level (Shandong 5.3, 7.1), the
# city HRSS, and Weihai's talent institute, the 2023 notice's intake for business elites.
WINDOWS = frozenset(
    {
        Role.COUNTY_WINDOW,
        Role.CITY_WINDOW,
        Role.PROVINCIAL_WINDOW,
        Role.CITY_HRSS,
        Role.TALENT_INSTITUTE,
    }
)
# Who records that the employment contract is confirmed: the employer that signed it, or
# the city HRSS from the employer's filing. The sources name no one (Shandong 7.1 says
# only "after the contract is confirmed"): this is the registry's choice.
CONTRACT_CONFIRMERS = frozenset({Role.EMPLOYER, Role.CITY_HRSS})
RULE_CONTRACT_CONFIRMERS = (
    "the employer or the city HRSS confirms the employment contract (shandong standard 7.1: "
    "审核颁发：确认引进人才工作合同后; who confirms is the registry's choice)"
)
RULE_OWN_RECEIPT = "a window records its own receipt of the file (受理)"


def rule_in_force(scheme: Scheme, route: Route, day: date) -> DeadlineRule | None:
    """The deadline rule of a route in force on ``day``, if the scheme sets one."""
    scope = RuleScope(scheme, day, None)
    rules = [r for r in scope.rules(scope.data.deadlines) if r.route is route]
    return rules[0] if rules else None


def check_receipt(
    scheme: Scheme,
    route: Route,
    day: date,
    window: Role,
    acting: Role,
    *,
    intake: Role | None = None,
) -> bool:
    """Whether the receipt counts for the deadline. Refuse one recorded by someone other
    than the window itself, by a role that is no window, or by a window whose receipt
    does not count under the rule in force, unless that window is the file's ``intake``
    (the path names it to take the file in and pass it on): its receipt counts for no
    clock."""
    if window not in WINDOWS:
        raise InvalidInput(
            f"{window} is not a window that receives files ({', '.join(sorted(WINDOWS))})",
            code="not_a_window",
        )
    if acting != window:
        raise NotAuthorised(
            f"the {window} records its own receipt of the file, not {acting}",
            code="receipt_not_authorised",
            rule=RULE_OWN_RECEIPT,
        )
    rule = rule_in_force(scheme, route, day)
    if rule is not None and rule.window is not None and rule.window != window:
        if window == intake:
            return False
        raise IllegalTransition(
            f"a {scheme} {route} deadline starts when the {rule.window} has the file, "
            f"not the {window}",
            code="window_does_not_count",
            rule=rule.id,
        )
    return True


def require_recorded_steps(
    scheme: Scheme,
    route: Route,
    day: date,
    *,
    stage: str | None,
    received_on: date | None,
    confirmed_on: date | None,
) -> None:
    """Refuse a decision the deadline rule in force makes wait for its clock's events
    (``required``): the counting window's stage (``stage``, the stage about to decide) or
    the issuance (``stage`` None) before that window recorded its receipt, and the
    issuance of a card whose clock runs from the contract before it was confirmed."""
    rule = rule_in_force(scheme, route, day)
    if rule is None or not rule.required:
        return
    deciding = stage is None or (rule.window is not None and stage == rule.window)
    if deciding and received_on is None:
        who = rule.window or "a window"
        what = "the card is issued" if stage is None else f"the {stage} decides"
        raise IllegalTransition(
            f"the {who} must record its receipt of the file (card receive) before {what}; "
            f"source: {rule.source}",
            code="file_not_received",
            rule=rule.id,
        )
    if stage is None and rule.starts == "contract_confirmed" and confirmed_on is None:
        raise IllegalTransition(
            "the employment contract must be confirmed (card confirm-contract) before the "
            f"card is issued; source: {rule.source}",
            code="contract_not_confirmed",
            rule=rule.id,
        )


def clock_started(
    scheme: Scheme,
    route: Route,
    day: date,
    trigger: str,
    *,
    received_on: date | None,
    confirmed_on: date | None,
) -> Deadline | None:
    """The deadline a card's clock runs to once ``trigger`` (a clock name) happened on
    ``day``, decided under the rule in force that day; None when this event starts no
    clock for the card's route (or the contract clock still lacks its other event)."""
    rule = rule_in_force(scheme, route, day)
    clock = _CLOCK_OF_START[rule.starts] if rule is not None else FILE_RECEIVED
    if clock == FILE_RECEIVED and trigger == FILE_RECEIVED and received_on is not None:
        start = received_on
    elif clock == CONTRACT_CONFIRMED and trigger in (FILE_RECEIVED, CONTRACT_CONFIRMED):
        if received_on is None or confirmed_on is None:
            return None
        start = max(received_on, confirmed_on)
    elif clock == EXPERT_REVIEW and trigger == EXPERT_REVIEW:
        start = day
    else:
        return None
    decision = issuance_deadline(
        route,
        received_on or start,
        contract_confirmed_on=confirmed_on,
        scheme=scheme,
        decided_on=day,
    )
    return Deadline(
        clock=clock,
        starts_on=decision.starts_on or start,
        due_on=decision.due_on,
        working_days=decision.working_days,
        estimated=decision.estimated,
        reason=decision.reason,
        rules=decision.rules,
        policy_version=decision.version,
    )


def replaces(running: Deadline | None, deadline: Deadline) -> bool:
    """Whether a deadline just started replaces the card's running one: none runs, another
    clock runs, or the same clock now starts later."""
    restarts_later = running is None or deadline.starts_on > running.starts_on
    return running is None or running.clock != deadline.clock or restarts_later
