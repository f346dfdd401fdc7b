"""The Card ledger: an eventsourcing Application whose command methods load a card, call
the domain, and save. Each command writes all of its events or none of them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import Environment, EnvType, get_topic

from domain.card import Card
from domain.clock import Clock, as_utc
from domain.values import (
    Application as Filing,
)
from domain.values import (
    Basis,
    Context,
    Extension,
    FamilyMember,
    Holder,
    Issuance,
    Review,
    StatusChange,
    Term,
    Upgrade,
)
from ledger.commands import (
    ApplyBody,
    Body,
    ExtendBody,
    IssueBody,
    ReviewBody,
    StatusBody,
    UpgradeBody,
    WithdrawBody,
)
from ledger.errors import CardNotFound, ConcurrencyConflict
from ledger.identity import protect_identity


def system_clock() -> datetime:
    """The production clock: now, in UTC."""
    return datetime.now(UTC)


class CardLedger(Application[UUID]):
    """Applications and cards, stored as events. The table is ``talentcard_events`` on
    PostgreSQL and ``stored_events`` in the embedded SQLite file."""

    name = "talentcard"

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        id_pepper: bytes,
        clock: Clock = system_clock,
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

    def apply(self, body: ApplyBody) -> tuple[UUID, int]:
        """File an application; returns the new card's id and version."""
        ctx = self._context(body)
        holder = Holder(
            name=body.holder.name.strip(),
            identity=protect_identity(
                self._id_pepper,
                body.holder.id_kind,
                body.holder.id_number,
                body.holder.date_of_birth,
            ),
            date_of_birth=body.holder.date_of_birth,
            family=tuple(
                FamilyMember(
                    relation=m.relation, name=m.name.strip(), date_of_birth=m.date_of_birth
                )
                for m in body.holder.family
            ),
        )
        filing = Filing(
            scheme=body.scheme,
            route=body.route,
            basis=Basis(
                category=body.category.strip(),
                programme=body.programme,
                project_id=body.project_id,
                enterprise_id=body.enterprise_id,
                facts=dict(body.facts),
            ),
            holder=holder,
            sponsor=body.sponsor,
            evidence=body.evidence,
        )
        card = Card.file(ctx, filing)
        self._save(card)
        return card.id, card.version

    def record_review(
        self, card_id: UUID, body: ReviewBody, *, expected_version: int | None = None
    ) -> int:
        """Record a review decision; a rejection also closes the application."""
        review = Review(
            stage=body.stage, decision=body.decision, reviewer=body.reviewer or body.actor
        )
        return self._change(
            card_id, body, expected_version, lambda c, x: c.record_review(x, review)
        )

    def issue(self, card_id: UUID, body: IssueBody, *, expected_version: int | None = None) -> int:
        """Issue the card."""
        issuance = Issuance(tier=body.tier, term=_term(body))
        return self._change(card_id, body, expected_version, lambda c, x: c.issue(x, issuance))

    def upgrade(
        self, card_id: UUID, body: UpgradeBody, *, expected_version: int | None = None
    ) -> int:
        """Upgrade the card to a higher tier."""
        upgrade = Upgrade(tier=body.tier, term=_term(body))
        return self._change(card_id, body, expected_version, lambda c, x: c.upgrade(x, upgrade))

    def extend(
        self, card_id: UUID, body: ExtendBody, *, expected_version: int | None = None
    ) -> int:
        """Extend the card's term."""
        extension = Extension(
            valid_until=body.valid_until, basis=body.basis, evidence=body.evidence
        )
        return self._change(card_id, body, expected_version, lambda c, x: c.extend(x, extension))

    def suspend(
        self, card_id: UUID, body: StatusBody, *, expected_version: int | None = None
    ) -> int:
        """Suspend the card."""
        change = _status_change(body)
        return self._change(card_id, body, expected_version, lambda c, x: c.suspend(x, change))

    def reinstate(
        self, card_id: UUID, body: StatusBody, *, expected_version: int | None = None
    ) -> int:
        """Reinstate a suspended card."""
        change = _status_change(body)
        return self._change(card_id, body, expected_version, lambda c, x: c.reinstate(x, change))

    def revoke(
        self, card_id: UUID, body: StatusBody, *, expected_version: int | None = None
    ) -> int:
        """Revoke the card."""
        change = _status_change(body)
        return self._change(card_id, body, expected_version, lambda c, x: c.revoke(x, change))

    def withdraw(
        self, card_id: UUID, body: WithdrawBody, *, expected_version: int | None = None
    ) -> int:
        """Withdraw an application."""
        return self._change(card_id, body, expected_version, lambda c, x: c.withdraw(x))

    # ---- queries ----------------------------------------------------------------------

    def get_card(self, card_id: UUID, *, version: int | None = None) -> Card:
        """The card now, or as it was at ``version``."""
        try:
            card: Card = self.repository.get(card_id, version=version)
        except AggregateNotFoundError:
            raise CardNotFound(f"no card with id {card_id}") from None
        return card

    def history(self, card_id: UUID) -> list[DomainEventProtocol[UUID]]:
        """Every event of one card, in order."""
        events = list(self.events.get(card_id))
        if not events:
            raise CardNotFound(f"no card with id {card_id}")
        return events

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

    def _context(self, body: Body) -> Context:
        return Context(
            actor=body.actor.strip(),
            role=body.role,
            effective_at=as_utc(self.clock()),
            note=body.note,
        )

    def _change(
        self,
        card_id: UUID,
        body: Body,
        expected_version: int | None,
        command: Callable[[Card, Context], Any],
    ) -> int:
        card = self.get_card(card_id)
        if expected_version is not None and card.version != expected_version:
            raise ConcurrencyConflict(
                f"card {card_id} is at version {card.version}, not {expected_version}; "
                "reload it and decide again"
            )
        command(card, self._context(body))
        self._save(card)
        return card.version

    def _save(self, card: Card) -> None:
        try:
            self.save(card)
        except IntegrityError:
            raise ConcurrencyConflict(
                f"card {card.id} was changed by another command at the same time; "
                "nothing was written, reload it and decide again"
            ) from None


def _term(body: IssueBody) -> Term:
    return Term(valid_from=body.valid_from, valid_until=body.valid_until, basis=body.term_basis)


def _status_change(body: StatusBody) -> StatusChange:
    return StatusChange(reason=body.reason, proposer=body.proposer, approver=body.approver)
