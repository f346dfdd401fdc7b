"""Filing (申领): a new card, decided with its holder's reservation in the scheme and its
place in a quota, saved together; and the quota's case-by-case raise."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from domain.card import Card
from domain.clock import business_date
from domain.errors import InvalidInput
from domain.identity import normalise_id_number
from domain.policy import (
    check_filer,
    facts_from_credentials,
    facts_with_level,
    level_rule,
    recognised_as_basis,
)
from domain.quota import CardQuota, quota_scope
from domain.receipt import Outcome
from domain.reservation import HolderReservation, reservation_id
from domain.values import Basis, Context
from domain.vocabulary import CardStatus, Scheme
from ledger.app_base import LedgerBase
from ledger.commands import (
    ApplyBody,
    QuotaRaiseBody,
)
from ledger.errors import CardNotFound, ConcurrencyConflict
from ledger.filing import filing_of, filing_scope
from ledger.identity import (
    identity_matches,
    reservation_key,
)
from ledger.scope import UNSCOPED, CommandScope

# A new application that loses a race for its project's quota or for its holder's
# reservation is decided again on fresh state: the card id is new each time, so retrying
# cannot duplicate anything.
_QUOTA_RETRIES = 5


# The fact by which an application names a card of this registry as its basis.
OTHER_CARD_ID = "other_city_card_id"
# The fact by which an application names the holder's 惠才卡 in this registry (Liaocheng art.
# 5(1), Weihai 2019 part 2(1).1): the registry then says whether it is held and in force.
HUICAI_CARD_ID = "huicai_card_id"
# Set by the registry, never typed: the person's earlier card of the same scheme and category
# was issued (Weihai 2023 part 2: 首次开通, a first opening only).
OPENED_BEFORE = "opened_before"


class Filing(LedgerBase):
    """The ledger's filing commands."""

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
        facts = facts_from_credentials(
            body.scheme, body.category.strip(), body.facts, body.credentials, day
        )
        facts = self._level_facts(body, facts, day)
        facts.pop(OPENED_BEFORE, None)
        if self._opened_before(body):
            facts[OPENED_BEFORE] = True
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

    def _opened_before(self, body: ApplyBody) -> bool:
        """Whether the card last holding the person's place in the scheme (their
        reservation) was issued, of the category filed now: this filing is then not the
        person's first opening of it."""
        try:
            canonical = normalise_id_number(body.holder.id_kind, body.holder.id_number)
        except InvalidInput:
            return False  # the filing itself refuses the ID number, with its own message
        key = reservation_key(self._id_pepper, body.scheme, body.holder.id_kind, canonical)
        try:
            found: object = self.repository.get(reservation_id(key))
        except AggregateNotFoundError:
            return False
        if not isinstance(found, HolderReservation):
            return False
        earlier = self.get_card(found.card_id)
        category = earlier.application.basis.category
        return earlier.issued_on is not None and category == body.category.strip()

    def _level_facts(
        self, body: ApplyBody, filed: dict[str, str | int | float | bool], day: date
    ) -> dict[str, str | int | float | bool]:
        """The filed facts with the employer's level that chooses the review path read from
        the register of employers, by the credit code the file names, where the scheme's
        level rule in force on ``day`` says so (shandong 7.1 item 4, RD-2026-91); a typed
        level, or an employer not in the register, is refused."""
        rule = level_rule(body.scheme, day)
        if rule is None or not rule.from_register:
            return filed
        code = body.sponsor.credit_code.strip()
        entry = self.employer(code) if code else None
        registered = None if entry is None else (entry.level, entry.county)
        return facts_with_level(rule, filed, registered, code.upper())

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
        found.claim(ctx, card_id, self.get_card(found.card_id).status_on(day), scheme)
        return found

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
