"""The status projection: every issued card's place in its authority's status lists and
its status over time, rebuilt from the event log.

Indexes are handed out in the order cards were first issued (the log's order) through a
keyed pseudo-random permutation (``signing.status_list.allocate``), so they look random
within lists of 131,072 entries (herd privacy), are never reused, and come out the same
on every rebuild. A status list built ``as_of`` an instant shows every revocation and
suspension that took effect by then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.card import Card
from domain.vocabulary import Scheme
from ledger.app import CardLedger
from signing.keys import AUTHORITY_SCHEMES
from signing.status_list import LIST_SIZE, StatusCode, StatusList, StatusRef, allocate

_AUTHORITY_OF: dict[Scheme, str] = {
    scheme: authority for authority, schemes in AUTHORITY_SCHEMES.items() for scheme in schemes
}
_CHANGES: dict[str, StatusCode] = {
    "Issued": StatusCode.VALID,
    "Suspended": StatusCode.SUSPENDED,
    "Reinstated": StatusCode.VALID,
    "Revoked": StatusCode.REVOKED,
}


def authority_of(scheme: Scheme) -> str:
    """The authority that issues (and signs for) a scheme's cards."""
    return _AUTHORITY_OF[scheme]


def status_uri(authority: str, ref: StatusRef) -> str:
    """The name a credential uses for the status list holding its entry."""
    return f"sl:{authority}:{ref.list_id}"


@dataclass
class Entry:
    """One card's status entry and its history of (instant, status)."""

    authority: str
    ref: StatusRef
    changes: list[tuple[datetime, StatusCode]] = field(default_factory=list)

    def code_at(self, instant: datetime) -> StatusCode:
        code = StatusCode.VALID
        for when, change in self.changes:
            if when <= instant:
                code = change
        return code


class StatusProjection:
    """Status entries of every issued card, following the ledger's notification log."""

    def __init__(self, seed_for: Callable[[str], bytes]) -> None:
        self._seed_for = seed_for
        self.position = 0
        self.entries: dict[UUID, Entry] = {}
        self._schemes: dict[UUID, Scheme] = {}
        self._issued: dict[str, int] = {}

    def follow(self, ledger: CardLedger, *, page: int = 1000) -> None:
        """Process every event recorded since the last call, in log order."""
        topics = [get_topic(getattr(Card, name)) for name in ("Applied", *_CHANGES)]
        while True:
            notifications = ledger.recorder.select_notifications(
                self.position + 1, page, topics=topics
            )
            for notification in notifications:
                self.process(ledger.mapper.to_domain_event(notification))
                self.position = notification.id
            if len(notifications) < page:
                return

    def process(self, event: Any) -> None:
        """Apply one card event."""
        card_id: UUID = event.originator_id
        name = type(event).__name__
        if isinstance(event, Card.Applied):  # type: ignore[attr-defined]
            self._schemes[card_id] = event.application.scheme
            return
        code = _CHANGES.get(name)
        if code is None:
            return
        entry = self.entries.get(card_id)
        if entry is None:
            authority = authority_of(self._schemes[card_id])
            sequence = self._issued.get(authority, 0)
            self._issued[authority] = sequence + 1
            entry = Entry(authority=authority, ref=allocate(self._seed_for(authority), sequence))
            self.entries[card_id] = entry
        entry.changes.append((event.ctx.effective_at, code))

    def reference(self, card_id: UUID) -> tuple[str, StatusRef] | None:
        """The card's (status list uri, reference), once it has been issued."""
        entry = self.entries.get(card_id)
        return None if entry is None else (status_uri(entry.authority, entry.ref), entry.ref)

    def lists(self, authority: str, as_of: datetime) -> dict[str, StatusList]:
        """The authority's status lists as of an instant, by uri. Every list the authority
        has handed indexes in is included, even when all its entries are valid."""
        lists: dict[str, StatusList] = {}
        for entry in self.entries.values():
            if entry.authority != authority or not entry.changes:
                continue
            if entry.changes[0][0] > as_of:
                continue  # not issued yet at that instant
            uri = status_uri(authority, entry.ref)
            status_list = lists.setdefault(uri, StatusList(bits=2, size=LIST_SIZE))
            code = entry.code_at(as_of)
            if code != StatusCode.VALID:
                status_list.set(entry.ref.index, code)
        return lists
