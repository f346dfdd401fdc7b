"""A limit on one refusal that says something of a person: that they already hold a card
in a scheme (409 ``already_holds_card``, domain.reservation). It names no card, city or
sponsor and comes only to a filer allowed to file the application, but it still tells
whether an ID number belongs to a holder; past a few an hour per filer (``services.
settings.HOLDER_REFUSALS_DEFAULT``), the filer's filings are answered 429 whatever they
name, so that the answer to a holder and to anyone else is the same again (issue 23)."""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta
from uuid import UUID

from domain.clock import Clock
from domain.errors import DomainError
from domain.user import Principal

WINDOW = timedelta(hours=1)


class TooManyRefusals(DomainError):
    """The filer has had its share of one-card-per-person refusals this hour (429);
    ``retry_after`` is the seconds until the oldest of them leaves the window."""

    code = "too_many_refusals"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RefusalLimit:
    """The one-card-per-person refusals each filer had in the last hour, in this process
    (read from the injected clock)."""

    def __init__(self, per_hour: int, clock: Clock) -> None:
        self._per_hour = per_hour
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: dict[UUID, deque[datetime]] = {}

    def check(self, who: Principal) -> None:
        """Refuse the filer (429) while it has had ``per_hour`` refusals in the last hour:
        its every filing, so that the 429 does not say which person it names."""
        now = self._clock()
        with self._lock:
            recent = self._recent(who.user_id, now)
            if len(recent) < self._per_hour:
                return
            wait = recent[0] + WINDOW - now
        raise TooManyRefusals(
            f"this user was told {self._per_hour} times in the last hour that a person "
            "already holds a card; it may file again in an hour's time from the first",
            retry_after=max(1, int(wait.total_seconds())),
        )

    def record(self, who: Principal) -> None:
        """Count one refusal answered to the filer."""
        now = self._clock()
        with self._lock:
            self._recent(who.user_id, now).append(now)

    def _recent(self, user_id: UUID, now: datetime) -> deque[datetime]:
        recent = self._seen.setdefault(user_id, deque())
        while recent and recent[0] <= now - WINDOW:
            recent.popleft()
        return recent
