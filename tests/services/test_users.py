"""API keys: shown once, stored only as a keyed hash, checked in one load; replaced and
disabled keys stop working at once."""

from __future__ import annotations

import pytest

from domain.errors import DomainError
from domain.vocabulary import Role
from ledger.app import CardLedger
from services.bootstrap import Registry
from services.users import NotAuthenticated


def add(registry: Registry, name: str = "liu.hrss", role: Role = Role.CITY_HRSS) -> str:
    return registry.users.add(None, name=name, role=role, authority="liaocheng").key


def test_a_new_key_authenticates_as_its_user(registry: Registry):
    key = add(registry)
    who = registry.users.authenticate(key)
    assert (who.name, who.role, who.authority) == ("liu.hrss", Role.CITY_HRSS, "liaocheng")


def test_a_key_carries_at_least_128_random_bits_and_two_keys_differ(registry: Registry):
    first, second = add(registry, "a"), add(registry, "b")
    secret = first.rsplit(".", 1)[1]
    assert len(secret) * 6 >= 128
    assert first != second


def test_the_store_never_holds_the_key_itself(registry: Registry, ledger: CardLedger):
    key = add(registry)
    stored = b"".join(n.state for n in ledger.recorder.select_notifications(start=1, limit=100))
    assert key.encode() not in stored
    assert key.rsplit(".", 1)[1].encode() not in stored


@pytest.mark.parametrize(
    "bad",
    ["", "tck1", "tck1.nothex.secret", "x" * 500, "tck1." + "0" * 32 + ".secret"],
)
def test_a_malformed_or_unknown_key_is_not_authenticated(registry: Registry, bad: str):
    with pytest.raises(NotAuthenticated):
        registry.users.authenticate(bad)


def test_a_key_with_one_character_changed_is_refused(registry: Registry):
    key = add(registry)
    changed = key[:-1] + ("A" if key[-1] != "A" else "B")
    with pytest.raises(NotAuthenticated):
        registry.users.authenticate(changed)


def test_a_rotated_key_stops_working_and_the_new_one_works(registry: Registry):
    old = add(registry)
    new = registry.users.rotate_key(None, "liu.hrss").key
    with pytest.raises(NotAuthenticated):
        registry.users.authenticate(old)
    assert registry.users.authenticate(new).name == "liu.hrss"


def test_a_disabled_user_s_key_stops_working(registry: Registry):
    key = add(registry)
    registry.users.disable(None, "liu.hrss", "left the bureau")
    with pytest.raises(NotAuthenticated):
        registry.users.authenticate(key)


def test_a_name_cannot_be_added_twice(registry: Registry):
    add(registry)
    with pytest.raises(DomainError) as refused:
        add(registry, "LIU.hrss")
    assert getattr(refused.value, "code", "") == "user_exists"


def test_users_are_listed_in_the_order_added_without_keys(registry: Registry):
    add(registry, "a")
    add(registry, "b", Role.VENUE)
    listed = registry.users.list()
    assert [(u.name, u.role) for u in listed] == [("a", Role.CITY_HRSS), ("b", Role.VENUE)]
    assert not any(hasattr(u, "key") or hasattr(u, "key_hash") for u in listed)


def test_the_bootstrap_administrator_is_recorded_as_the_server_host_s_user(registry: Registry):
    add(registry)
    assert registry.users.list()[0].added_by.endswith("(server host)")


def test_a_user_added_by_an_administrator_names_that_administrator(registry: Registry):
    admin = registry.users.authenticate(add(registry, "root", Role.ADMINISTRATOR))
    registry.users.add(admin, name="venue.1", role=Role.VENUE, authority="jinan")
    assert registry.users.list()[1].added_by == "root"


def test_only_an_administrator_lists_users(registry: Registry):
    clerk = registry.users.authenticate(add(registry))
    with pytest.raises(DomainError) as refused:
        registry.users.list(clerk)
    assert getattr(refused.value, "code", "") == "not_authorised"
