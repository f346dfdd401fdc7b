"""Users and their API keys (``talentcard users …``, the administrator's HTTP routes), and
authentication: from a Bearer key to the ``Principal`` every command acts as.

A key is ``tck1.<user id>.<secret>``: the user id says whose it is, so checking a key is
one aggregate load and one HMAC-SHA256 (microseconds), with no table of keys to search;
the secret is 256 random bits. The store keeps only the keyed hash of the whole key, so a
copy of the events gives nothing to log in with, nor anything to test guesses against
without the registry key.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import secrets
import socket
from uuid import UUID

import msgspec

from domain.errors import DomainError, InvalidInput, NotAuthorised
from domain.user import PROVINCE, Principal, UserAccount, user_id
from domain.vocabulary import Role
from ledger.app import CardLedger

KEY_PREFIX = "tck1"
KEY_MAX_CHARS = 120  # a key is 4 + 1 + 32 + 1 + 43 = 81 characters
_SECRET_BYTES = 32


class NotAuthenticated(DomainError):
    """No key, a malformed key, an unknown or replaced key, or a disabled user (401). The
    message never says which, so a caller cannot probe for users."""

    code = "not_authenticated"


class UserRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A user as listed: never its key, nor its key's hash."""

    name: str
    role: Role
    authority: str
    employer: str
    disabled: bool
    added_by: str
    key_rotations: int


class IssuedKey(msgspec.Struct, frozen=True, kw_only=True):
    """A new key, shown once: it is not stored and cannot be shown again."""

    user: UserRecord
    key: str


def host_administrator() -> str:
    """Who runs ``talentcard users`` on the server host with the store's credentials (the
    bootstrap path, as ``createuser`` is for PostgreSQL): the operating-system user and
    host, recorded as the acting administrator."""
    return f"{getpass.getuser()}@{socket.gethostname()} (server host)"


class UserService:
    """Use cases on users and keys."""

    def __init__(self, ledger: CardLedger) -> None:
        self._ledger = ledger
        self._pepper = ledger.derived_secret("api-keys")

    def add(
        self,
        by: Principal | None,
        *,
        name: str,
        role: Role,
        authority: str,
        employer: str = "",
    ) -> IssuedKey:
        """Add a user; its key is returned once. ``by``: the administrator acting, or
        None for the server host's bootstrap path."""
        _check_manages_users(by)
        key = self._new_key(user_id(name))
        actor, acting_role = _acting(by)
        user = self._ledger.add_user(
            by=actor,
            role=acting_role,
            name=name,
            user_role=role,
            authority=authority,
            employer=employer.strip(),
            key_hash=self._hash(key),
        )
        return IssuedKey(user=_record(user), key=key)

    def rotate_key(self, by: Principal | None, name: str) -> IssuedKey:
        """Give a user a new key; the old one stops working at once."""
        _check_manages_users(by)
        user = self._ledger.require_user(name)
        key = self._new_key(user.id)
        actor, acting_role = _acting(by)
        user = self._ledger.rotate_user_key(
            by=actor, role=acting_role, name=name, key_hash=self._hash(key)
        )
        return IssuedKey(user=_record(user), key=key)

    def disable(self, by: Principal | None, name: str, reason: str = "") -> UserRecord:
        """Disable a user for good."""
        _check_manages_users(by)
        actor, acting_role = _acting(by)
        return _record(
            self._ledger.disable_user(by=actor, role=acting_role, name=name, reason=reason)
        )

    def list(self, by: Principal | None = None) -> list[UserRecord]:
        """Every user, in the order added, for an administrator (or the server host) and
        the provincial auditor; a city's auditor lists its own authority's users. Who could
        act is part of the audit; the auditor reads the same record an administrator does
        (never a key or its hash) and changes nothing."""
        _check_reads_users(by)
        users = self._ledger.users()
        if by is not None and by.role is Role.AUDITOR and by.authority != PROVINCE:
            users = [u for u in users if u.authority == by.authority]
        return [_record(u) for u in users]

    def authenticate(self, key: str) -> Principal:
        """The user a Bearer key belongs to, or NotAuthenticated."""
        uid = _key_user(key)
        user = None if uid is None else self._ledger.get_user(uid)
        if user is None or user.disabled or not hmac.compare_digest(user.key_hash, self._hash(key)):
            raise NotAuthenticated("the API key is missing, unknown, replaced or disabled")
        return user.principal()

    def _new_key(self, uid: UUID) -> str:
        return f"{KEY_PREFIX}.{uid.hex}.{secrets.token_urlsafe(_SECRET_BYTES)}"

    def _hash(self, key: str) -> str:
        return hmac.new(self._pepper, key.encode(), hashlib.sha256).hexdigest()


def _key_user(key: str) -> UUID | None:
    if len(key) > KEY_MAX_CHARS:
        return None
    prefix, _, rest = key.partition(".")
    hex_id, _, secret = rest.partition(".")
    if prefix != KEY_PREFIX or len(hex_id) != 32 or not secret:
        return None
    try:
        return UUID(hex=hex_id)
    except ValueError:
        return None


def _check_manages_users(by: Principal | None) -> None:
    """Refuse anyone but an administrator (or the server host) before a user is looked up:
    otherwise a 404 for an unknown name and a 403 for a known one would let any key holder
    find out who the users are."""
    if by is not None and by.role is not Role.ADMINISTRATOR:
        raise NotAuthorised(
            f"only an administrator manages users, not a {by.role}",
            rule="users are managed by the administrator",
        )


RULE_READS_USERS = (
    "users are managed by the administrator; the auditor reads who could act "
    "(the audit covers the users, issue 27)"
)


def _check_reads_users(by: Principal | None) -> None:
    """Refuse anyone but an administrator, the server host or an auditor the user list,
    before any user is read."""
    if by is not None and by.role not in (Role.ADMINISTRATOR, Role.AUDITOR):
        raise NotAuthorised(
            f"only an administrator or an auditor lists users, not a {by.role}",
            rule=RULE_READS_USERS,
        )


def _acting(by: Principal | None) -> tuple[str, Role]:
    if by is None:
        return host_administrator(), Role.ADMINISTRATOR
    return by.name, by.role


def _record(user: UserAccount) -> UserRecord:
    return UserRecord(
        name=user.name,
        role=user.role,
        authority=user.authority,
        employer=user.employer,
        disabled=user.disabled,
        added_by=user.added_by,
        key_rotations=user.key_rotations,
    )


def check_key_text(key: str) -> str:
    """A key read from a file or the environment, trimmed; refused when empty."""
    key = key.strip()
    if not key:
        raise InvalidInput("the API key is empty")
    return key
