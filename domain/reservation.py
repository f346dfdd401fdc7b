"""One person, one live card per scheme (一人一卡): the reservation an application takes.
No seed states the rule: it rests on the administrator's decision
``<scheme>.decision.lifecycle`` (RD-2026-84), which a refusal cites.

A second application for the same ID number in the same scheme is refused while the
first application or card is live. The holder's identity digest is salted per filing, so
it cannot find an earlier filing; the reservation is named instead by a key of its own, a
keyed hash of the scheme and the normalised number computed by the ledger under the
registry secret (``ledger.identity.reservation_key``). The aggregate's id is derived from
that key and its events hold neither the key nor the number.

Like ``CardQuota``, the reservation is saved in the same transaction as the new card, so
two applications for one person racing each other both write the reservation's next
version and the store lets only one of them in; the loser is decided again on fresh state.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import IllegalTransition
from domain.policy import lifecycle_decision
from domain.values import Context, Value
from domain.vocabulary import CardStatus, Scheme

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:talentcard:holder-reservation")

# A card in one of these states on the decision day no longer holds the person's place:
# the application ended (withdrawn, rejected), the card was revoked, or its term is over
# (expiry writes no event, so the ledger passes the held card's status on that day).
ENDED = frozenset(
    {CardStatus.WITHDRAWN, CardStatus.REJECTED, CardStatus.REVOKED, CardStatus.EXPIRED}
)


class AlreadyHoldsCard(IllegalTransition):
    """The person already has a live application or card in this scheme."""

    code = "already_holds_card"


class ReservationClaim(Value, frozen=True):
    """The application that now holds the person's place in the scheme."""

    card_id: UUID


def reservation_id(key: str) -> UUID:
    """The reservation aggregate's id for a key (the same key always gives the same id)."""
    return uuid5(_NAMESPACE, key)


class HolderReservation(Aggregate):
    """A person's place in one scheme: which application or card holds it. Opened by the
    person's first application, in one event, so a first filing adds one row, not two."""

    @classmethod
    def open(cls, ctx: Context, reservation: UUID, card_id: UUID) -> HolderReservation:
        """The reservation of a person's first application in the scheme; ``reservation``
        is ``reservation_id(key)``."""
        return cls(id=reservation, ctx=ctx, claim=ReservationClaim(card_id=card_id))

    class ReservationOpened(Aggregate.Created):
        """A person's first application in the scheme took its place."""

        ctx: Context
        claim: ReservationClaim

    # id= is the library's keyword for an aggregate id chosen by the caller
    @event(ReservationOpened)
    def __init__(self, *, id: UUID, ctx: Context, claim: ReservationClaim) -> None:
        self.card_id: UUID = claim.card_id

    def claim(
        self,
        ctx: Context,
        card_id: UUID,
        held_status: CardStatus | None,
        scheme: Scheme | None = None,
    ) -> None:
        """Give the place to a new application, or refuse while the one holding it is live.

        ``held_status`` is the status, on the decision day, of the card holding the place.
        The refusal names no card: the caller filing may not be allowed to see the other
        application; it cites the ``scheme``'s lifecycle decision."""
        if held_status not in ENDED:
            raise AlreadyHoldsCard(
                "this person already has a live application or card in this scheme; it must "
                "be withdrawn, rejected, revoked or expired before another can be filed "
                "(upgrade or extend the existing card instead)",
                rule=None if scheme is None else lifecycle_decision(scheme),
            )
        self._claimed(ctx=ctx, claim=ReservationClaim(card_id=card_id))

    class ReservationClaimed(Aggregate.Event):
        """A new application took the person's place in the scheme."""

        ctx: Context
        claim: ReservationClaim

    @event(ReservationClaimed)
    def _claimed(self, ctx: Context, claim: ReservationClaim) -> None:
        self.card_id = claim.card_id
