"""The Card aggregate (人才服务卡): one card per application, from filing to revocation.

Public methods check the invariants, then call a private ``@event`` method; the event
methods only assign state, so replaying history years later never re-decides anything.
Expiry is derived from ``valid_until``; no one has to remember to write it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate, event

from domain import review_path
from domain.clock import business_date
from domain.errors import IllegalTransition, InvalidInput, NotAuthorised, ReviewIncomplete
from domain.values import (
    Application,
    Context,
    Extension,
    Issuance,
    Review,
    StatusChange,
    Term,
    Upgrade,
    Value,
)
from domain.vocabulary import CardStatus, ReviewDecision, ReviewStage, Role, Route, SponsorKind

# Who may withdraw an application: whoever files it (POLICY.md "Lifecycle": withdrawal by
# the applicant, which includes the employer or department that filed on the talent's behalf).
APPLICANT_ROLES = frozenset(
    {Role.APPLICANT, Role.EMPLOYER, Role.INVESTMENT_DEPARTMENT, Role.ENTERPRISE}
)


class Admission(Value, frozen=True):
    """What was decided when the application was accepted: the review stages it must pass
    and the rule that set them (recorded so replay never depends on today's rules)."""

    required_stages: tuple[ReviewStage, ...]
    decided_by: str


class Rejection(Value, frozen=True):
    """An application refused at a review stage (未通过)."""

    stage: ReviewStage
    reviewer: str


class Card(Aggregate):
    """A talent service card and its application, as an event-sourced aggregate."""

    # ---- creation -------------------------------------------------------------------

    @classmethod
    def file(cls, ctx: Context, application: Application) -> Card:
        """File an application (申领). Raises InvalidInput naming the first bad field."""
        _check_context(ctx)
        _check_application(ctx, application)
        stages = review_path.required_stages(
            application.scheme, application.route, application.basis.category
        )
        if stages is None:
            raise InvalidInput(
                f"scheme {application.scheme} has no {application.route} route",
                code="route_not_available",
                rule="review_path.required_stages",
            )
        admission = Admission(required_stages=stages, decided_by="review_path.required_stages")
        return cls(ctx=ctx, application=application, admission=admission)

    @event("Applied")
    def __init__(self, ctx: Context, application: Application, admission: Admission) -> None:
        self.application = application
        self.required_stages = admission.required_stages
        self.approved_stages: list[ReviewStage] = []
        self.recorded_status = CardStatus.UNDER_REVIEW
        self.tier: str | None = None
        self.term: Term | None = None
        self.applied_at = ctx.effective_at

    # ---- queries ----------------------------------------------------------------------

    @property
    def next_stage(self) -> ReviewStage | None:
        """The review stage that must decide next, or None when all have approved."""
        remaining = self.required_stages[len(self.approved_stages) :]
        return remaining[0] if remaining else None

    def status_on(self, day: date) -> CardStatus:
        """The card's status on a business date; EXPIRED once ``day`` is past valid_until."""
        if (
            self.recorded_status in (CardStatus.ACTIVE, CardStatus.SUSPENDED)
            and self.term is not None
            and day > self.term.valid_until
        ):
            return CardStatus.EXPIRED
        return self.recorded_status

    # ---- review -----------------------------------------------------------------------

    def record_review(self, ctx: Context, review: Review) -> None:
        """Record a reviewer's decision at the next required stage; a rejection ends the
        application. Stages decide in the order the scheme sets, each by its own role."""
        _check_context(ctx)
        self._require_under_review("record a review")
        expected = self.next_stage
        if expected is None:
            raise IllegalTransition(
                "every required review stage has already approved; the card can be issued",
                code="review_complete",
            )
        if review.stage != expected:
            raise IllegalTransition(
                f"the next review stage is {expected}, not {review.stage}",
                code="review_out_of_order",
                rule="review_path.required_stages",
            )
        if ctx.role != Role(review.stage):
            raise NotAuthorised(f"a {review.stage} review must be recorded by role {review.stage}")
        if not review.reviewer.strip():
            raise InvalidInput("reviewer must name the reviewing person or body")
        self._review_recorded(ctx=ctx, review=review)
        if review.decision == ReviewDecision.REJECTED:
            self._rejected(
                ctx=ctx, rejection=Rejection(stage=review.stage, reviewer=review.reviewer)
            )

    @event("ReviewRecorded")
    def _review_recorded(self, ctx: Context, review: Review) -> None:
        if review.decision == ReviewDecision.APPROVED:
            self.approved_stages.append(review.stage)

    @event("Rejected")
    def _rejected(self, ctx: Context, rejection: Rejection) -> None:
        self.recorded_status = CardStatus.REJECTED

    def withdraw(self, ctx: Context) -> None:
        """The applicant (or the body that filed) withdraws the application (撤回)."""
        _check_context(ctx)
        self._require_under_review("withdraw")
        if ctx.role not in APPLICANT_ROLES:
            raise NotAuthorised("only the applicant or the filing body may withdraw an application")
        self._withdrawn(ctx=ctx)

    @event("Withdrawn")
    def _withdrawn(self, ctx: Context) -> None:
        self.recorded_status = CardStatus.WITHDRAWN

    # ---- issuance and changes to the grant ---------------------------------------------

    def issue(self, ctx: Context, issuance: Issuance) -> None:
        """Issue the card (颁发) once every required stage has approved."""
        _check_context(ctx)
        self._require_under_review("issue")
        if self.next_stage is not None:
            raise ReviewIncomplete(
                f"stage {self.next_stage} has not approved yet "
                f"(required: {', '.join(self.required_stages)})",
                rule="review_path.required_stages",
            )
        self._check_tier(issuance.tier)
        _check_term(issuance.term)
        self._issued(ctx=ctx, issuance=issuance)

    @event("Issued")
    def _issued(self, ctx: Context, issuance: Issuance) -> None:
        self.recorded_status = CardStatus.ACTIVE
        self.tier = issuance.tier
        self.term = issuance.term

    def upgrade(self, ctx: Context, upgrade: Upgrade) -> None:
        """Move the card to a higher tier with its recalculated term (升级)."""
        _check_context(ctx)
        self._require_in_force(ctx, "upgrade", allow_suspended=False)
        scheme = self.application.scheme
        if not review_path.has_ranked_tiers(scheme):
            raise IllegalTransition(
                f"{scheme} cards have no tiers to upgrade between", code="upgrade_not_supported"
            )
        self._check_tier(upgrade.tier)
        assert self.tier is not None
        new_rank = review_path.tier_rank(scheme, upgrade.tier)
        old_rank = review_path.tier_rank(scheme, self.tier)
        assert new_rank is not None
        assert old_rank is not None
        if new_rank <= old_rank:
            raise IllegalTransition(
                f"tier {upgrade.tier} is not higher than the current tier {self.tier}",
                code="tier_not_higher",
                rule="review_path.tier_rank",
            )
        _check_term(upgrade.term)
        self._upgraded(ctx=ctx, upgrade=upgrade)

    @event("Upgraded")
    def _upgraded(self, ctx: Context, upgrade: Upgrade) -> None:
        self.tier = upgrade.tier
        self.term = upgrade.term

    def extend(self, ctx: Context, extension: Extension) -> None:
        """Extend the term on new evidence (延期), e.g. Weihai 2023's 1 year to 5 years."""
        _check_context(ctx)
        self._require_in_force(ctx, "extend", allow_suspended=True)
        assert self.term is not None
        if extension.valid_until <= self.term.valid_until:
            raise IllegalTransition(
                f"the new end date {extension.valid_until} is not after the current "
                f"end date {self.term.valid_until}",
                code="term_not_longer",
            )
        if not [e for e in extension.evidence if e.strip()]:
            raise InvalidInput("an extension needs at least one evidence reference")
        if not extension.basis.strip():
            raise InvalidInput("an extension must state its basis")
        self._extended(ctx=ctx, extension=extension)

    @event("Extended")
    def _extended(self, ctx: Context, extension: Extension) -> None:
        assert self.term is not None
        self.term = Term(
            valid_from=self.term.valid_from,
            valid_until=extension.valid_until,
            basis=extension.basis,
        )

    # ---- dynamic management (动态管理) -------------------------------------------------

    def suspend(self, ctx: Context, change: StatusChange) -> None:
        """Suspend the card's services while a matter is examined (暂停)."""
        _check_context(ctx)
        _check_status_change(change)
        if self.recorded_status is CardStatus.SUSPENDED:
            raise IllegalTransition("the card is already suspended", code="already_suspended")
        self._require_in_force(ctx, "suspend", allow_suspended=False)
        self._suspended(ctx=ctx, change=change)

    @event("Suspended")
    def _suspended(self, ctx: Context, change: StatusChange) -> None:
        self.recorded_status = CardStatus.SUSPENDED

    def reinstate(self, ctx: Context, change: StatusChange) -> None:
        """Lift a suspension (恢复)."""
        _check_context(ctx)
        _check_status_change(change)
        self._require_not_closed("reinstate")
        if self.recorded_status is not CardStatus.SUSPENDED:
            raise IllegalTransition(
                f"only a suspended card can be reinstated; this one is {self.recorded_status}",
                code="not_suspended",
            )
        self._reinstated(ctx=ctx, change=change)

    @event("Reinstated")
    def _reinstated(self, ctx: Context, change: StatusChange) -> None:
        self.recorded_status = CardStatus.ACTIVE

    def revoke(self, ctx: Context, change: StatusChange) -> None:
        """Revoke the card (收回): all green-channel services end at once. An expired card
        may still be revoked, so the record shows why it must not be renewed."""
        _check_context(ctx)
        _check_status_change(change)
        if self.recorded_status is CardStatus.REVOKED:
            raise IllegalTransition("the card is already revoked", code="already_revoked")
        self._require_not_closed("revoke")
        if self.recorded_status is CardStatus.UNDER_REVIEW:
            raise IllegalTransition(
                "an application that was never issued cannot be revoked; reject or withdraw it",
                code="not_issued",
            )
        self._revoked(ctx=ctx, change=change)

    @event("Revoked")
    def _revoked(self, ctx: Context, change: StatusChange) -> None:
        self.recorded_status = CardStatus.REVOKED

    # ---- guards -------------------------------------------------------------------------

    def _require_not_closed(self, action: str) -> None:
        if self.recorded_status in (CardStatus.WITHDRAWN, CardStatus.REJECTED):
            raise IllegalTransition(
                f"cannot {action}: the application was {self.recorded_status}",
                code="application_closed",
            )

    def _require_under_review(self, action: str) -> None:
        self._require_not_closed(action)
        if self.recorded_status is not CardStatus.UNDER_REVIEW:
            raise IllegalTransition(
                f"cannot {action}: the card has already been issued and is {self.recorded_status}",
                code="already_issued",
            )

    def _require_in_force(self, ctx: Context, action: str, *, allow_suspended: bool) -> None:
        self._require_not_closed(action)
        status = self.status_on(business_date(ctx.effective_at))
        if status is CardStatus.UNDER_REVIEW:
            raise IllegalTransition(f"cannot {action}: the card is not issued", code="not_issued")
        if status is CardStatus.REVOKED:
            raise IllegalTransition(f"cannot {action}: the card is revoked", code="card_revoked")
        if status is CardStatus.EXPIRED:
            assert self.term is not None  # only an issued card can expire
            raise IllegalTransition(
                f"cannot {action}: the card expired after {self.term.valid_until}",
                code="card_expired",
            )
        if status is CardStatus.SUSPENDED and not allow_suspended:
            raise IllegalTransition(
                f"cannot {action}: the card is suspended", code="card_suspended"
            )

    def _check_tier(self, tier: str) -> None:
        scheme = self.application.scheme
        if review_path.has_ranked_tiers(scheme) and review_path.tier_rank(scheme, tier) is None:
            raise InvalidInput(
                f"tier {tier!r} is not a {scheme} tier", rule="review_path.tier_rank"
            )
        if not tier.strip():
            raise InvalidInput("tier must not be empty")


def _check_context(ctx: Context) -> None:
    if not ctx.actor.strip():
        raise InvalidInput("actor must name who acts")
    if ctx.effective_at.tzinfo is None:
        raise InvalidInput("effective_at must be a timezone-aware instant")


def _check_application(ctx: Context, application: Application) -> None:
    holder = application.holder
    today = business_date(ctx.effective_at)
    if not holder.name.strip():
        raise InvalidInput("holder.name must not be empty")
    if holder.date_of_birth >= today:
        raise InvalidInput(f"holder.date_of_birth {holder.date_of_birth} is not in the past")
    for i, member in enumerate(holder.family):
        if not member.name.strip():
            raise InvalidInput(f"holder.family[{i}].name must not be empty")
        if member.date_of_birth > today:
            raise InvalidInput(f"holder.family[{i}].date_of_birth is in the future")
    if not application.basis.category.strip():
        raise InvalidInput("basis.category must not be empty")
    if application.route is not Route.DIRECT:
        if application.sponsor.kind is SponsorKind.NONE:
            raise InvalidInput(
                f"a {application.route} application is filed by a sponsor (sponsor.kind)",
            )
        if not [e for e in application.evidence if e.strip()]:
            raise InvalidInput(f"a {application.route} application needs evidence references")


def _check_term(term: Term) -> None:
    if term.valid_until < term.valid_from:
        raise InvalidInput(
            f"term.valid_until {term.valid_until} is before term.valid_from {term.valid_from}"
        )
    if not term.basis.strip():
        raise InvalidInput("term.basis must say what set the term")


def _check_status_change(change: StatusChange) -> None:
    for name in ("reason", "proposer", "approver"):
        value: Any = getattr(change, name)
        if not str(value).strip():
            raise InvalidInput(f"{name} must not be empty")
