"""Signing in to the console and its sessions (services.sessions, issue 28), on both
stores: what a user notices (signed in, signed out, timed out, locked out for a while)
and what the store keeps (never the cookie's token, never a name or an address)."""

from __future__ import annotations

import pytest

from domain.vocabulary import Role
from services.bootstrap import Registry
from services.sessions import SignInRefused, TooManySignIns
from tests.conftest import FakeClock


def _user(registry: Registry, name: str = "wang", role: Role = Role.CITY_HRSS) -> str:
    return registry.users.add(None, name=name, role=role, authority="liaocheng").key


def _dump(registry: Registry) -> str:
    """Every row of the two session tables, as text."""
    store = registry.sessions._store
    rows = store._run(f"SELECT * FROM {store._sessions}", ())
    rows += store._run(f"SELECT * FROM {store._failures}", ())
    return repr(rows)


def test_a_user_signs_in_with_its_name_and_key_and_the_cookie_names_it(registry: Registry):
    key = _user(registry)
    session = registry.sessions.sign_in("wang", key, "10.0.0.1")
    found = registry.sessions.resolve(session.token)
    assert found is not None
    assert (found.who.name, found.who.role) == ("wang", Role.CITY_HRSS)
    assert found.csrf == session.csrf


def test_a_wrong_key_and_a_wrong_name_are_refused_with_one_message(registry: Registry):
    key = _user(registry)
    _user(registry, "li")
    with pytest.raises(SignInRefused) as wrong_key:
        registry.sessions.sign_in("wang", key[:-2] + "xx", "10.0.0.1")
    with pytest.raises(SignInRefused) as wrong_name:
        registry.sessions.sign_in("li", key, "10.0.0.1")
    with pytest.raises(SignInRefused) as no_user:
        registry.sessions.sign_in("nobody", key, "10.0.0.1")
    assert wrong_key.value.message == wrong_name.value.message == no_user.value.message


def test_after_five_failures_even_the_right_key_waits_a_quarter_of_an_hour(
    registry: Registry, clock: FakeClock
):
    key = _user(registry)
    for n in range(5):
        with pytest.raises(SignInRefused):
            registry.sessions.sign_in("wang", "tck1.nope", f"10.0.0.{n}")
    with pytest.raises(TooManySignIns):
        registry.sessions.sign_in("wang", key, "10.0.0.9")
    clock.advance(minutes=16)
    assert registry.sessions.sign_in("wang", key, "10.0.0.9").token


def test_one_address_that_fails_for_many_names_is_held_back(registry: Registry):
    key = _user(registry)
    for n in range(20):
        with pytest.raises(SignInRefused):
            registry.sessions.sign_in(f"guess{n}", "tck1.nope", "10.9.9.9")
    with pytest.raises(TooManySignIns):
        registry.sessions.sign_in("wang", key, "10.9.9.9")
    assert registry.sessions.sign_in("wang", key, "10.0.0.1").token  # another address


def test_a_session_ends_after_half_an_hour_without_a_request(registry: Registry, clock: FakeClock):
    session = registry.sessions.sign_in("wang", _user(registry), "10.0.0.1")
    clock.advance(minutes=29)
    assert registry.sessions.resolve(session.token) is not None
    clock.advance(minutes=29)  # a request 29 minutes ago kept it alive
    assert registry.sessions.resolve(session.token) is not None
    clock.advance(minutes=31)
    assert registry.sessions.resolve(session.token) is None


def test_a_session_ends_twelve_hours_after_sign_in_however_busy(
    registry: Registry, clock: FakeClock
):
    session = registry.sessions.sign_in("wang", _user(registry), "10.0.0.1")
    alive_for = 0
    for step in range(1, 40):
        clock.advance(minutes=20)  # a request every 20 minutes: never idle
        if registry.sessions.resolve(session.token) is None:
            break
        alive_for = step * 20
    assert registry.sessions.resolve(session.token) is None
    assert 11 * 60 + 40 <= alive_for <= 12 * 60


def test_signing_out_ends_the_session_on_the_server(registry: Registry):
    session = registry.sessions.sign_in("wang", _user(registry), "10.0.0.1")
    registry.sessions.sign_out(session.token)
    assert registry.sessions.resolve(session.token) is None


def test_a_disabled_user_or_a_replaced_key_ends_the_session(registry: Registry):
    session = registry.sessions.sign_in("wang", _user(registry), "10.0.0.1")
    other = registry.sessions.sign_in("li", _user(registry, "li"), "10.0.0.1")
    registry.users.rotate_key(None, "wang")
    registry.users.disable(None, "li")
    assert registry.sessions.resolve(session.token) is None
    assert registry.sessions.resolve(other.token) is None


def test_the_store_keeps_neither_the_token_nor_a_name_nor_an_address(registry: Registry):
    key = _user(registry)
    session = registry.sessions.sign_in("wang", key, "10.0.0.1")
    with pytest.raises(SignInRefused):
        registry.sessions.sign_in("zhang", "tck1.nope", "192.168.77.5")
    held = _dump(registry)
    assert session.token not in held
    assert key not in held
    for clear in ("wang", "zhang", "10.0.0.1", "192.168.77.5"):
        assert clear not in held
