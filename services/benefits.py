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
from domain.policy import Balance
from domain.redemption import UnknownRedemption
from ledger import commands as c
from ledger.app import CardLedger

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

    def redeem(self, card_id: UUID, body: c.RedeemBody) -> UseReceipt:
        """Record a use; refused past a limit, naming the rule and its source."""
        record, use = self._ledger.redeem(card_id, body)
        issued_on = self._issued_on(card_id)
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
            balances=record.balances(issued_on, use.used_on),
            version=record.version,
        )

    def reverse(self, card_id: UUID, body: c.ReverseRedemptionBody) -> ReversalReceipt:
        """Reverse a use recorded on ``card_id``, found by its id."""
        read_models = self._read_models()
        read_models.catch_up(_ENTITLEMENTS)
        found = read_models.entitlements.recorded_use(body.redemption_id)
        if found is None or found.card_id != str(card_id):
            raise UnknownRedemption(f"card {card_id} has no recorded use {body.redemption_id}")
        record, _ = self._ledger.reverse_redemption(UUID(found.use_id), card_id, body)
        today = business_date(self._clock())
        return ReversalReceipt(
            redemption_id=body.redemption_id,
            card_id=card_id,
            item=record.scope.item,
            balances=record.balances(self._issued_on(card_id), today),
            version=record.version,
        )

    def balances(self, card_id: UUID, as_of: date | None = None) -> list[BenefitBalance]:
        """What is left of each counted item per beneficiary on a day (default today),
        from the read model caught up with the log."""
        read_models = self._read_models()
        read_models.catch_up(_ENTITLEMENTS)
        self._ledger.get_card(card_id)  # a clear "no such card" before an empty answer
        return read_models.entitlements.balances(card_id, as_of or business_date(self._clock()))

    def _issued_on(self, card_id: UUID) -> date:
        issued_on = self._ledger.get_card(card_id).issued_on
        assert issued_on is not None  # a use was recorded, so the card was issued
        return issued_on
