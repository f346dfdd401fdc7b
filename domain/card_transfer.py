"""A deadline on delivering an item (服务时限), started by a recorded request: Liaocheng
art. 13's spouse transfer (1个月内办理随调手续). The rule in force on the request's day
(``[[service_deadlines]]``) says which item and person it serves, how many months it
allows and who records the request and its completion; the card must grant that item to
that person then. The clock stops when the transfer is recorded done; ``sla`` lists it.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Mapping
from datetime import date

import msgspec

from domain import policy
from domain.card_amendment import present_family
from domain.errors import IllegalTransition, NotAuthorised
from domain.policy import Beneficiary, BeneficiaryKind, CardSnapshot
from domain.policy.model import ServiceDeadlineRule
from domain.policy.versions import RuleScope
from domain.values import Holder, Value
from domain.vocabulary import Role, Scheme

SPOUSE_TRANSFER = "spouse_transfer"


class TransferStep(enum.StrEnum):
    """What is recorded: the request that starts the month, or the transfer done."""

    REQUESTED = "requested"  # 提出随调申请
    COMPLETED = "completed"  # 随调手续办结


class SpouseTransfer(Value, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A step of a spouse's transfer (随调): the request, with the day its month started and
    the day it is due (inclusive), or the completion; the item, the rule and the policy
    version that decided it."""

    step: TransferStep
    on: date
    item: str
    starts_on: date
    due_on: date
    rules: tuple[str, ...]
    policy_version: str


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later, or that month's last day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def transfer_rule(scheme: Scheme, day: date) -> ServiceDeadlineRule | None:
    """The spouse-transfer deadline rule of ``scheme`` in force on ``day``, if any."""
    scope = RuleScope(scheme, day, None)
    rules = [r for r in scope.rules(scope.data.service_deadlines) if r.clock == SPOUSE_TRANSFER]
    return rules[0] if rules else None


def records_transfer(scheme: Scheme, role: Role, day: date) -> bool:
    """Whether ``role`` records a spouse's transfer under the rule in force on ``day``."""
    rule = transfer_rule(scheme, day)
    return rule is not None and role in rule.recorded_by


def decide_transfer(
    card: CardSnapshot,
    holder: Holder,
    step: TransferStep,
    day: date,
    role: Role,
    open_request: SpouseTransfer | None,
    facts: Mapping[str, bool | str] | None = None,
) -> SpouseTransfer:
    """The step recorded on ``day`` by ``role``: refused where no rule is in force
    (``no_transfer_deadline``: no role records one then), for a role the rule does not
    name, for a request while one
    is open or a completion with none, and for a request the card does not grant (the
    item to a spouse it names, on ``facts`` the article's conditions read)."""
    rule = transfer_rule(card.scheme, day)
    if rule is None:  # then no role records one (the role rule says the same)
        raise NotAuthorised(
            f"no {card.scheme} rule in force on {day} sets a deadline for a spouse's "
            "transfer, so no role records one",
            code="no_transfer_deadline",
            rule="a spouse's transfer is recorded by the roles its deadline rule names",
        )
    if role not in rule.recorded_by:
        raise NotAuthorised(
            f"a spouse's transfer is recorded by {' or '.join(sorted(rule.recorded_by))}, "
            f"not {role}",
            code="transfer_not_authorised",
            rule=rule.id,
        )
    item = rule.items[0]
    if step is TransferStep.COMPLETED:
        if open_request is None:
            raise IllegalTransition(
                "no request for the spouse's transfer is open", code="no_transfer_requested"
            )
        return msgspec.structs.replace(open_request, step=step, on=day)
    if open_request is not None:
        raise IllegalTransition(
            f"a request for the spouse's transfer is open since {open_request.starts_on}, "
            f"due {open_request.due_on}",
            code="transfer_already_requested",
            rule=rule.id,
        )
    kind = BeneficiaryKind(str(rule.beneficiary))
    people = [m for _, m in present_family(holder) if str(m.relation) == kind]
    if not people:
        raise IllegalTransition(
            f"the card names no {kind} to transfer", code="no_spouse", rule=rule.id
        )
    person = Beneficiary(kind=kind, date_of_birth=people[0].date_of_birth)
    granted = policy.decide_entitlement(card, item, person, day, facts=facts)
    if not granted.granted:
        raise IllegalTransition(f"{item}: {granted.reason}", code="not_granted", rule=rule.id)
    return SpouseTransfer(
        step=step,
        on=day,
        item=item,
        starts_on=day,
        due_on=add_months(day, rule.months),
        rules=(rule.id, *granted.rules),
        policy_version=granted.version,
    )
