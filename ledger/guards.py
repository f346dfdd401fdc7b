"""Append-only, enforced by the database itself: the events table refuses UPDATE, DELETE
and (on PostgreSQL) TRUNCATE, whoever connects, through triggers installed with the schema.

The application never issues those statements; the triggers make sure that no script,
console session or bug can rewrite history either. (A database superuser can still drop a
trigger: production runs the service under a role that does not own the table.)
"""

from __future__ import annotations

from typing import Any

from psycopg import sql

SQLITE_GUARDS = [
    f"CREATE TRIGGER IF NOT EXISTS {{table}}_no_{op.lower()} BEFORE {op} ON {{table}} "
    f"BEGIN SELECT RAISE(ABORT, 'talentcard: {op} on {{table}} is refused: "
    "the event store is append-only'); END"
    for op in ("UPDATE", "DELETE")
]

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION {schema}.talentcard_refuse_rewrite() RETURNS trigger
LANGUAGE plpgsql AS $body$
BEGIN
    RAISE EXCEPTION 'talentcard: % on %.% is refused: the event store is append-only',
        TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$body$
"""
PG_ROW_TRIGGER = """
CREATE OR REPLACE TRIGGER talentcard_append_only BEFORE UPDATE OR DELETE ON {schema}.{table}
FOR EACH ROW EXECUTE FUNCTION {schema}.talentcard_refuse_rewrite()
"""
PG_TRUNCATE_TRIGGER = """
CREATE OR REPLACE TRIGGER talentcard_no_truncate BEFORE TRUNCATE ON {schema}.{table}
FOR EACH STATEMENT EXECUTE FUNCTION {schema}.talentcard_refuse_rewrite()
"""


def install_sqlite_guards(datastore: Any, table: str) -> None:
    """Install the append-only triggers on an SQLite events table (idempotent)."""
    with datastore.transaction(commit=True) as cursor:
        for statement in SQLITE_GUARDS:
            cursor.execute(statement.format(table=table))


def install_postgres_guards(datastore: Any, table: str) -> None:
    """Install the append-only triggers on a PostgreSQL events table (idempotent).

    An advisory lock serialises installers, since several processes (API, projection
    worker) start at once and concurrent CREATE OR REPLACE on one function can fail.
    """
    names = {"schema": sql.Identifier(datastore.schema), "table": sql.Identifier(table)}
    with datastore.transaction(commit=True) as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('talentcard.guards'))")
        for statement in (PG_FUNCTION, PG_ROW_TRIGGER, PG_TRUNCATE_TRIGGER):
            cursor.execute(sql.SQL(statement).format(**names))
