"""The Card aggregate's lifecycle and invariants, without any store."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from domain.card import Card
from domain.errors import DomainError, InvalidInput, NotAuthorised, ReviewIncomplete
from domain.values import (
    Application,
    Basis,
    Context,
    Extension,
    Holder,
    IdentityRef,
    Issuance,
    Review,
    Sponsor,
    StatusChange,
    Term,
    Upgrade,
)
from domain.vocabulary import (
    CardStatus,
    IdDocumentKind,
    ReviewDecision,
    ReviewStage,
    Role,
    Route,
    Scheme,
    SponsorKind,
)

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


def ctx(role: Role = Role.CITY_HRSS, at: datetime = T0, actor: str = "someone") -> Context:
    return Context(actor=actor, role=role, effective_at=at, note="")


def application(
    scheme: Scheme = Scheme.LIAOCHENG,
    route: Route = Route.REVIEWED,
    category: str = "art5.3",
    **overrides: Any,
) -> Application:
    fields: dict[str, Any] = {
        "scheme": scheme,
        "route": route,
        "basis": Basis(category=category),
        "holder": Holder(
            name="李雷",
            identity=IdentityRef(
                kind=IdDocumentKind.RESIDENT_ID, digest="d", salt="s", last4="002X"
            ),
            date_of_birth=date(1980, 5, 1),
        ),
        "sponsor": Sponsor(kind=SponsorKind.EMPLOYER, name="聊城大学"),
        "evidence": ("doc://1",),
    }
    fields.update(overrides)
    return Application(**fields)


def approve(card: Card, stage: ReviewStage) -> None:
    card.record_review(
        ctx(Role(stage)), Review(stage=stage, decision=ReviewDecision.APPROVED, reviewer="r")
    )


def term(start: date = date(2026, 3, 2), end: date = date(2031, 3, 1)) -> Term:
    return Term(valid_from=start, valid_until=end, basis="5 years")


def issued_card(tier: str = "B", end: date = date(2031, 3, 1)) -> Card:
    card = Card.file(ctx(Role.EMPLOYER), application())
    approve(card, ReviewStage.CITY_HRSS)
    approve(card, ReviewStage.TALENT_OFFICE)
    card.issue(ctx(), Issuance(tier=tier, term=term(end=end)))
    return card


def change() -> StatusChange:
    return StatusChange(reason="violation", proposer="employer", approver="city hrss")


def assert_refused(card: Card, code: str, action: Any) -> None:
    """The command raises a DomainError with ``code`` and leaves the card untouched."""
    card.collect_events()  # what came before is not the point
    version = card.version
    with pytest.raises(DomainError) as info:
        action()
    assert info.value.code == code
    assert card.version == version
    assert card.collect_events() == []


def test_a_card_goes_from_application_through_review_to_issue_upgrade_extension_and_revocation():
    card = issued_card(tier="B")
    card.upgrade(ctx(), Upgrade(tier="A", term=term()))
    card.extend(
        ctx(), Extension(valid_until=date(2032, 3, 1), basis="renewed", evidence=("doc://2",))
    )
    card.revoke(ctx(), change())
    names = [type(e).__name__ for e in card.collect_events()]
    assert names == [
        "Applied",
        "ReviewRecorded",
        "ReviewRecorded",
        "Issued",
        "Upgraded",
        "Extended",
        "Revoked",
    ]
    assert card.tier == "A"
    assert card.term is not None
    assert card.term.valid_until == date(2032, 3, 1)
    assert card.status_on(date(2026, 4, 1)) is CardStatus.REVOKED


def test_issuing_before_the_required_review_stages_is_refused():
    card = Card.file(ctx(Role.EMPLOYER), application())
    approve(card, ReviewStage.CITY_HRSS)
    card.collect_events()
    with pytest.raises(ReviewIncomplete, match="talent_office"):
        card.issue(ctx(), Issuance(tier="B", term=term()))
    assert card.collect_events() == []


def test_a_direct_route_card_can_be_issued_without_reviews():
    card = Card.file(ctx(Role.CITY_HRSS), application(route=Route.DIRECT, category="art5.1"))
    card.issue(ctx(), Issuance(tier="A", term=term()))
    assert card.status_on(date(2026, 3, 2)) is CardStatus.ACTIVE


def test_review_stages_must_decide_in_the_order_the_scheme_sets():
    card = Card.file(ctx(Role.EMPLOYER), application())
    card.collect_events()
    assert_refused(card, "review_out_of_order", lambda: approve(card, ReviewStage.TALENT_OFFICE))


def test_a_review_must_be_recorded_by_the_stage_s_own_role():
    card = Card.file(ctx(Role.EMPLOYER), application())
    with pytest.raises(NotAuthorised):
        card.record_review(
            ctx(Role.TALENT_OFFICE),
            Review(stage=ReviewStage.CITY_HRSS, decision=ReviewDecision.APPROVED, reviewer="x"),
        )


def test_a_returned_review_keeps_the_stage_open():
    card = Card.file(ctx(Role.EMPLOYER), application())
    card.record_review(
        ctx(Role.CITY_HRSS),
        Review(stage=ReviewStage.CITY_HRSS, decision=ReviewDecision.RETURNED, reviewer="x"),
    )
    assert card.next_stage is ReviewStage.CITY_HRSS
    approve(card, ReviewStage.CITY_HRSS)
    assert card.next_stage is ReviewStage.TALENT_OFFICE


def test_a_rejecting_review_closes_the_application_with_a_rejected_event():
    card = Card.file(ctx(Role.EMPLOYER), application())
    card.record_review(
        ctx(Role.CITY_HRSS),
        Review(stage=ReviewStage.CITY_HRSS, decision=ReviewDecision.REJECTED, reviewer="x"),
    )
    assert [type(e).__name__ for e in card.collect_events()][-2:] == ["ReviewRecorded", "Rejected"]
    assert card.status_on(date(2026, 3, 2)) is CardStatus.REJECTED
    assert_refused(card, "application_closed", lambda: approve(card, ReviewStage.CITY_HRSS))


@pytest.mark.parametrize(
    "command",
    [
        lambda c: approve(c, ReviewStage.CITY_HRSS),
        lambda c: c.issue(ctx(), Issuance(tier="B", term=term())),
        lambda c: c.withdraw(ctx(Role.EMPLOYER)),
        lambda c: c.revoke(ctx(), change()),
        lambda c: c.suspend(ctx(), change()),
        lambda c: c.reinstate(ctx(), change()),
    ],
    ids=["review", "issue", "withdraw", "revoke", "suspend", "reinstate"],
)
def test_any_command_on_a_withdrawn_application_is_refused(command: Any):
    card = Card.file(ctx(Role.EMPLOYER), application())
    card.withdraw(ctx(Role.EMPLOYER))
    card.collect_events()
    assert_refused(card, "application_closed", lambda: command(card))


def test_only_the_applicant_side_may_withdraw():
    card = Card.file(ctx(Role.EMPLOYER), application())
    with pytest.raises(NotAuthorised):
        card.withdraw(ctx(Role.CITY_HRSS))


def test_an_issued_card_cannot_be_withdrawn_or_issued_again():
    card = issued_card()
    card.collect_events()
    assert_refused(card, "already_issued", lambda: card.withdraw(ctx(Role.EMPLOYER)))
    assert_refused(
        card, "already_issued", lambda: card.issue(ctx(), Issuance(tier="B", term=term()))
    )


def test_extending_a_revoked_card_is_refused():
    card = issued_card()
    card.revoke(ctx(), change())
    card.collect_events()
    assert_refused(
        card,
        "card_revoked",
        lambda: card.extend(
            ctx(), Extension(valid_until=date(2035, 1, 1), basis="b", evidence=("e",))
        ),
    )


@pytest.mark.parametrize("lower", ["B", "C"])
def test_upgrading_to_the_same_or_a_lower_tier_is_refused(lower: str):
    card = issued_card(tier="B")
    card.collect_events()
    assert_refused(
        card, "tier_not_higher", lambda: card.upgrade(ctx(), Upgrade(tier=lower, term=term()))
    )


def test_upgrading_to_a_tier_the_scheme_does_not_have_is_refused():
    card = issued_card(tier="B")
    with pytest.raises(InvalidInput, match="'S' is not a liaocheng tier"):
        card.upgrade(ctx(), Upgrade(tier="S", term=term()))


def test_revoking_twice_is_refused():
    card = issued_card()
    card.revoke(ctx(), change())
    card.collect_events()
    assert_refused(card, "already_revoked", lambda: card.revoke(ctx(), change()))


def test_a_card_expires_after_its_last_valid_day_without_any_event():
    card = issued_card(end=date(2031, 3, 1))
    assert card.status_on(date(2031, 3, 1)) is CardStatus.ACTIVE
    assert card.status_on(date(2031, 3, 2)) is CardStatus.EXPIRED
    assert "Expired" not in [type(e).__name__ for e in card.collect_events()]


def test_a_card_can_be_upgraded_on_its_last_valid_day_but_not_the_day_after():
    last_day = datetime(2031, 3, 1, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai
    card = issued_card(end=date(2031, 3, 1))
    card.upgrade(
        ctx(at=last_day), Upgrade(tier="A", term=term(date(2031, 3, 1), date(2036, 2, 29)))
    )
    assert card.tier == "A"
    expired = issued_card(end=date(2031, 3, 1))
    expired.collect_events()
    assert_refused(
        expired,
        "card_expired",
        lambda: expired.upgrade(
            ctx(at=last_day + timedelta(minutes=1)), Upgrade(tier="A", term=term())
        ),
    )


def test_a_suspended_card_is_reinstated_and_cannot_be_suspended_twice():
    card = issued_card()
    card.suspend(ctx(), change())
    card.collect_events()
    assert_refused(card, "already_suspended", lambda: card.suspend(ctx(), change()))
    card.reinstate(ctx(), change())
    assert card.status_on(date(2026, 3, 2)) is CardStatus.ACTIVE
    card.collect_events()
    assert_refused(card, "not_suspended", lambda: card.reinstate(ctx(), change()))


def test_a_suspended_card_cannot_be_upgraded_but_can_be_revoked():
    card = issued_card()
    card.suspend(ctx(), change())
    card.collect_events()
    assert_refused(
        card, "card_suspended", lambda: card.upgrade(ctx(), Upgrade(tier="A", term=term()))
    )
    card.revoke(ctx(), change())
    assert card.status_on(date(2026, 3, 2)) is CardStatus.REVOKED


def test_an_extension_must_end_later_and_carry_evidence():
    card = issued_card(end=date(2031, 3, 1))
    card.collect_events()
    assert_refused(
        card,
        "term_not_longer",
        lambda: card.extend(
            ctx(), Extension(valid_until=date(2031, 3, 1), basis="b", evidence=("e",))
        ),
    )
    assert_refused(
        card,
        "invalid_input",
        lambda: card.extend(ctx(), Extension(valid_until=date(2032, 3, 1), basis="b", evidence=())),
    )


def test_a_term_ending_before_it_starts_is_refused():
    card = Card.file(ctx(Role.CITY_HRSS), application(route=Route.DIRECT, category="art5.1"))
    with pytest.raises(InvalidInput, match=r"before term\.valid_from"):
        card.issue(ctx(), Issuance(tier="A", term=term(date(2026, 3, 2), date(2026, 3, 1))))


def test_a_route_the_scheme_does_not_have_is_refused_at_filing():
    with pytest.raises(InvalidInput) as info:
        Card.file(
            ctx(Role.EMPLOYER),
            application(scheme=Scheme.WEIHAI, route=Route.EVALUATED, category="4"),
        )
    assert info.value.code == "route_not_available"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"evidence": ()}, "evidence"),
        ({"sponsor": Sponsor(kind=SponsorKind.NONE)}, "sponsor.kind"),
        ({"basis": Basis(category=" ")}, "basis.category"),
    ],
)
def test_a_reviewed_application_missing_a_field_is_refused_naming_it(overrides: Any, field: str):
    with pytest.raises(InvalidInput, match=field.replace(".", r"\.")):
        Card.file(ctx(Role.EMPLOYER), application(**overrides))


def test_a_holder_born_in_the_future_is_refused():
    holder = application().holder
    future = Holder(name=holder.name, identity=holder.identity, date_of_birth=date(2027, 1, 1))
    with pytest.raises(InvalidInput, match=r"holder\.date_of_birth"):
        Card.file(ctx(Role.EMPLOYER), application(holder=future))


def test_every_event_records_who_acted_in_which_role_when_and_why():
    card = Card.file(
        Context(actor="wang", role=Role.EMPLOYER, effective_at=T0, note="首次申领"), application()
    )
    (applied,) = card.collect_events()
    assert applied.ctx == Context(  # type: ignore[attr-defined]
        actor="wang", role=Role.EMPLOYER, effective_at=T0, note="首次申领"
    )


def test_replaying_the_events_rebuilds_the_same_card():
    card = issued_card()
    card.suspend(ctx(), change())
    events = card.collect_events()
    rebuilt: Card | None = None
    for e in events:
        rebuilt = e.mutate(rebuilt)  # type: ignore[attr-defined]
    assert rebuilt is not None
    assert (rebuilt.tier, rebuilt.term, rebuilt.recorded_status, rebuilt.approved_stages) == (
        card.tier,
        card.term,
        card.recorded_status,
        card.approved_stages,
    )
