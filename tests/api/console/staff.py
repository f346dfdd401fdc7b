"""A console user in tests: a test client of its own (its own cookie jar, as a browser
has), signed in through the sign-in form, posting forms with the CSRF token the last page
it fetched carried."""

from __future__ import annotations

import re
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from domain.vocabulary import Role
from services.bootstrap import Registry
from tests.factories import CREDIT_CODE

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page carries no CSRF token"
    return found.group(1)


def add_user(
    registry: Registry, name: str, role: str, authority: str = "liaocheng", employer: str = ""
) -> str:
    """A user and its key."""
    if role in ("employer", "enterprise") and not employer:
        employer = CREDIT_CODE
    return registry.users.add(
        None, name=name, role=Role(role), authority=authority, employer=employer
    ).key


class Staff:
    """One person at a browser."""

    def __init__(self, app: Litestar, name: str = "", key: str = "") -> None:
        # Not entered: several people share one app, and an entered client runs its
        # lifespan, whose shutdown the first to leave would wait on for the others.
        self.client: TestClient[Litestar] = TestClient(app=app)
        self.name, self.key = name, key
        self.csrf = ""

    def close(self) -> None:
        """Nothing to stop: the client was never entered (its cookies go with it)."""

    def sign_in(self, name: str | None = None, key: str | None = None, **headers: str) -> Any:
        form = self.client.get("/console/sign-in")
        files = {
            "name": (None, self.name if name is None else name),
            "key": (None, self.key if key is None else key),
            "csrf": (None, csrf_of(form.text)),
        }
        answer = self.client.post(
            "/console/sign-in", files=files, headers=headers, follow_redirects=False
        )
        return answer

    def get(self, path: str, **kwargs: Any) -> Any:
        answer = self.client.get(path, **kwargs)
        if 'name="csrf"' in answer.text:
            self.csrf = csrf_of(answer.text)
        return answer

    def post(self, path: str, data: dict[str, Any], **headers: str) -> Any:
        if not self.csrf:
            self.get("/console/work")
        answer = self.client.post(
            path, data={"csrf": self.csrf, **data}, headers=headers, follow_redirects=False
        )
        if 'name="csrf"' in answer.text:
            self.csrf = csrf_of(answer.text)
        return answer
