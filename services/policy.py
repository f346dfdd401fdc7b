"""The policy rules, read and tried: versions in force, a scheme's rules as loaded, and a
trial decision (eligibility and term) on given facts."""

from __future__ import annotations

from datetime import date

import msgspec

from domain.clock import Clock, business_date
from domain.errors import InvalidInput
from domain.policy import (
    NoPolicyInForce,
    decide_eligibility,
    decide_term,
    default_policy,
    policy_versions,
    version_in_force,
)
from domain.policy.model import PolicyVersion, SchemeData
from domain.policy.results import EligibilityDecision, TermDecision
from domain.vocabulary import Scheme

BASIS_REQUIRED = "basis_required"


class TrialDecision(msgspec.Struct, frozen=True, kw_only=True):
    """What the engine decides for facts on a day: eligibility and, if eligible, the term."""

    eligibility: EligibilityDecision
    term: TermDecision | None
    term_needs: str = ""  # why no term could be decided from the facts alone


class PolicyService:
    """Read-only policy questions, on the registry's clock."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def today(self) -> date:
        """Today's business date, the default day of every question."""
        return business_date(self._clock())

    def rules(self, scheme: Scheme) -> SchemeData:
        """A scheme's rules as loaded from its policy file."""
        return default_policy().scheme(scheme)

    def versions(self, scheme: Scheme) -> tuple[PolicyVersion, ...]:
        """A scheme's policy versions, oldest first."""
        return tuple(policy_versions(scheme))

    def in_force(self, scheme: Scheme, day: date) -> str | None:
        """The id of the version in force on ``day``, or None."""
        try:
            return version_in_force(scheme, day).id
        except NoPolicyInForce:
            return None

    def check(
        self,
        scheme: Scheme,
        category: str,
        facts: dict[str, str | int | float | bool],
        day: date,
        date_of_birth: date | None,
    ) -> TrialDecision:
        """The eligibility and term the engine would decide on ``day``."""
        decision = decide_eligibility(scheme, category, facts, day, date_of_birth=date_of_birth)
        if not decision.eligible:
            return TrialDecision(eligibility=decision, term=None)
        try:
            term = decide_term(scheme, category, day)
        except InvalidInput as e:
            if e.code != BASIS_REQUIRED:  # only "this term needs a basis" is an answer here
                raise
            return TrialDecision(eligibility=decision, term=None, term_needs=e.message)
        return TrialDecision(eligibility=decision, term=term)
