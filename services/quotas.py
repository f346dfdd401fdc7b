"""Project and enterprise quotas (名额): how many cards a scope holds against its limit,
and the case-by-case decisions (一事一议) that raise a limit."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import msgspec

from domain.clock import Clock, business_date
from domain.errors import InvalidInput
from domain.policy import decide_quota
from domain.quota import CardQuota, QuotaScope, quota_scope
from domain.values import Basis
from domain.vocabulary import Scheme
from ledger import commands as c
from ledger.app import CardLedger


class QuotaState(msgspec.Struct, frozen=True, kw_only=True):
    """A quota as of today: its key, the engine's reading of it and the cards holding it."""

    key: str
    reason: str
    holders: tuple[UUID, ...]
    limit_raised_to: int | None
    version: int


class QuotaService:
    """Quota queries and decisions."""

    def __init__(self, ledger: CardLedger, clock: Clock) -> None:
        self._ledger = ledger
        self._clock = clock

    def show(
        self, scheme: Scheme, category: str, project_id: str = "", enterprise_id: str = ""
    ) -> QuotaState:
        """The quota a card of this category and project/enterprise is counted against."""
        today = business_date(self._clock())
        basis = Basis(category=category, project_id=project_id, enterprise_id=enterprise_id)
        scope = quota_scope(scheme, basis, today)
        if scope is None:
            raise InvalidInput(f"no quota applies to {scheme} {category} cards")
        return _state(scope, self._ledger.get_quota(scope), today)

    def raise_limit(self, body: c.QuotaRaiseBody) -> QuotaState:
        """Record a case-by-case decision raising a quota; the quota afterwards."""
        quota = self._ledger.raise_quota(body)
        return _state(quota.scope, quota, business_date(self._clock()))


def _state(scope: QuotaScope, quota: CardQuota | None, today: date) -> QuotaState:
    holders = tuple(quota.holders) if quota else ()
    raised = quota.raised_to if quota else None
    decision = decide_quota(
        scope.scheme, scope.category, len(holders), today, case_by_case_quota=raised
    )
    return QuotaState(
        key=scope.key,
        reason=decision.reason,
        holders=holders,
        limit_raised_to=raised,
        version=quota.version if quota else 0,
    )
