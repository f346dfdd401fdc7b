"""The audit trail (审计): every event in log order with who acted, in which role, for
which authority, under which rules, and when it took effect and was recorded; queried by
card, actor, authority and dates, and exported whole as CSV or JSON Lines."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import BinaryIO

from domain.errors import InvalidInput
from projections.audit_trail import AuditQuery, AuditRow, write_csv, write_jsonl
from projections.engine import ReadModels
from services.cards import card_uuid

_TRAIL = ("audit_trail",)
_EXPORT_PAGE = 1000
FORMATS = ("csv", "jsonl")


class AuditService:
    """Audit-trail queries and exports, over a read model caught up with the log."""

    def __init__(self, read_models: Callable[[], ReadModels]) -> None:
        self._read_models = read_models  # built on first use, as every service's are

    def query(
        self,
        *,
        card_id: str | None = None,
        actor: str | None = None,
        authority: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> AuditQuery:
        """A query of the trail; a card id must be a UUID, dates in order."""
        if card_id is not None:
            card_id = str(card_uuid(card_id, "card"))
        if since and until and since > until:
            raise InvalidInput(f"since {since} is after until {until}")
        return AuditQuery(
            card_id=card_id, actor=actor, authority=authority, since=since, until=until
        )

    def trail(
        self, query: AuditQuery, *, limit: int, after: int | None = None
    ) -> tuple[list[AuditRow], int | None]:
        """One page of matching events and the cursor for the next (None: no more)."""
        models = self._read_models()
        models.catch_up(_TRAIL)
        return models.audit_trail.trail(query, limit=limit, after=after)

    def export(self, query: AuditQuery, fmt: str, stream: BinaryIO) -> int:
        """Every matching event, in log order, written as ``fmt``; how many."""
        if fmt not in FORMATS:
            raise InvalidInput(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
        self._read_models().catch_up(_TRAIL)
        count = 0

        def counted() -> Iterator[AuditRow]:
            nonlocal count
            for row in self._every(query):
                count += 1
                yield row

        (write_csv if fmt == "csv" else write_jsonl)(counted(), stream)
        return count

    def _every(self, query: AuditQuery) -> Iterator[AuditRow]:
        after: int | None = None
        while True:
            rows, after = self._read_models().audit_trail.trail(
                query, limit=_EXPORT_PAGE, after=after
            )
            yield from rows
            if after is None:
                return
