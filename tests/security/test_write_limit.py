"""The write limit (TALENTCARD_WRITE_RATE, issue 23 finding 3): one budget a minute per
user, whatever the spelling of its key, and one per client address for writes without a
key that works. Keyed on the raw Authorization header, ``Bearer`` with one to thirty
spaces before the key got thirty writes past a limit of five."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from api.app import create_app
from services.access import Principal
from services.bootstrap import Registry
from tests.api.http_users import Client, Keys
from tests.conftest import WRITE_RATE as RATE

UNKNOWN = "6f1c2a4e-8d2b-4a5e-9f7c-0b1d2e3f4a5b"
# A review of an unknown card: a write the registry refuses (404) without writing, so
# every answer but 429 means the limit let it through.
WRITE = f"/cards/{UNKNOWN}/reviews"
REVIEW = {"stage": "city_hrss", "decision": "approved"}


@pytest.fixture
def client(write_limited: Registry) -> Iterator[Client]:
    with TestClient(app=create_app(write_limited)) as c:
        yield c


@pytest.fixture
def key(write_limited: Registry) -> str:
    """A city clerk's API key."""
    return Keys(write_limited)("city_hrss")["Authorization"].removeprefix("Bearer ")


def writes(client: Client, *authorizations: str) -> list[int]:
    """The status of one write with each Authorization header, in order."""
    return [
        client.post(WRITE, json=REVIEW, headers={"Authorization": a}).status_code
        for a in authorizations
    ]


def test_a_key_spelled_with_more_spaces_each_time_is_refused_past_the_limit(
    client: Client, key: str
):
    statuses = writes(client, *(f"Bearer{' ' * n}{key}" for n in range(1, RATE + 2)))
    assert statuses == [404] * RATE + [429]


def test_lower_case_bearer_and_a_tab_are_the_same_key_s_budget(client: Client, key: str):
    statuses = writes(client, f"Bearer {key}", f"bearer {key}", f"BEARER  {key}", f"Bearer\t{key}")
    assert statuses == [404] * RATE + [429]


def test_a_user_s_new_key_goes_on_with_the_old_key_s_budget(
    client: Client, key: str, write_limited: Registry
):
    assert writes(client, *[f"Bearer {key}"] * (RATE - 1)) == [404] * (RATE - 1)
    new_key = write_limited.users.rotate_key(None, "city_hrss.liaocheng").key
    assert writes(client, f"Bearer {new_key}", f"Bearer {new_key}") == [404, 429]


def test_another_user_s_writes_do_not_count_against_a_user(
    client: Client, key: str, write_limited: Registry
):
    writes(client, *[f"Bearer {key}"] * RATE)
    other = Keys(write_limited)("city_hrss", "jinan")["Authorization"]
    assert writes(client, other) == [404]


def test_writes_with_keys_that_do_not_work_share_one_budget_per_client_address(client: Client):
    unknown = [f"Bearer tck1.{n:032x}.secret" for n in range(RATE + 1)]
    assert writes(client, *unknown) == [401] * RATE + [429]


def test_the_429_is_a_problem_saying_when_to_try_again(client: Client, key: str):
    writes(client, *[f"Bearer {key}"] * RATE)
    refused = client.post(WRITE, json=REVIEW, headers={"Authorization": f"Bearer {key}"})
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["title"] == "too_many_requests"
    assert int(refused.headers["ratelimit-reset"]) > 0


def test_a_write_looks_its_key_up_once_for_the_limit_and_the_route_both(
    client: Client, key: str, write_limited: Registry, monkeypatch: pytest.MonkeyPatch
):
    looked_up: list[str] = []
    authenticate = write_limited.users.authenticate

    def counted(presented: str) -> Principal:
        looked_up.append(presented)
        return authenticate(presented)

    monkeypatch.setattr(write_limited.users, "authenticate", counted)
    assert writes(client, f"Bearer {key}") == [404]
    assert looked_up == [key]
