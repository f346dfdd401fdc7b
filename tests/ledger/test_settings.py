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


def test_the_database_password_can_come_from_a_file_such_as_a_docker_secret(tmp_path: Path):
    secret = tmp_path / "db_password"
    secret.write_text("s3cret with spaces\n")
    env = store_env(
        "postgresql://talentcard_app@db/cards",
        tmp_path,
        {"TALENTCARD_DATABASE_PASSWORD_FILE": str(secret)},
    )
    assert env["POSTGRES_PASSWORD"] == "s3cret with spaces"


@pytest.mark.parametrize(
    ("url", "file_text", "message"),
    [
        ("postgresql://app:inline@db/cards", "secret", "give the password in one place only"),
        ("postgresql://app@db/cards", None, "cannot read"),
        ("postgresql://app@db/cards", "\n", "is empty"),
    ],
    ids=["both a URL password and a file", "a missing file", "an empty file"],
)
def test_a_password_file_that_cannot_be_used_is_refused_naming_the_setting(
    url: str, file_text: str | None, message: str, tmp_path: Path
):
    secret = tmp_path / "db_password"
    if file_text is not None:
        secret.write_text(file_text)
    with pytest.raises(SettingsError, match=message) as refused:
        store_env(url, tmp_path, {"TALENTCARD_DATABASE_PASSWORD_FILE": str(secret)})
    assert "TALENTCARD_DATABASE_PASSWORD_FILE" in str(refused.value)
    assert refused.value.code == "bad_setting"


def test_the_sqlite_file_and_the_folders_made_for_it_are_private(tmp_path: Path):
    env = store_env(f"sqlite:///{tmp_path}/a/b/cards.db", tmp_path)
    assert Path(env["SQLITE_DBNAME"]).stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "a").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "a" / "b").stat().st_mode & 0o777 == 0o700


def test_an_existing_folder_is_left_as_it_is_and_a_readable_store_file_is_tightened(
    tmp_path: Path,
):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    store = shared / "cards.db"
    store.write_bytes(b"")
    store.chmod(0o644)
    store_env(f"sqlite:///{store}", tmp_path)
    assert shared.stat().st_mode & 0o777 == 0o755
    assert store.stat().st_mode & 0o777 == 0o600


def test_the_data_folder_made_for_the_id_key_is_private(tmp_path: Path):
    id_pepper(tmp_path / "data", {})
    assert (tmp_path / "data").stat().st_mode & 0o777 == 0o700
