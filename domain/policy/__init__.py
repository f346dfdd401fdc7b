"""The policy engine (政策引擎): the four card schemes' rules as data, and pure decisions.

Rules live in ``domain/policy/data/*.toml``, one file per scheme, each rule with a stable
``id``, its ``source`` (seed file and article) and its effective dates; a scheme file holds
its policy versions. Decisions are pure functions of facts and a date; each result names
the deciding rule ids and the version in force, for the event to record.

Item codes: ``<scheme>.<number in the source>`` (``liaocheng.21``), parts
``<item>.<word>`` (``liaocheng.21.films``); see ``catalogue.py``. Dates are business dates,
terms are inclusive (``dates.py``).
"""

from domain.policy.amendment import (
    AmendmentRoles,
    amendment_roles,
    check_amendment_decider,
    check_amendment_filer,
)
from domain.policy.catalogue import responsible_units, service_items
from domain.policy.deadline import add_working_days, is_working_day, issuance_deadline
from domain.policy.eligibility import decide_eligibility
from domain.policy.entitlement import decide_entitlement
from domain.policy.errors import NoPolicyInForce, PolicyDataError
from domain.policy.filing import check_filer, filer_roles
from domain.policy.issuers import IssuerRoles, check_issuer, issuer_roles
from domain.policy.levels import facts_with_level, level_rule
from domain.policy.lifecycle import lifecycle_decision
from domain.policy.loader import default_policy, load_policy, parse_policy, using_policy
from domain.policy.model import Policy, PolicyVersion, ServiceItem, TermBasisKind
from domain.policy.quota import decide_quota
from domain.policy.results import (
    Beneficiary,
    BeneficiaryKind,
    CardSnapshot,
    CredentialEvidence,
    DeadlineDecision,
    EligibilityDecision,
    EntitlementDecision,
    InterimAuthority,
    ProcedureStep,
    QuotaDecision,
    RecognitionDecision,
    RevocationAction,
    RevocationProcedure,
    RevocationStepDecision,
    Sex,
    StepTaken,
    TermBasis,
    TermDecision,
    TierRanking,
    UpgradeDecision,
    Usage,
)
from domain.policy.revocation import (
    decide_revocation_step,
    interim_authority,
    next_step,
    revocation_procedure,
)
from domain.policy.stacking import facts_from_credentials, recognised_as_basis
from domain.policy.term import (
    decide_term,
    decide_upgrade,
    extension_term,
    upgrade_route,
    upgrades_by_category,
)
from domain.policy.tiers import is_higher_tier, tier_rank, tier_ranking
from domain.policy.usage import (
    Balance,
    balance_of,
    counted_limits,
    first_month_of_age,
    payer_roles,
    rule_source,
)
from domain.policy.versions import policy_versions, version_in_force

__all__ = [
    "AmendmentRoles",
    "Balance",
    "Beneficiary",
    "BeneficiaryKind",
    "CardSnapshot",
    "CredentialEvidence",
    "DeadlineDecision",
    "EligibilityDecision",
    "EntitlementDecision",
    "InterimAuthority",
    "IssuerRoles",
    "NoPolicyInForce",
    "Policy",
    "PolicyDataError",
    "PolicyVersion",
    "ProcedureStep",
    "QuotaDecision",
    "RecognitionDecision",
    "RevocationAction",
    "RevocationProcedure",
    "RevocationStepDecision",
    "ServiceItem",
    "Sex",
    "StepTaken",
    "TermBasis",
    "TermBasisKind",
    "TermDecision",
    "TierRanking",
    "UpgradeDecision",
    "Usage",
    "add_working_days",
    "amendment_roles",
    "balance_of",
    "check_amendment_decider",
    "check_amendment_filer",
    "check_filer",
    "check_issuer",
    "counted_limits",
    "decide_eligibility",
    "decide_entitlement",
    "decide_quota",
    "decide_revocation_step",
    "decide_term",
    "decide_upgrade",
    "default_policy",
    "extension_term",
    "facts_from_credentials",
    "facts_with_level",
    "filer_roles",
    "first_month_of_age",
    "interim_authority",
    "is_higher_tier",
    "is_working_day",
    "issuance_deadline",
    "issuer_roles",
    "level_rule",
    "lifecycle_decision",
    "load_policy",
    "next_step",
    "parse_policy",
    "payer_roles",
    "policy_versions",
    "recognised_as_basis",
    "responsible_units",
    "revocation_procedure",
    "rule_source",
    "service_items",
    "tier_rank",
    "tier_ranking",
    "upgrade_route",
    "upgrades_by_category",
    "using_policy",
    "version_in_force",
]
