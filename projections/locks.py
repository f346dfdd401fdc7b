"""Who runs a projection: one process at a time per read model, so two never write the
same rows. PostgreSQL: a session advisory lock per projection, held on one pooled
connection. SQLite: an exclusive ``flock`` on a file next to the database, per
projection (released by the kernel if the process dies, even by SIGKILL).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import Any, Protocol

from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore

# Keyed by the store's schema too: advisory locks are database-wide, and two stores in
# one database (a test run beside a benchmark) must not block each other's projectors.
_LOCK = "SELECT pg_try_advisory_lock(hashtext(%s), hashtext(%s))"
_UNLOCK = "SELECT pg_advisory_unlock(hashtext(%s), hashtext(%s))"


class ProjectorLock(Protocol):
    def try_acquire(self, name: str) -> bool:
        """Take the projection's lock if no one holds it; True if this holder has it."""

    def release(self, name: str) -> None:
        """Give the projection's lock back (nothing if not held)."""

    def close(self) -> None:
        """Release every lock held."""


class FileLocks:
    """``flock`` locks on ``<database>.<projection>.lock``."""

    def __init__(self, database: Path) -> None:
        self._database = database
        self._held: dict[str, int] = {}

    def try_acquire(self, name: str) -> bool:
        if name in self._held:
            return True
        path = self._database.with_name(f"{self._database.name}.{name}.lock")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._held[name] = fd
        return True

    def release(self, name: str) -> None:
        fd = self._held.pop(name, None)
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def close(self) -> None:
        for name in list(self._held):
            self.release(name)


class AdvisoryLocks:
    """Session advisory locks on one connection taken from the store's pool and kept
    while any lock is held (a session lock must be released on the connection that took
    it, before the connection goes back to the pool)."""

    def __init__(self, datastore: PostgresDatastore) -> None:
        self._datastore = datastore
        self._space = f"talentcard.projection:{datastore.schema}"
        self._held: set[str] = set()
        self._stack: contextlib.ExitStack | None = None
        self._conn: Any = None

    def _connection(self) -> Any:
        if self._conn is None:
            self._stack = contextlib.ExitStack()
            self._conn = self._stack.enter_context(self._datastore.get_connection())
        return self._conn

    def try_acquire(self, name: str) -> bool:
        if name in self._held:
            return True
        row = self._connection().execute(_LOCK, (self._space, name)).fetchone()
        got = bool(row["pg_try_advisory_lock"] if isinstance(row, dict) else row[0])
        if got:
            self._held.add(name)
        else:
            self._put_back_if_idle()
        return got

    def release(self, name: str) -> None:
        if name in self._held:
            self._connection().execute(_UNLOCK, (self._space, name))
            self._held.discard(name)
        self._put_back_if_idle()

    def close(self) -> None:
        for name in list(self._held):
            self.release(name)
        self._put_back_if_idle()

    def _put_back_if_idle(self) -> None:
        if not self._held and self._stack is not None:
            self._stack.close()
            self._stack, self._conn = None, None


def locks_for(datastore: Any) -> ProjectorLock:
    """The lock kind the ledger's store uses."""
    if isinstance(datastore, PostgresDatastore):
        return AdvisoryLocks(datastore)
    if isinstance(datastore, SQLiteDatastore):
        return FileLocks(Path(datastore.pool.db_name))
    raise TypeError(f"no projector lock for {type(datastore).__name__}")
