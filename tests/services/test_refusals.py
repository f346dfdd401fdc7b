"""The one-card-per-person refusal is limited per filer: a few an hour, then 429 for
every filing of that filer, whatever person it names (issue 23)."""

from __future__ import annotations

import uuid

import pytest

from domain.user import Principal
from domain.vocabulary import Role
from ledger.settings import SettingsError
from services.refusals import RefusalLimit, TooManyRefusals
from services.settings import (
    HOLDER_REFUSALS,
    HOLDER_REFUSALS_DEFAULT,
    holder_refusals_per_hour,
)
from tests.conftest import FakeClock


def filer(name: str = "li.talent") -> Principal:
    return Principal(user_id=uuid.uuid4(), name=name, role=Role.APPLICANT, authority="jinan")


def test_a_filer_is_refused_once_it_has_had_its_share_of_refusals_this_hour():
    clock, who = FakeClock(), filer()
    limit = RefusalLimit(3, clock)
    for _ in range(3):
        limit.check(who)
        limit.record(who)
        clock.advance(minutes=1)
    with pytest.raises(TooManyRefusals) as refused:
        limit.check(who)
    assert refused.value.retry_after == 57 * 60


def test_a_refusal_an_hour_old_no_longer_counts():
    clock, who = FakeClock(), filer()
    limit = RefusalLimit(1, clock)
    limit.record(who)
    clock.advance(minutes=59)
    with pytest.raises(TooManyRefusals):
        limit.check(who)
    clock.advance(minutes=1)
    limit.check(who)


def test_one_filer_s_refusals_do_not_limit_another():
    clock, first, second = FakeClock(), filer(), filer("wang.talent")
    limit = RefusalLimit(1, clock)
    limit.record(first)
    limit.check(second)


def test_without_a_setting_a_filer_is_told_five_times_an_hour():
    assert holder_refusals_per_hour({}) == HOLDER_REFUSALS_DEFAULT == 5
    assert holder_refusals_per_hour({HOLDER_REFUSALS: "12"}) == 12


@pytest.mark.parametrize("value", ["0", "-1", "1001", "five", "2.5"])
def test_a_limit_that_is_off_or_not_a_small_whole_number_is_refused(value: str):
    with pytest.raises(SettingsError):
        holder_refusals_per_hour({HOLDER_REFUSALS: value})
