"""The pure rules of a change to a card's people (domain.card_amendment)."""

from __future__ import annotations

from datetime import date

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.card_amendment import PersonChange, amended, check_effective_day, holder_on
from domain.errors import DomainError
from domain.values import FamilyMember, Holder, IdentityRef, MaritalStatus
from domain.vocabulary import AmendmentChange, IdDocumentKind, Relation

DAY = date(2026, 9, 1)
PASSPORT = IdentityRef(kind=IdDocumentKind.PASSPORT, digest="d", salt="s", last4="1234")
CHILD = FamilyMember(relation=Relation.CHILD, name="李小雷", date_of_birth=date(2015, 9, 30))


def holder(*family: FamilyMember, kind: IdDocumentKind = IdDocumentKind.PASSPORT) -> Holder:
    identity = IdentityRef(kind=kind, digest="d", salt="s", last4="1234")
    return Holder(name="李雷", identity=identity, date_of_birth=date(1980, 1, 1), family=family)


def refused(filed: Holder, asked: PersonChange) -> str:
    with pytest.raises(DomainError) as error:
        amended(filed, asked, DAY)
    return error.value.code


def test_an_added_member_is_numbered_after_the_last_removed_or_not():
    removed = FamilyMember(
        relation=Relation.SPOUSE, name="韩梅梅", date_of_birth=date(1981, 1, 1), removed=True
    )
    asked = PersonChange(
        change=AmendmentChange.ADD_MEMBER,
        relation=Relation.SPOUSE,
        name="陈静",
        date_of_birth=date(1988, 9, 2),
    )
    after, number = amended(holder(CHILD, removed), asked, DAY)
    assert number == 3 and after.family[:2] == (CHILD, removed)


def test_a_child_cannot_join_before_being_born():
    asked = PersonChange(
        change=AmendmentChange.ADD_MEMBER,
        relation=Relation.CHILD,
        name="李小梅",
        date_of_birth=date(2026, 9, 2),
    )
    assert refused(holder(), asked) == "invalid_input"


def test_a_removed_member_can_be_neither_corrected_nor_removed_again():
    gone = FamilyMember(
        relation=Relation.CHILD, name="李小雷", date_of_birth=date(2015, 9, 30), removed=True
    )
    corrected = PersonChange(change=AmendmentChange.CORRECT_MEMBER, member=1, name="李晓雷")
    assert refused(holder(gone), corrected) == "member_removed"
    removed = PersonChange(change=AmendmentChange.REMOVE_MEMBER, member=1)
    assert refused(holder(gone), removed) == "member_removed"


def test_a_member_the_card_does_not_name_is_refused_by_number():
    asked = PersonChange(change=AmendmentChange.REMOVE_MEMBER, member=2)
    assert refused(holder(CHILD), asked) == "unknown_family_member"


def test_a_correction_that_changes_nothing_is_refused():
    asked = PersonChange(change=AmendmentChange.CORRECT_MEMBER, member=1, name="李小雷")
    assert refused(holder(CHILD), asked) == "amendment_changes_nothing"


def test_a_passport_holder_s_birth_date_may_be_corrected():
    asked = PersonChange(change=AmendmentChange.CORRECT_HOLDER, date_of_birth=date(1980, 2, 1))
    after, number = amended(holder(), asked, DAY)
    assert (after.date_of_birth, number) == (date(1980, 2, 1), 0)


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (date(2026, 9, 2), "amendment_in_future"),
        (date(2026, 1, 1), "amendment_before_issue"),
        (date(2026, 6, 30), "amendment_out_of_order"),
    ],
)
def test_a_change_day_outside_its_window_is_refused(day: date, code: str):
    with pytest.raises(DomainError) as error:
        check_effective_day(
            day, today=DAY, issued_on=date(2026, 3, 2), last_change=date(2026, 7, 1)
        )
    assert error.value.code == code


days = st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31))


@given(starts=st.lists(days, max_size=5).map(sorted), probe=days)
def test_the_people_on_a_day_are_those_of_the_last_change_in_effect_then(
    starts: list[date], probe: date
):
    filed = holder()
    versions = [
        (day, Holder(name=f"v{i}", identity=PASSPORT, date_of_birth=date(1980, 1, 1)))
        for i, day in enumerate(starts)
    ]
    in_effect = [f"v{i}" for i, day in enumerate(starts) if day <= probe]
    expected = in_effect[-1] if in_effect else filed.name
    assert holder_on(filed, versions, probe).name == expected


def test_a_birth_date_corrected_to_after_the_filed_marital_status_s_day_is_refused():
    shown = MaritalStatus(married=False, as_of=date(2016, 1, 1))
    child = msgspec.structs.replace(CHILD, marital=shown)  # born 2015-09-30
    asked = PersonChange(
        change=AmendmentChange.CORRECT_MEMBER, member=1, date_of_birth=date(2016, 6, 1)
    )
    assert refused(holder(child), asked) == "marital_status_before_birth"
