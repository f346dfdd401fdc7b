"""The ledger's command bodies: what the CLI reads from options or ``--json FILE`` and what
the HTTP API will accept. Unknown fields are refused, so a typo is an error, not a no-op.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec

from domain.policy import TermBasis
from domain.values import Sponsor
from domain.vocabulary import (
    IdDocumentKind,
    Relation,
    ReviewDecision,
    ReviewStage,
    Role,
    Scheme,
    SponsorKind,
)


class Body(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Every command names who acts, in which role, and may carry a note."""

    actor: str
    role: Role
    note: str = ""


class FamilyMemberIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A family member as filed."""

    relation: Relation
    name: str
    date_of_birth: date


class HolderIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The holder as filed; ``id_number`` is checked, hashed and then forgotten."""

    name: str
    id_number: str
    id_kind: IdDocumentKind = IdDocumentKind.RESIDENT_ID
    date_of_birth: date
    family: tuple[FamilyMemberIn, ...] = ()


class ApplyBody(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """File an application (申领)."""

    scheme: Scheme
    category: str
    programme: str = ""
    project_id: str = ""
    enterprise_id: str = ""
    facts: dict[str, str | int | float | bool] = {}
    holder: HolderIn
    sponsor: Sponsor = Sponsor(kind=SponsorKind.NONE)
    evidence: tuple[str, ...] = ()


class ReviewBody(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Record a review decision; ``reviewer`` defaults to the actor."""

    stage: ReviewStage
    decision: ReviewDecision
    reviewer: str = ""


class IssueBody(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Issue the card. The tier was decided at filing; the term is decided by the scheme's
    rules from ``bases`` (none: the scheme's standard term), starting on ``valid_from``
    (default: the issue date)."""

    valid_from: date | None = None
    bases: tuple[TermBasis, ...] = ()


class UpgradeBody(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Upgrade to a higher tier; the scheme's rule recalculates the term."""

    tier: str


class ExtendBody(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Extend the term because the scheme's trigger happened on ``event_on`` (Weihai 2023:
    the project landed or the hire was confirmed), with the evidence."""

    event_on: date
    evidence: tuple[str, ...]


# Free-text fields of the commands below, with the issue's size limits (checked on decoding).
Reason = Annotated[str, msgspec.Meta(max_length=2_000)]
DecisionRef = Annotated[str, msgspec.Meta(max_length=200)]


class StatusBody(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Suspend or reinstate (the registry's interim measure): why, and the reference of the
    decision it carries out. The acting user is the one who decided; there is no typed
    proposer or approver."""

    reason: Reason
    decision_ref: DecisionRef


class RevocationProposeBody(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Propose revoking a card, as the acting user in a proposing role: the grounds."""

    reason: Reason


class RevocationApproveBody(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Approve the open revocation proposal at its next step, as the acting user in that
    step's role. Nothing else: whose approval it is comes from who acts."""


class RevocationDeclineBody(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Decline the open revocation proposal at its next step, saying why."""

    reason: Reason


class QuotaRaiseBody(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The talent office's case-by-case decision (一事一议) raising a project's quota."""

    scheme: Scheme
    category: str
    project_id: str = ""
    enterprise_id: str = ""
    limit: int
    decision_ref: str


class WithdrawBody(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Withdraw an application."""
