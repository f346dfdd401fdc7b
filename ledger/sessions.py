"""The console's sign-in sessions and failed sign-in counters (issue 28), in the event
store's own database so that every api process shares them (a session begun on one
worker is honoured by another; a limit on failed sign-ins cannot be dodged by landing on
another worker).

These tables are not the ledger: a session is operational state that ends (sign-out,
timeout) and is deleted, never history. Nothing in them reads as personal data without
the registry key: a session is kept under the SHA-256 of its cookie's token (a copy of
the table gives no cookie to present), and a counter under a keyed hash of the user name
or the address it counts (``services.sessions``). ``init`` creates them (DDL is the
owner's); the runtime role may read, add, change and delete their rows, nothing more.
"""

from __future__ import annotations

from typing import Any

from psycopg.sql import SQL, Composed, Identifier


def sessions_table(events_table: str) -> str:
    """The console's sessions (one row per signed-in browser)."""
    return events_table.removesuffix("_events") + "_console_sessions"


def sign_ins_table(events_table: str) -> str:
    """Failed sign-ins, counted per user and per address over a window."""
    return events_table.removesuffix("_events") + "_sign_in_failures"


def session_tables(events_table: str) -> tuple[str, str]:
    """Both tables' names (for the runtime role's grants)."""
    return sessions_table(events_table), sign_ins_table(events_table)


def sqlite_tables(events_table: str) -> list[str]:
    sessions, failures = session_tables(events_table)
    return [
        f"CREATE TABLE IF NOT EXISTS {sessions} (token_hash TEXT PRIMARY KEY,"
        " user_id TEXT NOT NULL, key_generation INTEGER NOT NULL, csrf TEXT NOT NULL,"
        " started_at INTEGER NOT NULL, seen_at INTEGER NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS {sessions}_user ON {sessions} (user_id)",
        f"CREATE TABLE IF NOT EXISTS {failures} (subject TEXT PRIMARY KEY,"
        " window_start INTEGER NOT NULL, failures INTEGER NOT NULL)",
    ]


def postgres_tables(schema: str, events_table: str) -> list[Composed]:
    sessions, failures = session_tables(events_table)
    names = {
        "sessions": Identifier(schema, sessions),
        "failures": Identifier(schema, failures),
        "sessions_user": Identifier(f"{sessions}_user"),
    }
    return [
        SQL(statement).format(**names)
        for statement in (
            "CREATE TABLE IF NOT EXISTS {sessions} (token_hash text PRIMARY KEY,"
            " user_id text NOT NULL, key_generation integer NOT NULL, csrf text NOT NULL,"
            " started_at bigint NOT NULL, seen_at bigint NOT NULL)",
            "CREATE INDEX IF NOT EXISTS {sessions_user} ON {sessions} (user_id)",
            "CREATE TABLE IF NOT EXISTS {failures} (subject text PRIMARY KEY,"
            " window_start bigint NOT NULL, failures integer NOT NULL)",
        )
    ]


class SessionRow:
    """A stored session: whose (and which of its keys signed it in), its CSRF token,
    when it began and was last seen (Unix seconds)."""

    __slots__ = ("csrf", "key_generation", "seen_at", "started_at", "user_id")

    def __init__(
        self, user_id: str, key_generation: int, csrf: str, started_at: int, seen_at: int
    ) -> None:
        self.user_id = user_id
        self.key_generation = key_generation
        self.csrf = csrf
        self.started_at = started_at
        self.seen_at = seen_at


class SessionStore:
    """The two tables over the ledger's datastore, each call one committed transaction."""

    def __init__(self, datastore: Any, events_table: str, *, postgres: bool) -> None:
        self._datastore = datastore
        self._postgres = postgres
        sessions, failures = session_tables(events_table)
        if postgres:
            schema = datastore.schema
            self._sessions = f'"{schema}"."{sessions}"'
            self._failures = f'"{schema}"."{failures}"'
        else:
            self._sessions, self._failures = sessions, failures

    def _sql(self, statement: str) -> str:
        return statement.replace("?", "%s") if self._postgres else statement

    def _run(self, statement: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """Run one statement; a SELECT's rows (as plain tuples on either store)."""
        with self._datastore.transaction(commit=True) as cursor:
            cursor.execute(self._sql(statement), params)
            # Only a SELECT has rows to fetch (psycopg's fetchall raises on others, and
            # the library's SQLite cursor has no description to ask).
            rows = cursor.fetchall() if statement.startswith("SELECT") else []
        return [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in rows]

    # ---- sessions -----------------------------------------------------------------------

    def add(self, token_hash: str, user_id: str, key_generation: int, csrf: str, now: int) -> None:
        self._run(
            f"INSERT INTO {self._sessions} (token_hash, user_id, key_generation, csrf,"  # noqa: S608
            " started_at, seen_at) VALUES (?, ?, ?, ?, ?, ?)",
            (token_hash, user_id, key_generation, csrf, now, now),
        )

    def get(self, token_hash: str) -> SessionRow | None:
        rows = self._run(
            f"SELECT user_id, key_generation, csrf, started_at, seen_at FROM {self._sessions}"  # noqa: S608
            " WHERE token_hash = ?",
            (token_hash,),
        )
        return SessionRow(*rows[0]) if rows else None

    def touch(self, token_hash: str, now: int) -> None:
        self._run(
            f"UPDATE {self._sessions} SET seen_at = ? WHERE token_hash = ?",  # noqa: S608
            (now, token_hash),
        )

    def end(self, token_hash: str) -> None:
        self._run(f"DELETE FROM {self._sessions} WHERE token_hash = ?", (token_hash,))  # noqa: S608

    def end_stale(self, seen_before: int, started_before: int) -> None:
        """Delete sessions past either timeout (they would be refused anyway)."""
        self._run(
            f"DELETE FROM {self._sessions} WHERE seen_at < ? OR started_at < ?",  # noqa: S608
            (seen_before, started_before),
        )

    # ---- failed sign-ins ----------------------------------------------------------------

    def failures(self, subject: str, window_start: int) -> int:
        """Failures counted for ``subject`` in the window that began at or after
        ``window_start``."""
        rows = self._run(
            f"SELECT failures FROM {self._failures}"  # noqa: S608
            " WHERE subject = ? AND window_start >= ?",
            (subject, window_start),
        )
        return int(rows[0][0]) if rows else 0

    def fail(self, subject: str, now: int, window_start: int) -> None:
        """Count one failure: a count from a window that has ended starts again at 1."""
        self._run(
            f"INSERT INTO {self._failures} (subject, window_start, failures)"  # noqa: S608
            " VALUES (?, ?, 1) ON CONFLICT (subject) DO UPDATE SET"
            f" failures = CASE WHEN {self._failures}.window_start < ? THEN 1"
            f" ELSE {self._failures}.failures + 1 END,"
            f" window_start = CASE WHEN {self._failures}.window_start < ?"
            f" THEN excluded.window_start ELSE {self._failures}.window_start END",
            (subject, now, window_start, window_start),
        )

    def clear(self, subject: str) -> None:
        self._run(f"DELETE FROM {self._failures} WHERE subject = ?", (subject,))  # noqa: S608
