"""Jurisdiction (管辖): a file belongs to its scheme, city and level; a user reaches the
files of its own authority, an organisation its own applicants, an applicant its own
filings, a venue the public face of the cards honoured in its city."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import NotAuthorised
from domain.jurisdiction import (
    FileScope,
    check_files,
    in_scope,
    list_scope,
    sees,
    sees_personal_data,
)
from domain.user import AUTHORITIES, PROVINCE, Principal
from domain.vocabulary import Role, Scheme, SponsorKind

CODE = "12371500MB2853621X"


def who(role: Role, authority: str, *, name: str = "u", employer: str = "") -> Principal:
    return Principal(
        user_id=uuid.uuid4(), name=name, role=role, authority=authority, employer=employer
    )


def file(
    scheme: Scheme,
    city: str = "",
    *,
    kind: SponsorKind = SponsorKind.EMPLOYER,
    code: str = CODE,
    filed_by: str = "someone",
) -> FileScope:
    city = city if scheme is Scheme.SHANDONG else str(scheme)
    return FileScope(
        scheme=scheme, city=city, sponsor_kind=kind, sponsor_code=code, filed_by=filed_by
    )


def test_a_weihai_clerk_does_not_see_a_jinan_card():
    assert not sees(who(Role.CITY_HRSS, "weihai"), file(Scheme.JINAN))


def test_a_city_window_sees_the_huicai_files_that_pass_through_its_city_only():
    window = who(Role.CITY_WINDOW, "qingdao")
    assert sees(window, file(Scheme.SHANDONG, "qingdao"))
    assert not sees(window, file(Scheme.SHANDONG, "jinan"))
    assert not sees(window, file(Scheme.SHANDONG, ""))


def test_the_provincial_window_sees_every_huicai_file_and_no_city_card():
    window = who(Role.PROVINCIAL_WINDOW, PROVINCE)
    assert sees(window, file(Scheme.SHANDONG, "qingdao"))
    assert not sees(window, file(Scheme.WEIHAI))


def test_the_provincial_auditor_sees_every_file_and_a_city_auditor_its_city_s():
    assert sees(who(Role.AUDITOR, PROVINCE), file(Scheme.LIAOCHENG))
    assert sees(who(Role.AUDITOR, "liaocheng"), file(Scheme.LIAOCHENG))
    assert not sees(who(Role.AUDITOR, "liaocheng"), file(Scheme.JINAN))


def test_an_employer_commissioner_sees_only_its_own_organisation_s_applicants():
    commissioner = who(Role.EMPLOYER, "liaocheng", employer=CODE)
    assert sees(commissioner, file(Scheme.LIAOCHENG))
    assert not sees(commissioner, file(Scheme.LIAOCHENG, code="91370100MA3C5XYZ12"))


def test_an_applicant_sees_only_what_it_filed():
    applicant = who(Role.APPLICANT, "jinan", name="li.talent")
    assert sees(applicant, file(Scheme.JINAN, filed_by="li.talent"))
    assert not sees(applicant, file(Scheme.JINAN, filed_by="wang.talent"))


def test_a_venue_sees_its_city_s_cards_and_the_huicai_card_but_no_personal_data():
    venue = who(Role.VENUE, "weihai")
    assert sees(venue, file(Scheme.WEIHAI))
    assert sees(venue, file(Scheme.SHANDONG, "jinan"))
    assert not sees(venue, file(Scheme.JINAN))
    assert not sees_personal_data(venue)


def test_the_administrator_reaches_no_card_file():
    admin = who(Role.ADMINISTRATOR, PROVINCE)
    assert not sees(admin, file(Scheme.SHANDONG))
    with pytest.raises(NotAuthorised):
        list_scope(admin)


def test_a_jinan_employer_cannot_file_a_weihai_card():
    with pytest.raises(NotAuthorised):
        check_files(who(Role.EMPLOYER, "jinan", employer=CODE), file(Scheme.WEIHAI))


def test_an_organisation_files_only_for_itself():
    with pytest.raises(NotAuthorised) as refused:
        check_files(
            who(Role.EMPLOYER, "liaocheng", employer=CODE),
            file(Scheme.LIAOCHENG, code="91370100MA3C5XYZ12"),
        )
    assert "own organisation" in refused.value.message


LISTING_ROLES = [r for r in Role if r not in (Role.ADMINISTRATOR, Role.VENUE, Role.PAYING_OFFICE)]
CODES = st.sampled_from([CODE, "91370100MA3C5XYZ12", ""])
NAMES = st.sampled_from(["li.talent", "wang.talent"])


@given(
    role=st.sampled_from(LISTING_ROLES),
    authority=st.sampled_from(AUTHORITIES),
    employer=CODES,
    name=NAMES,
    scheme=st.sampled_from(list(Scheme)),
    city=st.sampled_from(["", *AUTHORITIES[1:]]),
    kind=st.sampled_from(list(SponsorKind)),
    code=CODES,
    filed_by=NAMES,
)
def test_the_list_filter_shows_exactly_the_files_the_user_sees(
    role: Role,
    authority: str,
    employer: str,
    name: str,
    scheme: Scheme,
    city: str,
    kind: SponsorKind,
    code: str,
    filed_by: str,
):
    user = who(role, authority, name=name, employer=employer)
    one = file(scheme, city, kind=kind, code=code, filed_by=filed_by)
    assert in_scope(list_scope(user), one) == sees(user, one)
