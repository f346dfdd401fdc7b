"""Statistics (统计) and issuance deadlines (办理时限): files counted by scheme, tier,
status, authority and month, and the files whose deadline passed without an issue.

"Expired" and "overdue" are decided here, as of the registry's today, from the dates the
read model stores: the rows themselves never change with the clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from domain.clock import Clock, business_date
from domain.errors import InvalidInput
from projections.engine import ReadModels
from projections.statistics import GROUPS, FileDeadline

_STATS = ("statistics",)


class StatisticsService:
    """Counts and deadlines, over a read model caught up with the log."""

    def __init__(self, read_models: Callable[[], ReadModels], clock: Clock) -> None:
        self._read_models = read_models
        self._clock = clock

    @property
    def groups(self) -> tuple[str, ...]:
        """What files can be counted by."""
        return tuple(GROUPS)

    def today(self) -> date:
        """The registry's business date."""
        return business_date(self._clock())

    def counts(self, by: str, as_of: date | None = None) -> dict[str, int]:
        """How many files per value of ``by`` as of a date (default today)."""
        if by not in GROUPS:
            raise InvalidInput(f"cannot count by {by!r} (one of {', '.join(GROUPS)})")
        models = self._read_models()
        models.catch_up(_STATS)
        return models.statistics.counts(by, as_of=as_of or self.today())

    def deadlines(self, as_of: date | None = None) -> list[FileDeadline]:
        """Every file whose deadline clock has started, with its state on a date."""
        models = self._read_models()
        models.catch_up(_STATS)
        return models.statistics.deadlines(as_of or self.today())

    def overdue(self, as_of: date | None = None) -> list[FileDeadline]:
        """Files not issued by their deadline, as of a date (default today)."""
        models = self._read_models()
        models.catch_up(_STATS)
        return models.statistics.overdue(as_of or self.today())
