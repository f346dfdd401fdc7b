"""The record of use (服务使用): a use of a service item, decided on the card as it stood
when it took place, and its reversal (冲销)."""

from __future__ import annotations

from uuid import UUID, uuid4

from domain.clock import as_utc, business_date
from domain.receipt import Outcome
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
from domain.values import Context
from ledger.app_base import LedgerBase
from ledger.commands import (
    RedeemBody,
    ReverseRedemptionBody,
)
from ledger.errors import ConcurrencyConflict
from ledger.scope import UNSCOPED, CommandScope

# A use that loses a race for its counter (another venue recorded a use of the same item
# by the same person first) is decided again on the counter's fresh state: refused then if
# the other took the last use. The redemption id is new each time, so nothing is doubled.
_USE_RETRIES = 5


class Redemptions(LedgerBase):
    """The ledger's redemption commands."""

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
        # The card's people on the day of the use: a spouse added from 2026-09-01 uses the
        # gym from that day, a member removed from a day uses nothing from it. A use now
        # takes the people as they stand (every change takes effect by the day it is
        # decided), so the clock is not read here: it is read once, below.
        people = card.holder
        if body.effective_at is not None:
            people = card.holder_on(business_date(as_utc(body.effective_at)))
        person, place = beneficiary_of(people, body.beneficiary, body.family_member, request)
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

    def get_benefit_use(self, use_id: UUID) -> BenefitUse | None:
        """The recorded uses with this id, if any use was recorded under it."""
        return self.find(use_id, BenefitUse)
