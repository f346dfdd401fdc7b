"""A card's revocation (收回) as its scheme's procedure decides it: the proposal with the
steps in force that day fixed in it, and each later step's approval or refusal by the
user the step names. The Card records what these decide (domain.card)."""

from __future__ import annotations

from domain import policy
from domain.card_guards import check_step, step_taken
from domain.clock import business_date
from domain.errors import IllegalTransition, InvalidInput
from domain.policy import RevocationAction, RevocationStepDecision, StepTaken
from domain.values import (
    Context,
    Revocation,
    RevocationApproval,
    RevocationDecline,
    RevocationProposal,
)
from domain.vocabulary import Scheme, SponsorKind


def proposal_of(
    scheme: Scheme,
    ctx: Context,
    taken: tuple[StepTaken, ...],
    *,
    reason: str,
    ground: str,
    sponsor: SponsorKind | None = None,
) -> RevocationProposal:
    """The proposal the acting user makes under the procedure in force today: refused
    without a reason, without a procedure, on a ground the rules do not list, or by a
    role the procedure does not let propose. The procedure is the one of the card's
    ``sponsor`` kind, where the rules name one (Jinan: a card with no unit)."""
    if not reason.strip():
        raise InvalidInput("reason must not be empty")
    procedure = policy.revocation_procedure(
        scheme, business_date(ctx.effective_at), sponsor=sponsor
    )
    if not procedure.available:
        raise IllegalTransition(procedure.reason, code="no_revocation_procedure")
    codes = [g.code for g in procedure.grounds]
    if codes and ground not in codes:
        listed = "; ".join(f"{g.code} ({g.label})" for g in procedure.grounds)
        raise InvalidInput(
            f"ground must be one of the grounds the rules allow: {listed}",
            code="unknown_ground",
            rule=", ".join(procedure.rules),
        )
    decision = policy.decide_revocation_step(
        procedure.steps,
        taken,
        RevocationAction.PROPOSE,
        ctx.role,
        ctx.actor,
    )
    check_step(decision, procedure.rules)
    return RevocationProposal(
        reason=reason.strip(),
        proposed_by=step_taken(ctx, RevocationAction.PROPOSE),
        steps=procedure.steps,
        rules=procedure.rules,
        policy_version=procedure.version,
        ground=ground,
    )


def approval_of(
    proposal: RevocationProposal, taken: tuple[StepTaken, ...], ctx: Context
) -> tuple[RevocationApproval, RevocationStepDecision]:
    """The acting user's agreement at the proposal's next step, and whether it is the
    last (``decision.final``); refused when the step is not the user's to take."""
    decision = policy.decide_revocation_step(
        proposal.steps, taken, RevocationAction.APPROVE, ctx.role, ctx.actor
    )
    check_step(decision, proposal.rules)
    approval = RevocationApproval(
        step=decision.step,
        approved_by=step_taken(ctx, RevocationAction.APPROVE),
        rules=proposal.rules,
        policy_version=proposal.policy_version,
    )
    return approval, decision


def decline_of(
    proposal: RevocationProposal, taken: tuple[StepTaken, ...], ctx: Context, reason: str
) -> RevocationDecline:
    """The acting user's refusal at the proposal's next step, saying why."""
    if not reason.strip():
        raise InvalidInput("reason must not be empty")
    decision = policy.decide_revocation_step(
        proposal.steps, taken, RevocationAction.DECLINE, ctx.role, ctx.actor
    )
    check_step(decision, proposal.rules)
    return RevocationDecline(
        step=decision.step,
        declined_by=step_taken(ctx, RevocationAction.DECLINE),
        reason=reason.strip(),
        rules=proposal.rules,
        policy_version=proposal.policy_version,
    )


def revocation_of(proposal: RevocationProposal, steps: tuple[StepTaken, ...]) -> Revocation:
    """The revocation the last approval makes, listing every step's user and role."""
    return Revocation(
        reason=proposal.reason,
        steps=steps,
        rules=proposal.rules,
        policy_version=proposal.policy_version,
    )


def open_proposal(proposal: RevocationProposal | None, action: str) -> RevocationProposal:
    """The card's open proposal, which a later step approves or declines."""
    if proposal is None:
        raise IllegalTransition(
            f"cannot {action}: no revocation of this card has been proposed",
            code="no_open_revocation",
        )
    return proposal
