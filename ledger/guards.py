"""Append-only, enforced by the database itself, and the least-privilege runtime role.

The events table refuses UPDATE, DELETE and (on PostgreSQL) TRUNCATE, whoever connects,
through triggers installed by ``talentcard init``. On SQLite a further BEFORE INSERT
trigger refuses an insert whose (originator, version) or rowid already exists, because
``INSERT OR REPLACE``, ``REPLACE INTO`` and ``INSERT … ON CONFLICT DO UPDATE`` delete or
overwrite the old row without firing the DELETE or UPDATE triggers. Only the event table
is guarded: a projection's tracking table is upserted legitimately.

The application never issues those statements; the triggers make sure that no script,
console session or bug can rewrite history either. A table's owner can still drop a
trigger, so on PostgreSQL the service runs as a role that does not own the table and holds
only SELECT, INSERT and UPDATE on it (UPDATE because the library's insert takes ``LOCK
TABLE … IN EXCLUSIVE MODE``; the triggers refuse every actual UPDATE). SQLite has no DDL
triggers: there the defence against DROP and ALTER is the file's permissions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql

from ledger.person_keys import erasures_table, keys_table, reads_table

SQLITE_GUARDS = [
    *(
        f"CREATE TRIGGER IF NOT EXISTS {{table}}_no_{op.lower()} BEFORE {op} ON {{table}} "
        f"BEGIN SELECT RAISE(ABORT, 'talentcard: {op} on {{table}} is refused: "
        "the event store is append-only'); END"
        for op in ("UPDATE", "DELETE")
    ),
    # In a BEFORE INSERT trigger NEW.rowid is -1 unless the statement names a rowid, so
    # the library's own inserts pass; REPLACE by rowid is caught as well as by key.
    "CREATE TRIGGER IF NOT EXISTS {table}_no_replace BEFORE INSERT ON {table} "
    "WHEN EXISTS (SELECT 1 FROM {table} WHERE (originator_id = NEW.originator_id "
    "AND originator_version = NEW.originator_version) OR rowid = NEW.rowid) "
    "BEGIN SELECT RAISE(ABORT, 'talentcard: replacing an event in {table} is refused: "
    "the event store is append-only'); END",
]

# The triggers `init` installs on PostgreSQL; a runtime process refuses to start without
# them, enabled (tgenabled 'O' or 'A': fires in ordinary sessions).
PG_TRIGGERS = ("talentcard_append_only", "talentcard_no_truncate")

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

    Run by ``talentcard init`` only, under its advisory lock (see ledger.store):
    concurrent CREATE OR REPLACE on one function fails with "tuple concurrently updated".
    """
    names = {"schema": sql.Identifier(datastore.schema), "table": sql.Identifier(table)}
    with datastore.transaction(commit=True) as cursor:
        for statement in (PG_FUNCTION, PG_ROW_TRIGGER, PG_TRUNCATE_TRIGGER):
            cursor.execute(sql.SQL(statement).format(**names))


def owned_sequences(cursor: Any, schema: str, table: str) -> list[str]:
    """The sequences the table's columns own (``notification_id bigserial``)."""
    cursor.execute(
        "SELECT s.relname FROM pg_class s"
        " JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid"
        "  AND d.deptype IN ('a', 'i')"
        " JOIN pg_class t ON t.oid = d.refobjid"
        " JOIN pg_namespace n ON n.oid = t.relnamespace"
        " WHERE s.relkind = 'S' AND n.nspname = %s AND t.relname = %s ORDER BY 1",
        (schema, table),
    )
    return [row["relname"] if isinstance(row, dict) else row[0] for row in cursor.fetchall()]


def grant_runtime_role(datastore: Any, table: str, role: str) -> None:
    """Give an existing role exactly what the service needs on the events table, and no
    more: anything granted before is revoked first, so re-running ``init`` converges.

    USAGE on the schema; SELECT and INSERT on the table; UPDATE as well, only because the
    library's insert takes ``LOCK TABLE … IN EXCLUSIVE MODE``, which PostgreSQL allows
    only with UPDATE, DELETE or TRUNCATE privilege (the triggers refuse every UPDATE);
    USAGE on the table's sequences. Never DELETE, TRUNCATE, TRIGGER, REFERENCES or
    ownership, so the role can neither remove rows nor alter, disable or drop the guards.
    """
    schema, grantee = sql.Identifier(datastore.schema), sql.Identifier(role)
    qualified = sql.Identifier(datastore.schema, table)
    with datastore.transaction(commit=True) as cursor:
        cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, grantee))
        cursor.execute(sql.SQL("REVOKE ALL ON TABLE {} FROM {}").format(qualified, grantee))
        cursor.execute(
            sql.SQL("GRANT SELECT, INSERT, UPDATE ON TABLE {} TO {}").format(qualified, grantee)
        )
        for sequence in owned_sequences(cursor, datastore.schema, table):
            name = sql.Identifier(datastore.schema, sequence)
            cursor.execute(sql.SQL("REVOKE ALL ON SEQUENCE {} FROM {}").format(name, grantee))
            cursor.execute(sql.SQL("GRANT USAGE ON SEQUENCE {} TO {}").format(name, grantee))


PG_ERASE_FUNCTION = """
CREATE OR REPLACE FUNCTION {schema}.talentcard_erase_person_keys(
    p_erasure uuid, p_keys uuid[], p_reads_of uuid)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $body$
DECLARE
    proposer text;
    approver text;
    removed integer;
BEGIN
    SELECT actor INTO proposer FROM {schema}.{steps}
        WHERE erasure_id = p_erasure AND step = 'proposed';
    SELECT actor INTO approver FROM {schema}.{steps}
        WHERE erasure_id = p_erasure AND step = 'approved';
    IF proposer IS NULL OR approver IS NULL OR proposer = approver THEN
        RAISE EXCEPTION 'talentcard: erasure % is not proposed and approved by two people',
            p_erasure USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM {schema}.{keys} WHERE key_id = ANY(p_keys);
    GET DIAGNOSTICS removed = ROW_COUNT;
    IF p_reads_of IS NOT NULL THEN
        DELETE FROM {schema}.{reads} WHERE card_id = p_reads_of;
    END IF;
    RETURN removed;
END
$body$
"""


def install_erasure_path(datastore: Any, events_table: str, role: str | None) -> None:
    """The one way to delete data keys on PostgreSQL: a SECURITY DEFINER function (run
    with the owner's rights) that deletes only the keys of an erasure that two different
    people proposed and approved (ledger.app_erasure), and, when the holder goes, the
    record of reads of the card (kept as long as the data it records reads of). With
    ``role``, the runtime role gets SELECT and INSERT on the key, approval and read-record
    tables (never UPDATE or DELETE) and EXECUTE on the function; nobody else may run it."""
    schema = datastore.schema
    names = {
        "schema": sql.Identifier(schema),
        "steps": sql.Identifier(erasures_table(events_table)),
        "keys": sql.Identifier(keys_table(events_table)),
        "reads": sql.Identifier(reads_table(events_table)),
    }
    function = sql.SQL(
        "{}.talentcard_erase_person_keys(uuid, uuid[], uuid)"
    ).format(sql.Identifier(schema))
    with datastore.transaction(commit=True) as cursor:
        cursor.execute(sql.SQL(PG_ERASE_FUNCTION).format(**names))
        cursor.execute(sql.SQL("REVOKE ALL ON FUNCTION {} FROM PUBLIC").format(function))
        if role is None:
            return
        grantee = sql.Identifier(role)
        for table in (
            keys_table(events_table),
            erasures_table(events_table),
            reads_table(events_table),
        ):
            qualified = sql.Identifier(schema, table)
            cursor.execute(sql.SQL("REVOKE ALL ON TABLE {} FROM {}").format(qualified, grantee))
            cursor.execute(
                sql.SQL("GRANT SELECT, INSERT ON TABLE {} TO {}").format(qualified, grantee)
            )
        for sequence in owned_sequences(cursor, schema, reads_table(events_table)):
            name = sql.Identifier(schema, sequence)
            cursor.execute(sql.SQL("GRANT USAGE ON SEQUENCE {} TO {}").format(name, grantee))
        cursor.execute(sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(function, grantee))


def grant_read_models(datastore: Any, tables: Sequence[str], role: str) -> None:
    """Give the runtime role what a projector needs on the read-model tables and the
    tracking table: SELECT, INSERT, UPDATE and DELETE (a rebuild empties them with
    DELETE), never TRUNCATE, TRIGGER, REFERENCES or ownership, so it can run, rebuild
    and read the read models but not alter or drop them. Re-running converges."""
    grantee = sql.Identifier(role)
    with datastore.transaction(commit=True) as cursor:
        for table in tables:
            qualified = sql.Identifier(datastore.schema, table)
            cursor.execute(sql.SQL("REVOKE ALL ON TABLE {} FROM {}").format(qualified, grantee))
            cursor.execute(
                sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE {} TO {}").format(
                    qualified, grantee
                )
            )


def postgres_store_problem(conn: psycopg.Connection[Any], schema: str, table: str) -> str | None:
    """Why a runtime process may not use this store as its current role, or None.

    Reads the catalogue only (no DDL, nothing written): the events table exists, both
    append-only triggers are on it and enabled, and the connected role holds what the
    service needs.
    """
    row = conn.execute(
        "SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = %s AND c.relname = %s AND c.relkind IN ('r', 'p')",
        (schema, table),
    ).fetchone()
    if row is None:
        return (
            f"has no table {schema}.{table}: the store was not initialised;"
            " run `talentcard init` as its owner first"
        )
    oid = row[0]
    enabled = conn.execute(
        "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s AND tgname = ANY(%s)"
        " AND tgenabled IN ('O', 'A')",
        (oid, list(PG_TRIGGERS)),
    ).fetchone()
    if enabled is None or enabled[0] != len(PG_TRIGGERS):
        return (
            f"has its append-only triggers on {schema}.{table} missing or disabled;"
            " run `talentcard init` as its owner"
        )
    privileges = conn.execute(
        "SELECT current_user, has_schema_privilege(%s, 'USAGE'),"
        " has_table_privilege(%s::oid, 'SELECT'), has_table_privilege(%s::oid, 'INSERT'),"
        " has_table_privilege(%s::oid, 'UPDATE')",
        (schema, oid, oid, oid),
    ).fetchone()
    assert privileges is not None
    user, *held = privileges
    wanted = ("USAGE on the schema", "SELECT", "INSERT", "UPDATE")
    missing = [name for name, ok in zip(wanted, held, strict=True) if not ok]
    if missing:
        return (
            f"does not let role {user} use {schema}.{table} (missing {', '.join(missing)});"
            f" the owner grants it with `talentcard init --app-role {user}`"
        )
    return None
