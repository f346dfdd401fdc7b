"""The read models' stores: as tests/conftest.py, but ``init`` (the owner) also creates
the read-model and tracking tables, as the composition root's ``talentcard init`` does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.bootstrap import init_store
from projections.engine import install
from tests.conftest import as_role, create_login_role, drop_role


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh store of each kind; on Postgres initialised by its owner with the tables."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
        return
    url: str = request.getfixturevalue("fresh_postgres_url")
    init_store(database_url=url, data_dir=tmp_path, environ={}, read_models=install)
    yield url


@pytest.fixture
def app_role_url(fresh_postgres_url: str, tmp_path: Path) -> Iterator[str]:
    """An initialised Postgres store (read models included) and a URL connecting to it as
    a fresh runtime role granted by ``init --app-role``."""
    role = create_login_role(fresh_postgres_url)
    try:
        init_store(
            database_url=fresh_postgres_url,
            data_dir=tmp_path,
            app_role=role,
            environ={},
            read_models=install,
        )
        yield as_role(fresh_postgres_url, role)
    finally:
        drop_role(fresh_postgres_url, role)
