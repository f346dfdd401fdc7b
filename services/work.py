"""My work (待办, issue 28): the files waiting for the signed-in user's role, at its
stage, within its jurisdiction, soonest deadline first, each with the working days left.

The read model (``card_current`` with the ``statistics`` deadlines) finds the candidates
along an index on the status; each candidate's own events then decide whether it waits
for this user today (``domain.work``), so the list never offers a step the command would
refuse for its role or the card's state.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

import msgspec

from domain.clock import Clock, business_date
from domain.deadlines import CONTRACT_CONFIRMERS, WINDOWS
from domain.errors import InvalidInput
from domain.jurisdiction import list_scope
from domain.policy import issuer_roles
from domain.user import Principal
from domain.vocabulary import CardStatus, ReviewStage, Role, Route, Scheme
from domain.work import WorkStep, open_request_events, waiting_step, working_days_left
from ledger.app import CardLedger
from services.personal_data import record_read

if TYPE_CHECKING:
    from projections.engine import ReadModels

PAGE_DEFAULT = 25
PAGE_MAX = 100
# Candidates looked at for one page at most: past this the page ends early, with its
# cursor, so that a role for which few candidates wait costs a bounded time per page.
SCAN_MAX = 400
_CURRENT = ("card_current", "statistics")


class WorkItem(msgspec.Struct, frozen=True, kw_only=True):
    """A file waiting for the user: the step, and its deadline in working days."""

    card_id: str
    scheme: str
    category: str
    route: str
    tier: str
    status: str
    step: WorkStep
    stage: str | None
    holder_name: str | None
    sponsor_name: str
    due_on: str | None
    days_left: int | None  # working days; negative once overdue
    overdue: bool
    deadline_rules: str


class WorkPage(msgspec.Struct, frozen=True, kw_only=True):
    """One page of my work and the cursor of the next (None: the last page)."""

    items: list[WorkItem]
    next_after: str | None


class WorkFilter(msgspec.Struct, frozen=True, kw_only=True):
    """My work's filters: None is any."""

    scheme: Scheme | None = None
    stage: ReviewStage | None = None
    route: Route | None = None
    status: CardStatus | None = None


class WorkService:
    """My work, over the read models caught up with the log."""

    def __init__(
        self, ledger: CardLedger, read_models: Callable[[], ReadModels], clock: Clock
    ) -> None:
        self._ledger = ledger
        self._read_models = read_models
        self._clock = clock

    def today(self) -> date:
        return business_date(self._clock())

    def my_work(
        self,
        who: Principal,
        where: WorkFilter | None = None,
        *,
        limit: int = PAGE_DEFAULT,
        after: str | None = None,
    ) -> WorkPage:
        """One page of the files waiting for ``who``, soonest due first (no deadline
        last); ``after`` is the previous page's ``next_after``."""
        from projections.card_current import CardFilter

        where = where or WorkFilter()
        if not 1 <= limit <= PAGE_MAX:
            raise InvalidInput(f"limit must be between 1 and {PAGE_MAX}, not {limit}")
        within = list_scope(who)
        today = self.today()
        role = who.role
        stages, issuing, requests = chances(role, today)
        if where.stage is not None:  # a stage asked for: reviews at it, nothing else
            stages = tuple(s for s in stages if s == str(where.stage))
            issuing, requests = (), ()
        if where.scheme is not None:
            requests = tuple(r for r in requests if r[0] == str(where.scheme))
        cursor = _cursor(after)
        models = self._read_models()
        models.catch_up(_CURRENT)
        items: list[WorkItem] = []
        scanned = 0
        while len(items) < limit and scanned < SCAN_MAX:
            rows, cursor = models.card_current.waiting(
                stages=stages,
                issuing_schemes=issuing,
                open_requests=requests,
                where=CardFilter(
                    scheme=str(where.scheme) if where.scheme else None,
                    route=str(where.route) if where.route else None,
                    within=within,
                ),
                limit=min(limit * 2, SCAN_MAX - scanned),
                after=cursor,
            )
            scanned += len(rows)
            for row, due_on, rules in rows:
                if where.status is not None and row.status != str(where.status):
                    continue
                step = waiting_step(self._ledger.get_card(UUID(row.card_id)), role, today)
                if step is None:
                    continue
                left = working_days_left(today, date.fromisoformat(due_on)) if due_on else None
                items.append(
                    WorkItem(
                        card_id=row.card_id,
                        scheme=row.scheme,
                        category=row.category,
                        route=row.route,
                        tier=row.tier,
                        status=row.status,
                        step=step,
                        stage=row.next_stage,
                        holder_name=row.holder_name,
                        sponsor_name=row.sponsor_name,
                        due_on=due_on,
                        days_left=left,
                        overdue=left is not None and left < 0,
                        deadline_rules=rules or "",
                    )
                )
                if len(items) == limit:
                    cursor = (due_on or "9999-12-31", row.card_id)
                    break
            if cursor is None:
                break
        named = [UUID(i.card_id) for i in items if i.holder_name is not None]
        record_read(self._ledger, self._clock, who, "my work", named)
        next_after = None if cursor is None else f"{cursor[0]}_{cursor[1]}"
        return WorkPage(items=items, next_after=next_after)


def chances(
    role: Role, today: date
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...]]:
    """What my work asks the read model for, for ``role`` on ``today``: the review
    stages (a window's receipt may be what any stage waits for), the schemes whose
    approved files may wait for it (to issue, receive or confirm a contract), and the
    (scheme, last event) of the open requests it may take a step of."""
    stages = tuple(str(s) for s in ReviewStage if str(s) == str(role))
    if role in WINDOWS:
        stages = tuple(str(s) for s in ReviewStage)
    issuing = tuple(
        str(scheme)
        for scheme in Scheme
        if role in issuer_roles(scheme, "issue", today).roles
        or role in WINDOWS
        or role in CONTRACT_CONFIRMERS
    )
    return stages, issuing, open_request_events(role)


def _cursor(after: str | None) -> tuple[str, str] | None:
    """The (due day, card id) a ``next_after`` names, or InvalidInput."""
    if after is None or after == "":
        return None
    due, _, card = after.partition("_")
    try:
        date.fromisoformat(due)
        UUID(card)
    except ValueError:
        raise InvalidInput("after must be the next_after of the page before") from None
    return due, card
