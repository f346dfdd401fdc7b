"""Erasing a person's data (个人信息删除, PIPL art. 47): proposed by one administrator with
a ground from the law's closed list and the decision it rests on, approved by another.

The erasure records no personal data: the card, the places in its filing (0 the holder,
then the family in filing order), the ground and the decision reference. What it does to
the data (destroying the people's keys, purging read-model rows) the ledger and the
services do when it is approved; the card's status, dates and history stay.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.card_status import CLOSED
from domain.errors import IllegalTransition, InvalidInput, NotAuthorised
from domain.values import Context, Holder, Value
from domain.vocabulary import CardStatus, ErasureGround, Role

SOURCE = "PIPL art. 47"
ENDED = CLOSED | {CardStatus.EXPIRED}
"""A card whose holder may be erased: one that was refused, withdrawn, revoked or ran out."""
MAX_DECISION = 200


def check_erasable(holder: Holder, status_today: CardStatus, positions: tuple[int, ...]) -> None:
    """Refuse an erasure that names no one, names a place the filing does not have, names
    someone already erased, or erases the holder of a card still in force (revoke or let
    it end first: a card whose holder is unknown cannot be checked at a venue)."""
    if not positions:
        raise InvalidInput("an erasure names the holder or a family member")
    if len(set(positions)) != len(positions):
        raise InvalidInput("an erasure names each person once")
    people = 1 + len(holder.family)
    for position in positions:
        if not 0 <= position < people:
            raise InvalidInput(
                f"family member {position} is not in this filing (it names {people - 1})"
            )
        erased = holder.erased if position == 0 else holder.family[position - 1].erased
        if erased:
            raise IllegalTransition(
                "this person's data is already erased", code="already_erased", rule=SOURCE
            )
    if 0 in positions and status_today not in ENDED:
        raise IllegalTransition(
            f"the card is {status_today}: the holder of a card still "
            "in force cannot be erased; revoke or withdraw it first",
            code="card_in_force",
            rule=SOURCE,
        )


class ErasureOrder(Value, frozen=True):
    """What an erasure erases and why: no personal data, only places in a filing."""

    card_id: UUID
    positions: tuple[int, ...]  # 0 the holder, then the family in filing order
    ground: ErasureGround
    decision: str  # the decision document (e.g. the person's request and its reference)


class Erasure(Aggregate):
    """One lawful erasure of people named in one card's filing."""

    class Proposed(Aggregate.Created):
        ctx: Context
        order: ErasureOrder

    @event(Proposed)
    def __init__(self, ctx: Context, order: ErasureOrder) -> None:
        self.order = order
        self.card_id = order.card_id
        self.positions = order.positions
        self.proposed_by = ctx.actor
        self.proposed_at = ctx.effective_at
        self.approved_by: str | None = None
        self.approved_at: datetime | None = None

    @classmethod
    def propose(
        cls,
        ctx: Context,
        card_id: UUID,
        positions: tuple[int, ...],
        ground: ErasureGround,
        decision: str,
    ) -> Erasure:
        """An administrator's proposal, on a ground of art. 47 and a decision document."""
        _check_administrator(ctx)
        decision = decision.strip()
        if not decision:
            raise InvalidInput("decision must name the decision the erasure rests on")
        if len(decision) > MAX_DECISION or not decision.isprintable():
            raise InvalidInput(
                f"decision must be printable text of at most {MAX_DECISION} characters"
            )
        order = ErasureOrder(
            card_id=card_id, positions=tuple(positions), ground=ground, decision=decision
        )
        return cls(ctx, order)

    class Approved(Aggregate.Event):
        ctx: Context

    def approve(self, ctx: Context) -> None:
        """A second administrator's approval; the proposer may not approve their own."""
        _check_administrator(ctx)
        if self.approved_by is not None:
            raise IllegalTransition("this erasure was approved already", code="already_approved")
        if ctx.actor == self.proposed_by:
            raise NotAuthorised(
                "an erasure is approved by an administrator other than its proposer",
                rule=SOURCE,
            )
        self._approved(ctx)

    @event(Approved)
    def _approved(self, ctx: Context) -> None:
        self.approved_by = ctx.actor
        self.approved_at = ctx.effective_at


def _check_administrator(ctx: Context) -> None:
    if ctx.role is not Role.ADMINISTRATOR:
        raise NotAuthorised(f"only an administrator may erase personal data, not {ctx.role}")
