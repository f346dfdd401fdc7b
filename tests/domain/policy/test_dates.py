"""Term and age arithmetic: inclusive ends, 29 February, birthdays."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidInput
from domain.policy.dates import age_on, anniversary, term_end


@pytest.mark.parametrize(
    ("start", "years", "last_day"),
    [
        (date(2024, 3, 1), 5, date(2029, 2, 28)),
        (date(2024, 2, 29), 5, date(2029, 2, 28)),  # anniversary falls on 1 March
        (date(2024, 2, 29), 4, date(2028, 2, 28)),  # 2028 is leap: anniversary 2028-02-29
        (date(2024, 2, 29), 1, date(2025, 2, 28)),
        (date(2025, 1, 1), 1, date(2025, 12, 31)),
        (date(2023, 12, 31), 3, date(2026, 12, 30)),
    ],
)
def test_a_term_of_n_years_ends_the_day_before_the_nth_anniversary(
    start: date, years: int, last_day: date
) -> None:
    assert term_end(start, years) == last_day


def test_the_29_february_anniversary_in_a_common_year_is_1_march() -> None:
    assert anniversary(date(2024, 2, 29), 1) == date(2025, 3, 1)
    assert anniversary(date(2024, 2, 29), 4) == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(1964, 5, 1), date(2024, 4, 30), 59),
        (date(1964, 5, 1), date(2024, 5, 1), 60),  # the birthday itself counts
        (date(1964, 2, 29), date(2024, 2, 28), 59),
        (date(1964, 2, 29), date(2024, 2, 29), 60),
        (date(1963, 2, 28), date(2023, 2, 28), 60),
        (date(1964, 2, 29), date(2025, 2, 28), 60),
    ],
)
def test_age_counts_completed_years(born: date, day: date, age: int) -> None:
    assert age_on(born, day) == age


def test_age_before_birth_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        age_on(date(2030, 1, 1), date(2029, 1, 1))
    assert refused.value.code == "born_after_day"


def test_age_on_the_day_of_birth_is_zero() -> None:
    assert age_on(date(2030, 1, 1), date(2030, 1, 1)) == 0
