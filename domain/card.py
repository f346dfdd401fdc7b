"""The Card aggregate (人才服务卡): one card per application, from filing to revocation.

Public methods check the invariants and ask the policy engine, then call a private
``@event`` method with what was decided (rule ids and policy version included); the event
methods only assign state, so replaying history years later never re-decides anything,
even after the rule data changed. Expiry is derived from ``valid_until``, never written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from eventsourcing.domain import Aggregate, event

from domain import card_amendment as amending
from domain import card_guards as guards
from domain import card_revocation as revoking
from domain import deadlines
from domain.card_admission import admit
from domain.card_review import check_review, check_upgrade_review, reached_of, upgrade_in_review
from domain.card_status import Transition, status_on
from domain.card_term import extension_of, issued_term
from domain.card_transfer import SpouseTransfer, TransferStep, decide_transfer
from domain.card_upgrade import check_higher_tier, request_of, upgrade_basis, upgrade_of
from domain.clock import business_date
from domain.errors import IllegalTransition, InvalidInput
from domain.policy import CardSnapshot, CredentialEvidence, StepTaken, TermBasis
from domain.policy.amendment import check_amendment_decider, check_amendment_filer
from domain.policy.model import JointStage
from domain.values import (
    Amendment,
    AmendmentDecision,
    Application,
    Context,
    ContractConfirmation,
    Deadline,
    Extension,
    FileReceipt,
    Holder,
    Issuance,
    Review,
    Revocation,
    RevocationApproval,
    RevocationDecline,
    RevocationProposal,
    StageReached,
    StatusChange,
    Term,
    Upgrade,
    UpgradeRequest,
    Value,
)
from domain.vocabulary import CardStatus, ReviewDecision, ReviewStage, Role, Route


class Admission(Value, frozen=True):
    """The eligibility decision recorded when the application was accepted: the route, the
    ordered review stages, the tier, and the rules and policy version that decided them.
    ``quota_key`` names the project or enterprise quota the card counts against, if any."""

    route: Route
    required_stages: tuple[ReviewStage, ...]
    tier: str
    reason: str
    rules: tuple[str, ...]
    policy_version: str
    quota_key: str = ""
    # The body that receives the file before the first stage decides (受理), and the
    # stages decided jointly with named departments, as the path in force set them.
    intake: Role | None = None
    intake_before: ReviewStage | None = None  # None: before the first stage
    joint: tuple[JointStage, ...] = ()
    filer_rule: str = ""
    # Soft criteria (一般…) met by a recorded exception, each naming its reference and decider.
    exceptions: tuple[str, ...] = ()


class Rejection(Value, frozen=True):
    """An application refused at a review stage (未通过)."""

    stage: ReviewStage
    reviewer: str


class Card(Aggregate):
    """A talent service card and its application, as an event-sourced aggregate."""

    # ---- creation -------------------------------------------------------------------

    @classmethod
    def file(cls, ctx: Context, application: Application, *, quota_key: str = "") -> Card:
        """File an application (申领): the engine decides eligibility, route, stages and
        tier on the filing date. Refused with the failing condition and rule named."""
        guards.check_context(ctx)
        admission = Admission(**admit(ctx, application), quota_key=quota_key)
        return cls(ctx=ctx, application=application, admission=admission)

    class Applied(Aggregate.Created, Transition):
        """An application was filed and admitted (申领): the card is under review."""

        status_after = CardStatus.UNDER_REVIEW
        ctx: Context
        application: Application
        admission: Admission

    @event(Applied)
    def __init__(self, ctx: Context, application: Application, admission: Admission) -> None:
        self.application = application
        self.admission = admission
        self.filed_by = ctx.actor  # the user who filed it (an applicant sees its own files)
        self.approved_stages: list[ReviewStage] = []
        self.recorded_status = Card.Applied.status_after
        self.tier: str | None = None
        self.term: Term | None = None
        self.issued_on: date | None = None
        self.revocation: RevocationProposal | None = None  # the open proposal, if any
        self.revocation_steps: tuple[StepTaken, ...] = ()  # its steps taken so far
        # When the latest event took effect: a back-dated command may not go before it.
        self.last_effective_at = ctx.effective_at
        # The events that start deadline clocks (domain.deadlines), and the clock running.
        self.received_on: date | None = None
        self.received_by: frozenset[Role] = frozenset()  # every body that received the file
        self.contract_confirmed_on: date | None = None
        self.deadline: Deadline | None = None
        # The eligibility category the tier rests on: the application's until an upgrade
        # moves the tier on facts of another category (then unknown to item conditions).
        self.category: str | None = application.basis.category
        # An open upgrade request (Liaocheng art. 32) and the stages it has passed.
        self.upgrade_request: UpgradeRequest | None = None
        self.upgrade_approved: list[ReviewStage] = []
        # The card's people after each approved change (信息变更), from the day it took
        # effect, and the change waiting for the issuing body's decision.
        self.holder_versions: tuple[tuple[date, Holder], ...] = ()
        self.amendment: Amendment | None = None
        # How many credentials the card has had (1 from issuance): a change that removes or
        # corrects someone named starts a new one, and the older ones are superseded.
        self.credential_generation = 1

    # ---- queries ----------------------------------------------------------------------

    @property
    def required_stages(self) -> tuple[ReviewStage, ...]:
        """The review stages decided at filing, in order."""
        return self.admission.required_stages

    @property
    def next_stage(self) -> ReviewStage | None:
        """The review stage that must decide next, or None when all have approved."""
        remaining = self.required_stages[len(self.approved_stages) :]
        return remaining[0] if remaining else None

    def status_on(self, day: date) -> CardStatus:
        """The card's status on a business date; EXPIRED once ``day`` is past valid_until
        (domain.card_status.status_on)."""
        lapsed = (self.term.lapsed_from, self.term.lapsed_until) if self.term else (None, None)
        return status_on(self.recorded_status, self._valid_until, day, lapsed=lapsed)

    @property
    def _valid_until(self) -> date | None:
        return self.term.valid_until if self.term is not None else None

    def _require_in_force(self, ctx: Context, action: str, *, allow_suspended: bool) -> None:
        day = business_date(ctx.effective_at)
        guards.require_in_force(
            self.recorded_status, self._valid_until, day, action, allow_suspended=allow_suspended
        )

    def snapshot(self, day: date) -> CardSnapshot:
        """The card as the policy engine and venues see it on ``day`` (issued cards only)."""
        if self.tier is None or self.term is None or self.issued_on is None:
            raise IllegalTransition("the card is not issued", code="not_issued")
        return CardSnapshot(
            scheme=self.application.scheme,
            tier=self.tier,
            category=self.category,
            status=self.status_on(day).value,
            valid_from=self.term.valid_from,
            valid_until=self.term.valid_until,
            issued_on=self.issued_on,
        )

    @property
    def holder(self) -> Holder:
        """The card's people as they stand now: the holder and family after every approved
        change (the filing's ``application.holder`` stays as it was filed)."""
        return self.holder_versions[-1][1] if self.holder_versions else self.application.holder

    def holder_on(self, day: date) -> Holder:
        """The card's people on ``day``: as filed, or as the last change in effect then
        left them (``domain.card_amendment.holder_on``)."""
        return amending.holder_on(self.application.holder, self.holder_versions, day)

    # ---- review -----------------------------------------------------------------------

    def record_review(self, ctx: Context, review: Review) -> None:
        """Record a reviewer's decision at the next required stage; a rejection ends the
        application. Stages decide in the order the scheme sets, each by its own role."""
        guards.check_context(ctx)
        request = upgrade_in_review(self.upgrade_request, self.recorded_status)
        if request is not None:
            check_upgrade_review(ctx, review, request, self.upgrade_approved)
            self._upgrade_reviewed(ctx=ctx, review=review)
            return
        guards.require_under_review(self.recorded_status, "record a review")
        check_review(ctx, review, self.next_stage, self.admission, self.received_by)
        deadlines.require_recorded_steps(
            self.application.scheme,
            self.admission.route,
            business_date(ctx.effective_at),
            stage=review.stage,
            received_on=self.received_on,
            confirmed_on=self.contract_confirmed_on,
        )
        reached = reached_of(len(self.approved_stages), self.admission)
        self._review_recorded(ctx=ctx, review=review, reached=reached)
        if review.stage is ReviewStage.EXPERT_PANEL and review.decision is ReviewDecision.APPROVED:
            self._start_clock(ctx, deadlines.EXPERT_REVIEW)
        if review.decision == ReviewDecision.REJECTED:
            rejection = Rejection(stage=review.stage, reviewer=review.reviewer)
            self._rejected(ctx=ctx, rejection=rejection)

    class ReviewRecorded(Aggregate.Event):
        """A review stage decided on the application (审核)."""

        ctx: Context
        review: Review
        reached: StageReached

    @event(ReviewRecorded)
    def _review_recorded(self, ctx: Context, review: Review, reached: StageReached) -> None:
        self.last_effective_at = ctx.effective_at
        if review.decision == ReviewDecision.APPROVED:
            self.approved_stages.append(review.stage)

    class Rejected(Aggregate.Event, Transition):
        """The application was refused at a review stage (未通过)."""

        status_after = CardStatus.REJECTED
        ctx: Context
        rejection: Rejection

    @event(Rejected)
    def _rejected(self, ctx: Context, rejection: Rejection) -> None:
        self.last_effective_at = ctx.effective_at
        self.recorded_status = Card.Rejected.status_after

    # ---- the events that start deadline clocks ------------------------------------------

    def receive(self, ctx: Context, window: Role) -> None:
        """The window records that it has the file (受理), as itself. The receipt by the
        window the deadline rule names starts (or, received again later, restarts) the
        deadline clock that runs from it."""
        guards.check_context(ctx)
        guards.require_under_review(self.recorded_status, "receive the file")
        day = business_date(ctx.effective_at)
        counts = deadlines.check_receipt(
            self.application.scheme,
            self.admission.route,
            day,
            window,
            ctx.role,
            intake=self.admission.intake,
        )
        receipt = FileReceipt(window=window, received_on=day, counts=counts)
        self._file_received(ctx=ctx, receipt=receipt)
        if counts:
            self._start_clock(ctx, deadlines.FILE_RECEIVED)

    class FileReceived(Aggregate.Event):
        """A window received the file (受理)."""

        ctx: Context
        receipt: FileReceipt

    @event(FileReceived)
    def _file_received(self, ctx: Context, receipt: FileReceipt) -> None:
        self.last_effective_at = ctx.effective_at
        if receipt.counts:
            self.received_on = receipt.received_on
        self.received_by = self.received_by | {receipt.window}

    def confirm_contract(self, ctx: Context, confirmed_on: date) -> None:
        """Record that the talent's employment contract was confirmed on ``confirmed_on``
        (确认工作合同), by the employer or the city HRSS; a reviewed Shandong card's
        deadline runs from the later of this and the window's receipt."""
        guards.check_context(ctx)
        guards.require_under_review(self.recorded_status, "confirm the contract")
        guards.check_contract_confirmer(ctx)
        guards.check_not_after_today("confirmed_on", confirmed_on, business_date(ctx.effective_at))
        confirmation = ContractConfirmation(confirmed_on=confirmed_on)
        self._contract_confirmed(ctx=ctx, confirmation=confirmation)
        self._start_clock(ctx, deadlines.CONTRACT_CONFIRMED)

    class ContractConfirmed(Aggregate.Event):
        """The talent's employment contract was confirmed (确认工作合同)."""

        ctx: Context
        confirmation: ContractConfirmation

    @event(ContractConfirmed)
    def _contract_confirmed(self, ctx: Context, confirmation: ContractConfirmation) -> None:
        self.last_effective_at = ctx.effective_at
        self.contract_confirmed_on = confirmation.confirmed_on

    def _start_clock(self, ctx: Context, trigger: str) -> None:
        """Start the card's deadline clock if ``trigger`` starts it, or restart it when it
        now starts later; the deadline is decided under the rule in force that day."""
        deadline = deadlines.clock_started(
            self.application.scheme,
            self.admission.route,
            business_date(ctx.effective_at),
            trigger,
            received_on=self.received_on,
            confirmed_on=self.contract_confirmed_on,
        )
        if deadline is not None and deadlines.replaces(self.deadline, deadline):
            self._deadline_started(ctx=ctx, deadline=deadline)

    class DeadlineStarted(Aggregate.Event):
        """The issuance deadline's clock started or restarted (办理时限)."""

        ctx: Context
        deadline: Deadline

    @event(DeadlineStarted)
    def _deadline_started(self, ctx: Context, deadline: Deadline) -> None:
        self.last_effective_at = ctx.effective_at
        self.deadline = deadline

    def withdraw(self, ctx: Context) -> None:
        """The applicant (or the body that filed) withdraws the application (撤回)."""
        guards.check_context(ctx)
        guards.require_under_review(self.recorded_status, "withdraw")
        guards.check_withdrawer(self.application.scheme, ctx)
        self._withdrawn(ctx=ctx)

    class Withdrawn(Aggregate.Event, Transition):
        """The application was withdrawn by whoever filed it (撤回)."""

        status_after = CardStatus.WITHDRAWN
        ctx: Context

    @event(Withdrawn)
    def _withdrawn(self, ctx: Context) -> None:
        self.last_effective_at = ctx.effective_at
        self.recorded_status = Card.Withdrawn.status_after

    # ---- issuance and changes to the grant ---------------------------------------------

    def issue(
        self,
        ctx: Context,
        *,
        valid_from: date | None = None,
        bases: Sequence[TermBasis] = (),
        credentials: Sequence[CredentialEvidence] = (),
    ) -> None:
        """Issue the card (颁发) once every required stage has approved, at the tier decided
        at filing, with the term the engine decides from the bases and from ``credentials``,
        the facts the registry read from another card's verified credential (default: the
        scheme's standard term), starting on ``valid_from`` (default: the issue date)."""
        guards.check_context(ctx)
        guards.check_issuer(self.application.scheme, ctx, "issue")
        guards.require_under_review(self.recorded_status, "issue")
        guards.require_all_approved(self.next_stage, self.required_stages, self.admission.rules)
        deadlines.require_recorded_steps(
            self.application.scheme,
            self.admission.route,
            business_date(ctx.effective_at),
            stage=None,
            received_on=self.received_on,
            confirmed_on=self.contract_confirmed_on,
        )
        today = business_date(ctx.effective_at)
        term = issued_term(self.application, today, valid_from, bases, credentials)
        issuance = Issuance(
            tier=self.admission.tier,
            term=term,
            valid_from_asked=valid_from,
            bases=tuple(bases),
            credentials=tuple(credentials),
        )
        self._issued(ctx=ctx, issuance=issuance)

    class Issued(Aggregate.Event, Transition):
        """The card was issued (颁发): its tier and term."""

        status_after = CardStatus.ACTIVE
        ctx: Context
        issuance: Issuance

    @event(Issued)
    def _issued(self, ctx: Context, issuance: Issuance) -> None:
        self.last_effective_at = ctx.effective_at
        self.recorded_status = Card.Issued.status_after
        self.tier = issuance.tier
        self.term = issuance.term
        self.issued_on = business_date(ctx.effective_at)

    def upgrade(
        self, ctx: Context, tier: str, facts: Mapping[str, str | int | float | bool] | None = None
    ) -> None:
        """Move the card to a higher tier (升级); the engine decides the term afterwards
        (Jinan restarts it, art. 24(2); Liaocheng keeps it) and, where the scheme's rule
        says so, whether ``facts`` carry the higher tier's certification (Jinan art. 24(2):
        认定通过后)."""
        guards.check_context(ctx)
        guards.check_issuer(self.application.scheme, ctx, "upgrade")
        self._require_in_force(ctx, "upgrade", allow_suspended=False)
        assert self.tier is not None
        check_higher_tier(self.application.scheme, tier, self.tier)
        day = business_date(ctx.effective_at)
        given, category = upgrade_basis(
            self.application.scheme, day, self.upgrade_request, self.upgrade_approved, tier, facts
        )
        upgrade = upgrade_of(
            self.snapshot(day), self.term, tier, day, facts=given, category=category
        )
        self._upgraded(ctx=ctx, upgrade=upgrade)

    class Upgraded(Aggregate.Event):
        """The card moved to a higher tier (升级), with its term afterwards."""

        ctx: Context
        upgrade: Upgrade

    @event(Upgraded)
    def _upgraded(self, ctx: Context, upgrade: Upgrade) -> None:
        self.last_effective_at = ctx.effective_at
        self.tier = upgrade.tier
        self.term = upgrade.term
        self.category = upgrade.category or None
        self.upgrade_request = None
        self.upgrade_approved = []

    def request_upgrade(
        self, ctx: Context, category: str, facts: Mapping[str, str | int | float | bool]
    ) -> None:
        """Ask for the card to move to a higher category (升级申请) where the scheme
        upgrades by category and its route (Liaocheng art. 32): filed as that category
        would be, by its filers; its review stages follow, then ``upgrade``."""
        guards.check_context(ctx)
        self._require_in_force(ctx, "request an upgrade", allow_suspended=False)
        if self.upgrade_request is not None:
            raise IllegalTransition(
                f"an upgrade to {self.upgrade_request.category} is already requested",
                code="upgrade_pending",
            )
        day = business_date(ctx.effective_at)
        born = self.holder_on(day).date_of_birth  # as corrected (信息变更), if it was
        request = request_of(
            self.snapshot(day), self.application, ctx, day, category, facts, date_of_birth=born
        )
        self._upgrade_requested(ctx=ctx, request=request)

    class UpgradeRequested(Aggregate.Event):
        """An upgrade to a higher category was asked for (升级申请)."""

        ctx: Context
        request: UpgradeRequest

    @event(UpgradeRequested)
    def _upgrade_requested(self, ctx: Context, request: UpgradeRequest) -> None:
        self.last_effective_at = ctx.effective_at
        self.upgrade_request = request
        self.upgrade_approved = []

    class UpgradeReviewed(Aggregate.Event):
        """A stage of the upgrade request decided."""

        ctx: Context
        review: Review

    @event(UpgradeReviewed)
    def _upgrade_reviewed(self, ctx: Context, review: Review) -> None:
        self.last_effective_at = ctx.effective_at
        if review.decision is ReviewDecision.APPROVED:
            self.upgrade_approved = [*self.upgrade_approved, review.stage]
        elif review.decision is ReviewDecision.REJECTED:  # the request closes; the card stays
            self.upgrade_request = None
            self.upgrade_approved = []

    def extend(
        self, ctx: Context, *, event_on: date, evidence: Sequence[str], shows: Sequence[str] = ()
    ) -> None:
        """Extend the term (延期) when the scheme's trigger happened on ``event_on`` (Weihai
        2023: the project landed or the talent was hired → 5 years from the start), with
        evidence references and what they show. The notice sets no window for the event:
        a card whose one-year first term ran out may still be extended (not a revoked
        one)."""
        guards.check_context(ctx)
        guards.check_issuer(self.application.scheme, ctx, "extend")
        today = business_date(ctx.effective_at)
        guards.require_extendable(self.recorded_status, self._valid_until, today)
        assert self.term is not None
        extension = extension_of(
            self.application, self.term, today, event_on=event_on, evidence=evidence, shows=shows
        )
        self._extended(ctx=ctx, extension=extension)

    class Extended(Aggregate.Event):
        """The card's term was extended (延期)."""

        ctx: Context
        extension: Extension

    @event(Extended)
    def _extended(self, ctx: Context, extension: Extension) -> None:
        self.last_effective_at = ctx.effective_at
        self.term = extension.term

    # ---- changes to the card's people (信息变更) ----------------------------------------

    def request_amendment(
        self,
        ctx: Context,
        asked: amending.PersonChange,
        *,
        takes_effect_on: date,
        evidence: Sequence[str],
        reason: str,
    ) -> None:
        """Ask for a change to the card's people (Liaocheng art. 33: 个人信息变化的，用人单位应
        及时报送; PIPL art. 46): add, correct or remove a family member, or correct the
        holder, from ``takes_effect_on``, with evidence. Filed by the roles the scheme's
        amendment rule names, on an issued card in force or suspended, one at a time; the
        issuing body decides (``decide_amendment``)."""
        guards.check_context(ctx)
        today = business_date(ctx.effective_at)
        roles = check_amendment_filer(self.application.scheme, ctx.role, today)
        self._require_in_force(ctx, "amend", allow_suspended=True)
        if self.amendment is not None:
            raise IllegalTransition(
                f"a {self.amendment.change} from {self.amendment.takes_effect_on} waits for "
                "its decision; one change is decided at a time",
                code="amendment_pending",
            )
        amending.check_reason(reason, evidence)
        self._check_change_day(takes_effect_on, today)
        holder, member = amending.amended(self.holder, asked, takes_effect_on)
        amendment = Amendment(
            change=asked.change,
            member=member,
            takes_effect_on=takes_effect_on,
            evidence=tuple(e.strip() for e in evidence if e.strip()),
            reason=reason.strip(),
            holder=holder,
            supersedes=amending.supersedes(asked),
            rules=(roles.rule,),
            policy_version=roles.version,
        )
        self._amendment_requested(ctx=ctx, amendment=amendment)

    def _check_change_day(self, takes_effect_on: date, today: date) -> None:
        assert self.issued_on is not None  # in force: issued
        last = self.holder_versions[-1][0] if self.holder_versions else None
        amending.check_effective_day(
            takes_effect_on, today=today, issued_on=self.issued_on, last_change=last
        )

    class AmendmentRequested(Aggregate.Event):
        """A change to the card's people was asked for (信息变更申请)."""

        ctx: Context
        amendment: Amendment

    @event(AmendmentRequested)
    def _amendment_requested(self, ctx: Context, amendment: Amendment) -> None:
        self.last_effective_at = ctx.effective_at
        self.amendment = amendment

    def decide_amendment(self, ctx: Context, *, approved: bool, reason: str = "") -> None:
        """The issuing body approves the open change, which then holds from the day it
        takes effect (a use recorded before stays as it was), or refuses it saying why.
        The card's state is checked again: it may have changed since the request."""
        guards.check_context(ctx)
        today = business_date(ctx.effective_at)
        roles = check_amendment_decider(self.application.scheme, ctx.role, today)
        asked = self.amendment
        if asked is None:
            raise IllegalTransition(
                "no change to the card's people waits for a decision", code="no_amendment"
            )
        if approved:
            self._require_in_force(ctx, "amend", allow_suspended=True)
            self._check_change_day(asked.takes_effect_on, today)
        elif not reason.strip():
            raise InvalidInput("reason must say why the change is refused")
        decision = AmendmentDecision(
            approved=approved,
            reason=reason.strip(),
            change=asked.change,
            member=asked.member,
            takes_effect_on=asked.takes_effect_on,
            supersedes=approved and asked.supersedes,
            holder=asked.holder if approved else None,
            rules=(roles.rule,),
            policy_version=roles.version,
        )
        self._amendment_decided(ctx=ctx, decision=decision)

    class AmendmentDecided(Aggregate.Event):
        """The issuing body approved or refused the change asked for (信息变更审核)."""

        ctx: Context
        decision: AmendmentDecision

    @event(AmendmentDecided)
    def _amendment_decided(self, ctx: Context, decision: AmendmentDecision) -> None:
        self.last_effective_at = ctx.effective_at
        self.amendment = None
        if decision.holder is not None:
            self.holder_versions = (
                *self.holder_versions,
                (decision.takes_effect_on, decision.holder),
            )
        if decision.supersedes:
            self.credential_generation += 1

    # ---- dynamic management (动态管理) -------------------------------------------------

    def suspend(self, ctx: Context, change: StatusChange) -> None:
        """Suspend the card's services while a matter is examined (暂停): the registry's own
        interim measure, by the scheme's interim authority, with a reason and the
        decision's reference."""
        guards.check_context(ctx)
        guards.check_status_change(change)
        guards.require_suspendable(self.recorded_status)
        self._require_in_force(ctx, "suspend", allow_suspended=False)
        change = guards.interim_measure(self.application.scheme, ctx, change, "suspend")
        self._suspended(ctx=ctx, change=change)

    class Suspended(Aggregate.Event, Transition):
        """The card's services were suspended (暂停)."""

        status_after = CardStatus.SUSPENDED
        ctx: Context
        change: StatusChange

    @event(Suspended)
    def _suspended(self, ctx: Context, change: StatusChange) -> None:
        self.last_effective_at = ctx.effective_at
        self.recorded_status = Card.Suspended.status_after

    def reinstate(self, ctx: Context, change: StatusChange) -> None:
        """Lift a suspension (恢复), by the same authority that may suspend."""
        guards.check_context(ctx)
        guards.check_status_change(change)
        guards.require_suspended(self.recorded_status)
        change = guards.interim_measure(self.application.scheme, ctx, change, "reinstate")
        self._reinstated(ctx=ctx, change=change)

    class Reinstated(Aggregate.Event, Transition):
        """A suspension was lifted (恢复)."""

        status_after = CardStatus.ACTIVE
        ctx: Context
        change: StatusChange

    @event(Reinstated)
    def _reinstated(self, ctx: Context, change: StatusChange) -> None:
        self.last_effective_at = ctx.effective_at
        self.recorded_status = Card.Reinstated.status_after

    def propose_revocation(self, ctx: Context, *, reason: str, ground: str = "") -> None:
        """Propose revoking the card (提出收回意见), as the acting user in a role the
        scheme's procedure lets propose. The steps in force today are fixed in the proposal;
        one proposal may be open at a time. An expired card may still be revoked, so the
        record shows why it must not be renewed."""
        guards.check_context(ctx)
        guards.require_revocable(self.recorded_status)
        proposal = revoking.proposal_of(
            self.application.scheme,
            ctx,
            self.revocation_steps,
            reason=reason,
            ground=ground,
            sponsor=self.application.sponsor.kind,
        )
        self._revocation_proposed(ctx=ctx, proposal=proposal)

    class RevocationProposed(Aggregate.Event):
        """Revoking the card was proposed (提出收回意见)."""

        ctx: Context
        proposal: RevocationProposal

    @event(RevocationProposed)
    def _revocation_proposed(self, ctx: Context, proposal: RevocationProposal) -> None:
        self.last_effective_at = ctx.effective_at
        self.revocation = proposal
        self.revocation_steps = (proposal.proposed_by,)

    def approve_revocation(self, ctx: Context) -> None:
        """Agree to the open proposal (同意) at its next step, as the acting user in that
        step's role. The last approval revokes the card (收回): all green-channel services
        end at once, and the Revoked event lists every step's user and role."""
        guards.check_context(ctx)
        proposal = revoking.open_proposal(self.revocation, "approve")
        approval, decision = revoking.approval_of(proposal, self.revocation_steps, ctx)
        self._revocation_approved(ctx=ctx, approval=approval)
        if decision.final:
            revocation = revoking.revocation_of(proposal, self.revocation_steps)
            self._revoked(ctx=ctx, revocation=revocation)

    class RevocationApproved(Aggregate.Event):
        """A step of the open revocation proposal agreed (同意)."""

        ctx: Context
        approval: RevocationApproval

    @event(RevocationApproved)
    def _revocation_approved(self, ctx: Context, approval: RevocationApproval) -> None:
        self.last_effective_at = ctx.effective_at
        self.revocation_steps = (*self.revocation_steps, approval.approved_by)

    def decline_revocation(self, ctx: Context, *, reason: str) -> None:
        """Refuse the open proposal (不同意) at its next step, as the acting user in that
        step's role, saying why: the proposal closes, the card stays as it was, and a new
        proposal may follow."""
        guards.check_context(ctx)
        proposal = revoking.open_proposal(self.revocation, "decline")
        decline = revoking.decline_of(proposal, self.revocation_steps, ctx, reason)
        self._revocation_declined(ctx=ctx, decline=decline)

    class RevocationDeclined(Aggregate.Event):
        """A step refused the open revocation proposal (不同意): it closes."""

        ctx: Context
        decline: RevocationDecline

    @event(RevocationDeclined)
    def _revocation_declined(self, ctx: Context, decline: RevocationDecline) -> None:
        self.last_effective_at = ctx.effective_at
        self.revocation = None
        self.revocation_steps = ()

    class Revoked(Aggregate.Event, Transition):
        """The card was revoked (收回): every step's user and role."""

        status_after = CardStatus.REVOKED
        ctx: Context
        revocation: Revocation

    @event(Revoked)
    def _revoked(self, ctx: Context, revocation: Revocation) -> None:
        self.last_effective_at = ctx.effective_at
        self.recorded_status = Card.Revoked.status_after
        self.revocation = None
        self.revocation_steps = ()

    # ---- a deadline on an item: Liaocheng art. 13's spouse transfer (domain.card_transfer)

    # The open request for the spouse's transfer (a class default: cards stored before it
    # existed have none).
    spouse_transfer: SpouseTransfer | None = None

    def record_spouse_transfer(
        self, ctx: Context, step: TransferStep, facts: Mapping[str, bool | str] | None = None
    ) -> None:
        """Record the request for the spouse's transfer, which starts the month the rule in
        force gives it (1个月内办理随调手续), or the transfer done, which stops it."""
        guards.check_context(ctx)
        requested = step == TransferStep.REQUESTED
        action = "record a spouse's transfer"
        self._require_in_force(ctx, action, allow_suspended=not requested)
        day = business_date(ctx.effective_at)
        open_request, role = self.spouse_transfer, ctx.role
        snapshot, people = self.snapshot(day), self.holder_on(day)
        transfer = decide_transfer(snapshot, people, step, day, role, open_request, facts)
        self._spouse_transfer_recorded(ctx=ctx, transfer=transfer)

    class SpouseTransferRecorded(Aggregate.Event):
        """A spouse's transfer was requested (its month starts) or done (随调)."""

        ctx: Context
        transfer: SpouseTransfer

    @event(SpouseTransferRecorded)
    def _spouse_transfer_recorded(self, ctx: Context, transfer: SpouseTransfer) -> None:
        self.last_effective_at = ctx.effective_at
        self.spouse_transfer = transfer if transfer.step == TransferStep.REQUESTED else None


TRANSITIONS: tuple[type[Transition], ...] = tuple(
    value
    for value in vars(Card).values()
    if isinstance(value, type) and issubclass(value, Transition) and issubclass(value, Card.Event)
)
"""The Card's events that leave it in a recorded status (``Transition.status_after``), in
the order the aggregate declares them: Applied first."""
