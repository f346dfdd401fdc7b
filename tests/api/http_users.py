"""HTTP tests' users, each acting with its own API key, and request bodies without the
``actor``/``role`` the key supplies."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.testing import TestClient

from domain.vocabulary import Role
from services.bootstrap import Registry
from tests.factories import CREDIT_CODE

Client = TestClient  # type: ignore[type-arg]


class Keys:
    """``Authorization`` headers of users added on first use, one per name (default
    ``role.authority``); an employer's or an enterprise's user is bound to ``employer``
    (default the factories' CREDIT_CODE)."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry
        self._keys: dict[str, str] = {}

    def __call__(
        self, role: str, authority: str = "liaocheng", *, name: str = "", employer: str = ""
    ) -> dict[str, str]:
        name = name or f"{role}.{authority}"
        if name not in self._keys:
            if role in ("employer", "enterprise"):
                employer = employer or CREDIT_CODE
            issued = self._registry.users.add(
                None, name=name, role=Role(role), authority=authority, employer=employer
            )
            self._keys[name] = issued.key
        return {"Authorization": f"Bearer {self._keys[name]}"}


class User:
    """One user's requests over the test client, with its key."""

    def __init__(self, client: Client, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.client.post(
            path, json={} if body is None else body, headers={**self.headers, **headers}
        )

    def get(self, path: str, **headers: str) -> Any:
        return self.client.get(path, headers={**self.headers, **headers})


class Users:
    """``users(role, authority, name=…)``: a user of the app acting with its own key."""

    def __init__(self, client: Client, registry: Registry) -> None:
        self._client = client
        self._keys = Keys(registry)

    def __call__(
        self, role: str, authority: str = "liaocheng", *, name: str = "", employer: str = ""
    ) -> User:
        return User(self._client, self._keys(role, authority, name=name, employer=employer))


def request_of(body: msgspec.Struct) -> dict[str, Any]:
    """A command body as an HTTP request's: without what the key says (actor, role, the
    filing city, the venue and its city)."""
    fields: dict[str, Any] = msgspec.to_builtins(body)
    for key in ("actor", "role", "city", "venue"):
        fields.pop(key, None)
    return fields
