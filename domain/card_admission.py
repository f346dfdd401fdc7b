"""A card's admission (受理): whether an application may be filed, and what decides it.

Filing checks the application's own data, then asks the policy engine on the filing date
for eligibility, route, stages and tier, and checks that the one filing may file it. The
decision is recorded as the Card's ``Admission`` (domain.card, where its stored name is).
"""

from __future__ import annotations

from typing import TypedDict

from domain import policy
from domain.clock import business_date
from domain.errors import IllegalTransition, InvalidInput
from domain.policy.model import JointStage
from domain.text import check_text
from domain.values import Application, Context
from domain.vocabulary import ReviewStage, Role, Route, SponsorKind


class Admitted(TypedDict):
    """What the engine decided for an eligible application, as ``domain.card.Admission``
    records it (the quota it counts against is the filer's to name)."""

    route: Route
    required_stages: tuple[ReviewStage, ...]
    tier: str
    reason: str
    rules: tuple[str, ...]
    policy_version: str
    intake: Role | None
    intake_before: ReviewStage | None
    joint: tuple[JointStage, ...]
    filer_rule: str
    exceptions: tuple[str, ...]


def admit(ctx: Context, application: Application) -> Admitted:
    """Decide an application on the filing date: refused with the failing condition and
    rule named, or when it is filed without the sponsor, evidence or filer its route
    needs."""
    check_application(ctx, application)
    day = business_date(ctx.effective_at)
    decision = policy.decide_eligibility(
        application.scheme,
        application.basis.category,
        application.basis.facts,
        day,
        date_of_birth=application.holder.date_of_birth,
    )
    if not decision.eligible or decision.route is None or decision.tier is None:
        raise IllegalTransition(
            decision.reason, code="not_eligible", rule=", ".join(decision.rules)
        )
    check_filing_for_route(decision.route, application)
    filer_rule = policy.check_filer(
        application.scheme,
        application.basis.category,
        ctx.role,
        application.sponsor.kind,
        day,
    )
    return Admitted(
        route=decision.route,
        required_stages=decision.stages,
        tier=decision.tier,
        reason=decision.reason,
        rules=decision.rules,
        policy_version=decision.version,
        intake=decision.intake,
        intake_before=decision.intake_before,
        joint=decision.joint,
        filer_rule=filer_rule or "",
        exceptions=decision.exceptions,
    )


def check_application(ctx: Context, application: Application) -> None:
    """The holder, family and sponsor are named in printable text, the dates of birth are
    in the past, a family member's marital status is dated between the birth and today,
    and the application names its category."""
    holder = application.holder
    today = business_date(ctx.effective_at)
    if not holder.name.strip():
        raise InvalidInput("holder.name must not be empty")
    # Names are shown to reviewers and printed on cards: no control, format or bidi
    # character may reach an event, whichever way the command arrived (domain.text).
    check_text("holder.name", holder.name)
    check_text("sponsor.name", application.sponsor.name)
    if holder.date_of_birth >= today:
        raise InvalidInput(f"holder.date_of_birth {holder.date_of_birth} is not in the past")
    for i, member in enumerate(holder.family):
        if not member.name.strip():
            raise InvalidInput(f"holder.family[{i}].name must not be empty")
        check_text(f"holder.family[{i}].name", member.name)
        if member.date_of_birth > today:
            raise InvalidInput(f"holder.family[{i}].date_of_birth is in the future")
        # A marital status is what a document showed on its day: never ahead of the filing.
        marital = member.marital
        if marital is not None and not member.date_of_birth <= marital.as_of <= today:
            raise InvalidInput(
                f"holder.family[{i}].married_as_of {marital.as_of} is not between the date of "
                f"birth and the filing day ({today})"
            )
    if not application.basis.category.strip():
        raise InvalidInput("basis.category must not be empty")


def check_filing_for_route(route: Route, application: Application) -> None:
    """A reviewed or evaluated application is filed by a sponsor, with evidence (POLICY.md
    "Reviewed issuance": the employer files an application form with evidence)."""
    if route is Route.DIRECT:
        return
    if application.sponsor.kind == SponsorKind.NONE:
        raise InvalidInput(f"a {route} application is filed by a sponsor (sponsor.kind)")
    if not [e for e in application.evidence if e.strip()]:
        raise InvalidInput(f"a {route} application needs evidence references")
