"""Users of the registry (用户): who they are, the role they act in, the authority they
act for, and the hash of their current API key. Users are event-sourced like cards, so
the audit trail shows who added, disabled or re-keyed whom, and when.

A user has one role and one authority for life: a clerk who moves from the Weihai city
window to the provincial window is a new user, so every event a user ever recorded was
recorded in the role and for the authority the user still has.
"""

from __future__ import annotations

import unicodedata
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import IllegalTransition, InvalidInput, NotAuthorised
from domain.text import normalise_name
from domain.values import Context, Value
from domain.vocabulary import Role

_NAMESPACE = UUID("5f0b8a53-1c1e-4d0e-9d38-7b8f3e4f2a11")

PROVINCE = "province"  # 省级: the provincial bodies (the provincial window, its expert panel …)

# Shandong's sixteen prefecture-level cities (地级市), by the names the schemes use. A city
# window of any of them passes 惠才卡 files up (shandong-provincial-service-standard 7.1:
# 逐级提报); three of them also issue cards of their own (Weihai, Liaocheng, Jinan).
CITIES: tuple[str, ...] = (
    "jinan",  # 济南
    "qingdao",  # 青岛
    "zibo",  # 淄博
    "zaozhuang",  # 枣庄
    "dongying",  # 东营
    "yantai",  # 烟台
    "weifang",  # 潍坊
    "jining",  # 济宁
    "taian",  # 泰安
    "weihai",  # 威海
    "rizhao",  # 日照
    "linyi",  # 临沂
    "dezhou",  # 德州
    "liaocheng",  # 聊城
    "binzhou",  # 滨州
    "heze",  # 菏泽
)
AUTHORITIES: tuple[str, ...] = (PROVINCE, *CITIES)

# Roles that work for one city only: windows below the province, the city's own bureaus,
# and the venues and paying offices of the city.
CITY_ROLES = frozenset(
    {
        Role.COUNTY_WINDOW,
        Role.CITY_WINDOW,
        Role.DISTRICT,
        Role.TALENT_INSTITUTE,
        Role.CITY_HRSS,
        Role.INVESTMENT_DEPARTMENT,
        Role.VENUE,
        Role.PAYING_OFFICE,
    }
)
# Roles that exist only at the province.
PROVINCE_ROLES = frozenset({Role.PROVINCIAL_WINDOW})
# Roles bound to one organisation by its unified social credit code (统一社会信用代码): the
# employer's service commissioner (单位专员) and the target enterprise see only the files
# they sponsor.
ORGANISATION_ROLES = frozenset({Role.EMPLOYER, Role.ENTERPRISE})


def user_id(name: str) -> UUID:
    """The user's id: one per name (NFC, case-folded), so a name cannot be added twice."""
    return uuid5(_NAMESPACE, unicodedata.normalize("NFC", name.strip()).casefold())


class Principal(Value, frozen=True):
    """The authenticated user a command acts as (the acting user is never typed)."""

    user_id: UUID
    name: str
    role: Role
    authority: str
    employer: str = ""  # the organisation's credit code for ORGANISATION_ROLES


class UserAccount(Aggregate):
    """A user of the registry and the hash of its current API key."""

    @staticmethod
    def create_id(name: str) -> UUID:
        return user_id(name)

    @classmethod
    def add(
        cls,
        ctx: Context,
        *,
        name: str,
        role: Role,
        authority: str,
        employer: str,
        key_hash: str,
    ) -> UserAccount:
        """Add a user: refused when the role cannot work for that authority or an
        organisation's role names no organisation."""
        _check_administrator(ctx)
        # A user's name is the actor every event it takes records: the same hygiene as
        # any name a command carries (no control or bidi characters, the length limit).
        clean = normalise_name("name", name)
        if not clean:
            raise InvalidInput("name must not be empty")
        if authority not in AUTHORITIES:
            raise InvalidInput(
                f"authority {authority!r} is neither {PROVINCE!r} nor a city of Shandong "
                f"({', '.join(CITIES)})",
                code="unknown_authority",
            )
        if role in CITY_ROLES and authority == PROVINCE:
            raise InvalidInput(
                f"a {role} works for one city; give the city as its authority",
                code="role_needs_city",
            )
        if role in PROVINCE_ROLES and authority != PROVINCE:
            raise InvalidInput(
                f"the {role} works for the province; its authority is {PROVINCE!r}",
                code="role_needs_province",
            )
        if (role in ORGANISATION_ROLES) != bool(employer):
            raise InvalidInput(
                f"a {role} is bound to its organisation: give --employer CREDIT-CODE"
                if role in ORGANISATION_ROLES
                else f"only an employer or enterprise names an organisation, not a {role}",
                code="employer_binding",
            )
        return cls(
            ctx=ctx,
            name=clean,
            role=role,
            authority=authority,
            employer=employer,
            key_hash=key_hash,
        )

    class UserAdded(Aggregate.Created):
        """A user was added with its role, authority and key hash."""

        ctx: Context
        name: str
        role: Role
        authority: str
        employer: str
        key_hash: str

    @event(UserAdded)
    def __init__(
        self,
        ctx: Context,
        name: str,
        role: Role,
        authority: str,
        employer: str,
        key_hash: str,
    ) -> None:
        self.name = name
        self.role = role
        self.authority = authority
        self.employer = employer
        self.key_hash = key_hash
        self.added_by = ctx.actor
        self.added_at = ctx.recorded_at
        self.disabled = False
        self.key_rotations = 0

    def principal(self) -> Principal:
        """Who this user acts as."""
        return Principal(
            user_id=self.id,
            name=self.name,
            role=self.role,
            authority=self.authority,
            employer=self.employer,
        )

    def disable(self, ctx: Context, reason: str) -> None:
        """Disable the user for good: its key stops working and it cannot be re-enabled
        (add a new user); its past events keep its name."""
        _check_administrator(ctx)
        if self.disabled:
            raise IllegalTransition(f"user {self.name} is already disabled", code="user_disabled")
        self._disabled(ctx=ctx, reason=reason)

    class UserDisabled(Aggregate.Event):
        """The user was disabled for good."""

        ctx: Context
        reason: str

    @event(UserDisabled)
    def _disabled(self, ctx: Context, reason: str) -> None:
        self.disabled = True

    def rotate_key(self, ctx: Context, key_hash: str) -> None:
        """Replace the user's key: the old one stops working at once."""
        _check_administrator(ctx)
        if self.disabled:
            raise IllegalTransition(
                f"user {self.name} is disabled; add a new user instead", code="user_disabled"
            )
        self._key_rotated(ctx=ctx, key_hash=key_hash)

    class KeyRotated(Aggregate.Event):
        """The user's key was replaced."""

        ctx: Context
        key_hash: str

    @event(KeyRotated)
    def _key_rotated(self, ctx: Context, key_hash: str) -> None:
        self.key_hash = key_hash
        self.key_rotations += 1


def _check_administrator(ctx: Context) -> None:
    if ctx.role is not Role.ADMINISTRATOR:
        raise NotAuthorised(
            f"only an administrator manages users, not a {ctx.role}",
            rule="users are managed by the administrator",
        )
