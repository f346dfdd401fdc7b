"""The authorization matrix for the staff console's routes (issue 28): the same world,
the same expected table and the same seed articles as the JSON API's matrix
(tests/api/test_authorization_matrix.py), asked through the console as each role signed
in: a card outside the user's jurisdiction is the very page a card that does not exist
gets (404, byte for byte), an action the role may not take is a 403 naming the rule, an
action taken is a 303 back to the card, and no page holds personal data of a file the
user may not read. Without a session every page but sign-in sends the browser to it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from ledger.card_commands import COMMANDS
from tests.api.authz_world import OTHER, World, open_world, sees
from tests.api.console.staff import csrf_of
from tests.api.test_authorization_matrix import (
    CALLER_IDS,
    CARD_ROUTES,
    CONSOLE_ROUTES,
    CardRoute,
    _card_id,
    _target,
    card_expectation,
    check_no_foreign_data,
)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    yield from open_world(request, tmp_path_factory)


_BROWSERS: dict[tuple[int, str], Any] = {}


def browser(world: World, who: str) -> Any:
    """A test client signed in to the console as the world's caller ``who`` (one per
    caller and world, kept for the module)."""
    key = (id(world), who)
    if key not in _BROWSERS:
        caller = world.callers[who]
        # Not entered: the world's own client runs the app's lifespan, and a second
        # one entered would hold its shutdown.
        client = TestClient(app=world.client.app)
        form = client.get("/console/sign-in")
        answer = client.post(
            "/console/sign-in",
            files={
                "name": (None, caller.name),
                "key": (None, caller.key),
                "csrf": (None, csrf_of(form.text)),
            },
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text[:300]
        _BROWSERS[key] = client
    return _BROWSERS[key]


def _csrf(client: Any) -> str:
    return csrf_of(client.get("/console/cards").text)


def _form(body: dict[str, Any]) -> dict[str, str]:
    """A JSON request body as the console's form posts it."""
    form: dict[str, str] = {}
    for name, value in body.items():
        if isinstance(value, list | tuple):
            form[name] = "\n".join(str(v) for v in value)
        elif isinstance(value, dict):
            form[name] = "\n".join(
                f"{k}={str(v).lower() if isinstance(v, bool) else v}" for k, v in value.items()
            )
        elif isinstance(value, bool):
            form[name] = "true" if value else ""
        else:
            form[name] = str(value)
    return form


def _action_of(route: str) -> str:
    """The console action a card route of the API's matrix is."""
    path = route.split("/cards/{card_id:uuid}/", 1)[1]
    if path == "redemptions":
        return "redeem"
    named = [c.name for c in COMMANDS.values() if c.path == path]
    return named[0] if named else ""


CONSOLE_ACTIONS = {
    route: spec
    for route, spec in CARD_ROUTES.items()
    if route.startswith("POST ") and _action_of(route)
}


def _page_status(expected: int) -> int:
    """The console answers a command done with a 303 to the card (the API's 200/201)."""
    return 303 if expected < 300 else expected


@pytest.mark.parametrize("who", CALLER_IDS)
@pytest.mark.parametrize("route", sorted(CONSOLE_ACTIONS))
def test_a_card_action_in_the_console_answers_each_user_as_the_api_matrix_says(
    world: World, route: str, who: str
):
    spec: CardRoute = CONSOLE_ACTIONS[route]
    caller = world.callers[who]
    target = _target(world, spec.kind)
    card_id = _card_id(target)
    card = world.cards[card_id]
    expected = _page_status(card_expectation(spec, caller, card))
    client = browser(world, who)
    body = _form(spec.body(world, caller, target) if spec.body else {})
    before = world.ledger.get_card(card_id).version
    action = _action_of(route)
    response = client.post(
        f"/console/cards/{card_id}/{action}",
        data={"csrf": _csrf(client), **body},
        follow_redirects=False,
    )
    if response.status_code == 303:
        world.spoil(spec.kind)
    assert response.status_code == expected, (
        f"{who} {action} on {card.label}: {response.status_code} {response.text[-600:]}"
    )
    if expected >= 400:
        assert world.ledger.get_card(card_id).version == before, "a refused action wrote"
    if expected == 403:
        assert "依据 Rule:" in response.text, "a 403 page without its rule"
    if expected == 404 and caller.authority == OTHER:
        missing = uuid.uuid4()
        again = client.post(
            f"/console/cards/{missing}/{action}",
            data={"csrf": _csrf(client), **body},
            follow_redirects=False,
        )
        assert again.status_code == 404 and again.content == response.content
    check_no_foreign_data(world, caller, _without_csrf(response.text), asked=card_id)


_CSRF_VALUE = re.compile(r'name="csrf" value="[^"]+"')


def _without_csrf(text: str) -> str:
    return _CSRF_VALUE.sub("", text)


@pytest.mark.parametrize("who", CALLER_IDS)
def test_a_card_page_is_shown_only_to_users_who_see_the_card(world: World, who: str):
    caller = world.callers[who]
    client = browser(world, who)
    missing = client.get(f"/console/cards/{uuid.uuid4()}")
    for card in list(world.cards.values()):
        response = client.get(f"/console/cards/{card.card_id}")
        if caller.role.value == "administrator":
            assert response.status_code == 403, card.label
        elif not sees(caller, card):
            assert response.status_code == 404, f"{who} saw {card.label}"
            assert response.content == missing.content, "a hidden card differs from none"
        else:
            assert response.status_code == 200, f"{who} {card.label}: {response.text[-300:]}"
        check_no_foreign_data(world, caller, response.text, asked=card.card_id)


@pytest.mark.parametrize("who", CALLER_IDS)
def test_my_work_names_only_files_the_user_may_read(world: World, who: str):
    caller = world.callers[who]
    response = browser(world, who).get("/console/work")
    assert response.status_code in (200, 403), response.text[-300:]
    check_no_foreign_data(world, caller, response.text)


def test_without_a_session_every_console_page_sends_the_browser_to_sign_in(world: World):
    client = TestClient(app=world.client.app)
    card = next(iter(world.cards))
    for route in sorted(CONSOLE_ROUTES):
        method, path = route.split(" ", 1)
        if "sign-in" in path or "static" in path or path == "/console":
            continue
        path = (
            path.replace("{card_id:uuid}", str(card))
            .replace("{action:str}", "review")
            .replace("{scheme:str}", "liaocheng")
            .replace("{category:str}", "art5.3")
        )
        answer = client.request(method, path, data={"csrf": "x"}, follow_redirects=False)
        assert answer.status_code == 303, f"{route}: {answer.status_code}"
        assert answer.headers["location"].endswith("/console/sign-in"), route
