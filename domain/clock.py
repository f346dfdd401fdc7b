"""Business time. Instants are stored in UTC; business dates are dates in Asia/Shanghai.

China has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact for
every date the registry can meet and needs no time-zone database on the machine.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

from domain.errors import InvalidInput

SHANGHAI_OFFSET = timedelta(hours=8)
SHANGHAI = timezone(SHANGHAI_OFFSET, "Asia/Shanghai")

Clock = Callable[[], datetime]
"""Returns the current instant (timezone-aware). Injected; domain code never reads the time."""


def business_date(instant: datetime) -> date:
    """The Asia/Shanghai calendar date of an instant (a card's dates are business dates)."""
    if instant.tzinfo is None:
        raise ValueError("instant must be timezone-aware")
    return instant.astimezone(SHANGHAI).date()


def as_utc(instant: datetime) -> datetime:
    """The same instant in UTC; refuses naive datetimes rather than guessing their zone."""
    if instant.tzinfo is None:
        raise ValueError("instant must be timezone-aware")
    try:
        return instant.astimezone(UTC)
    except OverflowError:  # 0001-01-01 in Shanghai is still 0000 in UTC
        raise InvalidInput(
            f"instant {instant.isoformat()} is outside the range of dates",
            code="instant_out_of_range",
        ) from None


def anniversary(start: date, years: int) -> date:
    """The date ``years`` years after ``start`` (29 February → 1 March in common years).
    Here rather than in the policy package so the offline verifier, which imports nothing
    of the engine, counts years exactly as the engine does."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February in a common year
        return date(start.year + years, 3, 1)
