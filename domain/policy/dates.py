"""Calendar arithmetic for terms and ages.

Convention (used by every term in the registry): a term of N years starting on
``valid_from`` covers every day before the Nth anniversary, so ``valid_until`` is the
anniversary minus one day and is *inclusive* (the card is valid on that day, expired the
next; ``Card.status_on`` reads it the same way). The seeds set no counting rule of their
own. A 29 February has its anniversary on 1 March in common years, so a 5-year term from
2024-02-29 ends on 2029-02-28 and a person born on 29 February turns a year older on
1 March in common years.
"""

from __future__ import annotations

from datetime import date, timedelta

from domain.clock import anniversary
from domain.errors import InvalidInput


def term_end(valid_from: date, years: int) -> date:
    """The inclusive last day of a term of ``years`` years starting on ``valid_from``."""
    return anniversary(valid_from, years) - timedelta(days=1)


def age_on(date_of_birth: date, day: date) -> int:
    """Age in completed years (周岁) on ``day``; the birthday itself counts as reached."""
    if day < date_of_birth:
        raise InvalidInput(
            f"date of birth {date_of_birth} is after {day}", code="born_after_day"
        )
    years = day.year - date_of_birth.year
    if anniversary(date_of_birth, years) > day:
        years -= 1
    return years
