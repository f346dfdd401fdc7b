"""The Card ledger: an eventsourcing Application whose command methods load a card, call
the domain, and save. Each command writes all of its events or none of them."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import Environment, EnvType, get_topic

from domain.backdating import check_effective_at
from domain.card import Card
from domain.clock import Clock, as_utc, business_date
from domain.errors import DomainError, IllegalTransition, InvalidInput
from domain.identity import normalise_id_number
from domain.policy import check_filer, policy_versions, recognised_as_basis
from domain.quota import CardQuota, QuotaScope, quota_id, quota_scope
from domain.receipt import CommandReceipt, Outcome
from domain.redemption import (
    BenefitUse,
    Redemption,
    Reversal,
    UnknownRedemption,
    UseRequest,
    beneficiary_of,
    benefit_use_id,
    check_use_instant,
    use_scope,
)
from domain.reservation import HolderReservation, reservation_id
from domain.values import Basis, Context, Review, StatusChange
from domain.vocabulary import CardStatus, Role, Scheme
from ledger.commands import (
    COMMAND_BODIES,
    ApplyBody,
    Body,
    ContractBody,
    ExtendBody,
    ImportCommand,
    ImportRecord,
    IssueBody,
    QuotaRaiseBody,
    ReceiveBody,
    RedeemBody,
    ReverseRedemptionBody,
    ReviewBody,
    RevocationApproveBody,
    RevocationDeclineBody,
    RevocationProposeBody,
    StatusBody,
    UpgradeBody,
    UpgradeRequestBody,
    WithdrawBody,
)
from ledger.errors import CardNotFound, ConcurrencyConflict
from ledger.filing import filing_of, filing_scope
from ledger.identity import (
    identity_matches,
    reservation_key,
    unseal_binding,
)
from ledger.limits import convert_body
from ledger.scope import UNSCOPED, CommandScope
from ledger.users import UserDirectory

# A use that loses a race for its counter (another venue recorded a use of the same item
# by the same person first) is decided again on the counter's fresh state: refused then if
# the other took the last use. The redemption id is new each time, so nothing is doubled.
_USE_RETRIES = 5

# A new application that loses a race for its project's quota or for its holder's
# reservation is decided again on fresh state: the card id is new each time, so retrying
# cannot duplicate anything.
_QUOTA_RETRIES = 5


# The fact by which an application names a card of this registry as its basis.
OTHER_CARD_ID = "other_city_card_id"
# The fact by which an application names the holder's 惠才卡 in this registry (Liaocheng art.
# 5(1), Weihai 2019 part 2(1).1): the registry then says whether it is held and in force.
HUICAI_CARD_ID = "huicai_card_id"


class CardLedger(UserDirectory):
    """Applications and cards, stored as events. The table is ``talentcard_events`` on
    PostgreSQL and ``stored_events`` in the embedded SQLite file."""

    name = "talentcard"

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        id_pepper: bytes,
        clock: Clock,
    ) -> None:
        super().__init__(env=dict(env) if env is not None else None)
        self.clock = clock
        self._id_pepper = id_pepper

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        """Only the settings given (see ledger.settings) configure the store; unlike the
        library's default, stray POSTGRES_* or CIPHER_* variables in the process
        environment are not read."""
        return Environment(name, dict(env or {}))

    # ---- commands ---------------------------------------------------------------------

    def apply(self, body: ApplyBody, *, scope: CommandScope = UNSCOPED) -> tuple[UUID, int]:
        """File an application; returns the new card's id and version. The card is saved
        together with its holder's reservation in the scheme (one live card per person per
        scheme) and, where the category is counted against a project or enterprise quota,
        its place in the quota; a lost race for either is retried on fresh state."""
        for attempt in range(_QUOTA_RETRIES):
            try:
                return self._apply_once(body, scope)
            except ConcurrencyConflict:
                if attempt == _QUOTA_RETRIES - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _apply_once(self, body: ApplyBody, scope: CommandScope) -> tuple[UUID, int]:
        card, reservation, quota = self._file(body, scope=scope)
        scope.check(card)
        receipt = scope.receipt_for(
            self._context(body, body.scheme), Outcome(card_id=card.id, version=card.version)
        )
        self._save(card, reservation, quota, receipt)
        return card.id, card.version

    def _file(
        self, body: ApplyBody, importer: str = "", *, scope: CommandScope = UNSCOPED
    ) -> tuple[Card, HolderReservation, CardQuota | None]:
        """The new card, its holder's reservation and its place in a quota (if counted
        against one), decided but not saved.

        Who may file comes first: the filer's jurisdiction over the file (``scope``) and
        its role (the scheme's filer rule), decided on the body alone. Only then is
        anything the filing names looked up (another card, the person's reservation), so
        that a caller who may not file learns nothing of the cards or persons it names
        (issue 23: the answers told a card's holder's ID number in 708 requests)."""
        ctx = self._context(body, body.scheme, importer=importer)
        day = business_date(ctx.effective_at)
        scope.check_filing(filing_scope(body))
        sponsor = body.sponsor.to_sponsor()
        check_filer(body.scheme, body.category.strip(), ctx.role, sponsor.kind, day)
        facts = self._registry_facts(body, day, scope)
        filing = filing_of(body, self._id_pepper, facts)
        counted = quota_scope(filing.scheme, filing.basis, day)
        card = Card.file(ctx, filing, quota_key=counted.key if counted else "")
        reservation = self._claim_reservation(ctx, body, card.id, day)
        if counted is None:
            return card, reservation, None
        quota = self._quota(counted)
        quota.reserve(ctx, card.id)
        return card, reservation, quota

    def _registry_facts(
        self, body: ApplyBody, day: date, scope: CommandScope = UNSCOPED
    ) -> dict[str, str | int | float | bool]:
        """The filed facts, with those this registry knows set from its own records, not from
        what was typed: a 惠才卡 the application names (fact ``huicai_card_id``) gives
        ``holds_huicai_card`` (active on ``day``) and its end date; a card named as another
        city's card (fact ``other_city_card_id``, Weihai 2023 ①) gives
        ``holds_other_city_card`` and its validity. Either must be the applicant's own, and
        the other city's of a scheme the rule recognises, active on ``day``; and one the
        caller may see (``scope``): any other is, to the caller, no card at all."""
        facts = dict(body.facts)
        huicai = facts.get(HUICAI_CARD_ID)
        if huicai is not None:
            card = self._holders_card(body, HUICAI_CARD_ID, huicai, scope)
            status = card.status_on(day)
            held = card.application.scheme is Scheme.SHANDONG and status is CardStatus.ACTIVE
            facts["holds_huicai_card"] = held
            if held and card.term is not None:
                facts["huicai_card_valid_from"] = card.term.valid_from.isoformat()
                if card.term.valid_until is not None:
                    facts["huicai_card_valid_until"] = card.term.valid_until.isoformat()
        named = facts.get(OTHER_CARD_ID)
        if named is None:
            return facts
        other = self._holders_card(body, OTHER_CARD_ID, named, scope)
        recognised = recognised_as_basis(
            body.scheme, body.category.strip(), other.application.scheme, day
        )
        status = other.status_on(day)
        in_force = recognised.honoured and status is CardStatus.ACTIVE and other.term is not None
        facts["holds_other_city_card"] = in_force
        if in_force and other.term is not None:
            facts["other_city_card_valid_from"] = other.term.valid_from.isoformat()
            if other.term.valid_until is not None:
                facts["other_city_card_valid_until"] = other.term.valid_until.isoformat()
            else:
                facts.pop("other_city_card_valid_until", None)
        return facts

    def _holders_card(self, body: ApplyBody, fact: str, named: object, scope: CommandScope) -> Card:
        """The card of this registry a fact names, which must be one the caller may see
        and the applicant's own. A card the caller may not see gets the very refusal of a
        card that does not exist, which names the fact and not the id, so that the
        answer is the same whatever was typed."""
        unknown = InvalidInput(
            f"fact {fact}: no such card in this registry (or none you may see)",
            code="other_card_unknown",
        )
        try:
            card = self.get_card(UUID(str(named)))
        except (ValueError, CardNotFound):
            raise unknown from None
        if not scope.may_read(card):
            raise unknown
        if not identity_matches(
            self._id_pepper, card.application.holder.identity, body.holder.id_number
        ):
            raise InvalidInput(
                f"fact {fact}: that card is not the applicant's", code="other_card_not_holders"
            )
        return card

    def _claim_reservation(
        self, ctx: Context, body: ApplyBody, card_id: UUID, day: date
    ) -> HolderReservation:
        """The holder's place in the scheme, given to the new card: opened by a person's
        first application, claimed again only when the card holding it has ended on
        ``day`` (expiry included, since it writes no event); refused otherwise."""
        kind, scheme = body.holder.id_kind, body.scheme
        canonical = normalise_id_number(kind, body.holder.id_number)
        rid = reservation_id(reservation_key(self._id_pepper, scheme, kind, canonical))
        try:
            found: object = self.repository.get(rid)
        except AggregateNotFoundError:
            return HolderReservation.open(ctx, rid, card_id)
        if not isinstance(found, HolderReservation):  # a uuid5 collision: never in practice
            raise AssertionError(f"{rid} is not a reservation")
        found.claim(ctx, card_id, self.get_card(found.card_id).status_on(day))
        return found

    def record_review(
        self,
        card_id: UUID,
        body: ReviewBody,
        *,
        expected_version: int | None = None,
        scope: CommandScope = UNSCOPED,
    ) -> int:
        """Record a review decision; a rejection also closes the application."""
        review = _review(body)
        return self._change(
            card_id, body, expected_version, lambda c, x: c.record_review(x, review), scope=scope
        )

    def issue(
        self,
        card_id: UUID,
        body: IssueBody,
        *,
        expected_version: int | None = None,
        scope: CommandScope = UNSCOPED,
    ) -> int:
        """Issue the card with the term the scheme's rules give."""
        return self._change(
            card_id,
            body,
            expected_version,
            lambda c, x: c.issue(x, valid_from=body.valid_from, bases=body.bases),
            scope=scope,
        )

    def receive(
        self,
        card_id: UUID,
        body: ReceiveBody,
        *,
        expected_version: int | None = None,
        scope: CommandScope = UNSCOPED,
    ) -> int:
        """A window records that it has the file; the window that counts starts the
        deadline clock."""
        return self._change(
            card_id, body, expected_version, lambda c, x: c.receive(x, body.window), scope=scope
        )

    def confirm_contract(
        self,
        card_id: UUID,
        body: ContractBody,
        *,
        expected_version: int | None = None,
        scope: CommandScope = UNSCOPED,
    ) -> int:
        """Record the employment contract's confirmation (a reviewed Shandong card's
        deadline runs from it)."""
        return self._change(
            card_id,
            body,
            expected_version,
            lambda c, x: c.confirm_contract(x, body.confirmed_on),
            scope=scope,
        )

    def upgrade(
        self,
        card_id: UUID,
        body: UpgradeBody,
        *,
        expected_version: int | None = None,
        scope: CommandScope = UNSCOPED,
    ) -> int:
        """Upgrade the card to a higher tier."""
        return self._change(
            card_id,
            body,
            expected_version,
            lambda c, x: c.upgrade(x, body.tier, body.facts),
            scope=scope,
        )

    def request_upgrade(
        self,
        card_id: UUID,
        body: UpgradeRequestBody,
        *,
        expected_version: int | None = None,
        scope: CommandScope = UNSCOPED,
    ) -> int:
        """Ask for a higher category on the card (Liaocheng art. 32); reviews follow."""
        return self._change(
            card_id,
            body,
            expected_version,
            lambda c, x: c.request_upgrade(x, body.category.strip(), body.facts),
            scope=scope,
        )

    def extend(
        self,
        card_id: UUID,
        body: ExtendBody,
        *,
        expected_version: int | None = None,
        scope: CommandScope = UNSCOPED,
    ) -> int:
        """Extend the card's term."""
        return self._change(
            card_id,
            body,
            expected_version,
            lambda c, x: c.extend(
                x, event_on=body.event_on, evidence=body.evidence, shows=body.shows
            ),
            scope=scope,
        )

    def suspend(
        self,
        card_id: UUID,
        body: StatusBody,
        *,
        expected_version: int | None = None,
        scope: CommandScope = UNSCOPED,
    ) -> int:
        """Suspend the card (the scheme's interim authority, with a decision reference)."""
        change = _status_change(body)
        return self._change(
            card_id, body, expected_version, lambda c, x: c.suspend(x, change), scope=scope
        )

    def reinstate(
        self,
        card_id: UUID,
        body: StatusBody,
        *,
        expected_version: int | None = None,
        scope: CommandScope = UNSCOPED,
    ) -> int:
        """Reinstate a suspended card."""
        change = _status_change(body)
        return self._change(
            card_id, body, expected_version, lambda c, x: c.reinstate(x, change), scope=scope
        )

    def propose_revocation(
        self,
        card_id: UUID,
        body: RevocationProposeBody,
        *,
        expected_version: int | None = None,
        scope: CommandScope = UNSCOPED,
    ) -> int:
        """Propose revoking the card, as the acting user."""
        return self._change(
            card_id,
            body,
            expected_version,
            lambda c, x: c.propose_revocation(x, reason=body.reason, ground=body.ground),
            scope=scope,
        )

    def approve_revocation(
        self,
        card_id: UUID,
        body: RevocationApproveBody,
        *,
        expected_version: int | None = None,
        scope: CommandScope = UNSCOPED,
    ) -> int:
        """Approve the open revocation proposal's next step; the last approval revokes."""
        return self._change(
            card_id, body, expected_version, lambda c, x: c.approve_revocation(x), scope=scope
        )

    def decline_revocation(
        self,
        card_id: UUID,
        body: RevocationDeclineBody,
        *,
        expected_version: int | None = None,
        scope: CommandScope = UNSCOPED,
    ) -> int:
        """Decline the open revocation proposal; the card stays as it was."""
        return self._change(
            card_id,
            body,
            expected_version,
            lambda c, x: c.decline_revocation(x, reason=body.reason),
            scope=scope,
        )

    def withdraw(
        self,
        card_id: UUID,
        body: WithdrawBody,
        *,
        expected_version: int | None = None,
        scope: CommandScope = UNSCOPED,
    ) -> int:
        """Withdraw an application."""
        return self._change(
            card_id, body, expected_version, lambda c, x: c.withdraw(x), scope=scope
        )

    def raise_quota(self, body: QuotaRaiseBody) -> CardQuota:
        """Record a case-by-case decision raising a project's quota; returns the quota."""
        ctx = self._context(body, body.scheme)
        scope = quota_scope(
            body.scheme,
            Basis(
                category=body.category,
                project_id=body.project_id,
                enterprise_id=body.enterprise_id,
            ),
            business_date(ctx.effective_at),
        )
        if scope is None:
            raise InvalidInput(f"no quota applies to {body.scheme} {body.category} cards")
        quota = self._quota(scope)
        quota.raise_limit(ctx, body.limit, body.decision_ref, body.attests)
        self._save(quota)
        return quota

    def redeem(
        self, card_id: UUID, body: RedeemBody, *, scope: CommandScope = UNSCOPED
    ) -> tuple[BenefitUse, Redemption]:
        """Record the use of a service item (``domain.redemption``): decided on the card as
        it stood when the use took place and on what the person had already used of the
        item, and saved as the next version of that card, item and person's ``BenefitUse``
        alone (never the card). A lost race for it is decided again on fresh state."""
        for attempt in range(_USE_RETRIES):
            try:
                return self._redeem_once(card_id, body, scope)
            except ConcurrencyConflict:
                if attempt == _USE_RETRIES - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _redeem_once(
        self, card_id: UUID, body: RedeemBody, scope: CommandScope
    ) -> tuple[BenefitUse, Redemption]:
        card = self.get_card(card_id)
        scope.check(card)
        request = UseRequest(
            venue=body.venue,
            quantity=body.quantity,
            holder_present=body.holder_present,
            in_city_care_home=body.in_city_care_home,
            facts=dict(body.facts),
        )
        person, place = beneficiary_of(
            card.application.holder, body.beneficiary, body.family_member, request
        )
        use = use_scope(
            card_id, card.application.scheme, body.city, body.item.strip(), body.beneficiary, place
        )
        counter = self.get_benefit_use(benefit_use_id(use.key))
        # The clock is read after the counter is loaded and before it is saved: a use
        # decided on a version another venue has passed meanwhile is refused by the store.
        now = as_utc(self.clock())
        effective = now if body.effective_at is None else as_utc(body.effective_at)
        check_use_instant(effective, now=now)
        ctx = Context(
            actor=body.actor.strip(),
            role=body.role,
            effective_at=effective,
            recorded_at=now,
            note=body.note,
        )
        then = self._card_at(card, effective)
        snapshot = then.snapshot(business_date(effective))
        if counter is None:
            counter = BenefitUse(ctx=ctx, scope=use)
        redemption = counter.redeem(ctx, request, snapshot, person, uuid4())
        outcome = Outcome(
            card_id=card_id, version=counter.version, redemption_id=redemption.redemption_id
        )
        self._save(counter, scope.receipt_for(ctx, outcome))
        return counter, redemption

    def reverse_redemption(
        self,
        use_id: UUID,
        card_id: UUID,
        body: ReverseRedemptionBody,
        *,
        scope: CommandScope = UNSCOPED,
    ) -> tuple[BenefitUse, Reversal]:
        """Reverse a recorded use held by the ``BenefitUse`` ``use_id`` of ``card_id`` (the
        services find which from the read model), by the venue that recorded it; now,
        never back-dated (``domain.backdating``)."""
        for attempt in range(_USE_RETRIES):
            counter = self.get_benefit_use(use_id)
            if counter is None or counter.scope.card_id != card_id:
                raise UnknownRedemption(f"card {card_id} has no recorded use {body.redemption_id}")
            ctx = self._context(body, counter.scope.scheme)
            reversal = counter.reverse(
                ctx, body.redemption_id, venue=body.venue, city=body.city, reason=body.reason
            )
            outcome = Outcome(
                card_id=card_id, version=counter.version, redemption_id=body.redemption_id
            )
            try:
                self._save(counter, scope.receipt_for(ctx, outcome))
            except ConcurrencyConflict:
                if attempt == _USE_RETRIES - 1:
                    raise
                continue
            return counter, reversal
        raise AssertionError("unreachable")  # pragma: no cover

    def get_receipt(self, rid: UUID) -> CommandReceipt | None:
        """The receipt of a command done under an idempotency key, if there is one."""
        try:
            found: object = self.repository.get(rid)
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, CommandReceipt) else None

    def get_benefit_use(self, use_id: UUID) -> BenefitUse | None:
        """The recorded uses with this id, if any use was recorded under it."""
        try:
            found: object = self.repository.get(use_id)
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, BenefitUse) else None

    def _card_at(self, card: Card, instant: datetime) -> Card:
        """The card as it stood at ``instant``: its state after the last event that had
        taken effect by then (a use recorded offline is decided on the card the venue saw,
        not on a revocation that came after it)."""
        if card.last_effective_at <= instant:
            return card
        version = 0
        for recorded in self.history(card.id):
            if recorded.ctx.effective_at > instant:  # type: ignore[attr-defined]
                break
            version = recorded.originator_version
        if version == 0:
            raise IllegalTransition(
                f"the card was not yet filed at {instant.isoformat()}", code="not_issued"
            )
        return self.get_card(card.id, version=version)

    def import_card(self, record: ImportRecord, *, importer: str) -> tuple[UUID, int]:
        """Import one card with its history (``card import``): every command decided by
        the same rules as a live one, at its effective instant (the administrator
        ``importer`` may back-date; each command acts in its body's role, the body's actor
        kept as ``original_actor``), the card, its reservation and its quota place built
        in memory and saved in one transaction. Any refused command writes nothing:
        ImportRefused names the command's index and the domain error."""
        importer = importer.strip()
        if not importer:
            raise InvalidInput("the importing administrator's user name must not be empty")
        first = record.commands[0]
        try:
            if first.command != "apply":
                raise InvalidInput(
                    f"an imported card's first command is apply, not {first.command!r}",
                    code="import_must_start_with_apply",
                )
            apply_body = import_body(first)
            assert isinstance(apply_body, ApplyBody)
            card, reservation, quota = self._file(apply_body, importer)
        except DomainError as e:
            raise ImportRefused(0, e) from None
        for index, command in enumerate(record.commands[1:], start=1):
            try:
                action = _CARD_ACTIONS.get(command.command)
                if action is None:
                    raise InvalidInput(
                        f"command {command.command!r} cannot follow apply "
                        f"(one of: {', '.join(_CARD_ACTIONS)})",
                        code="unknown_command",
                    )
                body = import_body(command)
                ctx = self._context(
                    body, card.application.scheme, card.last_effective_at, importer=importer
                )
                action(card, ctx, body)
                quota = self._release_quota_of_closed(card, ctx, quota) or quota
            except DomainError as e:
                raise ImportRefused(index, e) from None
        try:
            self._save(card, reservation, quota)
        except ConcurrencyConflict as e:
            raise ImportRefused(len(record.commands) - 1, e) from None
        return card.id, card.version

    # ---- queries ----------------------------------------------------------------------

    def get_card(self, card_id: UUID, *, version: int | None = None) -> Card:
        """The card now, or as it was at ``version``."""
        try:
            card: object = self.repository.get(card_id, version=version)
        except AggregateNotFoundError:
            card = None
        if not isinstance(card, Card):  # e.g. a quota's id
            raise CardNotFound(f"no card with id {card_id}")
        return card

    def history(self, card_id: UUID) -> list[DomainEventProtocol[UUID]]:
        """Every event of one card, in order."""
        events = list(self.events.get(card_id))
        if not events or not isinstance(events[0], Card.Applied):  # type: ignore[attr-defined]
            raise CardNotFound(f"no card with id {card_id}")
        return events

    def venue_binding(self, card: Card) -> bytes:
        """The holder's venue binding hash (for their credential), unsealed."""
        return unseal_binding(self._id_pepper, card.application.holder.identity)

    def holder_matches(self, card: Card, id_number: str) -> bool:
        """Whether an ID number is the one the card's holder filed with."""
        return identity_matches(self._id_pepper, card.application.holder.identity, id_number)

    def derived_secret(self, purpose: str) -> bytes:
        """A secret for one purpose (e.g. status-list seeds), derived from the registry key
        so that it survives rebuilds without being stored anywhere."""
        return hmac.new(self._id_pepper, purpose.encode(), hashlib.sha256).digest()

    def get_quota(self, scope: QuotaScope) -> CardQuota | None:
        """The quota for a scope, or None if no card has been counted against it yet."""
        return self.get_quota_by_key(scope.key)

    def card_ids(self, *, page_size: int = 500) -> Iterator[UUID]:
        """Every card's id, in filing order (read from the notification log)."""
        topic = get_topic(Card.Applied)  # type: ignore[attr-defined]
        start = 1
        while True:
            page = self.recorder.select_notifications(start, page_size, topics=[topic])
            for notification in page:
                yield UUID(str(notification.originator_id))
            if len(page) < page_size:
                return
            start = page[-1].id + 1

    # ---- internals --------------------------------------------------------------------

    def _context(
        self,
        body: Body,
        scheme: Scheme,
        previous: datetime | None = None,
        *,
        importer: str = "",
    ) -> Context:
        """The command's context: recorded now (the ledger's clock); effective now, or at
        the body's ``effective_at`` where ``domain.backdating`` allows it for the acting
        role, or for the administrator ``importer`` (who is then the recorded actor, the
        body's actor kept as ``original_actor``), on a card whose ``previous`` event took
        effect then."""
        now = as_utc(self.clock())
        effective = now
        if body.effective_at is not None:
            check_effective_at(
                body.effective_at,
                now=now,
                role=Role.ADMINISTRATOR if importer else body.role,
                previous=previous,
                policy_starts=policy_versions(scheme)[0].effective_from,
                importing=bool(importer),
            )
            effective = as_utc(body.effective_at)
        return Context(
            actor=importer or body.actor.strip(),
            role=body.role,
            effective_at=effective,
            recorded_at=now,
            note=body.note,
            original_actor=body.actor.strip() if importer else "",
        )

    def _change(
        self,
        card_id: UUID,
        body: Body,
        expected_version: int | None,
        command: Callable[[Card, Context], Any],
        scope: CommandScope = UNSCOPED,
    ) -> int:
        card = self.get_card(card_id)
        scope.check(card)
        if expected_version is not None and card.version != expected_version:
            raise ConcurrencyConflict(
                f"card {card_id} is at version {card.version}, not {expected_version}; "
                "reload it and decide again"
            )
        ctx = self._context(body, card.application.scheme, card.last_effective_at)
        command(card, ctx)
        quota = self._release_quota_of_closed(card, ctx)
        receipt = scope.receipt_for(ctx, Outcome(card_id=card.id, version=card.version))
        self._save(card, quota, receipt)
        return card.version

    def _quota(self, scope: QuotaScope) -> CardQuota:
        return self.get_quota(scope) or CardQuota(scope=scope)

    def _release_quota_of_closed(
        self, card: Card, ctx: Context, held: CardQuota | None = None
    ) -> CardQuota | None:
        """A withdrawn, rejected or revoked card gives its quota place back, in the same
        transaction as the event that closed it (``held``: the quota already in memory)."""
        closed = (CardStatus.WITHDRAWN, CardStatus.REJECTED, CardStatus.REVOKED)
        if not card.admission.quota_key or card.recorded_status not in closed:
            return None
        quota = held or self.get_quota_by_key(card.admission.quota_key)
        if quota is None:
            return None
        quota.release(ctx, card.id)
        return quota

    def get_quota_by_key(self, key: str) -> CardQuota | None:
        """The quota with this key, if it exists."""
        try:
            quota: object = self.repository.get(quota_id(key))
        except AggregateNotFoundError:
            return None
        return quota if isinstance(quota, CardQuota) else None

    def _save(
        self,
        *aggregates: Card | CardQuota | HolderReservation | BenefitUse | CommandReceipt | None,
    ) -> None:
        """Save every aggregate's new events in one transaction, or none of them."""
        try:
            self.save(*aggregates)
        except IntegrityError:
            ids = ", ".join(str(a.id) for a in aggregates if a is not None)
            raise ConcurrencyConflict(
                f"{ids} changed by another command at the same time; "
                "nothing was written, reload and decide again"
            ) from None


def _status_change(body: StatusBody) -> StatusChange:
    return StatusChange(reason=body.reason, decision_ref=body.decision_ref)


def _review(body: ReviewBody) -> Review:
    return Review(
        stage=body.stage,
        decision=body.decision,
        reviewer=body.reviewer or body.actor,
        joint_with=tuple(d.strip() for d in body.joint_with if d.strip()),
    )


class ImportRefused(DomainError):
    """A command of an imported card was refused: nothing of the card was written.
    ``command_index`` is the command's 0-based position; ``error`` the domain's refusal."""

    def __init__(self, command_index: int, error: DomainError) -> None:
        super().__init__(error.message, code=error.code, rule=error.rule)
        self.command_index = command_index
        self.error = error


def import_body(command: ImportCommand) -> Body:
    """The command's body, checked against its type like a live one, with the command's
    effective instant in it."""
    body_type = COMMAND_BODIES.get(command.command)
    if body_type is None:
        raise InvalidInput(
            f"unknown command {command.command!r} (one of: {', '.join(COMMAND_BODIES)})",
            code="unknown_command",
        )
    fields = dict(command.body)
    if command.effective_at is not None:
        fields["effective_at"] = command.effective_at
    return convert_body(fields, body_type)


# What each imported command does to the card in memory (apply is handled apart: it
# creates the card). The live command methods above do the same, one at a time.
_CARD_ACTIONS: dict[str, Callable[[Card, Context, Any], None]] = {
    "review": lambda c, x, b: c.record_review(x, _review(b)),
    "receive": lambda c, x, b: c.receive(x, b.window),
    "confirm_contract": lambda c, x, b: c.confirm_contract(x, b.confirmed_on),
    "issue": lambda c, x, b: c.issue(x, valid_from=b.valid_from, bases=b.bases),
    "upgrade_request": lambda c, x, b: c.request_upgrade(x, b.category.strip(), b.facts),
    "upgrade": lambda c, x, b: c.upgrade(x, b.tier, b.facts),
    "extend": lambda c, x, b: c.extend(x, event_on=b.event_on, evidence=b.evidence, shows=b.shows),
    "suspend": lambda c, x, b: c.suspend(x, _status_change(b)),
    "reinstate": lambda c, x, b: c.reinstate(x, _status_change(b)),
    "propose_revocation": lambda c, x, b: c.propose_revocation(x, reason=b.reason, ground=b.ground),
    "approve_revocation": lambda c, x, b: c.approve_revocation(x),
    "decline_revocation": lambda c, x, b: c.decline_revocation(x, reason=b.reason),
    "withdraw": lambda c, x, b: c.withdraw(x),
}
