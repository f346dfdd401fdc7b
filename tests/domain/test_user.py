"""Users (用户): one role and one authority each, managed by the administrator, keys
replaced and users disabled for good, every change an event."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.errors import DomainError, InvalidInput, NotAuthorised
from domain.user import UserAccount, user_id
from domain.values import Context
from domain.vocabulary import Role

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


def ctx(role: Role = Role.ADMINISTRATOR, actor: str = "root.admin") -> Context:
    return Context(actor=actor, role=role, effective_at=NOW, recorded_at=NOW)


def add(**overrides: object) -> UserAccount:
    fields: dict[str, object] = {
        "name": "liu.hrss",
        "role": Role.CITY_HRSS,
        "authority": "liaocheng",
        "employer": "",
        "key_hash": "aa" * 32,
    }
    fields.update(overrides)
    return UserAccount.add(ctx(), **fields)  # type: ignore[arg-type]


def test_a_user_is_added_with_its_role_authority_and_who_added_it():
    user = add()
    assert (user.name, user.role, user.authority, user.added_by) == (
        "liu.hrss",
        Role.CITY_HRSS,
        "liaocheng",
        "root.admin",
    )
    assert user.principal().user_id == user.id == user_id("liu.hrss")


def test_a_user_name_has_one_id_whatever_its_case_or_unicode_form():
    assert user_id("Liu.HRSS") == user_id("liu.hrss")
    assert user_id("\u0041\u030a") == user_id("\u00c5")


def test_only_an_administrator_adds_a_user():
    with pytest.raises(NotAuthorised):
        UserAccount.add(
            ctx(Role.CITY_HRSS),
            name="x",
            role=Role.VENUE,
            authority="jinan",
            employer="",
            key_hash="",
        )


@pytest.mark.parametrize(
    ("role", "authority", "employer", "code"),
    [
        (Role.CITY_WINDOW, "province", "", "role_needs_city"),
        (Role.VENUE, "province", "", "role_needs_city"),
        (Role.PROVINCIAL_WINDOW, "jinan", "", "role_needs_province"),
        (Role.EMPLOYER, "jinan", "", "employer_binding"),
        (Role.CITY_HRSS, "jinan", "91370100MA3C5XYZ12", "employer_binding"),
        (Role.AUDITOR, "shanghai", "", "unknown_authority"),
    ],
)
def test_a_role_that_cannot_work_for_the_authority_given_is_refused(
    role: Role, authority: str, employer: str, code: str
):
    with pytest.raises(InvalidInput) as refused:
        add(role=role, authority=authority, employer=employer)
    assert refused.value.code == code


def test_a_rotated_key_replaces_the_hash_and_is_counted():
    user = add()
    user.rotate_key(ctx(), "bb" * 32)
    assert (user.key_hash, user.key_rotations) == ("bb" * 32, 1)


def test_a_disabled_user_cannot_be_disabled_again_or_given_a_key():
    user = add()
    user.disable(ctx(), "left the bureau")
    assert user.disabled
    with pytest.raises(DomainError) as again:
        user.disable(ctx(), "again")
    assert again.value.code == "user_disabled"
    with pytest.raises(DomainError):
        user.rotate_key(ctx(), "cc" * 32)


def test_every_change_to_a_user_is_an_event_naming_who_made_it():
    user = add()
    user.rotate_key(ctx(actor="second.admin"), "bb" * 32)
    user.disable(ctx(actor="third.admin"), "left")
    events = user.collect_events()
    assert [type(e).__name__ for e in events] == ["UserAdded", "KeyRotated", "UserDisabled"]
    assert [e.ctx.actor for e in events] == ["root.admin", "second.admin", "third.admin"]  # type: ignore[attr-defined]
