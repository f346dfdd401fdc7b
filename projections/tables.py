"""Where read models live: tables on the event store's own database (the SQLite file or
the PostgreSQL schema), written through the ledger's datastore, so that a page of
read-model rows and the projection's tracking position commit in one transaction.

The tracking is the eventsourcing library's own: a subclass of its SQLite or PostgreSQL
tracking recorder, one per projection, all sharing the library's table (``tracking`` on
SQLite, ``talentcard_tracking`` on PostgreSQL). Each projection keeps one row there,
keyed ``<application>/<projection>`` (e.g. ``talentcard/card_current``): the recorder
maps the application name the library passes (``max_tracking_id("talentcard")``) to that
key, so the library's ``wait`` and ``ProjectionRunner`` work unchanged.

Read-model columns hold only TEXT and INTEGER values (dates and instants as ISO text in
UTC), so both stores give the same rows and the same checksums.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import Tracking, TrackingRecorder
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteDatastore, SQLiteTrackingRecorder

MIGRATION_ROW = "__migration__"  # the library's own marker row in the tracking table


def tracking_key(application_name: str, projection: str) -> str:
    """The tracking row of one projection of an application."""
    if application_name == MIGRATION_ROW or "/" in application_name:
        return application_name
    return f"{application_name}/{projection}"


class View(TrackingRecorder):
    """The SQL side shared by both stores: placeholders, qualified table names, and the
    few statements every read model needs. ``sql`` is written with ``?`` placeholders."""

    datastore: Any
    projection: str
    is_postgres: bool = False
    tracking_table: str

    def table(self, name: str) -> str:
        """A read-model table's name as written in SQL (schema-qualified on Postgres)."""
        raise NotImplementedError

    def sql(self, statement: str) -> str:
        """The statement with this store's placeholders."""
        return statement.replace("?", "%s") if self.is_postgres else statement

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """A cursor in one committed transaction (rolled back on an exception)."""
        with self.datastore.transaction(commit=True) as cursor:
            yield cursor

    @contextmanager
    def reading(self) -> Iterator[Any]:
        """A cursor for reads only."""
        with self.datastore.transaction(commit=False) as cursor:
            yield cursor

    def fetch(
        self, cursor: Any, statement: str, params: Sequence[Any] = ()
    ) -> list[tuple[Any, ...]]:
        """Rows as plain tuples on either store."""
        cursor.execute(self.sql(statement), tuple(params))
        return [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in cursor.fetchall()]

    def set_position(self, cursor: Any, application_name: str, notification_id: int) -> None:
        """Record the tracking position in the caller's transaction."""
        self._insert_tracking(cursor, Tracking(application_name, notification_id))

    if TYPE_CHECKING:  # provided by the library's recorder each store's view extends

        def _insert_tracking(self, c: Any, tracking: Tracking) -> None: ...

        def create_table(self) -> None: ...

    def reset_position(self, cursor: Any, application_name: str) -> None:
        """Forget the projection's position (a rebuild starts from the log's beginning):
        plain DML, which the runtime role may run."""
        key = tracking_key(application_name, self.projection)
        cursor.execute(
            self.sql(f"DELETE FROM {self.tracking_table} WHERE application_name = ?"),  # noqa: S608
            (key,),
        )


class SQLiteView(View, SQLiteTrackingRecorder):
    """A projection's tracking recorder and tables in the embedded SQLite file."""

    def __init__(self, datastore: SQLiteDatastore, *, projection: str) -> None:
        super().__init__(datastore)
        self.projection = projection
        self.tracking_table = "tracking"

    def table(self, name: str) -> str:
        return name

    def max_tracking_id(self, application_name: str) -> int | None:
        return super().max_tracking_id(tracking_key(application_name, self.projection))

    def _max_tracking_id(self, application_name: str, c: Any) -> int | None:
        return super()._max_tracking_id(tracking_key(application_name, self.projection), c)

    def _insert_tracking(self, c: Any, tracking: Tracking) -> None:
        key = tracking_key(tracking.application_name, self.projection)
        super()._insert_tracking(c, Tracking(key, tracking.notification_id))


class PostgresView(View, PostgresTrackingRecorder):
    """A projection's tracking recorder and tables in the event store's schema."""

    is_postgres = True

    def __init__(
        self, datastore: PostgresDatastore, *, projection: str, tracking_table_name: str
    ) -> None:
        super().__init__(datastore, tracking_table_name=tracking_table_name)
        self.projection = projection
        self.tracking_table = self.table(tracking_table_name)

    def table(self, name: str) -> str:
        return f'"{self.datastore.schema}"."{name}"'

    def max_tracking_id(self, application_name: str) -> int | None:
        found: int | None = super().max_tracking_id(tracking_key(application_name, self.projection))
        return found

    def _max_tracking_id(self, application_name: str, curs: Any) -> int | None:
        return super()._max_tracking_id(tracking_key(application_name, self.projection), curs)

    def _insert_tracking(self, curs: Any, tracking: Tracking) -> None:
        key = tracking_key(tracking.application_name, self.projection)
        super()._insert_tracking(curs, Tracking(key, tracking.notification_id))


def view_for(datastore: Any, projection: str, application_name: str) -> View:
    """The view (tracking recorder) for one projection on the ledger's datastore."""
    if isinstance(datastore, PostgresDatastore):
        return PostgresView(
            datastore,
            projection=projection,
            tracking_table_name=f"{application_name.lower()}_tracking",
        )
    if isinstance(datastore, SQLiteDatastore):
        return SQLiteView(datastore, projection=projection)
    raise TypeError(f"no read-model store for {type(datastore).__name__}")
