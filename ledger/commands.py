"""The ledger's command bodies: what the CLI reads from options or ``--json FILE`` and what
the HTTP API will accept. Unknown fields are refused, so a typo is an error, not a no-op.
"""

from __future__ import annotations

from datetime import date

import msgspec

from domain.values import Sponsor
from domain.vocabulary import (
    IdDocumentKind,
    Relation,
    ReviewDecision,
    ReviewStage,
    Role,
    Route,
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
    route: Route
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
    """Issue the card with its tier and term."""

    tier: str
    valid_from: date
    valid_until: date
    term_basis: str


class UpgradeBody(IssueBody, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Upgrade to a higher tier with the recalculated term."""


class ExtendBody(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Extend the term on new evidence."""

    valid_until: date
    basis: str
    evidence: tuple[str, ...]


class StatusBody(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Suspend, reinstate or revoke: the reason, who proposed, who approved."""

    reason: str
    proposer: str
    approver: str


class WithdrawBody(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Withdraw an application."""
