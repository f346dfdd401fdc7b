"""Attack 3 of issue 8: every process created tables and re-installed triggers when it
started, so the service had to own the events table (and could drop its guards), and
eight processes starting at once gave tracebacks ("tuple concurrently updated").

Now only ``talentcard init``, run by the owner, runs DDL (under an advisory lock), and the
service runs as a role that can read and append, nothing more. The concurrency tests start
real OS processes, as the issue asks.

compose.yaml is kept correct by reading (there is no Docker engine here): one test reads
it, and one runs its role script with psql against the test server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest
import yaml
from psycopg import sql

import ledger.card_commands as cc
from domain.vocabulary import ErasureGround, Role
from ledger.settings import StoreNotReady
from services.clock import system_clock
from tests import factories as f
from tests.conftest import (
    as_role,
    create_login_role,
    drop_role,
    init_as_owner,
    runtime_ledger,
)

PROCESSES = 8


def schema_of(url: str) -> str:
    return url.split("schema=")[1].split("&")[0]


def talentcard(url: str, tmp_path: Path, *argv: str) -> subprocess.Popen[str]:
    """``talentcard ARGV`` as a separate OS process configured for the store at ``url``."""
    env = {
        **os.environ,
        "TALENTCARD_DATABASE_URL": url,
        "TALENTCARD_DATA_DIR": str(tmp_path / "data"),
        "TALENTCARD_ID_PEPPER": "a-pepper-shared-by-every-process",
    }
    env.pop("TALENTCARD_DATABASE_PASSWORD_FILE", None)
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", *argv],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str]:
    _, err = process.communicate(timeout=timeout)
    return process.returncode, err


def owner_query(url: str, query: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(url.split("?")[0], autocommit=True) as conn:
        cursor = conn.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def schema_exists(url: str) -> bool:
    rows = owner_query(url, "SELECT 1 FROM pg_namespace WHERE nspname = %s", schema_of(url))
    return bool(rows)


def table_grants(url: str, role: str) -> set[str]:
    rows = owner_query(
        url,
        "SELECT privilege_type FROM information_schema.role_table_grants"
        " WHERE grantee = %s AND table_schema = %s AND table_name = 'talentcard_events'",
        role,
        schema_of(url),
    )
    return {row[0] for row in rows}


def enabled_guards(url: str) -> set[str]:
    rows = owner_query(
        url,
        "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s"
        " AND c.relname = 'talentcard_events' AND t.tgenabled IN ('O', 'A')",
        schema_of(url),
    )
    return {row[0] for row in rows}


def stored_events(url: str) -> list[tuple[Any, ...]]:
    return owner_query(
        url,
        sql.SQL("SELECT * FROM {} ORDER BY notification_id")
        .format(sql.Identifier(schema_of(url), "talentcard_events"))
        .as_string(),
    )


# ---- init, as the owner -----------------------------------------------------------------


@pytest.mark.postgres
def test_eight_concurrent_inits_on_one_fresh_schema_all_succeed_without_a_traceback(
    fresh_postgres_url: str, tmp_path: Path
):
    role = create_login_role(fresh_postgres_url)
    try:
        processes = [
            talentcard(fresh_postgres_url, tmp_path, "init", "--app-role", role)
            for _ in range(PROCESSES)
        ]
        results = [finish(p) for p in processes]
        assert [code for code, _ in results] == [0] * PROCESSES, results
        assert not [err for _, err in results if "Traceback" in err]
        assert table_grants(fresh_postgres_url, role) == {"SELECT", "INSERT", "UPDATE"}
        with runtime_ledger(
            database_url=as_role(fresh_postgres_url, role),
            data_dir=tmp_path,
            environ={},
            clock=system_clock,
        ) as ledger:
            _, version = ledger.apply(f.apply_body())
        assert version == 1
    finally:
        drop_role(fresh_postgres_url, role)


@pytest.mark.postgres
def test_init_with_a_role_that_does_not_exist_exits_2_naming_it_and_creates_nothing(
    fresh_postgres_url: str, tmp_path: Path
):
    code, err = finish(talentcard(fresh_postgres_url, tmp_path, "init", "--app-role", "no_such"))
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "'no_such'" in err
    assert not schema_exists(fresh_postgres_url)


@pytest.mark.postgres
def test_init_takes_back_privileges_the_runtime_role_should_not_have(
    fresh_postgres_url: str, tmp_path: Path
):
    role = create_login_role(fresh_postgres_url)
    try:
        init_as_owner(database_url=fresh_postgres_url, data_dir=tmp_path)
        table = sql.Identifier(schema_of(fresh_postgres_url), "talentcard_events")
        owner_query(
            fresh_postgres_url,
            sql.SQL("GRANT ALL ON {} TO {}").format(table, sql.Identifier(role)).as_string(),
        )
        init_as_owner(database_url=fresh_postgres_url, data_dir=tmp_path, app_role=role)
        assert table_grants(fresh_postgres_url, role) == {"SELECT", "INSERT", "UPDATE"}
    finally:
        drop_role(fresh_postgres_url, role)


@pytest.mark.postgres
def test_a_role_name_is_an_identifier_never_sql(fresh_postgres_url: str, tmp_path: Path):
    role = 'tc"app; DROP SCHEMA public CASCADE; --'
    owner_query(
        fresh_postgres_url,
        sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)).as_string(),
    )
    try:
        init_as_owner(database_url=fresh_postgres_url, data_dir=tmp_path, app_role=role)
        assert table_grants(fresh_postgres_url, role) == {"SELECT", "INSERT", "UPDATE"}
    finally:
        drop_role(fresh_postgres_url, role)


@pytest.mark.postgres
def test_init_says_which_role_it_granted(fresh_postgres_url: str, tmp_path: Path):
    role = create_login_role(fresh_postgres_url)
    try:
        process = talentcard(fresh_postgres_url, tmp_path, "init", "--app-role", role)
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        assert f"role {role} may read and append" in out
    finally:
        drop_role(fresh_postgres_url, role)


def test_init_with_an_app_role_on_the_embedded_store_exits_2(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'cards.db'}"
    code, err = finish(talentcard(url, tmp_path, "init", "--app-role", "talentcard_app"))
    assert code == 2
    assert "--app-role applies to a PostgreSQL store" in err
    assert not (tmp_path / "cards.db").exists()



def test_init_of_the_embedded_store_makes_its_identity_key_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from api.cli import main

    for name in ("TALENTCARD_DATABASE_URL", "TALENTCARD_ID_PEPPER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TALENTCARD_DATA_DIR", str(tmp_path))
    assert main(["init"]) == 0
    assert (tmp_path / "talentcard.sqlite3").exists()
    assert (tmp_path / "id-pepper").stat().st_mode & 0o777 == 0o600

# ---- every other process: no DDL --------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize(
    "argv", [("card", "list"), ("serve", "--port", "0")], ids=["card list", "serve"]
)
def test_a_command_on_a_store_never_initialised_exits_2_naming_init_and_creates_nothing(
    fresh_postgres_url: str, tmp_path: Path, argv: tuple[str, ...]
):
    code, err = finish(talentcard(fresh_postgres_url, tmp_path, *argv))
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "talentcard init" in err
    assert not schema_exists(fresh_postgres_url)


@pytest.mark.postgres
def test_a_role_without_grants_is_refused_at_start_naming_the_grant_to_run(
    fresh_postgres_url: str, tmp_path: Path
):
    init_as_owner(database_url=fresh_postgres_url, data_dir=tmp_path)
    role = create_login_role(fresh_postgres_url)
    try:
        with pytest.raises(StoreNotReady, match=f"talentcard init --app-role {role}"):
            runtime_ledger(
                database_url=as_role(fresh_postgres_url, role),
                data_dir=tmp_path,
                environ={},
                clock=system_clock,
            )
    finally:
        drop_role(fresh_postgres_url, role)


@pytest.mark.postgres
def test_a_store_whose_guard_was_disabled_is_refused_at_start(
    fresh_postgres_url: str, tmp_path: Path
):
    init_as_owner(database_url=fresh_postgres_url, data_dir=tmp_path)
    table = sql.Identifier(schema_of(fresh_postgres_url), "talentcard_events")
    owner_query(
        fresh_postgres_url,
        sql.SQL("ALTER TABLE {} DISABLE TRIGGER talentcard_append_only").format(table).as_string(),
    )
    with pytest.raises(StoreNotReady, match="append-only triggers"):
        runtime_ledger(
            database_url=fresh_postgres_url, data_dir=tmp_path, environ={}, clock=system_clock
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.mark.postgres
def test_eight_services_starting_at_once_as_the_runtime_role_all_come_up_cleanly(
    app_role_url: str, tmp_path: Path
):
    ports = [free_port() for _ in range(PROCESSES)]
    processes = [talentcard(app_role_url, tmp_path, "serve", "--port", str(port)) for port in ports]
    try:
        deadline = time.monotonic() + 90
        waiting = set(ports)
        while waiting and time.monotonic() < deadline:
            if any(p.poll() is not None for p in processes):
                break  # one died: its output is collected below
            waiting = {port for port in waiting if not healthy(port)}
            time.sleep(0.3)
        serving = [p.poll() is None for p in processes]
    finally:
        for p in processes:
            p.terminate()
        results = [finish(p, timeout=30) for p in processes]
    assert not waiting, results
    assert serving == [True] * PROCESSES, results
    # uvicorn shuts down gracefully on SIGTERM, then ends by that same signal.
    assert {code for code, _ in results} <= {0, -signal.SIGTERM}, results
    assert all("Application shutdown complete" in err for _, err in results), results
    assert not [err for _, err in results if "Traceback" in err]


# ---- the runtime role -------------------------------------------------------------------


@pytest.mark.postgres
def test_the_runtime_role_records_cards_through_the_ledger(app_role_url: str, tmp_path: Path):
    with runtime_ledger(
        database_url=app_role_url, data_dir=tmp_path, environ={}, clock=system_clock
    ) as ledger:
        card_id, _ = ledger.apply(f.apply_body())
        version = ledger.run(cc.REVIEW, card_id, f.review("city_hrss"))
        assert version == 2
        assert [e.originator_version for e in ledger.history(card_id)] == [1, 2]


def test_the_runtime_role_erases_through_an_approved_erasure_and_no_other_way(
    app_role_url: str, tmp_path: Path
):
    """Issue 25: the runtime role may not delete a data key itself; the definer function
    deletes those of an erasure two administrators took, in the approval's transaction."""
    with runtime_ledger(
        database_url=app_role_url, data_dir=tmp_path, environ={}, clock=system_clock
    ) as ledger:
        card_id, _ = ledger.apply(f.apply_body())
        ledger.run(cc.WITHDRAW, card_id, f.withdraw("zhou.invest", "investment_department"))
        schema = schema_of(app_role_url)
        with psycopg.connect(app_role_url.split("?")[0], autocommit=True) as conn:
            keys = sql.Identifier(schema, "talentcard_person_keys")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql.SQL("DELETE FROM {}").format(keys))
        admin = Role.ADMINISTRATOR
        erasure = ledger.propose_erasure(
            "admin.one", admin, card_id, (0,), ErasureGround.PURPOSE_MET, "D-1"
        )
        ledger.approve_erasure("admin.two", admin, erasure.id)
        assert ledger.person_keys.of_cards([card_id]) == {}
        assert ledger.get_card(card_id).application.holder.erased


FORBIDDEN = {
    "update": ("UPDATE {table} SET topic = 'x'", psycopg.errors.RestrictViolation),
    "upsert": (
        "INSERT INTO {table} (originator_id, originator_version, topic, state)"
        " SELECT originator_id, originator_version, topic, state FROM {table}"
        " ON CONFLICT (originator_id, originator_version) DO UPDATE SET topic = 'x'",
        psycopg.errors.RestrictViolation,
    ),
    "delete": ("DELETE FROM {table}", psycopg.errors.InsufficientPrivilege),
    "truncate": ("TRUNCATE {table}", psycopg.errors.InsufficientPrivilege),
    "alter table": (
        "ALTER TABLE {table} ADD COLUMN note text",
        psycopg.errors.InsufficientPrivilege,
    ),
    "disable trigger": (
        "ALTER TABLE {table} DISABLE TRIGGER talentcard_append_only",
        psycopg.errors.InsufficientPrivilege,
    ),
    "drop trigger": (
        "DROP TRIGGER talentcard_append_only ON {table}",
        psycopg.errors.InsufficientPrivilege,
    ),
    "replace the guard function": (
        "CREATE OR REPLACE FUNCTION {schema}.talentcard_refuse_rewrite() RETURNS trigger"
        " LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
        psycopg.errors.InsufficientPrivilege,
    ),
    "skip triggers as a replica": (
        "SET session_replication_role = replica",
        psycopg.errors.InsufficientPrivilege,
    ),
    "drop table": ("DROP TABLE {table}", psycopg.errors.InsufficientPrivilege),
}


@pytest.mark.postgres
@pytest.mark.parametrize(("statement", "error"), FORBIDDEN.values(), ids=FORBIDDEN.keys())
def test_the_runtime_role_cannot_rewrite_events_or_touch_the_guards(
    app_role_url: str,
    fresh_postgres_url: str,
    tmp_path: Path,
    statement: str,
    error: type[Exception],
):
    with runtime_ledger(
        database_url=app_role_url, data_dir=tmp_path, environ={}, clock=system_clock
    ) as ledger:
        ledger.apply(f.apply_body())
    owner_url = fresh_postgres_url  # the same store, as its owner
    before = stored_events(owner_url)
    schema = schema_of(app_role_url)
    names = {"table": sql.Identifier(schema, "talentcard_events"), "schema": sql.Identifier(schema)}
    with psycopg.connect(app_role_url.split("?")[0], autocommit=True) as conn:  # noqa: SIM117
        with pytest.raises(error):
            conn.execute(sql.SQL(statement).format(**names))
    assert stored_events(owner_url) == before
    assert enabled_guards(owner_url) == {"talentcard_append_only", "talentcard_no_truncate"}


# ---- compose.yaml -----------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]


def scram_matches(verifier: str, password: str) -> bool:
    """Whether a stored SCRAM-SHA-256 verifier (RFC 5802, as pg_authid keeps it) was
    made from this password."""
    method, params, keys = verifier.split("$")
    iterations, salt = params.split(":")
    server_key = keys.split(":")[1]
    salted = hashlib.pbkdf2_hmac(
        "sha256", password.encode(), base64.b64decode(salt), int(iterations)
    )
    expected = hmac.new(salted, b"Server Key", "sha256").digest()
    return method == "SCRAM-SHA-256" and base64.b64decode(server_key) == expected


ROLE_SCRIPT = ROOT / "deploy" / "postgres-initdb" / "10-app-role.sql"


def test_compose_runs_init_as_the_owner_and_the_api_as_the_app_role_on_localhost_only():
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    owner = services["postgres"]["environment"]["POSTGRES_USER"]
    init, api = services["init"], services["api"]
    assert init["command"] == ["talentcard", "init", "--app-role", "talentcard_app"]
    assert api["command"][:2] == ["talentcard", "serve"]
    for service, user in ((init, owner), (api, "talentcard_app")):
        url = urlsplit(service["environment"]["TALENTCARD_DATABASE_URL"])
        assert (url.username, url.password) == (user, None)
        secret = service["environment"]["TALENTCARD_DATABASE_PASSWORD_FILE"]
        assert secret.removeprefix("/run/secrets/") in service["secrets"]
    assert api["ports"] == ["127.0.0.1:8000:8000"]
    assert (
        "./deploy/postgres-initdb:/docker-entrypoint-initdb.d:ro"
        in (services["postgres"]["volumes"])
    )


def test_compose_runs_the_projector_as_the_app_role_once_init_has_made_its_tables():
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    projector, api = services["projector"], services["api"]
    assert projector["command"] == ["talentcard", "projections", "run"]
    url = urlsplit(projector["environment"]["TALENTCARD_DATABASE_URL"])
    assert (url.username, url.password) == ("talentcard_app", None)
    assert url.path == urlsplit(api["environment"]["TALENTCARD_DATABASE_URL"]).path
    assert projector["depends_on"]["init"]["condition"] == "service_completed_successfully"
    assert "ports" not in projector  # it serves nothing
    # The same registry key as the api: status-list indexes are derived from it.
    assert projector["environment"]["TALENTCARD_ID_PEPPER"] == api["environment"][
        "TALENTCARD_ID_PEPPER"
    ]


@pytest.mark.postgres
def test_the_compose_role_script_makes_a_login_role_with_the_secret_as_its_password(
    postgres_url: str, fresh_postgres_url: str, tmp_path: Path
):
    psql = shutil.which("psql")
    if psql is None:
        pytest.skip("psql is not installed")
    role = f"tc_app_{os.urandom(6).hex()}"
    secret = tmp_path / "app_db_password"
    secret.write_text("it's a secret; DROP ROLE postgres; --\n")
    script = tmp_path / "10-app-role.sql"
    script.write_text(
        ROLE_SCRIPT.read_text()
        .replace("/run/secrets/app_db_password", str(secret))
        .replace("talentcard_app", role)
    )
    try:
        done = subprocess.run(  # as the postgres image's entrypoint runs it
            [psql, "-v", "ON_ERROR_STOP=1", "-q", "-f", str(script), postgres_url],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        login, verifier = owner_query(
            postgres_url, "SELECT rolcanlogin, rolpassword FROM pg_authid WHERE rolname = %s", role
        )[0]
        assert login
        assert scram_matches(verifier, "it's a secret; DROP ROLE postgres; --")
        init_as_owner(database_url=fresh_postgres_url, data_dir=tmp_path, app_role=role)
        assert table_grants(fresh_postgres_url, role) == {"SELECT", "INSERT", "UPDATE"}
    finally:
        drop_role(postgres_url, role)
