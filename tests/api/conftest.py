"""Fixtures the HTTP tests share: the app over each store's registry, and its users."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from api.app import create_app
from services.bootstrap import Registry
from tests.api.http_users import Client, Users


@pytest.fixture
def client(registry: Registry) -> Iterator[Client]:
    """A test client over the app, with the registry's signing keys made."""
    registry.keys.init()
    with TestClient(app=create_app(registry)) as c:
        yield c


@pytest.fixture
def users(client: Client, registry: Registry) -> Users:
    """Users with keys of their own, added as needed."""
    return Users(client, registry)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, cli_env: Path) -> Path:
    """The command line's store (cli_env: a data folder of its own) and a passphrase for
    its signing keys."""
    monkeypatch.setenv("TALENTCARD_KEY_PASSPHRASE", "correct horse battery staple")
    monkeypatch.delenv("TALENTCARD_KEYS_DIR", raising=False)
    return cli_env
