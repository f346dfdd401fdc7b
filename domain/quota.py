"""Card quotas (名额) as an aggregate: the cards counted against one investment project or
one enterprise (weihai-2023-card-for-investment-and-recruitment part 1: 3 per project,
3 per enterprise; a project's quota raised case by case, 一事一议).

One aggregate per project or enterprise, with an id derived from its key, is what makes
the quota safe under concurrent applications: two applications racing for the last place
both save the next version of the same quota, and the store lets only one of them in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain import policy
from domain.clock import business_date
from domain.errors import IllegalTransition, InvalidInput, NotAuthorised
from domain.policy.quota import quota_rule
from domain.values import Basis, Context, Value
from domain.vocabulary import Scheme

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:talentcard:quota")


class QuotaScope(Value, frozen=True):
    """What a quota counts: one scheme category, per project or enterprise, and which."""

    key: str
    scheme: Scheme
    category: str
    per: str
    subject: str


class QuotaUse(Value, frozen=True):
    """A card counted against (or released from) the quota, with the deciding rules and,
    for a reservation, what they decided on: the cards already counted and the
    case-by-case limit in force (None: the rule's own)."""

    card_id: UUID
    rules: tuple[str, ...] = ()
    policy_version: str = ""
    counted_before: int = 0
    raised_to: int | None = None


class QuotaRaise(Value, frozen=True):
    """A case-by-case decision (一事一议) raising the quota to ``limit``."""

    limit: int
    decision_ref: str
    rules: tuple[str, ...]
    policy_version: str
    attests: tuple[str, ...] = ()  # what the decision attests of the project (major_project)


def quota_scope(scheme: Scheme, basis: Basis, day: date) -> QuotaScope | None:
    """The quota an application counts against on ``day``, or None where no quota rule is
    in force for its category. Refuses an application that names no project or enterprise
    when its category is counted per project or per enterprise."""
    rule, _version = quota_rule(scheme, basis.category, day)
    if rule is None:
        return None
    field = "project_id" if rule.per == "project" else "enterprise_id"
    subject = (basis.project_id if rule.per == "project" else basis.enterprise_id).strip()
    if not subject:
        raise InvalidInput(
            f"basis.{field} is required: {scheme} {basis.category} cards are counted per "
            f"{rule.per}",
            rule=rule.id,
        )
    return QuotaScope(
        key=f"{scheme}:{basis.category}:{rule.per}:{subject}",
        scheme=scheme,
        category=basis.category,
        per=rule.per,
        subject=subject,
    )


def quota_id(key: str) -> UUID:
    """The quota aggregate's id for a key (the same key always gives the same id)."""
    return uuid5(_NAMESPACE, key)


class CardQuota(Aggregate):
    """The live cards and applications counted against one project's or enterprise's quota."""

    @staticmethod
    def create_id(scope: QuotaScope) -> UUID:
        return quota_id(scope.key)

    class QuotaOpened(Aggregate.Created):
        """A project's or enterprise's quota was opened."""

        scope: QuotaScope

    @event(QuotaOpened)
    def __init__(self, scope: QuotaScope) -> None:
        self.scope = scope
        self.holders: list[UUID] = []
        self.raised_to: int | None = None
        self.raised_attests: tuple[str, ...] = ()  # what the raising decision attested

    def reserve(self, ctx: Context, card_id: UUID) -> None:
        """Count a new application against the quota, or refuse it naming the rule."""
        decision = policy.decide_quota(
            self.scope.scheme,
            self.scope.category,
            len(self.holders),
            business_date(ctx.effective_at),
            case_by_case_quota=self.raised_to,
            attests=self.raised_attests,
        )
        if not decision.allowed:
            raise IllegalTransition(
                f"{self.scope.per} {self.scope.subject}: {decision.reason}",
                code="quota_full",
                rule=", ".join(decision.rules),
            )
        use = QuotaUse(
            card_id=card_id,
            rules=decision.rules,
            policy_version=decision.version,
            counted_before=len(self.holders),
            raised_to=self.raised_to,
        )
        self._reserved(ctx=ctx, use=use)

    class QuotaReserved(Aggregate.Event):
        """An application was counted against the quota."""

        ctx: Context
        use: QuotaUse

    @event(QuotaReserved)
    def _reserved(self, ctx: Context, use: QuotaUse) -> None:
        self.holders.append(use.card_id)

    def release(self, ctx: Context, card_id: UUID) -> None:
        """Free the place of a card that was withdrawn, rejected or revoked."""
        if card_id in self.holders:
            self._released(ctx=ctx, use=QuotaUse(card_id=card_id))

    class QuotaReleased(Aggregate.Event):
        """A card's place in the quota was freed."""

        ctx: Context
        use: QuotaUse

    @event(QuotaReleased)
    def _released(self, ctx: Context, use: QuotaUse) -> None:
        self.holders.remove(use.card_id)

    def raise_limit(
        self, ctx: Context, limit: int, decision_ref: str, attests: Sequence[str] = ()
    ) -> None:
        """Record the talent office's case-by-case decision raising the quota; it attests
        what the rule asks of the project (Weihai 2023: a major project, 重大项目)."""
        day = business_date(ctx.effective_at)
        rule, _ = quota_rule(self.scope.scheme, self.scope.category, day)
        if rule is not None and rule.case_by_case and ctx.role not in rule.case_by_case_by:
            # 一事一议 names no decider: the rule in force names it (a recorded decision).
            deciders = " or ".join(str(r) for r in rule.case_by_case_by) or "no role"
            raise NotAuthorised(
                f"a case-by-case quota decision is the {deciders}'s ({rule.source})",
                rule=rule.id,
            )
        if not decision_ref.strip():
            raise InvalidInput("decision_ref must cite the case-by-case decision document")
        if self.raised_to is not None and limit <= self.raised_to:
            raise InvalidInput(f"the quota is already raised to {self.raised_to}; not to {limit}")
        decision = policy.decide_quota(
            self.scope.scheme,
            self.scope.category,
            0,
            day,
            case_by_case_quota=limit,
            attests=tuple(attests),
        )
        if not decision.allowed:
            raise IllegalTransition(
                decision.reason, code="no_case_by_case", rule=", ".join(decision.rules)
            )
        raised = QuotaRaise(
            limit=limit,
            decision_ref=decision_ref.strip(),
            rules=decision.rules,
            policy_version=decision.version,
            attests=tuple(sorted(set(attests))),
        )
        self._raised(ctx=ctx, raised=raised)

    class QuotaRaised(Aggregate.Event):
        """The talent office raised the quota case by case (一事一议)."""

        ctx: Context
        raised: QuotaRaise

    @event(QuotaRaised)
    def _raised(self, ctx: Context, raised: QuotaRaise) -> None:
        self.raised_to = raised.limit
        self.raised_attests = raised.attests
