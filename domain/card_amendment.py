"""Changes to a card's people after issuance (信息变更): Liaocheng art. 33 has the employer
report changes of personal information; PIPL art. 46 gives the person a right to have
wrong data corrected. Pure functions: what the holder and family become, checked.

Every family member keeps a number for the card's life: their place in the family list,
1 the first filed. An added member is numbered after the last; a removed one stays in the
list, marked ``removed``; so a recorded use naming member 2 names the same person after
any amendment, and an erasure of member 2 erases that person in every event.

A change takes effect on a business day, not before the card was issued, not after the
day it is decided, and not before the card's last change took effect: the card's people
on any day are then those of the last change in effect that day (``holder_on``). No seed
dates a change (Liaocheng art. 33 says only 及时报送); these windows are the registry's own
bookkeeping, the same for every scheme (issue 26), not a scheme's policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import msgspec

from domain.errors import IllegalTransition, InvalidInput
from domain.policy.results import Sex
from domain.text import check_text, normalise_name
from domain.values import FamilyMember, Holder, MaritalStatus
from domain.vocabulary import AmendmentChange, IdDocumentKind, Relation

MAX_PEOPLE = 24
"""Family members a card may name over its life, removed ones included: FAMILY_MAX_COUNT
at filing (ledger.limits) plus changes; more is a broken client, not a family."""
MAX_REASON = 500
SUPERSEDING = frozenset(
    {AmendmentChange.CORRECT_MEMBER, AmendmentChange.REMOVE_MEMBER, AmendmentChange.CORRECT_HOLDER}
)
"""The changes after which a credential already handed out names someone wrongly: it stops
granting family members (status SUPERSEDED) once the status list is newer than the change.
An added member is simply absent from the older credential, which stays as it was."""


def supersedes(asked: PersonChange) -> bool:
    """Whether ``asked`` makes a credential already handed out name someone wrongly. A
    correction of a member's sex or marital status alone does not: a credential carries
    neither (RD-2026-89), so it names the member as rightly as before."""
    if asked.change is AmendmentChange.CORRECT_MEMBER:
        return not (asked.relation is None and asked.name is None and asked.date_of_birth is None)
    return asked.change in SUPERSEDING


class PersonChange(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What is asked: the change, the member it names (0 the holder; ignored when adding)
    and the new details (None: unchanged; relation, name and date of birth when adding a
    member). ``sex`` and ``marital``: a family member's, as the household-registration
    articles ask (issue 27); optional when adding, corrected like the rest."""

    change: AmendmentChange
    member: int = 0
    relation: Relation | None = None
    name: str | None = None
    date_of_birth: date | None = None
    sex: Sex | None = None
    marital: MaritalStatus | None = None


def present_family(holder: Holder) -> list[tuple[int, FamilyMember]]:
    """The family members who share the holder's benefits, with their numbers: neither
    removed nor erased."""
    return [
        (number, member)
        for number, member in enumerate(holder.family, start=1)
        if not member.removed and not member.erased
    ]


def holder_on(filed: Holder, versions: Sequence[tuple[date, Holder]], day: date) -> Holder:
    """The card's people on ``day``: the holder of the last change in effect that day, or
    the holder as filed. ``versions`` are (takes effect on, holder) in the order approved,
    their days never going back."""
    current = filed
    for starts, holder in versions:
        if starts > day:
            break
        current = holder
    return current


def check_effective_day(
    takes_effect_on: date, *, today: date, issued_on: date, last_change: date | None
) -> None:
    """Refuse a day after ``today``, before the card was issued, or before the card's last
    change took effect."""
    if takes_effect_on > today:
        raise InvalidInput(
            f"takes_effect_on {takes_effect_on} is after today ({today}): record a change "
            "once it has happened",
            code="amendment_in_future",
        )
    if takes_effect_on < issued_on:
        raise InvalidInput(
            f"takes_effect_on {takes_effect_on} is before the card was issued ({issued_on}); "
            "a change that happened before then takes effect on the issue day",
            code="amendment_before_issue",
        )
    if last_change is not None and takes_effect_on < last_change:
        raise IllegalTransition(
            f"takes_effect_on {takes_effect_on} is before the card's last change took effect "
            f"({last_change}): changes are recorded in the order they happened",
            code="amendment_out_of_order",
        )


def check_reason(reason: str, evidence: Sequence[str]) -> None:
    """A change says why and names its evidence."""
    if not reason.strip():
        raise InvalidInput("reason must say what changed and why")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"reason is longer than {MAX_REASON} characters")
    check_text("reason", reason, multiline=True)
    if not [e for e in evidence if e.strip()]:
        raise InvalidInput("evidence must name at least one document (e.g. a marriage certificate)")


def amended(holder: Holder, asked: PersonChange, takes_effect_on: date) -> tuple[Holder, int]:
    """The holder and family after ``asked``, and the number of the person changed (0 the
    holder). Refused, naming what is wrong, for a member the card does not name, one removed
    or erased, a change that changes nothing, or details that cannot be true that day."""
    match asked.change:
        case AmendmentChange.ADD_MEMBER:
            return _added(holder, asked, takes_effect_on)
        case AmendmentChange.CORRECT_MEMBER:
            return _corrected_member(holder, asked, takes_effect_on)
        case AmendmentChange.REMOVE_MEMBER:
            return _removed(holder, asked)
        case AmendmentChange.CORRECT_HOLDER:
            return _corrected_holder(holder, asked, takes_effect_on)
    raise InvalidInput(f"unknown change {asked.change!r}")  # pragma: no cover - closed enum


def _name(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    name = normalise_name(field, value)
    if not name:
        raise InvalidInput(f"{field} must not be empty")
    return name


def _born(value: date | None, takes_effect_on: date) -> date | None:
    if value is not None and value > takes_effect_on:
        raise InvalidInput(
            f"date_of_birth {value} is after the day the change takes effect "
            f"({takes_effect_on}): a child joins the family on or after the day of birth"
        )
    return value


def check_marital(marital: MaritalStatus | None, born: date, takes_effect_on: date) -> None:
    """A marital status is shown as of a day on or after the member's birth and not after
    the day the change (or the filing) takes effect: what a document showed, never ahead."""
    if marital is None:
        return
    if marital.as_of < born:
        raise InvalidInput(
            f"married_as_of {marital.as_of} is before the member's date of birth ({born})",
            code="marital_status_before_birth",
        )
    if marital.as_of > takes_effect_on:
        raise InvalidInput(
            f"married_as_of {marital.as_of} is after the day the change takes effect "
            f"({takes_effect_on}): record what a document showed on or before that day",
            code="marital_status_in_future",
        )


def _added(holder: Holder, asked: PersonChange, day: date) -> tuple[Holder, int]:
    if asked.member:
        raise InvalidInput("member: an added family member is given the next number; give none")
    name = _name(asked.name, "name")
    born = _born(asked.date_of_birth, day)
    if asked.relation is None or name is None or born is None:
        raise InvalidInput("adding a family member needs relation, name and date_of_birth")
    if len(holder.family) >= MAX_PEOPLE:
        raise InvalidInput(f"a card names at most {MAX_PEOPLE} family members over its life")
    check_marital(asked.marital, born, day)
    member = FamilyMember(
        relation=asked.relation,
        name=name,
        date_of_birth=born,
        sex=asked.sex,
        marital=asked.marital,
    )
    family = (*holder.family, member)
    return msgspec.structs.replace(holder, family=family), len(family)


def _member(holder: Holder, number: int) -> FamilyMember:
    if not 1 <= number <= len(holder.family):
        raise InvalidInput(
            f"member {number}: the card names family members 1 to {len(holder.family)}"
            if holder.family
            else f"member {number}: the card names no family member",
            code="unknown_family_member",
        )
    member = holder.family[number - 1]
    if member.erased:
        raise IllegalTransition(
            f"member {number}'s personal data was erased; nothing of theirs can change",
            code="already_erased",
        )
    if member.removed:
        raise IllegalTransition(
            f"member {number} was removed from the family; add them again as a new member",
            code="member_removed",
        )
    return member


def _corrected_member(holder: Holder, asked: PersonChange, day: date) -> tuple[Holder, int]:
    member = _member(holder, asked.member)
    name = _name(asked.name, "name")
    born = _born(asked.date_of_birth, day)
    corrected = FamilyMember(
        relation=asked.relation or member.relation,
        name=member.name if name is None else name,
        date_of_birth=member.date_of_birth if born is None else born,
        sex=asked.sex or member.sex,
        marital=asked.marital or member.marital,
    )
    # The corrected member as a whole: a birth date corrected to after the filed status's
    # day would leave a status shown before the child was born.
    check_marital(corrected.marital, corrected.date_of_birth, day)
    if corrected == member:
        raise InvalidInput(
            f"member {asked.member}: the correction changes nothing (give the corrected "
            "relation, name, date_of_birth, sex or marital status)",
            code="amendment_changes_nothing",
        )
    family = list(holder.family)
    family[asked.member - 1] = corrected
    return msgspec.structs.replace(holder, family=tuple(family)), asked.member


def _removed(holder: Holder, asked: PersonChange) -> tuple[Holder, int]:
    member = _member(holder, asked.member)
    details = (asked.relation, asked.name, asked.date_of_birth, asked.sex, asked.marital)
    if any(d is not None for d in details):
        raise InvalidInput("removing a family member takes no new details")
    family = list(holder.family)
    family[asked.member - 1] = msgspec.structs.replace(member, removed=True)
    return msgspec.structs.replace(holder, family=tuple(family)), asked.member


def _corrected_holder(holder: Holder, asked: PersonChange, day: date) -> tuple[Holder, int]:
    if asked.member:
        raise InvalidInput("member: a correction of the holder names no family member")
    if asked.relation is not None:
        raise InvalidInput("relation: the holder has none")
    if asked.sex is not None or asked.marital is not None:
        raise InvalidInput(
            "sex, married: a family member's (for a child's household registration); the "
            "holder's are not kept"
        )
    name = _name(asked.name, "name")
    born = _born(asked.date_of_birth, day)
    if born is not None and holder.identity.kind is IdDocumentKind.RESIDENT_ID:
        # The filing checked the date against the number (ledger.identity): a different
        # date means a different number, which is another person's card, not a correction.
        raise InvalidInput(
            "date_of_birth: the holder's resident ID number gives the date of birth, and it "
            "was checked against it at filing; a wrong ID number needs a new application",
            code="birth_date_from_id",
        )
    corrected = msgspec.structs.replace(
        holder,
        name=holder.name if name is None else name,
        date_of_birth=holder.date_of_birth if born is None else born,
    )
    if corrected == holder:
        raise InvalidInput(
            "the correction changes nothing (give the corrected name or date_of_birth)",
            code="amendment_changes_nothing",
        )
    return corrected, 0
