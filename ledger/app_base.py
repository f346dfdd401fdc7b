"""The ledger's base: one eventsourcing Application holding every aggregate (cards, their
quotas and reservations, benefit uses, receipts, users), so that a command saves all it
changed in one transaction. The commands are in parts over it (``ledger.app``): filing,
card changes (the command table), redemption and import.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import ApplicationRecorder, IntegrityError, Mapper
from eventsourcing.utils import Environment, EnvType, get_topic

from domain.backdating import check_effective_at
from domain.card import Card
from domain.clock import Clock, as_utc
from domain.errors import IllegalTransition
from domain.policy import policy_versions
from domain.quota import CardQuota, QuotaScope, quota_id
from domain.receipt import CommandReceipt, Outcome
from domain.redemption import (
    BenefitUse,
)
from domain.reservation import HolderReservation
from domain.values import Context
from domain.vocabulary import CardStatus, Role, Scheme
from ledger.card_commands import CardCommand
from ledger.commands import (
    Body,
    R,
    acting_of,
)
from ledger.employers import EmployerRegister
from ledger.errors import CardNotFound, ConcurrencyConflict
from ledger.identity import (
    identity_matches,
    unseal_binding,
)
from ledger.leaves import SALT_PURPOSE
from ledger.person_keys import WRAP_PURPOSE, PersonKeys, PostgresRecorder, SQLiteRecorder
from ledger.personal_mapper import PersonalDataMapper
from ledger.personal_reads import PersonalReads
from ledger.scope import UNSCOPED, CommandScope
from ledger.users import UserDirectory


class LedgerBase(UserDirectory, EmployerRegister):
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
        # Before the library builds the mapper and recorder, which derive their keys from it.
        self._id_pepper = id_pepper
        super().__init__(env=dict(env) if env is not None else None)
        self.clock = clock
        self.person_keys = PersonKeys(self.recorder, self.derived_secret(WRAP_PURPOSE))
        self.mapper.person_keys = self.person_keys  # type: ignore[attr-defined]
        self.personal_reads = PersonalReads(self.recorder)

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        """Only the settings given (see ledger.settings) configure the store; unlike the
        library's default, stray POSTGRES_* or CIPHER_* variables in the process
        environment are not read. The recorder is the library's, writing each save's
        data keys with it (ledger.person_keys)."""
        settings = dict(env or {})
        postgres = settings.get("PERSISTENCE_MODULE") == "eventsourcing.postgres"
        settings["APPLICATION_RECORDER_TOPIC"] = get_topic(
            PostgresRecorder if postgres else SQLiteRecorder
        )
        return Environment(name, settings)

    def construct_mapper(self) -> Mapper[UUID]:
        """The library's mapper, sealing each person's data (ledger.personal_mapper)."""
        return PersonalDataMapper(
            self.construct_transcoder(), salt_key=self.derived_secret(SALT_PURPOSE)
        )

    def construct_recorder(self) -> ApplicationRecorder:
        recorder = super().construct_recorder()
        recorder.kek = self.derived_secret(WRAP_PURPOSE)  # type: ignore[attr-defined]
        return recorder

    # ---- changes to a card (the command table, ledger.card_commands) -----------------

    def run(
        self,
        command: CardCommand[R],
        card_id: UUID,
        body: R,
        *,
        expected_version: int | None = None,
        scope: CommandScope = UNSCOPED,
    ) -> int:
        """Run a card command (``ledger.card_commands``) with its body (the request with
        who acts): load the card, let the domain decide, save; the new version. A card
        the command closes gives its quota place back in the same transaction."""
        return self._change(
            card_id,
            acting_of(body),
            expected_version,
            lambda card, ctx: command.run(card, ctx, body),
            scope=scope,
        )

    def get_receipt(self, rid: UUID) -> CommandReceipt | None:
        """The receipt of a command done under an idempotency key, if there is one."""
        return self.find(rid, CommandReceipt)

    def _card_at(self, card: Card, instant: datetime) -> Card:
        """The card as it stood at ``instant``: its state after the last event that had
        taken effect by then (a use recorded offline is decided on the card the venue saw,
        not on a revocation that came after it)."""
        if card.last_effective_at <= instant:
            return card
        version = 0
        for recorded in self.history(card.id):
            ctx = getattr(recorded, "ctx", None)  # every card event carries its context
            if isinstance(ctx, Context) and ctx.effective_at > instant:
                break
            version = recorded.originator_version
        if version == 0:
            raise IllegalTransition(
                f"the card was not yet filed at {instant.isoformat()}", code="not_issued"
            )
        return self.get_card(card.id, version=version)

    # ---- queries ----------------------------------------------------------------------

    def get_card(self, card_id: UUID, *, version: int | None = None) -> Card:
        """The card now, or as it was at ``version``."""
        card = self.find(card_id, Card, version=version)
        if card is None:
            raise CardNotFound(f"no card with id {card_id}")
        return card

    def history(self, card_id: UUID) -> list[DomainEventProtocol[UUID]]:
        """Every event of one card, in order."""
        events = list(self.events.get(card_id))
        if not events or not isinstance(events[0], Card.Applied):
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
        topic = get_topic(Card.Applied)
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
        return self.find(quota_id(key), CardQuota)

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
