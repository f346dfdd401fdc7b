"""The back-dating rule on its own: who may give an earlier effective instant, and how far."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.backdating import check_effective_at
from domain.errors import DomainError
from domain.vocabulary import Role

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
POLICY_FROM = date(2019, 7, 8)


def code(at: datetime, role: Role = Role.CITY_HRSS, **kw: object) -> str:
    with pytest.raises(DomainError) as caught:
        check_effective_at(
            at,
            now=NOW,
            role=role,
            previous=kw.get("previous"),
            policy_starts=POLICY_FROM,  # type: ignore[arg-type]
            importing=bool(kw.get("importing", False)),
        )
    return caught.value.code


def test_the_city_hrss_may_record_a_decision_taken_last_week():
    check_effective_at(
        NOW - timedelta(days=7),
        now=NOW,
        role=Role.CITY_HRSS,
        previous=None,
        policy_starts=POLICY_FROM,
    )


def test_the_administrator_may_back_date_only_while_importing():
    assert code(NOW - timedelta(days=7), Role.ADMINISTRATOR) == "backdating_not_allowed"
    check_effective_at(
        NOW - timedelta(days=7),
        now=NOW,
        role=Role.ADMINISTRATOR,
        previous=None,
        policy_starts=POLICY_FROM,
        importing=True,
    )


def test_a_reviewer_other_than_the_city_hrss_may_not_back_date():
    assert code(NOW - timedelta(days=1), Role.TALENT_OFFICE) == "backdating_not_allowed"


def test_one_second_in_the_future_is_refused():
    assert code(NOW + timedelta(seconds=1)) == "effective_in_future"


def test_one_second_before_the_previous_event_is_refused():
    previous = NOW - timedelta(days=2)
    assert code(previous - timedelta(seconds=1), previous=previous) == (
        "effective_before_previous_event"
    )


def test_the_day_before_the_first_policy_version_is_refused_in_shanghai_time():
    # 2019-07-08 07:00 Shanghai is still 2019-07-07 in UTC: the business date counts
    assert code(datetime(2019, 7, 7, 15, 59, tzinfo=UTC)) == "effective_before_policy"
    check_effective_at(
        datetime(2019, 7, 7, 23, 0, tzinfo=UTC),
        now=NOW,
        role=Role.CITY_HRSS,
        previous=None,
        policy_starts=POLICY_FROM,
    )
