"""Recorded use of service items (服务使用记录): a venue or paying office records a use,
or reverses one it recorded; anyone may ask what is left of a card's counted items.

Offline a venue learns only that the card grants an item; the count is checked here, when
the use is recorded (``domain.redemption``). A reversal names the use by its id alone: the
``entitlements`` read model, caught up with the log first, says which record holds it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

import msgspec

from domain.clock import Clock, business_date
from domain.errors import NotAuthorised
from domain.policy import Balance
from domain.receipt import Outcome
from domain.redemption import USE_ROLES, BenefitUse, UnknownRedemption
from domain.user import Principal
from domain.vocabulary import Scheme
from ledger import commands as c
from ledger.app import CardLedger
from ledger.scope import CommandScope
from services.access import Access, Idempotency, acting

if TYPE_CHECKING:
    from projections.engine import ReadModels
    from projections.entitlements import BenefitBalance

_ENTITLEMENTS = ("entitlements",)


class UseReceipt(msgspec.Struct, frozen=True, kw_only=True):
    """A use recorded: its id (to reverse it by), what it was and what is left."""

    redemption_id: UUID
    card_id: UUID
    item: str
    beneficiary: str
    family_member: int
    quantity: int
    used_on: date
    months: tuple[str, ...]
    requires: tuple[str, ...]
    balances: tuple[Balance, ...]
    version: int  # the use record's version


class ReversalReceipt(msgspec.Struct, frozen=True, kw_only=True):
    """A use reversed, and what is left now."""

    redemption_id: UUID
    card_id: UUID
    item: str
    balances: tuple[Balance, ...]
    version: int


class BenefitService:
    """Use cases on the record of use."""

    def __init__(
        self, ledger: CardLedger, read_models: Callable[[], ReadModels], clock: Clock
    ) -> None:
        self._ledger = ledger
        self._read_models = read_models  # built on first use: recording a use needs none
        self._clock = clock
        self._access = Access(ledger)

    def redeem(
        self,
        who: Principal,
        card_id: UUID,
        request: c.RedeemRequest,
        *,
        idempotency: Idempotency | None = None,
    ) -> UseReceipt:
        """Record a use as the venue or paying office ``who``, in its own city; refused
        past a limit, naming the rule and its source. A retry under the same idempotency
        key answers with the use first recorded."""
        city = _use_city(who, request.item)
        body = acting(request, c.RedeemBody, who, venue=who.name, city=city)

        def run(scope: CommandScope) -> Outcome:
            record, use = self._ledger.redeem(card_id, body, scope=scope)
            return Outcome(card_id=card_id, version=record.version, redemption_id=use.redemption_id)

        outcome = self._access.run(who, idempotency, run)
        assert outcome.redemption_id is not None
        record = self._record_holding(card_id, outcome.redemption_id)
        use = record.uses[outcome.redemption_id]
        return UseReceipt(
            redemption_id=use.redemption_id,
            card_id=card_id,
            item=use.item,
            beneficiary=str(use.beneficiary),
            family_member=use.family_member,
            quantity=use.quantity,
            used_on=use.used_on,
            months=use.months,
            requires=use.requires,
            balances=record.balances(self._issued_on(card_id), use.used_on),
            version=outcome.version,
        )

    def reverse(
        self,
        who: Principal,
        card_id: UUID,
        request: c.ReverseRedemptionRequest,
        *,
        idempotency: Idempotency | None = None,
    ) -> ReversalReceipt:
        """Reverse a use recorded on ``card_id``, found by its id, as the venue that
        recorded it."""
        if who.role in USE_ROLES:
            city = _venue_city(who)
        else:  # a payer (Shandong A.9: the employer) reverses in its item's catalogue
            self._access.card(who, card_id)  # out of its jurisdiction: not found, as ever
            city = self._record_holding(card_id, request.redemption_id).scope.city
        body = acting(request, c.ReverseRedemptionBody, who, venue=who.name, city=city)

        def run(scope: CommandScope) -> Outcome:
            self._access.card(who, card_id)
            use_id = self._use_id(card_id, body.redemption_id)
            record, _ = self._ledger.reverse_redemption(use_id, card_id, body, scope=scope)
            return Outcome(
                card_id=card_id, version=record.version, redemption_id=body.redemption_id
            )

        outcome = self._access.run(who, idempotency, run)
        record = self._record_holding(card_id, body.redemption_id)
        return ReversalReceipt(
            redemption_id=body.redemption_id,
            card_id=card_id,
            item=record.scope.item,
            balances=record.balances(self._issued_on(card_id), business_date(self._clock())),
            version=outcome.version,
        )

    def _use_id(self, card_id: UUID, redemption_id: UUID) -> UUID:
        read_models = self._read_models()
        read_models.catch_up(_ENTITLEMENTS)
        found = read_models.entitlements.recorded_use(redemption_id)
        if found is None or found.card_id != str(card_id):
            raise UnknownRedemption(f"card {card_id} has no recorded use {redemption_id}")
        return UUID(found.use_id)

    def _record_holding(self, card_id: UUID, redemption_id: UUID) -> BenefitUse:
        record = self._ledger.get_benefit_use(self._use_id(card_id, redemption_id))
        if record is None or redemption_id not in record.uses:  # pragma: no cover
            raise UnknownRedemption(f"card {card_id} has no recorded use {redemption_id}")
        return record

    def balances(
        self, who: Principal, card_id: UUID, as_of: date | None = None
    ) -> list[BenefitBalance]:
        """What is left of each counted item per beneficiary on a day (default today),
        from the read model caught up with the log, for a user who sees the card."""
        self._access.card(who, card_id)  # a clear "no such card" before an empty answer
        read_models = self._read_models()
        read_models.catch_up(_ENTITLEMENTS)
        return read_models.entitlements.balances(card_id, as_of or business_date(self._clock()))

    def _issued_on(self, card_id: UUID) -> date:
        issued_on = self._ledger.get_card(card_id).issued_on
        assert issued_on is not None  # a use was recorded, so the card was issued
        return issued_on


def _venue_city(who: Principal) -> Scheme:
    """The city whose catalogue a venue's use is decided by: its own."""
    if who.authority in _CATALOGUE_CITIES:
        return Scheme(who.authority)
    raise NotAuthorised(
        f"a {who.role} of {who.authority} records uses of a city's catalogue; this registry "
        f"holds the catalogues of {', '.join(_CATALOGUE_CITIES)}",
        rule="a venue records use in its own city",
    )


def _use_city(who: Principal, item: str) -> Scheme:
    """The catalogue a use is recorded in: a venue's or paying office's own city's; for
    another role (a payer the provincial data names: the employer, annex A.9), the
    provincial catalogue when the item is the province's, else its own city's as for a
    venue (where the domain refuses it unless a payer rule names the role)."""
    if who.role not in USE_ROLES and item.strip().startswith(f"{Scheme.SHANDONG}."):
        return Scheme.SHANDONG
    return _venue_city(who)


_CATALOGUE_CITIES = tuple(str(s) for s in Scheme if s is not Scheme.SHANDONG)
