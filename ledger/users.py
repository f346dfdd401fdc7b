"""The users' side of the event store: users are aggregates like cards, in the same log,
so the audit trail shows who added, disabled or re-keyed whom and when. Keys are hashed
by the services before they reach here; the store never sees a key."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from domain.clock import Clock, as_utc
from domain.errors import IllegalTransition
from domain.user import UserAccount, user_id
from domain.values import Context
from domain.vocabulary import Role
from ledger.errors import ConcurrencyConflict
from ledger.signed_application import SignedApplication

# Users are read by scanning the log for their creation events: a registry has hundreds
# of users, read by ``users list`` now and then, never on a request's path.
_USERS_PAGE = 1000


class UserDirectory(SignedApplication):
    """Users' commands and queries over the event store."""

    clock: Clock

    def add_user(
        self,
        *,
        by: str,
        role: Role,
        name: str,
        user_role: Role,
        authority: str,
        employer: str,
        key_hash: str,
    ) -> UserAccount:
        """Add a user with its first key's hash; refused if the name is taken."""
        if self.get_user(user_id(name)) is not None:
            raise IllegalTransition(f"a user named {name!r} exists already", code="user_exists")
        user = UserAccount.add(
            self._user_context(by, role),
            name=name,
            role=user_role,
            authority=authority,
            employer=employer,
            key_hash=key_hash,
        )
        self._save_user(user)
        return user

    def disable_user(self, *, by: str, role: Role, name: str, reason: str) -> UserAccount:
        """Disable a user for good."""
        user = self.require_user(name)
        user.disable(self._user_context(by, role), reason)
        self._save_user(user)
        return user

    def rotate_user_key(self, *, by: str, role: Role, name: str, key_hash: str) -> UserAccount:
        """Replace a user's key hash; the old key stops working."""
        user = self.require_user(name)
        user.rotate_key(self._user_context(by, role), key_hash)
        self._save_user(user)
        return user

    def get_user(self, uid: UUID) -> UserAccount | None:
        """The user with this id, if there is one."""
        return self.find(uid, UserAccount)

    def require_user(self, name: str) -> UserAccount:
        """The user with this name, or an error naming it."""
        user = self.get_user(user_id(name))
        if user is None:
            raise IllegalTransition(f"there is no user named {name!r}", code="unknown_user")
        return user

    def users(self) -> list[UserAccount]:
        """Every user ever added, in the order added."""
        topic = get_topic(UserAccount.UserAdded)
        found: list[UserAccount] = []
        start: int | None = None
        while True:
            page = self.recorder.select_notifications(
                start, _USERS_PAGE, topics=[topic], inclusive_of_start=start is None
            )
            for notification in page:
                user = self.get_user(notification.originator_id)  # type: ignore[arg-type]
                if user is not None:
                    found.append(user)
            if len(page) < _USERS_PAGE:
                return found
            start = page[-1].id

    def _user_context(self, by: str, role: Role) -> Context:
        now = as_utc(self.clock())
        return Context(actor=by, role=role, effective_at=now, recorded_at=now)

    def _save_user(self, user: UserAccount) -> None:
        try:
            self.save(user)
        except IntegrityError:
            raise ConcurrencyConflict(
                f"user {user.name} changed by another command at the same time; "
                "nothing was written, try again"
            ) from None
