"""Revocation (收回, dynamic management): who may propose it, who must approve it."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from domain.policy.model import Policy
from domain.policy.results import RevocationDecision
from domain.policy.versions import RuleScope
from domain.vocabulary import Role, Scheme


def decide_revocation(
    scheme: Scheme,
    proposer: Role,
    approvers: Collection[Role],
    day: date,
    *,
    policy: Policy | None = None,
) -> RevocationDecision:
    """Whether a revocation proposed by ``proposer`` and approved by ``approvers`` stands on
    ``day``: the proposer must be one the scheme names, every required approver must have
    approved (Jinan: city HRSS *and* the talent office) and no one else may approve. A
    scheme whose data holds no revocation rule in force refuses (Shandong's rule comes
    from the brief's general lifecycle, its standard setting none)."""
    ctx = RuleScope(scheme, day, policy)
    rules = ctx.rules(ctx.data.revocation)
    if not rules:
        return RevocationDecision(
            allowed=False,
            reason=f"the {scheme} sources set no revocation procedure; add one to the policy data",
            required_approvers=(),
            rules=(),
            version=ctx.version.id,
        )
    rule = rules[0]
    required = tuple(r.value for r in rule.approvers)
    given = set(approvers)
    missing = [r.value for r in rule.approvers if r not in given]
    extra = sorted(r.value for r in given - set(rule.approvers))
    if proposer not in rule.proposers:
        reason = (
            f"{proposer.value} may not propose revoking a {scheme} card; "
            f"proposers: {', '.join(p.value for p in rule.proposers)}"
        )
    elif missing:
        reason = f"approval missing from: {', '.join(missing)}"
    elif extra:
        reason = f"{', '.join(extra)} cannot approve a {scheme} revocation"
    else:
        reason = f"proposed by {proposer.value}, approved by {', '.join(required)}"
    return RevocationDecision(
        allowed=proposer in rule.proposers and not missing and not extra,
        reason=reason,
        required_approvers=required,
        rules=(rule.id,),
        version=ctx.version.id,
    )
