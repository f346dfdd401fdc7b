"""The registry's reports for its officials over the network: counts, the issuance
deadline (SLA) report and the audit trail, each limited to the caller's authority
(``domain.jurisdiction.report_authority``). The server host's operator reads them whole
from the command line (``talentcard stats``, ``talentcard audit``)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from domain.errors import InvalidInput
from domain.jurisdiction import check_reads_reports, report_authority
from domain.user import Principal
from services.audit.trail import AuditService
from services.statistics import StatisticsService

if TYPE_CHECKING:
    from projections.audit_trail import AuditRow
    from projections.statistics import FileDeadline


class ReportService:
    """Reports, each for an official and within its authority."""

    def __init__(self, statistics: StatisticsService, audit: AuditService) -> None:
        self._statistics = statistics
        self._audit = audit

    def counts(self, who: Principal, by: str, as_of: date | None = None) -> dict[str, int]:
        """How many files per value of ``by``: counts only, no file named, so every
        official may compare the cities' numbers."""
        check_reads_reports(who)
        return self._statistics.counts(by, as_of)

    def deadlines(
        self, who: Principal, as_of: date | None = None, *, overdue_only: bool = False
    ) -> list[FileDeadline]:
        """The files whose issuance clock has started (or only the overdue), as of a date,
        of the caller's authority."""
        check_reads_reports(who)
        rows = (
            self._statistics.overdue(as_of) if overdue_only else self._statistics.deadlines(as_of)
        )
        authority = report_authority(who)
        return [r for r in rows if authority is None or r.authority == authority]

    def trail(
        self,
        who: Principal,
        *,
        card_id: str | None = None,
        actor: str | None = None,
        since: date | None = None,
        until: date | None = None,
        limit: int = 100,
        after: int | None = None,
    ) -> tuple[list[AuditRow], int | None]:
        """One page of the audit trail, for the auditor, of its authority."""
        check_reads_reports(who, audit=True)
        if not 1 <= limit <= 1000:
            raise InvalidInput(f"limit must be between 1 and 1000, not {limit}")
        query = self._audit.query(
            card_id=card_id, actor=actor, authority=report_authority(who), since=since, until=until
        )
        return self._audit.trail(query, limit=limit, after=after)
