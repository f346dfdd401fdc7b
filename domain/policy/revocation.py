"""Revocation (收回, dynamic management): the steps a revocation takes, and who may take
the next one.

The seeds give a revocation to more than one party: the unit (or the programme's
authority) proposes to the window, city HRSS agrees, in Jinan the talent office agrees as
well (jinan-2018 art. 24(3), liaocheng-2022 art. 34, weihai-2019 part 2(5)). The steps are
data (``[[revocation]]`` ``steps``); these pure functions read them. Each step is a command
of its own by its own user, so no one can record another person's approval, and no user
may take two steps of one proposal (no self-approval).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from domain.policy.model import Policy
from domain.policy.results import (
    InterimAuthority,
    ProcedureStep,
    RevocationAction,
    RevocationProcedure,
    RevocationStepDecision,
    StepTaken,
)
from domain.policy.versions import RuleScope
from domain.vocabulary import Role, Scheme, SponsorKind


def revocation_procedure(
    scheme: Scheme,
    day: date,
    *,
    sponsor: SponsorKind | None = None,
    policy: Policy | None = None,
) -> RevocationProcedure:
    """The steps a revocation of a ``scheme`` card (whose sponsor is of kind ``sponsor``)
    proposed on ``day`` must take, in the source's order: the rule in force naming the
    sponsor kind, else one naming none. A scheme whose data holds no such rule has none
    (Shandong's rests on a recorded decision, its standard setting none)."""
    scope = RuleScope(scheme, day, policy)
    in_force = scope.rules(scope.data.revocation)
    rules = [r for r in in_force if sponsor is not None and sponsor in r.sponsors] or [
        r for r in in_force if not r.sponsors or sponsor is None
    ]
    if not rules:
        return RevocationProcedure(
            available=False,
            reason=f"the {scheme} sources set no revocation procedure; add one to the policy data",
            steps=(),
            rules=(),
            version=scope.version.id,
        )
    rule = rules[0]
    steps = tuple(
        ProcedureStep(action=RevocationAction(s.action), roles=s.roles, decides=s.decides)
        for s in rule.steps
    )
    return RevocationProcedure(
        available=True,
        reason=" → ".join(f"{s.action} by {' or '.join(s.roles)}" for s in steps),
        steps=steps,
        rules=(rule.id,),
        version=scope.version.id,
        grounds=rule.closed_grounds,
    )


def interim_authority(
    scheme: Scheme, day: date, *, policy: Policy | None = None
) -> InterimAuthority:
    """Who may suspend a card or reinstate it (暂停/恢复) on ``day``: the scheme's interim
    rules (``[[interim]]``). No seed clause covers these: they are the registry's own
    interim measure, each rule resting on the recorded decision
    ``<scheme>.decision.interim_measure`` (RD-2026-83), which gives them to the authority
    that approves a revocation last (city HRSS; Jinan the talent office; Shandong the
    provincial window). No one where no rule is in force."""
    scope = RuleScope(scheme, day, policy)
    rules = scope.rules(scope.data.interim)
    return InterimAuthority(
        roles=tuple(dict.fromkeys(role for r in rules for role in r.roles)),
        rules=tuple(r.id for r in rules),
        version=scope.version.id,
    )


def next_step(
    steps: Sequence[ProcedureStep], taken: Sequence[StepTaken]
) -> ProcedureStep | None:
    """The step a proposal waits for after ``taken`` (proposal first), or None when none."""
    return steps[len(taken)] if len(taken) < len(steps) else None


def decide_revocation_step(
    steps: Sequence[ProcedureStep],
    taken: Sequence[StepTaken],
    action: RevocationAction,
    role: Role,
    actor: str,
) -> RevocationStepDecision:
    """Whether ``actor`` acting as ``role`` may ``action`` now, the open proposal having
    taken ``taken`` (empty: none is open). A proposal opens only when none is; approving
    or declining takes the next step, which names the roles that may; and every step of a
    proposal is taken by a different user, so a proposer cannot approve and no one
    approves twice. User ids compare without case or surrounding blanks."""
    position = len(taken)
    step = next_step(steps, taken)

    def refuse(code: str, reason: str) -> RevocationStepDecision:
        return RevocationStepDecision(
            allowed=False, code=code, reason=reason, step=position, final=False
        )

    if action is RevocationAction.PROPOSE and position:
        return refuse(
            "revocation_pending",
            "a revocation proposal is already open; it must be approved or declined first",
        )
    if action is not RevocationAction.PROPOSE and not position:
        return refuse("no_open_revocation", f"there is no open revocation proposal to {action}")
    if step is None:
        return refuse("no_open_revocation", "every step of the proposal has been taken")
    if role not in step.roles:
        return refuse(
            "revocation_step_role",
            f"step {position + 1} ({step.action}) is taken by {' or '.join(step.roles)}, "
            f"not {role}",
        )
    if action is RevocationAction.DECLINE and not step.decides:
        return refuse(
            "step_forwards_only",
            f"step {position + 1} forwards the proposal to the next step; the {role} does "
            "not decide it and cannot decline it",
        )
    who = _user(actor)
    if any(_user(t.actor) == who for t in taken):
        return refuse(
            "self_approval",
            f"{actor} has already acted on this proposal; each step needs another person",
        )
    final = action is RevocationAction.APPROVE and position == len(steps) - 1
    return RevocationStepDecision(
        allowed=True,
        code="",
        reason=f"step {position + 1} of {len(steps)}: {action} by {role} {actor}",
        step=position,
        final=final,
    )


def _user(actor: str) -> str:
    return actor.strip().casefold()
