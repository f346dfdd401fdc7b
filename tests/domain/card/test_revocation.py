"""Revocation: a proposal on one of the scheme's grounds, then an approval by each
step's role, every step by another user; a decline closes the proposal."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from domain.clock import business_date
from domain.errors import InvalidInput
from domain.policy import Policy, RevocationAction, parse_policy, using_policy
from domain.policy.loader import package_texts
from domain.vocabulary import CardStatus, Role, Scheme
from tests.domain.factories import (
    T0,
    assert_refused,
    ctx,
    forward,
    issued_card,
    propose,
    reviewed_card,
    revoke,
    weihai_business_elite,
)
from tests.domain.policy.support import without_revocation_rule


def test_revoking_twice_is_refused():
    card = issued_card()
    revoke(card)
    assert_refused(card, "already_revoked", lambda: propose(card))


def test_a_revocation_is_a_proposal_then_an_approval_each_by_its_own_user():
    card = issued_card()
    propose(card, actor="wang")
    forward(card)
    assert card.status_on(date(2026, 3, 2)) is CardStatus.ACTIVE
    card.approve_revocation(ctx(Role.CITY_HRSS, actor="liu"))
    assert card.status_on(date(2026, 3, 2)) is CardStatus.REVOKED
    names = [type(e).__name__ for e in card.collect_events()][-4:]
    assert names == ["RevocationProposed", "RevocationApproved", "RevocationApproved", "Revoked"]


def test_the_revoked_event_lists_every_step_s_user_and_role_the_reason_and_the_rule():
    card = issued_card(Scheme.JINAN, "C")
    card.collect_events()
    propose(card, actor="wang", reason="违纪")
    forward(card)
    card.approve_revocation(ctx(Role.CITY_HRSS, actor="liu"))
    card.approve_revocation(ctx(Role.TALENT_OFFICE, actor="zhao"))
    revoked = card.collect_events()[-1].revocation  # type: ignore[attr-defined]
    assert revoked.reason == "违纪"
    assert [(t.action, t.role, t.actor) for t in revoked.steps] == [
        (RevocationAction.PROPOSE, Role.EMPLOYER, "wang"),
        (RevocationAction.APPROVE, Role.CITY_WINDOW, "qin"),
        (RevocationAction.APPROVE, Role.CITY_HRSS, "liu"),
        (RevocationAction.APPROVE, Role.TALENT_OFFICE, "zhao"),
    ]
    assert (revoked.rules, revoked.policy_version) == (("jinan.revocation",), "jinan-2018")


def test_every_revocation_step_records_the_rule_and_policy_version_that_decided_it():
    card = issued_card(Scheme.JINAN, "C")
    card.collect_events()
    revoke(card)
    payloads = [next(v for k, v in vars(e).items() if k in PAYLOADS) for e in card.collect_events()]
    assert [(p.rules, p.policy_version) for p in payloads] == [
        (("jinan.revocation",), "jinan-2018")
    ] * 5


PAYLOADS = ("proposal", "approval", "decline", "revocation")


def test_a_jinan_revocation_needs_city_hrss_and_then_the_talent_office():
    card = issued_card(Scheme.JINAN, "C")
    propose(card)
    forward(card)
    error = assert_refused(
        card,
        "revocation_step_role",
        lambda: card.approve_revocation(ctx(Role.TALENT_OFFICE, actor="zhao")),
    )
    assert error.rule == "jinan.revocation"
    card.approve_revocation(ctx(Role.CITY_HRSS, actor="liu"))
    assert card.status_on(date(2026, 3, 2)) is CardStatus.ACTIVE
    card.approve_revocation(ctx(Role.TALENT_OFFICE, actor="zhao"))
    assert card.status_on(date(2026, 3, 2)) is CardStatus.REVOKED


def test_a_revocation_proposed_by_a_role_the_scheme_does_not_name_is_refused():
    card = issued_card()
    assert_refused(
        card,
        "revocation_step_role",
        lambda: card.propose_revocation(
            ctx(Role.APPLICANT, actor="li"), reason="r", ground="misconduct"
        ),
    )


def test_an_approval_in_a_role_other_than_the_step_s_is_refused():
    card = issued_card()
    propose(card)
    assert_refused(
        card,
        "revocation_step_role",
        lambda: card.approve_revocation(ctx(Role.EMPLOYER, actor="zhang")),
    )


def test_the_proposer_may_not_approve_their_own_proposal_even_in_the_approving_role():
    card = issued_card()
    propose(card, actor="wang")
    assert_refused(
        card, "self_approval", lambda: card.approve_revocation(ctx(Role.CITY_WINDOW, actor="wang"))
    )


@pytest.mark.parametrize("again", ["liu", " LIU "])
def test_one_user_may_not_approve_two_steps(again: str):
    card = issued_card(Scheme.JINAN, "C")
    propose(card)
    forward(card)
    card.approve_revocation(ctx(Role.CITY_HRSS, actor="liu"))
    assert_refused(
        card, "self_approval", lambda: card.approve_revocation(ctx(Role.TALENT_OFFICE, actor=again))
    )


def test_only_one_revocation_proposal_is_open_at_a_time():
    card = issued_card()
    propose(card, actor="wang")
    assert_refused(card, "revocation_pending", lambda: propose(card, actor="zhang"))


@pytest.mark.parametrize(
    "command",
    [
        lambda c: c.approve_revocation(ctx(Role.CITY_HRSS, actor="liu")),
        lambda c: c.decline_revocation(ctx(Role.CITY_HRSS, actor="liu"), reason="no"),
    ],
    ids=["approve", "decline"],
)
def test_approving_or_declining_without_an_open_proposal_is_refused(command: Any):
    card = issued_card()
    assert_refused(card, "no_open_revocation", lambda: command(card))


def test_a_declined_proposal_closes_the_card_stays_in_force_and_a_new_one_may_follow():
    card = issued_card()
    propose(card, actor="wang")
    forward(card)
    card.decline_revocation(ctx(Role.CITY_HRSS, actor="liu"), reason="grounds not shown")
    assert card.status_on(date(2026, 3, 2)) is CardStatus.ACTIVE
    assert_refused(
        card, "no_open_revocation", lambda: card.approve_revocation(ctx(Role.CITY_HRSS, actor="x"))
    )
    propose(card, actor="wang")
    forward(card)
    card.approve_revocation(ctx(Role.CITY_HRSS, actor="liu"))
    assert card.status_on(date(2026, 3, 2)) is CardStatus.REVOKED


def test_a_decline_records_who_declined_at_which_step_and_why():
    card = issued_card()
    propose(card)
    forward(card)
    card.collect_events()
    card.decline_revocation(ctx(Role.CITY_HRSS, actor="liu"), reason=" grounds not shown ")
    (declined,) = card.collect_events()
    decline = declined.decline  # type: ignore[attr-defined]
    assert (decline.step, decline.declined_by.actor, decline.declined_by.role) == (
        2,
        "liu",
        Role.CITY_HRSS,
    )
    assert decline.reason == "grounds not shown"


def test_a_decline_is_taken_by_the_next_step_s_role_and_not_by_the_proposer():
    card = issued_card()
    propose(card, actor="wang")
    assert_refused(
        card,
        "revocation_step_role",
        lambda: card.decline_revocation(ctx(Role.EMPLOYER, actor="zhang"), reason="no"),
    )
    forward(card)
    assert_refused(
        card,
        "self_approval",
        lambda: card.decline_revocation(ctx(Role.CITY_HRSS, actor="wang"), reason="no"),
    )


@pytest.mark.parametrize(
    "command",
    [
        lambda c: propose(c, reason=" "),
        lambda c: (propose(c), c.decline_revocation(ctx(actor="liu"), reason=" ")),
    ],
    ids=["propose", "decline"],
)
def test_a_revocation_proposal_or_decline_without_a_reason_is_refused(command: Any):
    card = issued_card()
    card.collect_events()
    with pytest.raises(InvalidInput) as info:
        command(card)
    assert info.value.code == "invalid_input"
    assert card.status_on(date(2026, 3, 2)) is CardStatus.ACTIVE
    assert [type(e).__name__ for e in card.collect_events()] in ([], ["RevocationProposed"])


def test_the_proposal_records_its_reason_proposer_and_the_steps_it_must_take():
    card = issued_card(Scheme.JINAN, "C")
    card.collect_events()
    propose(card, actor="wang", reason=" 违纪 ")
    proposal = card.collect_events()[0].proposal  # type: ignore[attr-defined]
    assert proposal.reason == "违纪"
    assert (proposal.proposed_by.actor, proposal.proposed_by.role) == ("wang", Role.EMPLOYER)
    assert [(s.action, s.roles) for s in proposal.steps] == [
        (RevocationAction.PROPOSE, (Role.EMPLOYER,)),
        (RevocationAction.APPROVE, (Role.COUNTY_WINDOW, Role.CITY_WINDOW)),
        (RevocationAction.APPROVE, (Role.CITY_HRSS,)),
        (RevocationAction.APPROVE, (Role.TALENT_OFFICE,)),
    ]
    assert proposal.ground == "misconduct"


def jinan_without_the_window_step() -> Policy:
    """The Jinan data without the same-level window's step: a data change."""
    texts = package_texts()
    old = (
        '    { action = "approve", roles = ["county_window", "city_window"], decides = false, '
        'note = "receives and forwards (向同级服务窗口提出意见，报……)" },\n'
    )
    # The first one is jinan.revocation's, the rule in force on the test's day.
    texts["jinan.toml"] = texts["jinan.toml"].replace(old, "", 1)
    return parse_policy(texts)


def test_the_same_level_window_forwards_a_proposal_before_city_hrss_may_agree():
    # jinan art. 24(3): 由所在（引进）单位向同级服务窗口提出意见，报市人社局……同意.
    card = issued_card(Scheme.JINAN, "C")
    propose(card, actor="wang")
    assert_refused(
        card,
        "revocation_step_role",
        lambda: card.approve_revocation(ctx(Role.CITY_HRSS, actor="liu")),
    )
    for role, actor in ((Role.COUNTY_WINDOW, "sun"), (Role.CITY_HRSS, "liu")):
        card.approve_revocation(ctx(role, actor=actor))
    assert card.status_on(date(2026, 3, 2)) is CardStatus.ACTIVE
    card.approve_revocation(ctx(Role.TALENT_OFFICE, actor="zhao"))
    assert card.status_on(date(2026, 3, 2)) is CardStatus.REVOKED


def test_a_procedure_without_the_window_step_is_a_data_change():
    card = issued_card(Scheme.JINAN, "C")
    with using_policy(jinan_without_the_window_step()):
        propose(card, actor="wang")
    card.approve_revocation(ctx(Role.CITY_HRSS, actor="liu"))
    card.approve_revocation(ctx(Role.TALENT_OFFICE, actor="zhao"))
    assert card.status_on(date(2026, 3, 2)) is CardStatus.REVOKED


def test_a_scheme_without_a_revocation_rule_cannot_revoke():
    rules = parse_policy(without_revocation_rule(Scheme.LIAOCHENG))
    card = issued_card()
    with using_policy(rules):
        assert_refused(
            card,
            "no_revocation_procedure",
            lambda: card.propose_revocation(
                ctx(Role.EMPLOYER, actor="w"), reason="r", ground="misconduct"
            ),
        )


def test_an_application_never_issued_cannot_be_proposed_for_revocation():
    card = reviewed_card()
    assert_refused(card, "not_issued", lambda: propose(card))


def test_an_expired_card_may_still_be_revoked():
    card = issued_card(Scheme.JINAN, "C")
    assert card.term is not None and card.term.valid_until is not None
    later = T0 + timedelta(days=(card.term.valid_until - date(2026, 3, 2)).days + 2)
    assert card.status_on(business_date(later)) is CardStatus.EXPIRED
    revoke(card, at=later)
    assert card.recorded_status is CardStatus.REVOKED


# ---- grounds (issue 10) --------------------------------------------------------------------------


def test_a_weihai_revocation_names_one_of_the_opinion_s_grounds():
    # weihai-2019 part 2(5): 不在威海创新创业，或有违法、违纪或违反其他规定行为的.
    card = weihai_business_elite()
    error = assert_refused(
        card,
        "unknown_ground",
        lambda: card.propose_revocation(
            ctx(Role.EMPLOYER, actor="w"), reason="performance", ground="poor_performance"
        ),
    )
    assert "left_weihai" in error.message and "misconduct" in error.message
    card.propose_revocation(ctx(Role.EMPLOYER, actor="w"), reason="moved", ground="left_weihai")
    assert card.revocation is not None and card.revocation.ground == "left_weihai"


def test_liaocheng_takes_no_ground_but_misconduct():
    # liaocheng art. 34: 有违法、违纪或违反其他规定行为的 is the only ground.
    card = issued_card()
    assert_refused(
        card,
        "unknown_ground",
        lambda: card.propose_revocation(
            ctx(Role.EMPLOYER, actor="w"), reason="r", ground="left_weihai"
        ),
    )
