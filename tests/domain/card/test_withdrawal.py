"""Withdrawal: the applicant's side withdraws an application, which then takes no
further command."""

from __future__ import annotations

from typing import Any

import pytest

from domain.card import Card
from domain.errors import NotAuthorised
from domain.vocabulary import ReviewStage, Role
from tests.domain.factories import application, approve, assert_refused, change, ctx, revoke


@pytest.mark.parametrize(
    "command",
    [
        lambda c: approve(c, ReviewStage.CITY_HRSS),
        lambda c: c.issue(ctx()),
        lambda c: c.withdraw(ctx(Role.EMPLOYER)),
        lambda c: revoke(c),
        lambda c: c.suspend(ctx(), change()),
        lambda c: c.reinstate(ctx(), change()),
    ],
    ids=["review", "issue", "withdraw", "revoke", "suspend", "reinstate"],
)
def test_any_command_on_a_withdrawn_application_is_refused(command: Any):
    card = Card.file(ctx(Role.EMPLOYER), application())
    card.withdraw(ctx(Role.EMPLOYER))
    assert_refused(card, "application_closed", lambda: command(card))


def test_only_the_applicant_side_may_withdraw():
    card = Card.file(ctx(Role.EMPLOYER), application())
    with pytest.raises(NotAuthorised):
        card.withdraw(ctx(Role.CITY_HRSS))


def test_withdrawal_by_the_filer_cites_the_recorded_lifecycle_decision():
    # No seed states who withdraws an application: the refusal cites the administrator's
    # decision it rests on (RD-2026-84), not the policy brief.
    card = Card.file(ctx(Role.EMPLOYER), application())
    with pytest.raises(NotAuthorised) as refused:
        card.withdraw(ctx(Role.CITY_HRSS))
    scheme = card.application.scheme
    assert refused.value.rule == (
        f"administrator decision {scheme}.decision.lifecycle (registry decision record RD-2026-84)"
    )
