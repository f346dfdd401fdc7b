"""Who may take each action on a card (the role rules), as predicates: ``rule(card, role,
day)`` says whether a user in ``role`` may take the action on ``card`` on ``day``. The card
command table (``ledger.card_commands``) carries one per command, so that a page can ask
which actions a user may take on a card now; the aggregate refuses the same roles with
``NotAuthorised`` when the command is run.

A role rule is about the role only: whether the card's state allows the action (already
issued, suspended, …), and the content of the request, are the command's to decide.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from domain import deadlines, policy
from domain.card_guards import APPLICANT_ROLES
from domain.card_review import next_upgrade_stage, upgrade_in_review
from domain.errors import InvalidInput, NotAuthorised
from domain.policy import RevocationAction
from domain.vocabulary import ReviewStage, Role

if TYPE_CHECKING:
    from domain.card import Card

RoleRule = Callable[["Card", Role, date], bool]

# APPLICANT_ROLES sits with the guard that refuses by it.


def files(card: Card, role: Role, day: date) -> bool:
    """Filing (申领): the scheme's filer rule for the card's category names the role."""
    application = card.application
    try:
        policy.check_filer(
            application.scheme, application.basis.category, role, application.sponsor.kind, day
        )
    except NotAuthorised:
        return False
    except InvalidInput:  # the role may file; the card's sponsor kind is another matter
        return True
    return True


def reviews(card: Card, role: Role, day: date) -> bool:
    """A review stage decides as its own role: the stage the card (or its open upgrade
    request) waits for next."""
    stage = waiting_stage(card)
    return stage is not None and role == Role(stage)


def waiting_stage(card: Card) -> ReviewStage | None:
    """The review stage the card waits for: its open upgrade request's next stage on an
    active card, else the application's."""
    request = upgrade_in_review(card.upgrade_request, card.recorded_status)
    if request is not None:
        return next_upgrade_stage(request, card.upgrade_approved)
    return card.next_stage


def receives(card: Card, role: Role, day: date) -> bool:
    """A window records its own receipt of the file (受理)."""
    return role in deadlines.WINDOWS


def confirms_contract(card: Card, role: Role, day: date) -> bool:
    """The employer or the city HRSS confirms the employment contract."""
    return role in deadlines.CONTRACT_CONFIRMERS


def issues(card: Card, role: Role, day: date) -> bool:
    """Issuing (颁发): the scheme's issuer rule in force on ``day`` names the role for it
    (``domain.policy.issuer_roles``)."""
    return role in policy.issuer_roles(card.application.scheme, "issue", day).roles


def upgrades(card: Card, role: Role, day: date) -> bool:
    """Upgrading (升级): the scheme's issuer rule in force on ``day`` names the role for it."""
    return role in policy.issuer_roles(card.application.scheme, "upgrade", day).roles


def extends(card: Card, role: Role, day: date) -> bool:
    """Extending (延期): the scheme's issuer rule in force on ``day`` names the role for it."""
    return role in policy.issuer_roles(card.application.scheme, "extend", day).roles


def requests_upgrade(card: Card, role: Role, day: date) -> bool:
    """An upgrade is requested as the higher category would be filed (Liaocheng art.
    32): by a role some filer rule of the card's scheme names. Which category is asked
    for is the request's, so the category's own rule decides when the command runs; a
    role this rule refuses, every category's rule refuses."""
    roles = policy.filer_roles(card.application.scheme, day)
    return roles is None or role in roles


def interim_authority(card: Card, role: Role, day: date) -> bool:
    """Suspension and reinstatement: the scheme's interim authority
    (``domain.policy.interim_authority``)."""
    return role in policy.interim_authority(card.application.scheme, day).roles


def proposes_revocation(card: Card, role: Role, day: date) -> bool:
    """The roles of the first step of the revocation procedure of the card's scheme and
    sponsor kind."""
    application = card.application
    procedure = policy.revocation_procedure(
        application.scheme, day, sponsor=application.sponsor.kind
    )
    return bool(procedure.steps) and role in procedure.steps[0].roles


def approves_revocation(card: Card, role: Role, day: date) -> bool:
    """Approving (or forwarding): the roles of the open proposal's next step."""
    step = _next_revocation_step(card)
    return step is not None and role in step.roles


def declines_revocation(card: Card, role: Role, day: date) -> bool:
    """Declining: the roles of the open proposal's next step, where that step decides; a
    step that only forwards the proposal cannot decline it."""
    step = _next_revocation_step(card)
    return step is not None and step.decides and role in step.roles


def _next_revocation_step(card: Card) -> policy.ProcedureStep | None:
    """The open proposal's next step (never the proposal itself), if one is open."""
    proposal = card.revocation
    if proposal is None:
        return None
    step = policy.next_step(proposal.steps, card.revocation_steps)
    return step if step is not None and step.action is not RevocationAction.PROPOSE else None


def withdraws(card: Card, role: Role, day: date) -> bool:
    """The applicant or the body that filed withdraws its own application (撤回): the
    recorded lifecycle decision (``domain.policy.lifecycle_decision``)."""
    return role in APPLICANT_ROLES


def files_amendment(card: Card, role: Role, day: date) -> bool:
    """A change to the card's people is filed by the roles its scheme's amendment rule
    names (Liaocheng art. 33: the employer; elsewhere whoever files the card)."""
    try:
        policy.check_amendment_filer(card.application.scheme, role, day)
    except NotAuthorised:
        return False
    return True


def decides_amendment(card: Card, role: Role, day: date) -> bool:
    """The issuing body the amendment rule names decides the open change."""
    try:
        policy.check_amendment_decider(card.application.scheme, role, day)
    except NotAuthorised:
        return False
    return True
