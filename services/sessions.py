"""Signing in to the staff console (登录) and its server-side sessions (issue 28).

A user signs in with its name and its API key; the key is checked as a Bearer key is
(``services.users``) and goes no further: the browser keeps only a random session token
in an ``HttpOnly`` cookie, and the store keeps only that token's SHA-256. A session ends
on sign-out, after ``idle`` without a request, ``absolute`` after it began, or when its
user is disabled or given a new key (each request looks the user up again).

Failed sign-ins are counted per user name and per client address in the store (shared by
every api process), each under a keyed hash so that the table names no one; past the
limit a sign-in is refused, even with the right key, until the window ends. The refusal
for a wrong name, a wrong key and a disabled user is one message, as for the API.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from uuid import UUID

from domain.clock import Clock
from domain.errors import InvalidInput
from domain.user import Principal, user_id
from ledger.app import CardLedger
from ledger.sessions import SessionStore
from services.refusals import TooManyRefusals
from services.users import NotAuthenticated, UserService

NAME_MAX_CHARS = 100
TOKEN_BYTES = 32


class SignInRefused(NotAuthenticated):
    """The name and key do not sign anyone in (401, as a Bearer key that does not work);
    never says which was wrong."""


REFUSED = "the user name and key do not match a user who may sign in"


class TooManySignIns(TooManyRefusals):
    """Too many failed sign-ins for this user or from this address (429, with the
    seconds to wait, as the filer's refusal limit answers)."""

    code = "too_many_sign_ins"


@dataclass(frozen=True)
class SessionLimits:
    """Timeouts (seconds) and the failed sign-ins allowed per window."""

    idle: int = 30 * 60
    absolute: int = 12 * 3600
    window: int = 15 * 60
    per_user: int = 5
    per_address: int = 20


@dataclass(frozen=True)
class ConsoleSession:
    """A live session: who, its CSRF token, and the token to set as the cookie (only
    when it was just begun)."""

    who: Principal
    csrf: str
    token: str = ""


class SessionService:
    """Sign-in, the session a cookie names, and sign-out."""

    def __init__(
        self,
        ledger: CardLedger,
        users: UserService,
        store: SessionStore,
        clock: Clock,
        limits: SessionLimits | None = None,
    ) -> None:
        self._ledger = ledger
        self._users = users
        self._store = store
        self._clock = clock
        self.limits = limits or SessionLimits()
        self._pepper = ledger.derived_secret("console-sign-ins")

    def _now(self) -> int:
        return int(self._clock().timestamp())

    def sign_in(self, name: str, key: str, address: str) -> ConsoleSession:
        """A new session for the user ``name`` whose key ``key`` is, or SignInRefused
        (TooManySignIns past the limit, checked before the key is)."""
        name = name.strip()
        if not name or len(name) > NAME_MAX_CHARS or not name.isprintable():
            raise InvalidInput(f"the user name must be 1 to {NAME_MAX_CHARS} characters")
        now = self._now()
        window_start = now - self.limits.window
        subjects = (
            (self._subject("user", name.casefold()), self.limits.per_user),
            (self._subject("address", address), self.limits.per_address),
        )
        for subject, limit in subjects:
            if self._store.failures(subject, window_start) >= limit:
                raise TooManySignIns(
                    "too many failed sign-ins: wait a quarter of an hour and try again",
                    retry_after=self.limits.window,
                )
        try:
            who: Principal | None = self._users.authenticate(key.strip())
        except NotAuthenticated:
            who = None
        if who is None or who.name != name:
            for subject, _ in subjects:
                self._store.fail(subject, now, window_start)
            raise SignInRefused(REFUSED)
        self._store.clear(subjects[0][0])
        token, csrf = secrets.token_urlsafe(TOKEN_BYTES), secrets.token_urlsafe(TOKEN_BYTES)
        self._store.end_stale(now - self.limits.idle, now - self.limits.absolute)
        account = self._ledger.get_user(user_id(who.name))
        generation = account.key_rotations if account is not None else 0
        self._store.add(_hash(token), user_id(who.name).hex, generation, csrf, now)
        return ConsoleSession(who=who, csrf=csrf, token=token)

    def resolve(self, token: str) -> ConsoleSession | None:
        """The live session the cookie's token names, or None (unknown, ended, timed out,
        or its user disabled since)."""
        if not token or len(token) > 100:
            return None
        token_hash = _hash(token)
        row = self._store.get(token_hash)
        if row is None:
            return None
        now = self._now()
        if now - row.seen_at > self.limits.idle or now - row.started_at > self.limits.absolute:
            self._store.end(token_hash)
            return None
        user = self._ledger.get_user(UUID(hex=row.user_id))
        if user is None or user.disabled or user.key_rotations != row.key_generation:
            self._store.end(token_hash)
            return None
        if now - row.seen_at >= 60:  # one write a minute per session, not one per request
            self._store.touch(token_hash, now)
        return ConsoleSession(who=user.principal(), csrf=row.csrf)

    def sign_out(self, token: str) -> None:
        """End the session on the server: the cookie no longer signs anyone in."""
        if token and len(token) <= 100:
            self._store.end(_hash(token))

    def _subject(self, kind: str, value: str) -> str:
        digest = hmac.new(self._pepper, f"{kind}:{value}".encode(), hashlib.sha256)
        return f"{kind}:{digest.hexdigest()}"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
