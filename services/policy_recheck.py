"""``talentcard policy recheck``: the past decisions a corrected reading would have decided
differently (issue 27), listed for a person to look at; nothing is changed.

A corrected rule is in force from the day it was decided, so every recorded decision stands
under the version it was made under (``audit verify`` checks exactly that). This replays
every card's history and decides each admission, issue, upgrade and extension again, on its
own day and inputs, by the *current reading* (``domain.policy.reading``): every correcting
rule read back over the days of the rule it replaced. Where that differs from what was
recorded, or the current reading would refuse the step, the decision is listed. The list
names cards, steps, days and decisions, never a person.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any
from uuid import UUID

import msgspec

from domain.card import Card
from domain.clock import business_date
from domain.errors import DomainError
from domain.policy import default_policy, using_policy
from domain.policy.reading import current_reading
from ledger.app import CardLedger
from services.audit.replay import readmit, redecide

_DECIDED = (Card.Issued, Card.Upgraded, Card.Extended)


class RecheckFinding(msgspec.Struct, frozen=True, kw_only=True):
    """One recorded decision the current reading decides differently (or refuses)."""

    card_id: str
    scheme: str
    step: str  # Applied, Issued, Upgraded or Extended
    card_version: int
    effective_on: date
    recorded_under: str  # the policy version the decision was made under
    code: str  # decision_differs, or the code the current reading refuses with
    message: str


class RecheckReport(msgspec.Struct, frozen=True, kw_only=True):
    """What a recheck looked at and what it found."""

    cards: int
    decisions: int
    findings: tuple[RecheckFinding, ...]


class PolicyRecheck:
    """The recheck over one ledger (built by the composition root)."""

    def __init__(self, ledger: CardLedger) -> None:
        self._ledger = ledger

    def run(self, scheme: str | None = None) -> RecheckReport:
        """Every recorded decision decided again by the current reading."""
        return recheck(self._ledger, scheme=scheme)


def recheck(ledger: CardLedger, *, scheme: str | None = None) -> RecheckReport:
    """Decide every recorded decision again by the current reading (of ``scheme`` only, if
    given) and list the ones that come out differently."""
    reading = current_reading(default_policy())
    cards = decisions = 0
    findings: list[RecheckFinding] = []
    with using_policy(reading):
        for card_id in ledger.card_ids():
            events = ledger.history(card_id)
            applied: Any = events[0]
            if scheme is not None and str(applied.application.scheme) != scheme:
                continue
            cards += 1
            for found, counted in _card(card_id, events):
                decisions += counted
                if found is not None:
                    findings.append(found)
    return RecheckReport(cards=cards, decisions=decisions, findings=tuple(findings))


def _card(card_id: UUID, events: list[Any]) -> Iterator[tuple[RecheckFinding | None, int]]:
    card: Card | None = None
    scheme = str(events[0].application.scheme)
    for event in events:
        decided = isinstance(event, _DECIDED) and card is not None
        # An erased holder's data is gone, so the admission that read it is not re-decided.
        admitted = isinstance(event, Card.Applied) and not event.application.holder.erased
        if decided or admitted:
            found: list[tuple[str, str]] = []
            fail = _collector(found)
            try:
                if isinstance(event, Card.Applied):
                    readmit(event, fail)
                else:
                    assert card is not None
                    redecide(card, event, fail)
            except DomainError as e:
                found.append((e.code, f"the current reading refuses it: {e}"))
            yield (_finding(card_id, scheme, event, *found[0]) if found else None), 1
        card = event.mutate(card)


def _collector(found: list[tuple[str, str]]) -> Callable[[str, str], None]:
    def fail(code: str, message: str) -> None:
        found.append((code, message))

    return fail


def _finding(card_id: UUID, scheme: str, event: Any, code: str, message: str) -> RecheckFinding:
    recorded = event.admission if isinstance(event, Card.Applied) else _record(event)
    return RecheckFinding(
        card_id=str(card_id),
        scheme=scheme,
        step=type(event).__name__,
        card_version=event.originator_version,
        effective_on=business_date(event.ctx.effective_at),
        recorded_under=_version(recorded),
        code=code,
        message=message,
    )


def _version(recorded: Any) -> str:
    """The policy version a decision records: its own, or its term's (issue, extension)."""
    version = getattr(recorded, "policy_version", "")
    term = getattr(recorded, "term", None)
    return str(version or getattr(term, "policy_version", "") or "")


def _record(event: Any) -> Any:
    for name in ("issuance", "upgrade", "extension"):
        if hasattr(event, name):
            return getattr(event, name)
    return None
