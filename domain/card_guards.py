"""The Card's guards (守卫): who may act on a card, and in which status it may be acted on.

Each guard refuses with the ``DomainError`` a caller maps to its answer (a role refused
is ``NotAuthorised``, 403; a card in the wrong status is ``IllegalTransition``, 409) and
names the rule that refused. They read only what they are given: the aggregate asks them
before it decides anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from domain import deadlines, policy
from domain.card_status import status_on
from domain.clock import business_date
from domain.errors import IllegalTransition, InvalidInput, NotAuthorised, ReviewIncomplete
from domain.policy import RevocationAction, RevocationStepDecision, StepTaken
from domain.policy.model import IssuerAction, JointStage
from domain.values import Context, Review, StatusChange
from domain.vocabulary import CardStatus, ReviewDecision, ReviewStage, Role, Scheme

# Who may withdraw an application: whoever files it, the talent or the employer, department
# or enterprise that filed on the talent's behalf. No seed states it: it rests on the
# administrator's decision <scheme>.decision.lifecycle (RD-2026-84, domain.policy.lifecycle).
APPLICANT_ROLES = frozenset(
    {Role.APPLICANT, Role.EMPLOYER, Role.INVESTMENT_DEPARTMENT, Role.ENTERPRISE}
)

# ---- who acts --------------------------------------------------------------------------


def check_context(ctx: Context) -> None:
    """Every command names who acts, at a timezone-aware instant."""
    if not ctx.actor.strip():
        raise InvalidInput("actor must name who acts")
    if ctx.effective_at.tzinfo is None:
        raise InvalidInput("effective_at must be a timezone-aware instant")


def check_issuer(scheme: Scheme, ctx: Context, action: IssuerAction) -> None:
    """Refuse a role the scheme's issuer rule in force on the act's day does not name,
    before the card's state is looked at: the refusal is of the role (403), whatever the
    card (``domain.policy.check_issuer``)."""
    policy.check_issuer(scheme, action, ctx.role, business_date(ctx.effective_at))


def check_withdrawer(scheme: Scheme, ctx: Context) -> None:
    """Only the applicant or the body that filed withdraws an application (撤回), as the
    recorded lifecycle decision says."""
    if ctx.role not in APPLICANT_ROLES:
        raise NotAuthorised(
            "only the applicant or the filing body may withdraw an application",
            rule=policy.lifecycle_decision(scheme),
        )


def check_contract_confirmer(ctx: Context) -> None:
    """A contract is confirmed by the employer or the city HRSS (domain.deadlines)."""
    if ctx.role not in deadlines.CONTRACT_CONFIRMERS:
        raise NotAuthorised(
            f"a contract is confirmed by {' or '.join(sorted(deadlines.CONTRACT_CONFIRMERS))}"
            f", not {ctx.role}",
            code="contract_confirmation_not_authorised",
            rule=deadlines.RULE_CONTRACT_CONFIRMERS,
        )


def check_reviewer(ctx: Context, review: Review, rules: Sequence[str]) -> None:
    """A stage decides as its own role, and the review names who decided; a refusal
    names the rules that set the path and its stages."""
    if ctx.role != Role(review.stage):
        raise NotAuthorised(
            f"a {review.stage} review must be recorded by role {review.stage}",
            rule=", ".join(rules)
            or "each review stage is recorded by its own authority (审核: the path's stages)",
        )
    if not review.reviewer.strip():
        raise InvalidInput("reviewer must name the reviewing person or body")


def check_joint(joint: Sequence[JointStage], rules: Sequence[str], review: Review) -> None:
    """A stage the path makes joint names every department that decided with it."""
    if review.decision is ReviewDecision.RETURNED:
        return
    for stage in joint:
        if stage.stage == review.stage:
            missing = [d for d in stage.departments if d not in review.joint_with]
            if missing:
                raise InvalidInput(
                    f"the {review.stage} decides jointly with {', '.join(stage.departments)};"
                    f" joint_with does not name {', '.join(missing)}",
                    code="joint_decision_incomplete",
                    rule=", ".join(rules),
                )


def check_step(decision: RevocationStepDecision, rules: tuple[str, ...]) -> None:
    """A revocation step taken by a user the procedure does not allow is refused."""
    if not decision.allowed:
        raise NotAuthorised(decision.reason, code=decision.code, rule=", ".join(rules))


def check_status_change(change: StatusChange) -> None:
    """A suspension or reinstatement says why and names the decision."""
    for name in ("reason", "decision_ref"):
        if not str(getattr(change, name)).strip():
            raise InvalidInput(f"{name} must not be empty")


def step_taken(ctx: Context, action: RevocationAction) -> StepTaken:
    """The revocation step the acting user takes."""
    return StepTaken(action=action, role=ctx.role, actor=ctx.actor)


# ---- in which status -------------------------------------------------------------------


def require_not_closed(recorded: CardStatus, action: str) -> None:
    """Nothing is done to an application that was withdrawn or rejected."""
    if recorded in (CardStatus.WITHDRAWN, CardStatus.REJECTED):
        raise IllegalTransition(
            f"cannot {action}: the application was {recorded}",
            code="application_closed",
        )


def require_under_review(recorded: CardStatus, action: str) -> None:
    """Only an application not yet issued (nor closed) is reviewed, received or issued."""
    require_not_closed(recorded, action)
    if recorded is not CardStatus.UNDER_REVIEW:
        raise IllegalTransition(
            f"cannot {action}: the card has already been issued and is {recorded}",
            code="already_issued",
        )


def require_in_force(
    recorded: CardStatus,
    valid_until: date | None,
    day: date,
    action: str,
    *,
    allow_suspended: bool,
) -> None:
    """Only an issued card in its term, not revoked (nor suspended, unless allowed), is
    changed on ``day``."""
    require_not_closed(recorded, action)
    status = status_on(recorded, valid_until, day)
    if status is CardStatus.UNDER_REVIEW:
        raise IllegalTransition(f"cannot {action}: the card is not issued", code="not_issued")
    if status is CardStatus.REVOKED:
        raise IllegalTransition(f"cannot {action}: the card is revoked", code="card_revoked")
    if status is CardStatus.EXPIRED:
        raise IllegalTransition(
            f"cannot {action}: the card expired after {valid_until}",
            code="card_expired",
        )
    if status is CardStatus.SUSPENDED and not allow_suspended:
        raise IllegalTransition(f"cannot {action}: the card is suspended", code="card_suspended")


def interim_measure(
    scheme: Scheme, ctx: Context, change: StatusChange, action: str
) -> StatusChange:
    """The change as recorded, citing the interim rule, once the acting role is the one
    the scheme's interim rule in force names (``domain.policy.interim_authority``: the
    registry's interim measure, resting on a recorded decision, not on a seed clause)."""
    authority = policy.interim_authority(scheme, business_date(ctx.effective_at))
    if ctx.role not in authority.roles:
        raise NotAuthorised(
            f"a {scheme} card is {action}ed by "
            f"{' or '.join(authority.roles) or 'no one (no interim rule in force)'}, "
            f"not {ctx.role}",
            code="interim_measure_not_authorised",
            rule=", ".join(authority.rules) or f"no {scheme} interim rule in force",
        )
    return StatusChange(
        reason=change.reason.strip(),
        decision_ref=change.decision_ref.strip(),
        rules=authority.rules,
        policy_version=authority.version,
    )


def require_suspendable(recorded: CardStatus) -> None:
    """A card already suspended is not suspended again."""
    if recorded is CardStatus.SUSPENDED:
        raise IllegalTransition("the card is already suspended", code="already_suspended")


def require_suspended(recorded: CardStatus) -> None:
    """Only a suspended card (of an application not closed) is reinstated."""
    require_not_closed(recorded, "reinstate")
    if recorded is not CardStatus.SUSPENDED:
        raise IllegalTransition(
            f"only a suspended card can be reinstated; this one is {recorded}",
            code="not_suspended",
        )


def require_revocable(recorded: CardStatus) -> None:
    """Only an issued card not yet revoked is revoked (an expired one may be)."""
    if recorded is CardStatus.REVOKED:
        raise IllegalTransition("the card is already revoked", code="already_revoked")
    require_not_closed(recorded, "revoke")
    if recorded is CardStatus.UNDER_REVIEW:
        raise IllegalTransition(
            "an application that was never issued cannot be revoked; reject or withdraw it",
            code="not_issued",
        )


def require_extendable(recorded: CardStatus, valid_until: date | None, day: date) -> None:
    """An issued card is extended even after its term ran out, unless it was revoked."""
    require_not_closed(recorded, "extend")
    status = status_on(recorded, valid_until, day)
    if status is CardStatus.UNDER_REVIEW:
        raise IllegalTransition("cannot extend: the card is not issued", code="not_issued")
    if status is CardStatus.REVOKED:
        raise IllegalTransition("cannot extend: the card is revoked", code="card_revoked")


def require_all_approved(
    next_stage: ReviewStage | None, required: Sequence[ReviewStage], rules: Sequence[str]
) -> None:
    """A card is issued once every required stage has approved."""
    if next_stage is not None:
        raise ReviewIncomplete(
            f"stage {next_stage} has not approved yet (required: {', '.join(required)})",
            rule=", ".join(rules),
        )


def check_not_after_today(name: str, day: date, today: date) -> None:
    """A date a command says something happened on is not after ``today``."""
    if day > today:
        raise InvalidInput(f"{name} {day} is after today ({today})")
