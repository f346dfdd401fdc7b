"""The policy rules, read and tried: versions in force, a scheme's rules as loaded, and a
trial decision: on given facts, or on exactly what ``card apply`` and ``card issue`` take,
decided by the same domain code and written nowhere."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from datetime import date, datetime, time

import msgspec

from domain.card import Admission, Card
from domain.clock import SHANGHAI, Clock, business_date
from domain.errors import InvalidInput
from domain.policy import (
    NoPolicyInForce,
    decide_eligibility,
    decide_term,
    default_policy,
    facts_from_credentials,
    policy_versions,
    version_in_force,
)
from domain.policy.model import JointStage as JointStage  # re-exported for the adapters
from domain.policy.model import PolicyVersion, SchemeData
from domain.policy.results import CredentialEvidence, EligibilityDecision, TermBasis
from domain.policy.results import TermDecision as TermDecision  # re-exported
from domain.values import Context
from domain.vocabulary import Scheme
from ledger.commands import ApplyBody, IssueBody, IssueRequest
from ledger.filing import filing_of

BASIS_REQUIRED = "basis_required"


class TrialDecision(msgspec.Struct, frozen=True, kw_only=True):
    """What the engine decides for facts on a day: eligibility and, if eligible, the term."""

    eligibility: EligibilityDecision
    term: TermDecision | None
    term_needs: str = ""  # why no term could be decided from the facts alone


class ApplyTrial(msgspec.Struct, frozen=True, kw_only=True):
    """What ``card apply`` would decide for a body on a day (route, stages, intake, joint
    stages, tier, filer rule: the admission) and, with ``card issue``'s bases, the term."""

    admission: Admission
    term: TermDecision | None
    term_needs: str = ""


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
        term, needs = _term_or_needs(scheme, category, day, (), facts)
        return TrialDecision(eligibility=decision, term=term, term_needs=needs)

    def trial(self, apply: ApplyBody, issue: IssueRequest | None, day: date | None) -> ApplyTrial:
        """Decide ``apply`` as ``card apply`` would on ``day`` (default: now), by the same
        domain code (``Card.file``), and the term ``card issue`` would give with ``issue``'s
        bases. A refusal raises the same ``DomainError`` as the command. Nothing is written;
        the registry's own state (one live card per person, quotas, a card named as basis)
        is not consulted: that is the store's, not the policy's."""
        now = self._clock()
        at = now if day is None else datetime.combine(day, time(12), SHANGHAI)
        ctx = Context(
            actor=apply.actor.strip(),
            role=apply.role,
            effective_at=at,
            recorded_at=now,
            note=apply.note,
        )
        on = business_date(at)
        # Facts a rule reads from a credential are refused typed, as by ``card apply``; a
        # trial body's ``credentials`` stand for what a verified credential would show.
        category = apply.category.strip()
        facts = facts_from_credentials(apply.scheme, category, apply.facts, apply.credentials, on)
        filing = filing_of(apply, secrets.token_bytes(32), facts)
        card = Card.file(ctx, filing)
        bases = tuple(issue.bases) if issue is not None else ()
        read = issue.credentials if isinstance(issue, IssueBody) else ()
        start = issue.valid_from if issue is not None and issue.valid_from else on
        term, needs = _term_or_needs(
            filing.scheme, filing.basis.category, start, bases, filing.basis.facts, read
        )
        return ApplyTrial(admission=card.admission, term=term, term_needs=needs)


def _term_or_needs(
    scheme: Scheme,
    category: str,
    start: date,
    bases: tuple[TermBasis, ...],
    facts: Mapping[str, str | int | float | bool],
    credentials: tuple[CredentialEvidence, ...] = (),
) -> tuple[TermDecision | None, str]:
    """The term the engine gives, or, where the category's term needs a basis the trial
    was not given (Weihai category 1: the 惠才卡's), no term and what it needs. Any other
    refusal is raised, as the command would."""
    try:
        return decide_term(
            scheme, category, start, bases, facts=facts, credentials=credentials
        ), ""
    except InvalidInput as e:
        if e.code != BASIS_REQUIRED:
            raise
        return None, e.message


class FactQuestion(msgspec.Struct, frozen=True, kw_only=True):
    """A fact a category's rules read, as a form asks it: its name, the condition's label,
    the kind of answer (``yes_no``, ``number``, ``date``, ``text``) and the article."""

    name: str
    label: str
    kind: str
    source: str


class CategoryQuestions(msgspec.Struct, frozen=True, kw_only=True):
    """A category in force, with the facts its eligibility rule and review paths read."""

    category: str
    summary: str
    route: str
    tier: str
    source: str
    facts: tuple[FactQuestion, ...]


def _asker(asked: dict[str, FactQuestion]) -> Callable[[str, str, str, str], None]:
    """Add a fact to ``asked`` once (``age`` is computed from the date of birth)."""

    def ask(name: str, label: str, kind: str, source: str) -> None:
        if name and name != "age" and name not in asked:
            asked[name] = FactQuestion(name=name, label=label, kind=kind, source=source)

    return ask


def filing_questions(scheme: Scheme, day: date) -> list[CategoryQuestions]:
    """The categories of ``scheme`` in force on ``day`` and the facts each one's rule
    reads (the application form asks exactly these, each with its article)."""
    from domain.policy.versions import RuleScope

    scope = RuleScope(scheme, day, None)
    paths = scope.rules(scope.data.paths)
    out = []
    for rule in scope.rules(scope.data.categories):
        asked: dict[str, FactQuestion] = {}
        ask = _asker(asked)
        conditions = [*rule.all_of, *(c for alt in rule.any_of for c in alt.all_of)]
        for c in conditions:
            compares = c.at_least is not None or c.greater_than is not None or c.at_most is not None
            ask(c.fact, c.label, "number" if compares else "yes_no", rule.source)
            ask(c.when, c.when, "yes_no", rule.source)
            ask(c.age_on, c.age_on, "date", rule.source)
            ask(c.in_force_from, c.in_force_from, "date", rule.source)
            ask(c.in_force_until, c.in_force_until, "date", rule.source)
        for path in paths:
            if path.when and path.route is rule.route and (
                not path.categories or rule.category in path.categories
            ):
                ask(path.when, path.when, "yes_no", path.source)
        out.append(
            CategoryQuestions(
                category=rule.category,
                summary=rule.summary,
                route=str(rule.route),
                tier=rule.tier,
                source=rule.source,
                facts=tuple(asked.values()),
            )
        )
    return out
