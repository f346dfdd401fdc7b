"""``status_lists`` (状态列表): every issued card's entry in its authority's status lists
and the card's status changes as dated facts, so a list "as of" an instant is computed
from stored rows, and ``card credential`` and ``bundle`` no longer replay the log.

Indexes are handed out in the order cards were first issued (the log's order) through
the keyed permutation ``signing.status_list.allocate``; a per-authority counter row
keeps them never reused and identical on every rebuild.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from domain.authority import authority_of
from domain.card import TRANSITIONS, Card
from domain.card_status import status_after
from domain.vocabulary import CardStatus
from projections.base import Page, ReadModel, Table, card_key, context_of, instant, topics_of
from projections.tables import View
from signing.status_list import (
    LIST_SIZE,
    StatusCode,
    StatusList,
    StatusRef,
    allocate,
)

_CODES = {
    CardStatus.ACTIVE: StatusCode.VALID,
    CardStatus.SUSPENDED: StatusCode.SUSPENDED,
    CardStatus.REVOKED: StatusCode.REVOKED,
}
"""The status list's code for each recorded status an issued card can be left in."""
_CHANGES = tuple(t for t in TRANSITIONS if t.status_after in _CODES)
"""The Card's events that change its entry: issued, suspended, reinstated, revoked."""

ENTRIES = Table(
    # _v2 (issue 26): a card has a credential generation, and its current one's entry.
    "rm_status_entry_v2",
    (
        ("card_id", "TEXT"),
        ("authority", "TEXT"),
        ("list_id", "TEXT"),  # NULL until the card is first issued (its first credential's)
        ("idx", "INTEGER"),
        # The credential now handed out: its generation (1 from issuance; each change that
        # removes or corrects someone named starts the next) and its entry.
        ("generation", "INTEGER"),
        ("current_list_id", "TEXT"),
        ("current_idx", "INTEGER"),
        ("issued_at", "TEXT"),  # the first issue's effective instant
        ("flagged", "INTEGER"),  # 1 once any change made the entry other than valid
        # A flagged entry's latest change, by when it was recorded (a card's changes never
        # go back in time): a list as of an instant after it needs no more of its history.
        ("last_at", "TEXT"),
        ("last_code", "INTEGER"),
    ),
    key=("card_id",),
    # A bundle reads only the flagged entries of each authority: a few in a hundred.
    indexes=(("authority", "flagged"),),
)
LISTS = Table(
    "rm_status_list",
    (
        ("authority", "TEXT"),
        ("list_id", "TEXT"),
        ("opened_at", "TEXT"),  # when its first entry's issue was recorded
    ),
    key=("authority", "list_id"),
)
CHANGES = Table(
    # _v2: it gained recorded_at (issue 11), which an existing table would lack; the new
    # name lets `init` create it, and `projections rebuild status_lists` fill it.
    "rm_status_change_v2",
    (
        ("card_id", "TEXT"),
        ("notification_id", "INTEGER"),
        ("effective_at", "TEXT"),
        ("recorded_at", "TEXT"),
        ("code", "INTEGER"),
    ),
    key=("card_id", "notification_id"),
)
GENERATIONS = Table(
    # A credential after the first (issue 26): its own entry, opened when the change that
    # started it was recorded; the entries of the card's earlier credentials then read
    # SUPERSEDED while the card is valid (they stop granting its family), and the card's
    # status (suspended, revoked) otherwise.
    "rm_status_generation",
    (
        ("card_id", "TEXT"),
        ("generation", "INTEGER"),
        ("authority", "TEXT"),
        ("list_id", "TEXT"),
        ("idx", "INTEGER"),
        ("opened_at", "TEXT"),  # when the change was recorded
        ("notification_id", "INTEGER"),
    ),
    key=("card_id", "generation"),
    indexes=(("authority", "opened_at"),),
)
COUNTERS = Table(
    "rm_status_allocation",
    (("authority", "TEXT"), ("issued", "INTEGER")),  # entries handed out so far
    key=("authority",),
)


class StatusLists(ReadModel):
    """Status entries and status changes of every issued card."""

    name = "status_lists"
    topics = topics_of(Card.Applied, *_CHANGES, Card.AmendmentDecided)
    tables = (ENTRIES, CHANGES, COUNTERS, LISTS, GENERATIONS)

    def __init__(self, view: View, seed_for: Callable[[str], bytes]) -> None:
        super().__init__(view)
        self._seed_for = seed_for

    def apply(self, cursor: Any, page: Page) -> None:
        events = self.relevant(page)
        if not events:
            return
        filed = [e for e, _ in events if isinstance(e, Card.Applied)]
        pending = {card_key(e.originator_id) for e, _ in events if not isinstance(e, Card.Applied)}
        entries = self.load(cursor, ENTRIES, pending)
        authorities = {e["authority"] for e in entries.values()} | {
            authority_of(e.application.scheme) for e in filed
        }
        counters = {a: r["issued"] for a, r in self.load(cursor, COUNTERS, authorities).items()}
        touched: set[str] = set()
        changes: list[tuple[str, int, str, str, int]] = []
        opened: list[tuple[str, str, str]] = []
        generations: list[tuple[str, int, str, str, int, str, int]] = []

        def allocated(authority: str, recorded: str) -> StatusRef:
            sequence = counters.get(authority, 0)
            counters[authority] = sequence + 1
            ref = allocate(self._seed_for(authority), sequence)
            if sequence % LIST_SIZE == 0:  # the first entry of a new list
                opened.append((authority, ref.list_id, recorded))
            return ref

        for event, tracking in events:
            key = card_key(event.originator_id)
            if isinstance(event, Card.Applied):
                authority = authority_of(event.application.scheme)
                entries[key] = {
                    "card_id": key,
                    "authority": authority,
                    "list_id": None,
                    "idx": None,
                    "issued_at": None,
                    "generation": 1,
                    "current_list_id": None,
                    "current_idx": None,
                    "flagged": 0,
                    "last_at": None,
                    "last_code": None,
                }
                touched.add(key)
                continue
            entry = entries.get(key)
            if isinstance(event, Card.AmendmentDecided):
                if entry is not None and entry["list_id"] is not None and event.decision.supersedes:
                    recorded = instant(event.ctx.recorded_at)
                    ref = allocated(entry["authority"], recorded)
                    entry["generation"] += 1
                    entry["current_list_id"], entry["current_idx"] = ref.list_id, ref.index
                    generations.append(
                        (
                            key,
                            entry["generation"],
                            entry["authority"],
                            ref.list_id,
                            ref.index,
                            recorded,
                            tracking.notification_id,
                        )
                    )
                    touched.add(key)
                continue
            status = status_after(event)
            if entry is None or status is None:
                continue
            ctx = context_of(event)
            if entry["list_id"] is None:
                ref = allocated(entry["authority"], instant(ctx.recorded_at))
                entry["list_id"], entry["idx"] = ref.list_id, ref.index
                entry["current_list_id"], entry["current_idx"] = ref.list_id, ref.index
                entry["issued_at"] = instant(ctx.recorded_at)
                touched.add(key)
            code = _CODES[status]
            effective, recorded = instant(ctx.effective_at), instant(ctx.recorded_at)
            if code != StatusCode.VALID:
                entry["flagged"] = 1
            if entry["flagged"]:
                entry["last_at"], entry["last_code"] = recorded, int(code)
                touched.add(key)
            changes.append((key, tracking.notification_id, effective, recorded, int(code)))
        self.save(cursor, ENTRIES, (entries[k] for k in sorted(touched)))
        self.save(cursor, COUNTERS, ({"authority": a, "issued": n} for a, n in counters.items()))
        self.put(cursor, CHANGES, changes)
        self.put(cursor, LISTS, opened)
        self.put(cursor, GENERATIONS, generations)

    def reference(self, card_id: Any) -> tuple[str, StatusRef] | None:
        """The (authority, status reference) of the card's current credential, once it
        has been issued."""
        current = self.current(card_id)
        return None if current is None else (current[0], current[1])

    def current(self, card_id: Any) -> tuple[str, StatusRef, int] | None:
        """The card's authority, its current credential's status entry and generation
        (1 from issuance), once it has been issued."""
        with self.view.reading() as cursor:
            row = self.load(cursor, ENTRIES, [card_key(card_id)]).get(card_key(card_id))
        if row is None or row["current_list_id"] is None:
            return None
        ref = StatusRef(list_id=row["current_list_id"], index=row["current_idx"])
        return row["authority"], ref, row["generation"]

    def version(self) -> tuple[int, int]:
        """``(the last status change of a card ever flagged, the number of lists)``: it
        changes whenever any list's content as of now could have, and not on an ordinary
        first issue (a valid entry in an existing list changes no list's bytes)."""
        entries, changes = self.view.table(ENTRIES.name), self.view.table(CHANGES.name)
        flagged = (
            f"SELECT MAX(c.notification_id) FROM {changes} c"  # noqa: S608
            f" JOIN {entries} e ON e.card_id = c.card_id WHERE e.flagged = 1"
        )
        listed = f"SELECT COUNT(*) FROM {self.view.table(LISTS.name)}"  # noqa: S608
        superseding = f"SELECT MAX(notification_id) FROM {self.view.table(GENERATIONS.name)}"  # noqa: S608
        with self.view.reading() as cursor:
            [(last,)] = self.view.fetch(cursor, flagged)
            [(count,)] = self.view.fetch(cursor, listed)
            [(newest,)] = self.view.fetch(cursor, superseding)
        return max(int(last or 0), int(newest or 0)), int(count)

    def lists(self, authority: str, as_of: datetime) -> dict[str, StatusList]:
        """The authority's status lists as the registry knew them at a recorded instant,
        by list id: a change counts once recorded (a back-dated revocation recorded after
        ``as_of`` is not in it) and the latest in effect wins. Every list the authority had
        handed indexes in by then is included, even when all its entries are valid."""
        at = instant(as_of)
        entries, changes = self.view.table(ENTRIES.name), self.view.table(CHANGES.name)
        # Only entries ever suspended or revoked need their history read; the others are
        # valid, and their lists need only exist.
        listed = (
            f"SELECT list_id FROM {self.view.table(LISTS.name)}"  # noqa: S608
            " WHERE authority = ? AND opened_at <= ?"
        )
        flagged = (
            "SELECT e.card_id, e.list_id, e.idx, CASE WHEN e.last_at <= ? THEN e.last_code"  # noqa: S608
            f" ELSE (SELECT c.code FROM {changes} c WHERE c.card_id = e.card_id"
            " AND c.recorded_at <= ? ORDER BY c.effective_at DESC, c.notification_id DESC"
            f" LIMIT 1) END FROM {entries} e WHERE e.authority = ? AND e.flagged = 1"
            " AND e.issued_at <= ?"
        )
        # The credentials after the first, opened by then, and their cards' first entries.
        later = (
            "SELECT g.card_id, g.generation, g.list_id, g.idx, e.list_id AS first_list,"  # noqa: S608
            " e.idx AS first_idx"
            f" FROM {self.view.table(GENERATIONS.name)} g JOIN {entries} e"
            " ON e.card_id = g.card_id WHERE g.authority = ? AND g.opened_at <= ?"
        )
        with self.view.reading() as cursor:
            list_ids = self.view.fetch(cursor, listed, (authority, at))
            codes = self.view.fetch(cursor, flagged, (at, at, authority, at))
            superseding = self.view.fetch(cursor, later, (authority, at))
        lists = {list_id: StatusList(bits=2, size=LIST_SIZE) for (list_id,) in list_ids}
        status: dict[str, int] = {}
        for card_id, list_id, index, code in codes:
            status[card_id] = StatusCode.VALID if code is None else int(code)
            if code is not None and code != StatusCode.VALID:
                lists[list_id].set(index, StatusCode(code))
        for card_id, credentials in _by_card(superseding).items():
            code = status.get(card_id, StatusCode.VALID)
            # The latest credential opened by then says the card's status; an earlier one
            # of a card in force is superseded, of a card suspended or revoked says so too.
            *earlier, (_, current_list, current_index) = credentials
            if code != StatusCode.VALID:
                lists[current_list].set(current_index, StatusCode(code))
            for _, entry_list, entry_index in earlier:
                lists[entry_list].set(
                    entry_index, StatusCode.SUPERSEDED if code == StatusCode.VALID else code
                )
        return lists


def _by_card(rows: list[Any]) -> dict[str, list[tuple[int, str, int]]]:
    """Each card's credentials opened by then, generation 1 (its first entry) included,
    in order: (generation, list, index)."""
    cards: dict[str, list[tuple[int, str, int]]] = {}
    for card_id, generation, list_id, index, first_list, first_index in rows:
        entries = cards.setdefault(card_id, [(1, first_list, first_index)])
        entries.append((generation, list_id, index))
    return {card: sorted(entries) for card, entries in cards.items()}
