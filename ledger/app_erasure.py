"""Erasure (个人信息删除): the ledger's side. A proposal is saved with its step; the
approval is saved in one transaction with its step and the deletion of the people's data
keys, which the store allows only for an erasure two people took (ledger.person_keys:
the recorder; on PostgreSQL a definer function). The events stay: the people's data in
them can no longer be opened, and reads of the card give the ``erased`` placeholders."""

from __future__ import annotations

from uuid import UUID

import psycopg
from eventsourcing.persistence import IntegrityError
from eventsourcing.postgres import PostgresApplicationRecorder

from domain.card import Card
from domain.clock import as_utc, business_date
from domain.erasure import Erasure, check_erasable
from domain.errors import NotAuthorised
from domain.values import Context
from domain.vocabulary import ErasureGround, Role
from ledger.app_import import Importing
from ledger.errors import CardNotFound, ConcurrencyConflict
from ledger.person_keys import ErasureRefused, ErasureStep, wipe_sqlite_log


class ErasureNotFound(CardNotFound):
    """No erasure has that id (answered as a missing card is: 404)."""

    code = "erasure_not_found"


class Erasures(Importing):
    """Propose and approve erasures; find them."""

    def _erasure_context(self, actor: str, role: Role) -> Context:
        now = as_utc(self.clock())
        return Context(actor=actor.strip(), role=role, effective_at=now, recorded_at=now)

    def get_erasure(self, erasure_id: UUID) -> Erasure:
        found = self.find(erasure_id, Erasure)
        if found is None:
            raise ErasureNotFound(f"no erasure with id {erasure_id}")
        return found

    def propose_erasure(
        self,
        actor: str,
        role: Role,
        card_id: UUID,
        positions: tuple[int, ...],
        ground: ErasureGround,
        decision: str,
    ) -> Erasure:
        """Record an administrator's proposal to erase these people of the card."""
        card = self.find(card_id, Card)
        if card is None:
            raise CardNotFound(f"no card with id {card_id}")
        ctx = self._erasure_context(actor, role)
        check_erasable(card.holder, card.status_on(business_date(ctx.effective_at)), positions)
        erasure = Erasure.propose(ctx, card_id, positions, ground, decision)
        step = ErasureStep(
            erasure_id=erasure.id, step="proposed", actor=ctx.actor, at=ctx.recorded_at
        )
        self.save(erasure, erasure_step=step)
        return erasure

    def approve_erasure(
        self, actor: str, role: Role, erasure_id: UUID
    ) -> tuple[Erasure, tuple[UUID, ...]]:
        """A second administrator's approval: the people's keys are destroyed with it.
        The key ids destroyed are returned (the caller purges the read models)."""
        erasure = self.get_erasure(erasure_id)
        card = self.find(erasure.card_id, Card)
        if card is None:  # pragma: no cover - a proposal names a card that exists
            raise CardNotFound(f"no card with id {erasure.card_id}")
        ctx = self._erasure_context(actor, role)
        erasure.approve(ctx)
        check_erasable(
            card.holder, card.status_on(business_date(ctx.effective_at)), erasure.positions
        )
        # From the table, not memory: a member added since this process last read the
        # card's keys has a key the erasure must destroy too.
        found = self.person_keys.of_cards([erasure.card_id], fresh=True)
        key_ids = tuple(
            found[(erasure.card_id, p)][0]
            for p in erasure.positions
            if (erasure.card_id, p) in found
        )
        step = ErasureStep(
            erasure_id=erasure.id,
            step="approved",
            actor=ctx.actor,
            at=ctx.recorded_at,
            key_ids=key_ids,
            # The record of who read the file goes with the holder's data (same retention).
            forget_reads_of=erasure.card_id if 0 in erasure.positions else None,
        )
        try:
            self.save(erasure, erasure_step=step)
        except IntegrityError:
            raise ConcurrencyConflict(
                f"erasure {erasure_id} was approved by another command at the same time"
            ) from None
        except (ErasureRefused, psycopg.errors.InsufficientPrivilege) as e:
            raise NotAuthorised(str(e).splitlines()[0], rule="PIPL art. 47") from None
        self.person_keys.forget(key_ids)
        if not isinstance(self.recorder, PostgresApplicationRecorder):
            wipe_sqlite_log(self.recorder)
        return erasure, key_ids
