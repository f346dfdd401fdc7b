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
    Card.Applied: _of("admission"),
    Card.ReviewRecorded: _of("reached"),
    Card.Issued: _of("issuance", "term"),
    Card.UpgradeRequested: _of("request"),
    Card.Upgraded: _of("upgrade", "term"),
    Card.Extended: _of("extension", "term"),
    Card.Suspended: _of("change"),
    Card.Reinstated: _of("change"),
    Card.RevocationProposed: _of("proposal"),
    Card.RevocationApproved: _of("approval"),
    Card.RevocationDeclined: _of("decline"),
    Card.Revoked: _of("revocation"),
    Card.DeadlineStarted: _of("deadline"),
    Card.AmendmentRequested: _of("amendment"),
    Card.AmendmentDecided: _of("decision"),
    CardQuota.QuotaReserved: _of("use"),
    CardQuota.QuotaReleased: _of("use"),
    CardQuota.QuotaRaised: _of("raised"),
    BenefitUse.BenefitRedeemed: _of("redemption"),
}


def decision_of(event: object) -> Decision:
    """``(rule ids, policy version)`` that decided ``event``; ``((), "")`` for an event no
    rule decided (or one this registry does not know)."""
    read = _DECIDED_BY.get(type(event))
    return read(event) if read is not None else NO_RULE
