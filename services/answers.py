"""The read side's answer types, gathered for the delivery layer (the HTTP app declares
them as its responses; it reaches the registry only through services)."""

from __future__ import annotations

from ledger.importing import ImportReport
from ledger.views import CardView, EventView, PublicCardView
from projections.audit_trail import AuditRow
from projections.card_current import CardPage, CardRow
from projections.engine import ProjectionStatus
from projections.entitlements import BenefitBalance, Entitlement
from projections.statistics import FileDeadline
from services.benefits import ReversalReceipt, UseReceipt
from services.employers import EmployerRecord, EmployerRegistration
from services.quotas import QuotaState
from services.users import IssuedKey, UserRecord

__all__ = [
    "AuditRow",
    "BenefitBalance",
    "CardPage",
    "CardRow",
    "CardView",
    "EmployerRecord",
    "EmployerRegistration",
    "Entitlement",
    "EventView",
    "FileDeadline",
    "ImportReport",
    "IssuedKey",
    "ProjectionStatus",
    "PublicCardView",
    "QuotaState",
    "ReversalReceipt",
    "UseReceipt",
    "UserRecord",
]
