"""The card's events: a whole lifecycle in order, who acted in every event, and a
replay that rebuilds the same card."""

from __future__ import annotations

from datetime import date

from domain.card import Card
from domain.values import Context, Review
from domain.vocabulary import CardStatus, ReviewDecision, ReviewStage, Role, Scheme
from tests.domain.factories import (
    LANDED,
    T0,
    application,
    change,
    ctx,
    issued_card,
    request_a,
    revoke,
    weihai_business_elite,
)


def test_a_card_goes_from_application_through_review_to_issue_upgrade_and_revocation():
    card = issued_card(Scheme.LIAOCHENG, "art5.3")
    request_a(card)
    card.upgrade(ctx(), "A")
    revoke(card)
    names = [type(e).__name__ for e in card.collect_events()]
    assert names == [
        "Applied",
        "ReviewRecorded",
        "ReviewRecorded",
        "Issued",
        "UpgradeRequested",
        "Upgraded",
        "RevocationProposed",
        "RevocationApproved",  # the same-level window forwards it
        "RevocationApproved",
        "Revoked",
    ]
    assert card.tier == "A"
    assert card.status_on(date(2026, 4, 1)) is CardStatus.REVOKED


def test_every_event_records_who_acted_in_which_role_when_and_why():
    who = Context(
        actor="wang", role=Role.EMPLOYER, effective_at=T0, recorded_at=T0, note="首次申领"
    )
    card = Card.file(who, application())
    (applied,) = card.collect_events()
    assert applied.ctx == who  # type: ignore[attr-defined]


def test_every_event_carries_the_context_of_the_command_that_caused_it():
    def who(role: Role, name: str) -> Context:
        return Context(actor=name, role=role, effective_at=T0, recorded_at=T0, note=name)

    rejected = Card.file(who(Role.EMPLOYER, "a"), application())
    rejected.record_review(
        who(Role.CITY_HRSS, "b"),
        Review(stage=ReviewStage.CITY_HRSS, decision=ReviewDecision.REJECTED, reviewer="r"),
    )
    withdrawn = Card.file(who(Role.EMPLOYER, "c"), application())
    withdrawn.withdraw(who(Role.EMPLOYER, "d"))
    card = weihai_business_elite()
    card.collect_events()
    card.extend(who(Role.CITY_HRSS, "e"), event_on=date(2026, 3, 2), evidence=("x",), shows=LANDED)
    card.suspend(who(Role.CITY_HRSS, "f"), change())
    card.reinstate(who(Role.CITY_HRSS, "g"), change())
    card.propose_revocation(who(Role.EMPLOYER, "h"), reason="r", ground="misconduct")
    card.approve_revocation(who(Role.CITY_WINDOW, "h2"))
    card.decline_revocation(who(Role.CITY_HRSS, "i"), reason="r")
    card.propose_revocation(who(Role.EMPLOYER, "j"), reason="r", ground="left_weihai")
    card.approve_revocation(who(Role.CITY_WINDOW, "k"))
    card.approve_revocation(who(Role.CITY_HRSS, "l"))
    upgraded = issued_card()
    request_a(upgraded)
    upgraded.collect_events()
    upgraded.upgrade(who(Role.CITY_HRSS, "m"), "A")
    events = [*rejected.collect_events()[1:], *withdrawn.collect_events()[1:]]
    events += [*card.collect_events(), *upgraded.collect_events()]
    actors = [e.ctx.actor for e in events]  # type: ignore[attr-defined]
    assert actors == ["b", "b", "d", "e", "f", "g", "h", "h2", "i", "j", "k", "l", "l", "m"]
    rejection = events[1].rejection  # type: ignore[attr-defined]
    assert (rejection.stage, rejection.reviewer) == (ReviewStage.CITY_HRSS, "r")


def test_replaying_the_events_rebuilds_the_same_card():
    card = issued_card(Scheme.JINAN, "C")
    card.suspend(ctx(Role.TALENT_OFFICE), change())
    revoke(card)
    rebuilt: Card | None = None
    for e in card.collect_events():
        rebuilt = e.mutate(rebuilt)  # type: ignore[attr-defined]
    assert rebuilt is not None
    assert (rebuilt.tier, rebuilt.term, rebuilt.recorded_status, rebuilt.admission) == (
        card.tier,
        card.term,
        card.recorded_status,
        card.admission,
    )
