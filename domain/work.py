"""What a card waits for from a role today (待办, issue 28): the step a user in that role
would take next on it, if any. My work in the console lists the cards for which this is
not None; the step names the card command it means (``ledger.card_commands``).

Pure: the card's state and the role rules (``domain.card_roles``), read on ``day``. A
role rule says who may act; the state says whether the card is at that step now (a
window may record any file's receipt, but only a file still waiting for one is work).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from domain import card_roles as roles
from domain import deadlines
from domain.card_review import upgrade_in_review
from domain.errors import DomainError
from domain.vocabulary import CardStatus, Role, Scheme

if TYPE_CHECKING:
    from domain.card import Card


class WorkStep(StrEnum):
    """A step a card can wait for, named after the command that takes it."""

    REVIEW = "review"  # 审核: the stage waiting is the role's own
    RECEIVE = "receive"  # 受理: the window's receipt, before the decision it must precede
    CONFIRM_CONTRACT = "confirm_contract"  # 确认劳动合同
    ISSUE = "issue"  # 颁发: every stage approved
    UPGRADE = "upgrade"  # 升级: an upgrade request every stage approved
    APPROVE_REVOCATION = "approve_revocation"  # 收回: a proposal's next step
    DECIDE_AMENDMENT = "decide_amendment"  # 信息变更: a change waiting for its decision


def waiting_step(card: Card, role: Role, day: date) -> WorkStep | None:
    """The step ``card`` waits for from ``role`` on ``day``, or None."""
    status = card.recorded_status
    if status is CardStatus.UNDER_REVIEW:
        return _in_review(card, role, day)
    if status in (CardStatus.ACTIVE, CardStatus.SUSPENDED):
        if card.revocation is not None and roles.approves_revocation(card, role, day):
            return WorkStep.APPROVE_REVOCATION
        if card.amendment is not None and roles.decides_amendment(card, role, day):
            return WorkStep.DECIDE_AMENDMENT
        request = upgrade_in_review(card.upgrade_request, status)
        if request is not None:
            if roles.reviews(card, role, day):
                return WorkStep.REVIEW
            if roles.waiting_stage(card) is None and roles.upgrades(card, role, day):
                return WorkStep.UPGRADE
    return None


def _in_review(card: Card, role: Role, day: date) -> WorkStep | None:
    if card.next_stage is not None:
        # The stage about to decide may have to wait for a window's receipt first.
        if _missing(card, day, str(card.next_stage)) == "file_not_received":
            return WorkStep.RECEIVE if role in deadlines.WINDOWS else None
        return WorkStep.REVIEW if roles.reviews(card, role, day) else None
    missing = _missing(card, day, None)
    if missing == "file_not_received":
        return WorkStep.RECEIVE if role in deadlines.WINDOWS else None
    if missing == "contract_not_confirmed":
        return WorkStep.CONFIRM_CONTRACT if role in deadlines.CONTRACT_CONFIRMERS else None
    return WorkStep.ISSUE if roles.issues(card, role, day) else None


def _missing(card: Card, day: date, stage: str | None) -> str | None:
    """The code of the recorded step the deadline rule makes the decision wait for."""
    try:
        deadlines.require_recorded_steps(
            card.application.scheme,
            card.admission.route,
            day,
            stage=stage,
            received_on=card.received_on,
            confirmed_on=card.contract_confirmed_on,
        )
    except DomainError as waiting:
        return waiting.code
    return None


def working_days_left(today: date, due_on: date) -> int:
    """Working days from ``today`` to ``due_on``: 0 on the day it is due, negative once
    overdue (the working days since), as a clerk counts them (``today`` not counted)."""
    from datetime import timedelta

    from domain.policy.deadline import is_working_day

    step = 1 if due_on >= today else -1
    day, count = today, 0
    while day != due_on:
        day += timedelta(days=step)
        count += is_working_day(day)[0]
    return count * step


_LIVE = (CardStatus.ACTIVE, CardStatus.SUSPENDED)


def applies_now(card: Card, command: str) -> bool:
    """Whether the card's state lets ``command`` be taken now (the role rules say who may:
    ``domain.card_roles``). A page offers only these; the command itself still decides,
    with the request, whether it is done."""
    status = card.recorded_status
    in_review = status is CardStatus.UNDER_REVIEW
    upgrading = upgrade_in_review(card.upgrade_request, status) is not None
    match command:
        case "review":
            return roles.waiting_stage(card) is not None and (in_review or upgrading)
        case "receive":
            return in_review and card.received_on is None
        case "confirm_contract":
            return in_review and card.contract_confirmed_on is None
        case "issue" | "withdraw":
            return in_review and (command == "withdraw" or card.next_stage is None)
        case "upgrade_request":
            return status is CardStatus.ACTIVE and card.upgrade_request is None
        case "upgrade":
            return upgrading and roles.waiting_stage(card) is None
        case "extend" | "spouse_transfer":
            return status in _LIVE
        case "amend":
            return status in _LIVE and card.amendment is None
        case "decide_amendment":
            return card.amendment is not None
        case "suspend":
            return status is CardStatus.ACTIVE
        case "reinstate":
            return status is CardStatus.SUSPENDED
        case "propose_revocation":
            return status in _LIVE and card.revocation is None
        case "approve_revocation" | "decline_revocation":
            return card.revocation is not None
    return True


def open_request_events(role: Role) -> tuple[tuple[str, str], ...]:
    """(scheme, last event) of an issued card whose open request may wait for ``role``:
    a revocation proposal whose second step names it (after ``RevocationProposed``) or a
    later step (after a ``RevocationApproved`` forward), a change to the card's people it
    decides (``AmendmentRequested``). Every rule of each scheme counts, not only today's:
    a proposal keeps the steps of the day it was made. A superset; ``waiting_step``
    decides each card."""
    from domain.policy import default_policy

    found: set[tuple[str, str]] = set()
    for scheme in Scheme:
        data = default_policy().scheme(scheme)
        for rule in data.revocation:
            steps = rule.steps
            if len(steps) > 1 and role in steps[1].roles:
                found.add((str(scheme), "RevocationProposed"))
            if any(role in step.roles for step in steps[2:]):
                found.add((str(scheme), "RevocationApproved"))
        if any(role in rule.deciders for rule in data.amendments):
            found.add((str(scheme), "AmendmentRequested"))
    return tuple(sorted(found))
