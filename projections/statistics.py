"""``statistics`` (统计): one row per file (card) with what it is counted by (scheme,
authority, tier, status, month filed in Asia/Shanghai) and its issuance deadline facts
(办理时限): the clock the rule starts, its start and due dates and working days, from the
last ``Card.DeadlineStarted``, and the issue date; and the month of a spouse's transfer
(Liaocheng art. 13, ``Card.SpouseTransferRecorded``), from its request to its completion.
Whether a file is overdue, or met its deadline, is decided against the caller's date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.authority import authority_of
from domain.card import TRANSITIONS, Card
from domain.card_transfer import SPOUSE_TRANSFER, TransferStep
from domain.clock import business_date
from domain.values import Deadline
from domain.vocabulary import CardStatus
from projections.base import (
    GRANTS,
    IN_FORCE_SQL,
    CardRowModel,
    Table,
    apply_status_and_grant,
    card_key,
    day,
    topics_of,
)

GROUPS = {
    "scheme": "scheme",
    "authority": "authority",
    "tier": "tier",
    "month": "filed_month",
    "status": "status",
}

FILES = Table(
    "rm_statistics_v2",  # v2: the spouse-transfer clock's columns
    (
        ("card_id", "TEXT"),
        ("scheme", "TEXT"),
        ("authority", "TEXT"),
        ("category", "TEXT"),
        ("tier", "TEXT"),
        ("status", "TEXT"),
        ("valid_until", "TEXT"),
        ("filed_on", "TEXT"),
        ("filed_month", "TEXT"),
        ("deadline_clock", "TEXT"),
        ("starts_on", "TEXT"),
        ("due_on", "TEXT"),
        ("working_days", "INTEGER"),
        ("estimated", "INTEGER"),
        ("deadline_rules", "TEXT"),
        ("issued_on", "TEXT"),
        ("transfer_starts_on", "TEXT"),
        ("transfer_due_on", "TEXT"),
        ("transfer_done_on", "TEXT"),
    ),
    key=("card_id",),
)


@dataclass(frozen=True)
class FileDeadline:
    """A file's issuance deadline and how it stands on the day asked about: ``met``
    (issued by ``due_on``), ``missed`` (issued after it), ``overdue`` (not issued, due
    before that day), ``pending`` (not issued, not due yet), ``closed`` (rejected or
    withdrawn before issue) or ``no_fixed_deadline`` (the rule sets no count)."""

    card_id: str
    scheme: str
    authority: str
    status: str
    clock: str
    starts_on: str
    due_on: str | None
    working_days: int | None
    estimated: bool
    issued_on: str | None
    state: str
    # The spouse-transfer clock's (Liaocheng art. 13): the day the transfer was done.
    done_on: str | None = None

    @property
    def late(self) -> bool:
        """Overdue now, or issued after its deadline."""
        return self.state in ("overdue", "missed")


class Statistics(CardRowModel):
    """Counts and deadlines per file."""

    name = "statistics"
    topics = topics_of(
        Card.Applied, *TRANSITIONS, *GRANTS, Card.DeadlineStarted, Card.SpouseTransferRecorded
    )
    tables = (FILES,)
    row_table = FILES

    def filed(self, event: Card.Applied, notification_id: int) -> dict[str, Any]:
        return _filed(event)

    def changed(self, row: dict[str, Any], event: Card.Event) -> None:
        _change(row, event)

    def counts(self, by: str, *, as_of: date) -> dict[str, int]:
        """How many files per scheme, authority, tier, month filed or status; an active or
        suspended card past its valid_until counts as expired on ``as_of``, as
        ``domain.card_status.status_on`` decides (tests/projections/test_status_on_day.py
        holds the SQL to it)."""
        if by not in GROUPS:
            raise ValueError(f"cannot group by {by!r} (one of {', '.join(GROUPS)})")
        column = GROUPS[by]
        if by == "status":
            column = (
                f"CASE WHEN {IN_FORCE_SQL} AND valid_until IS NOT NULL"
                f" AND valid_until < ? THEN '{CardStatus.EXPIRED}' ELSE status END"
            )
        params = [as_of.isoformat()] if by == "status" else []
        sql = (
            f"SELECT {column} AS grp, COUNT(*) FROM {self.view.table(FILES.name)}"  # noqa: S608
            " GROUP BY grp ORDER BY grp"
        )
        with self.view.reading() as cursor:
            return {str(k): int(n) for k, n in self.view.fetch(cursor, sql, params)}

    def deadlines(self, as_of: date) -> list[FileDeadline]:
        """Every file whose deadline clock has started, by due date, with its state on
        ``as_of``."""
        sql = (
            "SELECT card_id, scheme, authority, status, deadline_clock, starts_on, due_on,"  # noqa: S608
            f" working_days, estimated, issued_on FROM {self.view.table(FILES.name)}"
            " WHERE deadline_clock IS NOT NULL ORDER BY due_on, card_id"
        )
        with self.view.reading() as cursor:
            rows = self.view.fetch(cursor, sql)
            transfers = self.view.fetch(cursor, _TRANSFERS_SQL.format(self.view.table(FILES.name)))
        today = as_of.isoformat()
        issuance = [
            FileDeadline(
                card_id=r[0],
                scheme=r[1],
                authority=r[2],
                status=r[3],
                clock=r[4],
                starts_on=r[5],
                due_on=r[6],
                working_days=r[7],
                estimated=bool(r[8]),
                issued_on=r[9],
                state=_state(r[3], r[6], r[9], today),
            )
            for r in rows
        ]
        spouse = [
            FileDeadline(
                card_id=r[0],
                scheme=r[1],
                authority=r[2],
                status=r[3],
                clock=SPOUSE_TRANSFER,
                starts_on=r[4],
                due_on=r[5],
                working_days=None,
                estimated=False,
                issued_on=r[7],
                state=_transfer_state(r[3], r[5], r[6], today),
                done_on=r[6],
            )
            for r in transfers
        ]
        if not spouse:
            return issuance
        return sorted([*issuance, *spouse], key=lambda d: (d.due_on or "", d.card_id))

    def overdue(self, as_of: date) -> list[FileDeadline]:
        """Files not issued by their deadline: overdue on ``as_of``, or issued late."""
        return [d for d in self.deadlines(as_of) if d.late]


def _state(status: str, due_on: str | None, issued_on: str | None, today: str) -> str:
    if issued_on is not None:
        return "no_fixed_deadline" if due_on is None else "met" if issued_on <= due_on else "missed"
    if status in (CardStatus.REJECTED, CardStatus.WITHDRAWN):
        return "closed"
    if due_on is None:
        return "no_fixed_deadline"
    return "overdue" if due_on < today else "pending"


_TRANSFERS_SQL = (
    "SELECT card_id, scheme, authority, status, transfer_starts_on, transfer_due_on,"
    " transfer_done_on, issued_on FROM {} WHERE transfer_starts_on IS NOT NULL"
)


def _transfer_state(status: str, due_on: str, done_on: str | None, today: str) -> str:
    """A spouse's transfer: met or missed once done, overdue or pending until then; closed
    when the card was revoked before it was done (the completion can no longer be recorded
    on it, and nobody owes the month any more)."""
    if done_on is not None:
        return "met" if done_on <= due_on else "missed"
    if status == CardStatus.REVOKED:
        return "closed"
    return "overdue" if due_on < today else "pending"


def _filed(event: Card.Applied) -> dict[str, Any]:
    application = event.application
    filed = business_date(event.ctx.effective_at)
    return {
        "card_id": card_key(event.originator_id),
        "scheme": str(application.scheme),
        "authority": authority_of(application.scheme),
        "category": application.basis.category,
        "tier": event.admission.tier,
        "status": str(Card.Applied.status_after),
        "valid_until": None,
        "filed_on": filed.isoformat(),
        "filed_month": f"{filed:%Y-%m}",
        "deadline_clock": None,
        "starts_on": None,
        "due_on": None,
        "working_days": None,
        "estimated": None,
        "deadline_rules": None,
        "issued_on": None,
        "transfer_starts_on": None,
        "transfer_due_on": None,
        "transfer_done_on": None,
    }


def _change(row: dict[str, Any], event: Card.Event) -> None:
    apply_status_and_grant(row, event)
    match event:
        case Card.Issued(ctx=ctx) if row["issued_on"] is None:
            row["issued_on"] = business_date(ctx.effective_at).isoformat()
        case Card.DeadlineStarted(deadline=deadline):  # the last clock started counts
            _deadline(row, deadline)
        case Card.SpouseTransferRecorded(transfer=transfer):  # the last request counts
            requested = transfer.step == TransferStep.REQUESTED
            row["transfer_starts_on"] = day(transfer.starts_on)
            row["transfer_due_on"] = day(transfer.due_on)
            row["transfer_done_on"] = None if requested else day(transfer.on)


def _deadline(row: dict[str, Any], deadline: Deadline) -> None:
    row["deadline_clock"] = str(deadline.clock)
    row["starts_on"] = day(deadline.starts_on)
    row["due_on"] = day(deadline.due_on)
    row["working_days"] = deadline.working_days  # None: the rule sets no count
    row["estimated"] = int(bool(deadline.estimated))
    row["deadline_rules"] = ",".join(deadline.rules)
