"""Project and enterprise quotas (名额): how many cards a scope holds against its limit,
and the case-by-case decisions (一事一议) that raise a limit."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import msgspec

from domain.clock import Clock, business_date
from domain.errors import InvalidInput, NotAuthorised
from domain.jurisdiction import PUBLIC_FACE_ROLES, check_reads_files
from domain.policy import decide_quota
from domain.quota import CardQuota, QuotaScope, quota_scope
from domain.user import PROVINCE, Principal
from domain.values import Basis
from domain.vocabulary import Role, Scheme
from ledger import commands as c
from ledger.app import CardLedger
from services.access import acting


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
        self,
        who: Principal,
        scheme: Scheme,
        category: str,
        project_id: str = "",
        enterprise_id: str = "",
    ) -> QuotaState:
        """The quota a card of this category and project/enterprise is counted against,
        for a user of the scheme's own authority."""
        _check_quota_authority(who, scheme)
        today = business_date(self._clock())
        basis = Basis(category=category, project_id=project_id, enterprise_id=enterprise_id)
        scope = quota_scope(scheme, basis, today)
        if scope is None:
            raise InvalidInput(f"no quota applies to {scheme} {category} cards")
        return _state(scope, self._ledger.get_quota(scope), today)

    def raise_limit(self, who: Principal, request: c.QuotaRaiseRequest) -> QuotaState:
        """Record a case-by-case decision raising a quota, as ``who`` (the domain admits
        the talent office's); the quota afterwards."""
        _check_quota_authority(who, request.scheme)
        quota = self._ledger.raise_quota(acting(request, c.QuotaRaiseBody, who))
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


# Who files an application: an applicant, an employer's commissioner or a target
# enterprise. Each sees its own files only (domain.jurisdiction), and a quota lists every
# card counted against it, so a filer reads none.
_FILER_ROLES = frozenset({Role.APPLICANT, Role.EMPLOYER, Role.ENTERPRISE})


def _check_quota_authority(who: Principal, scheme: Scheme) -> None:
    """A scheme's quotas are its own authority's business (and the province's auditors')."""
    check_reads_files(who)
    if who.role in _FILER_ROLES:
        raise NotAuthorised(
            f"a {who.role} reads its own files, not a quota: a quota names the cards "
            "counted against it, which are not a filer's to know of",
            rule="quotas are the officials' and the proposing department's (weihai-2023 part 1)",
        )
    if who.role in PUBLIC_FACE_ROLES or who.authority not in (
        str(scheme) if scheme is not Scheme.SHANDONG else PROVINCE,
        PROVINCE if who.role is Role.AUDITOR else "",
    ):
        raise NotAuthorised(
            f"the quotas of {scheme} cards are not a {who.role} of {who.authority}'s business",
            rule="a file belongs to its scheme, city and level (jurisdiction)",
        )
