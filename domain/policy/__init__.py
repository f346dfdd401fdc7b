"""The policy engine (政策引擎): the four card schemes' rules as data, and pure decisions.

Rules live in ``domain/policy/data/*.toml``, one file per scheme, each rule with a stable
``id``, its ``source`` (seed file and article) and its effective dates; a scheme file holds
its policy versions. Decisions are pure functions of facts and a date; each result names
the deciding rule ids and the version in force, for the event to record.

Item codes: ``<scheme>.<number in the source>`` (``liaocheng.21``), parts
``<item>.<word>`` (``liaocheng.21.films``); see ``catalogue.py``. Dates are business dates,
terms are inclusive (``dates.py``).
"""

from domain.policy.catalogue import service_items
from domain.policy.deadline import add_working_days, is_working_day, issuance_deadline
from domain.policy.eligibility import decide_eligibility
from domain.policy.entitlement import decide_entitlement
from domain.policy.errors import NoPolicyInForce, PolicyDataError
from domain.policy.loader import default_policy, load_policy, parse_policy
from domain.policy.model import Policy, PolicyVersion, ServiceItem, TermBasisKind
from domain.policy.quota import decide_quota
from domain.policy.results import (
    Beneficiary,
    BeneficiaryKind,
    CardSnapshot,
    DeadlineDecision,
    EligibilityDecision,
    EntitlementDecision,
    QuotaDecision,
    RecognitionDecision,
    RevocationDecision,
    TermBasis,
    TermDecision,
    TierRanking,
    UpgradeDecision,
    Usage,
)
from domain.policy.revocation import decide_revocation
from domain.policy.stacking import honours, recognised_as_basis
from domain.policy.term import decide_term, decide_upgrade, extension_term
from domain.policy.tiers import is_higher_tier, tier_rank, tier_ranking
from domain.policy.versions import policy_versions, version_in_force

__all__ = [
    "Beneficiary",
    "BeneficiaryKind",
    "CardSnapshot",
    "DeadlineDecision",
    "EligibilityDecision",
    "EntitlementDecision",
    "NoPolicyInForce",
    "Policy",
    "PolicyDataError",
    "PolicyVersion",
    "QuotaDecision",
    "RecognitionDecision",
    "RevocationDecision",
    "ServiceItem",
    "TermBasis",
    "TermBasisKind",
    "TermDecision",
    "TierRanking",
    "UpgradeDecision",
    "Usage",
    "add_working_days",
    "decide_eligibility",
    "decide_entitlement",
    "decide_quota",
    "decide_revocation",
    "decide_term",
    "decide_upgrade",
    "default_policy",
    "extension_term",
    "honours",
    "is_higher_tier",
    "is_working_day",
    "issuance_deadline",
    "load_policy",
    "parse_policy",
    "policy_versions",
    "recognised_as_basis",
    "service_items",
    "tier_rank",
    "tier_ranking",
    "version_in_force",
]
