"""A person's rights over their data (PIPL arts. 45, 47, 54): erasure on a lawful ground
approved by a second administrator, the list of those whose retention has run out, a copy
of everything held on a person, and the record of every staff read of personal data.

The adapters name the route a read came through (:data:`READ_ROUTE`: the HTTP method and
path, or the CLI's words); the services record the read with the authenticated user.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec

from domain.card import Card
from domain.clock import Clock, business_date
from domain.erasure import ENDED, Erasure
from domain.errors import InvalidInput, NotAuthorised
from domain.jurisdiction import scope_of, sees_personal_data
from domain.retention import erase_after, rule_on
from domain.user import PROVINCE, Principal
from domain.vocabulary import CardStatus, ErasureGround, Role
from ledger.app import CardLedger
from ledger.personal_reads import PersonalRead
from services.access import Access, not_found
from services.read_route import READ_ROUTE

if TYPE_CHECKING:
    from projections.engine import ReadModels



def record_read(
    ledger: CardLedger, clock: Clock, who: Principal, use: str, cards: Iterable[UUID]
) -> None:
    """Record that ``who`` read these cards' personal data through ``use`` (the route it
    came by is the adapter's :data:`READ_ROUTE`)."""
    ids = tuple(dict.fromkeys(cards))
    if ids:
        ledger.personal_reads.record(
            PersonalRead(
                at=clock(),
                actor=who.name,
                role=str(who.role),
                route=f"{READ_ROUTE.get()} ({use})",
                cards=ids,
            )
        )


class DueForErasure(msgspec.Struct, frozen=True, kw_only=True):
    """A card whose people's retention has run out (``holder due-for-erasure``)."""

    card_id: UUID
    status: str
    ended_on: date
    due_on: date
    rule: str  # the retention rule's id
    source: str


class PersonalDataService:
    """Erasure, retention, access and the record of reads."""

    def __init__(
        self, ledger: CardLedger, read_models: Callable[[], ReadModels], clock: Clock
    ) -> None:
        self._ledger = ledger
        self._read_models = read_models
        self._clock = clock
        self._access = Access(ledger)

    # ---- the record of reads ------------------------------------------------------------

    def record_read(self, who: Principal, use: str, cards: Iterable[UUID]) -> None:
        """Record that ``who`` read these cards' personal data through ``use``."""
        record_read(self._ledger, self._clock, who, use, cards)

    def reads_of(self, who: Principal, card_id: UUID) -> list[PersonalRead]:
        """The recorded reads of a card's personal data, for an auditor or administrator."""
        if not sees_personal_data(who):
            raise NotAuthorised(
                f"a {who.role} may not read the record of a person's file",
                rule="PIPL art. 54: the record of reads is the auditor's",
            )
        self._access.card(who, card_id)  # outside the caller's jurisdiction: as no card
        _check_auditor(who)
        return self._ledger.personal_reads.of_card(card_id)

    # ---- erasure ------------------------------------------------------------------------

    def propose_erasure(
        self,
        who: Principal,
        card_id: UUID,
        *,
        family: int | None,
        ground: str,
        decision: str,
    ) -> Erasure:
        """Propose erasing the card's holder (and with them the family), or one family
        member (``family``: 1 for the first filed)."""
        try:
            reason = ErasureGround(ground)
        except ValueError:
            choices = ", ".join(g.value for g in ErasureGround)
            raise InvalidInput(f"ground must be one of {choices} (PIPL art. 47)") from None
        card = self._erasable(who, card_id)
        if family is None:
            members = card.holder.family  # every member the card ever named, removed ones too
            positions = (0, *(p for p, m in enumerate(members, start=1) if not m.erased))
        else:
            if family < 1:
                raise InvalidInput("family counts from 1 (the first family member filed)")
            positions = (family,)
        return self._ledger.propose_erasure(
            who.name, who.role, card_id, positions, reason, decision
        )

    def approve_erasure(self, who: Principal, erasure_id: UUID) -> Erasure:
        """Approve another administrator's proposal: the people's keys are destroyed and
        their read-model rows purged."""
        _check_administrator(who)
        erasure = self._ledger.get_erasure(erasure_id)
        self._erasable(who, erasure.card_id)
        erasure, _ = self._ledger.approve_erasure(who.name, who.role, erasure_id)
        self._read_models().purge_people(erasure.card_id, erasure.positions)
        return erasure

    def _erasable(self, who: Principal, card_id: UUID) -> Card:
        """The card an administrator erases on: one of the province, or of the
        administrator's own city (another's answers as no card). The administrator reads
        no file: only the card's id and its filing's places are used."""
        _check_administrator(who)
        card = self._ledger.find(card_id, Card)
        if card is None:
            raise not_found(card_id)
        if who.authority != PROVINCE and scope_of(card).city != who.authority:
            raise not_found(card_id)
        return card

    def due_for_erasure(self, who: Principal, on: date | None = None) -> list[DueForErasure]:
        """The ended cards whose holder's retention period has run out by ``on`` (default
        today) and who are not erased yet."""
        _check_overseer(who)
        today = on or business_date(self._clock())
        rule = rule_on(today)
        read_models = self._read_models()
        read_models.catch_up(("card_current",))
        due = []
        for card_id, status, ended_on, city in read_models.card_current.ended_cards(today):
            if CardStatus(status) not in ENDED:
                continue
            if who.authority != PROVINCE and city != who.authority:
                continue  # another city's card does not exist for this administrator
            due_on = erase_after(ended_on, rule)
            if due_on <= today:
                due.append(
                    DueForErasure(
                        card_id=UUID(card_id),
                        status=status,
                        ended_on=ended_on,
                        due_on=due_on,
                        rule=rule.id,
                        source=rule.source,
                    )
                )
        return due

    # ---- access -------------------------------------------------------------------------

    def export(self, who: Principal, card_id: UUID) -> dict[str, Any]:
        """Everything held on the card's people (PIPL art. 45): their file, every event
        of the card, who changed it and when, and who read it and when."""
        if not sees_personal_data(who):
            raise NotAuthorised(
                f"a {who.role} may not read a person's file",
                rule="PIPL art. 45: a person's copy comes from a role that reads their file",
            )
        card = self._access.card(who, card_id)  # outside the caller's jurisdiction: as no card
        self.record_read(who, "holder export", [card_id])
        events = self._ledger.history(card_id)
        history = []
        changes = []
        for e in events:
            state = msgspec.to_builtins(
                {k: v for k, v in vars(e).items() if k not in ("originator_id",)},
                enc_hook=str,
            )
            history.append({"event": type(e).__qualname__, **state})
            ctx = getattr(e, "ctx", None)
            if ctx is not None:
                changes.append(
                    {
                        "event": type(e).__qualname__,
                        "by": ctx.actor,
                        "role": str(ctx.role),
                        "effective_at": ctx.effective_at.isoformat(),
                        "recorded_at": ctx.recorded_at.isoformat(),
                    }
                )
        reads = [msgspec.to_builtins(r) for r in self._ledger.personal_reads.of_card(card_id)]
        return {
            "card_id": str(card_id),
            "file": msgspec.to_builtins(card.application.holder, enc_hook=str),
            # As it stands after every approved change (issue 26); members keep their
            # numbers, a removed one marked.
            "current": msgspec.to_builtins(card.holder, enc_hook=str),
            "events": history,
            "changed_by": changes,
            "read_by": reads,
        }


def _check_administrator(who: Principal) -> None:
    if who.role is not Role.ADMINISTRATOR:
        raise NotAuthorised(
            f"only an administrator may erase personal data, not a {who.role}",
            rule="PIPL art. 47: an administrator proposes, another approves",
        )


def _check_auditor(who: Principal) -> None:
    if who.role is not Role.AUDITOR:
        raise NotAuthorised(
            f"the record of reads is the auditor's, not a {who.role}'s",
            rule="PIPL art. 54: the record of reads is the auditor's",
        )


def _check_overseer(who: Principal) -> None:
    if who.role not in (Role.ADMINISTRATOR, Role.AUDITOR):
        raise NotAuthorised(
            f"a {who.role} may not use the registry's personal-data records",
            rule="PIPL arts. 19, 47: retention is the administrator's and the auditor's",
        )
