"""The projector (投影器): drives the read models over the ledger's notification log.

The library's ``ProjectionRunner`` is not used to drive them: it constructs the
application itself from environment variables (the ledger needs its registry key), it
cannot subscribe on SQLite, it commits one event per transaction, and its tracking only
advances on events of the projection's topics, so ``wait`` for the log's head never ends
when the last event is of another topic. Instead the same ``Projection`` classes are fed
pages read with ``recorder.select_notifications``: one read and one decode per page for
every read model, one transaction per page with every tracking row, and the position set
to the head read before the page, so a read model that ignores the last events still
shows as caught up. Tailing is polling every ``poll`` seconds on both stores: a page
query on an idle log costs one index probe, and a read that must not miss a write calls
``catch_up`` rather than waiting for the tail.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore

from domain.errors import DomainError, InvalidInput
from ledger.app import CardLedger
from ledger.personal_columns import PersonalColumns
from ledger.settings import StoreNotReady
from projections.audit_trail import AuditTrail
from projections.base import Page, ReadModel, WriteBehind
from projections.card_current import CARDS as CURRENT_CARDS
from projections.card_current import CardCurrent
from projections.entitlements import BENEFICIARIES, ERASED, Entitlements
from projections.locks import locks_for
from projections.statistics import Statistics
from projections.status_lists import StatusLists
from projections.tables import View, view_for

NAMES = ("card_current", "status_lists", "audit_trail", "statistics", "entitlements")
PAGE_SIZE = 1000
REBUILD_PAGE_SIZE = 5000
"""A rebuild replays the whole log: bigger pages, fewer commits (on SQLite each commit
waits for the disk). Still one transaction per page, rows and tracking together."""
Progress = Callable[[int, int], None]


class ProjectionError(DomainError):
    """A read model cannot be brought up to date as asked."""

    code = "projection_error"


class ProjectionLag(ProjectionError):
    """The running projector did not reach the log's head within the time limit."""

    code = "projection_lag"


@dataclass(frozen=True)
class ProjectionStatus:
    """Where a read model stands: the last notification it has applied, and the log's."""

    name: str
    position: int
    head: int

    @property
    def lag(self) -> int:
        return max(0, self.head - self.position)


class ReadModels:
    """The five read models on an open ledger's store."""

    def __init__(
        self,
        ledger: CardLedger,
        *,
        seed_for: Callable[[str], bytes] | None = None,
        page_size: int = PAGE_SIZE,
        wait_seconds: float = 10.0,
    ) -> None:
        self.ledger = ledger
        self.page_size = page_size
        self.wait_seconds = wait_seconds
        datastore = ledger.recorder.datastore  # type: ignore[attr-defined]
        self._datastore = datastore

        def view(name: str) -> View:
            return view_for(datastore, name, ledger.name)

        seeds = seed_for or (lambda authority: ledger.derived_secret(f"status-list:{authority}"))
        self.card_current = CardCurrent(view("card_current"))
        self.status_lists = StatusLists(view("status_lists"), seeds)
        self.audit_trail = AuditTrail(view("audit_trail"))
        self.statistics = Statistics(view("statistics"))
        self.entitlements = Entitlements(view("entitlements"))
        self.models: dict[str, ReadModel] = {
            m.name: m
            for m in (
                self.card_current,
                self.status_lists,
                self.audit_trail,
                self.statistics,
                self.entitlements,
            )
        }
        personal = PersonalColumns(ledger.person_keys)
        for model in self.models.values():
            model.personal = personal
        if isinstance(datastore, PostgresDatastore):
            self._check_installed()
        else:  # the embedded store creates itself on first use (see ledger.store)
            install(ledger)

    # ---- positions -------------------------------------------------------------------

    def head(self) -> int:
        """The log's last notification id (0 when empty)."""
        return int(self.ledger.recorder.max_notification_id() or 0)

    def position(self, name: str) -> int:
        """The last notification the read model has applied (0: none)."""
        return int(self._model(name).view.max_tracking_id(self.ledger.name) or 0)

    def status(self, names: Iterable[str] | None = None) -> list[ProjectionStatus]:
        """Each read model's position, the log's head and the lag."""
        head = self.head()
        return [ProjectionStatus(n, self.position(n), head) for n in self._names(names)]

    # ---- bringing read models up to date ---------------------------------------------

    def purge_people(self, card_id: UUID, positions: Iterable[int]) -> None:
        """An erasure's purge: the people's personal columns made what a rebuild after the
        erasure writes (the holder's name NULL, a date of birth the ERASED mark), in one
        transaction; the rows, statuses and counts stay."""
        key = str(card_id)
        places = sorted(set(positions))
        with self._datastore.transaction(commit=True) as cursor:
            view = self.card_current.view
            if 0 in places:
                cursor.execute(
                    view.sql(f"UPDATE {view.table(CURRENT_CARDS.name)} SET holder_name = NULL"  # noqa: S608
                    " WHERE card_id = ?"),
                    (key,),
                )
            view = self.entitlements.view
            for position in places:
                cursor.execute(
                    view.sql(f"UPDATE {view.table(BENEFICIARIES.name)} SET date_of_birth = ?"  # noqa: S608
                    " WHERE card_id = ? AND position = ?"),
                    (ERASED, key, position),
                )

    def catch_up(self, names: Iterable[str] | None = None, *, timeout: float | None = None) -> None:
        """Bring the read models to the log's head as read now. A read model another
        process is projecting is waited for (up to ``timeout`` seconds); one that nobody
        projects is processed here, under its lock."""
        head = self.head()
        timeout = self.wait_seconds if timeout is None else timeout
        deadline = time.monotonic() + timeout
        waiting = [n for n in self._names(names) if self.position(n) < head]
        while waiting:
            locks = locks_for(self._datastore)
            try:
                mine = [n for n in waiting if locks.try_acquire(n)]
                if mine:
                    self._process(mine, head)
            finally:
                locks.close()
            waiting = [n for n in waiting if n not in mine]
            for name in list(waiting):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ProjectionLag(
                        f"read model {name} is at notification {self.position(name)} and the "
                        f"log at {head}: the running projector did not catch up within "
                        f"{timeout:g} s (is it stuck? see `talentcard projections status`)"
                    )
                try:  # in slices, so a projector that died is replaced by this process
                    self._model(name).view.wait(self.ledger.name, head, timeout=min(remaining, 0.5))
                except TimeoutError:
                    continue
                waiting.remove(name)

    def run(
        self,
        *,
        until_caught_up: bool,
        stop: threading.Event,
        names: Iterable[str] | None = None,
        poll: float = 0.2,
        progress: Progress | None = None,
    ) -> None:
        """The projector: takes every read model's lock (waiting while another projector
        holds one), then applies new events a page per transaction, polling the log
        every ``poll`` seconds, until ``stop`` is set or, with ``until_caught_up``, the
        read models reach the head."""
        wanted = self._names(names)
        locks = locks_for(self._datastore)
        try:
            while not all([locks.try_acquire(n) for n in wanted]):
                locks.close()  # all or none: two projectors never hold half each
                if stop.wait(poll):
                    return
            while not stop.is_set():
                head = self.head()
                behind = [n for n in wanted if self.position(n) < head]
                if behind:
                    self._process(behind, head, progress)
                elif until_caught_up:
                    return
                else:
                    stop.wait(poll)
        finally:
            locks.close()

    def rebuild(
        self, names: Iterable[str] | None = None, progress: Progress | None = None
    ) -> tuple[int, float]:
        """Empty the read models and their tracking rows (DML, in one transaction), then
        replay the whole log into them. Returns the events read and the seconds taken.
        Refused while a projector holds one of their locks."""
        wanted = self._names(names)
        locks = locks_for(self._datastore)
        try:
            busy = [n for n in wanted if not locks.try_acquire(n)]
            if busy:
                raise ProjectionError(
                    f"a projector is running {', '.join(busy)}: stop it before a rebuild"
                )
            started = time.perf_counter()
            with self._model(wanted[0]).view.transaction() as cursor:
                for name in wanted:
                    model = self._model(name)
                    model.clear(cursor)
                    model.view.reset_position(cursor, self.ledger.name)
            events = self._process(wanted, self.head(), progress, REBUILD_PAGE_SIZE)
            return events, time.perf_counter() - started
        finally:
            locks.close()

    def checksum(self, names: Iterable[str] | None = None) -> dict[str, str]:
        """SHA-256 over each read model's rows in key order (tracking excluded)."""
        return {n: self._model(n).checksum() for n in self._names(names)}

    # ---- internals --------------------------------------------------------------------

    def _process(
        self,
        names: Sequence[str],
        head: int,
        progress: Progress | None = None,
        page_size: int | None = None,
    ) -> int:
        """Apply notifications up to ``head`` to read models whose locks the caller holds:
        one read and decode per page for all of them, and one transaction per page with
        every row and tracking position. On PostgreSQL a writer thread commits page N
        while this thread decides page N+1 from the session's rows (``WriteBehind``)."""
        models = [self._model(n) for n in names]
        positions = {m.name: self.position(m.name) for m in models}
        start = min(positions.values()) + 1
        first, read = start, 0
        topics: list[str] = []
        if all(m.topics for m in models):
            topics = sorted({t for m in models for t in m.topics})
        recorder, mapper, app = self.ledger.recorder, self.ledger.mapper, self.ledger.name
        size = page_size or self.page_size
        view = models[0].view
        writer = _Writer(view, app) if view.is_postgres else None
        for model in models:
            model.behind = WriteBehind() if writer else None
        try:
            while True:
                notifications = (
                    recorder.select_notifications(start, size, stop=head, topics=topics)
                    if start <= head
                    else []
                )
                last_page = len(notifications) < size
                reached = head if last_page else notifications[-1].id
                self.ledger.person_keys.warm(notifications)  # one read of the page's keys
                page = [(mapper.to_domain_event(n), Tracking(app, n.id)) for n in notifications]
                due = [m for m in models if positions[m.name] < reached]
                if writer is None:
                    with view.transaction() as cursor:
                        for model in due:
                            model.apply(cursor, _after(page, positions[model.name]))
                            model.view.set_position(cursor, app, reached)
                else:
                    with view.reading() as cursor:
                        for model in due:
                            model.apply(cursor, _after(page, positions[model.name]))
                    writer.submit(
                        [w for m in due for w in _take(m)], [(m.view, reached) for m in due]
                    )
                    if sum(_cached(m) for m in models) > _CACHE_ROWS:
                        writer.drain()  # every row is in the database: start afresh
                        for model in models:
                            model.behind = WriteBehind()
                positions.update((m.name, reached) for m in due)
                read += len(notifications)
                if progress is not None:
                    progress(reached - first + 1, max(1, head - first + 1))
                if last_page:
                    if writer is not None:
                        writer.close()
                    return read
                start = reached + 1
        finally:
            if writer is not None:
                writer.abandon()
            for model in models:
                model.behind = None

    def _names(self, names: Iterable[str] | None) -> list[str]:
        chosen = list(NAMES if names is None else names)
        unknown = [n for n in chosen if n not in self.models]
        if unknown:
            raise InvalidInput(  # a name the caller typed: malformed input, not a refusal
                f"no read model {unknown[0]!r} (read models: {', '.join(NAMES)})"
            )
        return chosen

    def _model(self, name: str) -> ReadModel:
        return self.models[name]

    def _check_installed(self) -> None:
        """On PostgreSQL a runtime process runs no DDL: the tables must exist."""
        views = [m.view for m in self.models.values()]
        names = [m.view.table(t.name) for m in self.models.values() for t in m.tables]
        names.append(views[0].tracking_table)
        with views[0].reading() as cursor:
            missing = []
            for name in names:
                cursor.execute("SELECT to_regclass(%s) AS found", (name,))
                row: Any = cursor.fetchone()
                if row is None or row["found"] is None:
                    missing.append(name)
        if missing:
            raise StoreNotReady(
                f"the read-model tables {', '.join(missing)} do not exist: run "
                "`talentcard init` as the store's owner"
            )


# Rows a write-behind session may hold before it waits for its writer and starts
# afresh (about 1 KB each).
_CACHE_ROWS = 200_000


def _after(page: Page, position: int) -> Page:
    return [(e, t) for e, t in page if t.notification_id > position]


def _take(model: ReadModel) -> list[tuple[str, Any]]:
    assert model.behind is not None
    writes, model.behind.writes = model.behind.writes, []
    return writes


def _cached(model: ReadModel) -> int:
    return model.behind.size() if model.behind is not None else 0


class _Writer:
    """Commits queued pages in order on its own connection, one transaction per page
    (rows and tracking positions together). A failure stops it; the next call in the
    projector's thread raises it, and no later page is written."""

    def __init__(self, view: View, application_name: str) -> None:
        self._view = view
        self._app = application_name
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="projector-writer", daemon=True)
        self._thread.start()

    def submit(self, writes: list[tuple[str, Any]], positions: list[tuple[View, int]]) -> None:
        self._check()
        self._queue.put((writes, positions))

    def drain(self) -> None:
        self._queue.join()
        self._check()

    def close(self) -> None:
        self.drain()
        self.abandon()

    def abandon(self) -> None:
        """Stop the thread once the pages already queued are written (or refused)."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def _check(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                if self._error is None:
                    writes, positions = item
                    with self._view.transaction() as cursor:
                        for statement, params in writes:
                            cursor.execute(statement, params)
                        for view, position in positions:
                            view.set_position(cursor, self._app, position)
            except BaseException as e:  # handed to the projector's thread
                self._error = e
            finally:
                self._queue.task_done()


def install(ledger: CardLedger) -> list[str]:
    """Create every read-model table and the library's tracking table (idempotent): on
    PostgreSQL by the store's owner, through ``init_store``'s hook. Returns the tables'
    names (unqualified), for the runtime role's grants."""
    datastore = ledger.recorder.datastore  # type: ignore[attr-defined]
    view = view_for(datastore, NAMES[0], ledger.name)
    view.create_table()  # the library's tracking table, with its migration row
    tables: list[str] = []
    with view.transaction() as cursor:
        for model_class in (CardCurrent, StatusLists, AuditTrail, Statistics, Entitlements):
            new = [t for t in model_class.tables if not _exists(view, cursor, t.name)]
            for table in model_class.tables:
                for statement in table.ddl(view):
                    cursor.execute(statement)
                tables.append(table.name)
            if new and len(new) < len(model_class.tables):
                # A new version renamed some of the model's tables (a column added:
                # rm_beneficiary_v2): they start empty, so the model is emptied and
                # replayed from the log by its next catch-up, as a rebuild would.
                own = view_for(datastore, model_class.name, ledger.name)
                for table in model_class.tables:
                    cursor.execute(f"DELETE FROM {view.table(table.name)}")  # noqa: S608
                own.reset_position(cursor, ledger.name)
    return [*tables, getattr(view, "tracking_table_name", "tracking")]


def _exists(view: View, cursor: Any, table: str) -> bool:
    """Whether a read-model table exists (in the transaction ``cursor`` belongs to)."""
    if view.is_postgres:
        cursor.execute("SELECT to_regclass(%s) AS found", (view.table(table),))
        row: Any = cursor.fetchone()
        return row is not None and row["found"] is not None
    cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
    return cursor.fetchone() is not None
