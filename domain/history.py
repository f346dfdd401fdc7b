"""What decided each recorded event (决定依据): the rule ids and the policy version its
payload names, read by the event's class. The audit trail and ``card show`` use it; a
replay can ask the engine again with the recorded inputs and compare."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.card import Card
from domain.quota import CardQuota
from domain.redemption import BenefitUse

Decision = tuple[tuple[str, ...], str]
NO_RULE: Decision = ((), "")


def _of(field: str, *path: str) -> Callable[[Any], Decision]:
    """The decision named by ``event.<field>[.<path>…]``, which holds rules and version."""

    def read(event: Any) -> Decision:
        value = getattr(event, field)
        for name in path:
            value = getattr(value, name)
        return tuple(value.rules), value.policy_version

    return read


# One entry per event class whose rules decided something. Events decided by no rule (a
# withdrawal, a rejection's closing, a reservation) are absent and answer NO_RULE.
_DECIDED_BY: dict[type[Any], Callable[[Any], Decision]] = {
    Card.Applied: _of("admission"),  # type: ignore[attr-defined]
    Card.ReviewRecorded: _of("reached"),  # type: ignore[attr-defined]
    Card.Issued: _of("issuance", "term"),  # type: ignore[attr-defined]
    Card.UpgradeRequested: _of("request"),  # type: ignore[attr-defined]
    Card.Upgraded: _of("upgrade", "term"),  # type: ignore[attr-defined]
    Card.Extended: _of("extension", "term"),  # type: ignore[attr-defined]
    Card.Suspended: _of("change"),  # type: ignore[attr-defined]
    Card.Reinstated: _of("change"),  # type: ignore[attr-defined]
    Card.RevocationProposed: _of("proposal"),  # type: ignore[attr-defined]
    Card.RevocationApproved: _of("approval"),  # type: ignore[attr-defined]
    Card.RevocationDeclined: _of("decline"),  # type: ignore[attr-defined]
    Card.Revoked: _of("revocation"),  # type: ignore[attr-defined]
    Card.DeadlineStarted: _of("deadline"),  # type: ignore[attr-defined]
    CardQuota.QuotaReserved: _of("use"),  # type: ignore[attr-defined]
    CardQuota.QuotaReleased: _of("use"),  # type: ignore[attr-defined]
    CardQuota.QuotaRaised: _of("raised"),  # type: ignore[attr-defined]
    BenefitUse.BenefitRedeemed: _of("redemption"),  # type: ignore[attr-defined]
}


def decision_of(event: object) -> Decision:
    """``(rule ids, policy version)`` that decided ``event``; ``((), "")`` for an event no
    rule decided (or one this registry does not know)."""
    read = _DECIDED_BY.get(type(event))
    return read(event) if read is not None else NO_RULE
