"""A card's status (卡片状态): the status an event leaves it in, and its status on a day.

The Card records a status with each event that changes it (``Transition``: the event
class says which, once); whether the card has expired, or has not started yet, is never
recorded but derived from its term on the day asked about (``status_on``). The aggregate,
the read models, the views and the venue's decision all ask here, so the rule "a card is
expired on day D" is written once. The read models' SQL says the same in SQL: a test holds
it to ``status_on`` on generated cards (tests/projections/test_status_on_day.py).
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from domain.vocabulary import CardStatus

IN_FORCE = frozenset({CardStatus.ACTIVE, CardStatus.SUSPENDED})
"""The recorded statuses whose card expires when its term runs out; a card that was
rejected, withdrawn or revoked stays so whatever its dates."""

CLOSED = frozenset({CardStatus.REJECTED, CardStatus.WITHDRAWN, CardStatus.REVOKED})
"""The recorded statuses no review stage decides after (an application or a card ended)."""


class Transition:
    """A Card event that leaves the card in ``status_after``: the Card's transitions,
    declared on its event classes (``Card.Suspended.status_after``) and read by the
    aggregate and by every read model."""

    status_after: ClassVar[CardStatus]


def status_after(event: object) -> CardStatus | None:
    """The recorded status ``event`` leaves its card in; None for an event that leaves
    the status as it was."""
    return event.status_after if isinstance(event, Transition) else None


def expired_on(valid_until: date | None, day: date) -> bool:
    """Whether a term that ends on ``valid_until`` (inclusive; None: no end) has run out
    on ``day``."""
    return valid_until is not None and day > valid_until


def started_by(valid_from: date, day: date) -> bool:
    """Whether a term that starts on ``valid_from`` has started on ``day``."""
    return day >= valid_from


def status_on(
    recorded: CardStatus,
    valid_until: date | None,
    day: date,
    *,
    lapsed: tuple[date | None, date | None] = (None, None),
) -> CardStatus:
    """The card's status on a business date: its recorded status, but EXPIRED once an
    active or suspended card's term has run out (``valid_until`` None: never), and on the
    days of a gap its term kept lapsed (``lapsed``: first and last day, inclusive; an
    extension decided after the first term ran out, Weihai 2023)."""
    if recorded in IN_FORCE and (expired_on(valid_until, day) or in_gap(*lapsed, day)):
        return CardStatus.EXPIRED
    return recorded


def in_gap(first: date | None, last: date | None, day: date) -> bool:
    """Whether ``day`` falls in the lapsed gap ``first``..``last`` (None: no gap)."""
    return first is not None and last is not None and first <= day <= last
