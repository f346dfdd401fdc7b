"""Back-dating (补录): a command that takes effect at an earlier instant than it is recorded.

A city HRSS bureau (市人力资源和社会保障局) records decisions it took on paper, so its
commands may carry the instant they took effect; the policy version in force, the term
and the deadlines are then decided at that instant. The administrator has no policy powers
(domain.vocabulary.Role) and back-dates only when migrating cards through ``card import``,
where every command is checked by the same rules. Everyone else acts now.
"""

from __future__ import annotations

from datetime import date, datetime

from domain.clock import business_date
from domain.errors import IllegalTransition, InvalidInput, NotAuthorised
from domain.vocabulary import Role

# Who may give an ordinary command an earlier effective instant: the city HRSS bureau,
# which takes the paper decisions being recorded (POLICY.md "Lifecycle": reviews, approvals
# and revocations pass through city HRSS). Issue 9, "Business time".
BACKDATING_ROLES = frozenset({Role.CITY_HRSS})
# Who may back-date only while importing existing cards (issue 9: "the administrator only
# through card import").
IMPORT_BACKDATING_ROLES = frozenset({Role.ADMINISTRATOR})


def check_effective_at(
    effective_at: datetime,
    *,
    now: datetime,
    role: Role,
    previous: datetime | None,
    policy_starts: date,
    importing: bool = False,
) -> None:
    """Refuse an effective instant the acting ``role`` may not give: any back-dating by a
    role outside BACKDATING_ROLES (``backdating_not_allowed``), an instant after ``now``
    (``effective_in_future``), before the card's ``previous`` event took effect
    (``effective_before_previous_event``), or before the scheme's first policy version
    took effect on ``policy_starts`` (``effective_before_policy``). ``role`` is the role
    the back-dating is done under: the importing administrator's when ``importing``."""
    if effective_at.tzinfo is None:
        raise InvalidInput("effective_at must be a timezone-aware instant")
    allowed = IMPORT_BACKDATING_ROLES if importing else BACKDATING_ROLES
    if role not in allowed:
        how = "importing cards" if importing else "recording a decision taken earlier"
        raise NotAuthorised(
            f"role {role} may not give a command an effective instant; only "
            f"{' or '.join(sorted(allowed))} may, {how}",
            code="backdating_not_allowed",
        )
    if effective_at > now:
        raise InvalidInput(
            f"effective_at {effective_at.isoformat()} is in the future (now {now.isoformat()})",
            code="effective_in_future",
        )
    if previous is not None and effective_at < previous:
        raise IllegalTransition(
            f"effective_at {effective_at.isoformat()} is before the card's previous event "
            f"({previous.isoformat()})",
            code="effective_before_previous_event",
        )
    if business_date(effective_at) < policy_starts:
        raise IllegalTransition(
            f"effective_at {effective_at.isoformat()} is before the scheme's first policy "
            f"version took effect ({policy_starts})",
            code="effective_before_policy",
        )
