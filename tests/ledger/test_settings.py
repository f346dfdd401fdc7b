"""One setting chooses the store; a malformed one is refused with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.settings import SettingsError, id_pepper, store_env


def test_no_database_url_means_an_sqlite_file_in_the_data_folder(tmp_path: Path):
    env = store_env(None, tmp_path / "data")
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite"
    assert env["SQLITE_DBNAME"] == str(tmp_path / "data" / "talentcard.sqlite3")
    assert (tmp_path / "data").is_dir()


def test_a_sqlite_url_names_the_file(tmp_path: Path):
    env = store_env(f"sqlite:///{tmp_path}/x/cards.db", tmp_path)
    assert env["SQLITE_DBNAME"] == f"{tmp_path}/x/cards.db"


def test_a_postgres_url_sets_host_user_password_database_schema_and_pool(tmp_path: Path):
    env = store_env(
        "postgresql://reg:s%40cret@db.internal:6432/cards?schema=prod&pool_size=20", tmp_path
    )
    assert {
        k: env[k]
        for k in (
            "PERSISTENCE_MODULE",
            "POSTGRES_HOST",
            "POSTGRES_PORT",
            "POSTGRES_USER",
            "POSTGRES_PASSWORD",
            "POSTGRES_DBNAME",
            "POSTGRES_SCHEMA",
            "POSTGRES_POOL_SIZE",
        )
    } == {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_HOST": "db.internal",
        "POSTGRES_PORT": "6432",
        "POSTGRES_USER": "reg",
        "POSTGRES_PASSWORD": "s@cret",
        "POSTGRES_DBNAME": "cards",
        "POSTGRES_SCHEMA": "prod",
        "POSTGRES_POOL_SIZE": "20",
    }
    assert env["TRANSCODER_TOPIC"] == "ledger.transcoder:MsgspecTranscoder"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://localhost/cards", "must start with postgresql:// or sqlite:///"),
        ("postgresql://localhost", "names no database"),
        ("postgresql://localhost/cards?shema=x", "unknown parameters: shema"),
    ],
)
def test_a_malformed_database_url_is_refused_naming_the_problem(
    url: str, message: str, tmp_path: Path
):
    with pytest.raises(SettingsError, match=message):
        store_env(url, tmp_path)


def test_the_id_key_is_made_once_and_kept_private(tmp_path: Path):
    first = id_pepper(tmp_path, {})
    assert id_pepper(tmp_path, {}) == first
    assert len(first) == 64
    assert (tmp_path / "id-pepper").stat().st_mode & 0o077 == 0


def test_a_configured_id_key_wins_over_the_file(tmp_path: Path):
    assert id_pepper(tmp_path, {"TALENTCARD_ID_PEPPER": "from-the-vault"}) == b"from-the-vault"
