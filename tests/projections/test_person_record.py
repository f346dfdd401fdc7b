"""A family member's sealed read-model column (projections.entitlements.person_record): the
ciphertext keeps the plaintext's length, so every record with a sex or a marital status
filed has one length, whatever they are; and it reads back as filed."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from domain.policy import BeneficiaryKind, Sex
from domain.values import FamilyMember, MaritalStatus
from domain.vocabulary import Relation
from projections.entitlements import beneficiary_of_record, person_record

BORN = date(2005, 6, 1)
SEXES = (None, Sex.MALE, Sex.FEMALE)
STATUSES = (
    None,
    MaritalStatus(married=True, as_of=date(2026, 1, 5)),
    MaritalStatus(married=False, as_of=date(2026, 12, 1)),
)
FILED = [(s, m) for s, m in itertools.product(SEXES, STATUSES) if (s, m) != (None, None)]


def member(sex: Sex | None, marital: MaritalStatus | None) -> FamilyMember:
    return FamilyMember(
        relation=Relation.CHILD, name="李明", date_of_birth=BORN, sex=sex, marital=marital
    )


def test_every_record_with_a_sex_or_a_marital_status_has_one_length_whatever_they_are():
    assert {len(person_record(member(s, m))) for s, m in FILED} == {25}


def test_a_record_with_nothing_more_filed_is_the_date_of_birth_as_it_always_was():
    assert person_record(member(None, None)) == "2005-06-01"


@pytest.mark.parametrize(("sex", "marital"), FILED)
def test_a_record_reads_back_as_it_was_filed(sex: Sex | None, marital: MaritalStatus | None):
    back = beneficiary_of_record(BeneficiaryKind.CHILD, person_record(member(sex, marital)))
    assert (back.date_of_birth, back.sex) == (BORN, sex)
    assert back.married == (None if marital is None else marital.married)
    assert back.married_as_of == (None if marital is None else marital.as_of)
