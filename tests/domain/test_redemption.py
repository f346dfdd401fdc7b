"""Recorded use of limited items (服务使用记录, issue 11): the limits that count are checked
when a venue records a use, at the boundaries the seeds set: Liaocheng art. 21's 12 films a
calendar year for 3 years (never more than 36), art. 22's care-home subsidy for at most 36
months, one companion per trip (arts. 18-20). Business dates are Asia/Shanghai dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import msgspec
import pytest

from domain.errors import DomainError, InvalidInput, NotAuthorised
from domain.policy import BeneficiaryKind
from domain.redemption import (
    BenefitUse,
    UseRequest,
    beneficiary_of,
    benefit_use_id,
    check_use_instant,
    months_paid,
    use_scope,
)
from domain.values import FamilyMember, Holder, IdentityRef
from domain.vocabulary import IdDocumentKind, Relation, Role, Scheme
from tests.domain.redemption_support import (
    CARD_ID,
    CARE,
    COMPANION,
    FILMS,
    GYM,
    PARENT,
    at,
    card,
    counter,
    shanghai,
    use,
)


def refusal(record: BenefitUse, when: datetime, quantity: int = 1, **kw: object) -> DomainError:
    with pytest.raises(DomainError) as info:
        use(record, when, quantity, **kw)  # type: ignore[arg-type]
    return info.value


# ---- per calendar year ------------------------------------------------------------------


def test_the_twelfth_film_in_a_calendar_year_is_recorded():
    films = counter()
    use(films, shanghai(2026, 8, 1, 19), 11)
    twelfth = use(films, shanghai(2026, 12, 31, 23, 59))
    assert twelfth.counted_before.uses_this_year == 11
    assert twelfth.rules[-1] == "liaocheng.limit.films"


def test_the_thirteenth_film_in_a_year_is_refused_naming_the_rule_and_its_source():
    films = counter()
    use(films, shanghai(2026, 8, 1, 19), 12)
    error = refusal(films, shanghai(2026, 12, 31, 23, 59))
    assert (error.code, error.rule) == ("limit_reached", "liaocheng.limit.films")
    assert "use 13 in 2026 is refused" in error.message
    assert "source: liaocheng-2022-green-channel-rules art. 21" in error.message


def test_a_film_at_midnight_in_shanghai_on_new_year_s_day_counts_in_the_new_year():
    films = counter()
    use(films, shanghai(2027, 3, 1, 19), 12)
    new_year = shanghai(2028, 1, 1, 0, 0)
    assert new_year.astimezone(UTC).date() == date(2027, 12, 31)  # still 2027 in UTC
    assert use(films, new_year).used_on == date(2028, 1, 1)


def test_a_film_a_second_before_midnight_in_shanghai_counts_in_the_old_year():
    films = counter()
    use(films, shanghai(2027, 3, 1, 19), 12)
    last_second = shanghai(2028, 1, 1) - timedelta(seconds=1)
    assert refusal(films, last_second).code == "limit_reached"


def test_several_films_at_once_count_as_several_uses():
    films = counter()
    use(films, shanghai(2026, 8, 1, 19), 10)
    assert refusal(films, shanghai(2026, 8, 2, 19), 3).code == "limit_reached"
    assert use(films, shanghai(2026, 8, 2, 19), 2).quantity == 2


# ---- in all, over the years from issue ---------------------------------------------------


def test_thirty_six_films_over_four_calendar_years_are_all_the_card_gives():
    films = counter()
    for year in (2026, 2027, 2028):
        use(films, shanghai(year, 9, 1, 19), 12)
    # 2029 has had no film yet, but the three years' 36 are used (连续3年)
    error = refusal(films, shanghai(2029, 2, 1, 19))
    assert (error.code, error.rule) == ("limit_reached", "liaocheng.limit.films")
    assert "at most 36 uses in all" in error.message


def test_the_thirty_sixth_film_is_recorded_in_the_fourth_calendar_year():
    films = counter()
    use(films, shanghai(2026, 9, 1, 19), 12)
    use(films, shanghai(2027, 9, 1, 19), 12)
    use(films, shanghai(2028, 9, 1, 19), 11)
    assert use(films, shanghai(2029, 2, 1, 19)).counted_before.uses_in_all == 35


def test_a_film_after_the_three_years_from_issue_is_not_granted():
    films = counter()
    error = refusal(films, shanghai(2029, 7, 1, 19))
    assert error.code == "not_granted"
    assert "until 2029-06-30" in error.message


# ---- months ---------------------------------------------------------------------------


def test_a_second_subsidy_payment_in_one_shanghai_month_is_refused():
    care = counter(CARE, kind=BeneficiaryKind.PARENT)
    use(care, shanghai(2026, 8, 1, 10), person=PARENT, role=Role.PAYING_OFFICE)
    error = refusal(care, shanghai(2026, 8, 31, 23, 59), person=PARENT, role=Role.PAYING_OFFICE)
    assert (error.code, error.rule) == ("month_already_paid", "liaocheng.limit.elderly_care")


def test_a_payment_at_midnight_in_shanghai_on_the_first_pays_the_new_month():
    care = counter(CARE, kind=BeneficiaryKind.PARENT)
    use(care, shanghai(2026, 8, 1, 10), person=PARENT, role=Role.PAYING_OFFICE)
    first = shanghai(2026, 9, 1, 0, 0)
    assert first.astimezone(UTC).month == 8  # still August in UTC
    paid = use(care, first, person=PARENT, role=Role.PAYING_OFFICE)
    assert paid.months == ("2026-09",)


def test_the_thirty_seventh_month_of_a_subsidy_is_refused():
    care = counter(CARE, kind=BeneficiaryKind.PARENT)
    paid = use(care, shanghai(2029, 6, 5, 10), 36, person=PARENT, role=Role.PAYING_OFFICE)
    assert (paid.months[0], paid.months[-1]) == ("2026-07", "2029-06")
    error = refusal(care, shanghai(2029, 7, 5, 10), person=PARENT, role=Role.PAYING_OFFICE)
    # 2029: the rectified limit (from 2026-12-07) decides
    assert (error.code, error.rule) == ("limit_reached", "liaocheng.limit.elderly_care.from_age_60")
    assert "month 37 is refused" in error.message


def test_arrears_cannot_reach_before_the_month_the_card_was_issued():
    care = counter(CARE, kind=BeneficiaryKind.PARENT)
    error = refusal(care, shanghai(2026, 8, 5, 10), 3, person=PARENT, role=Role.PAYING_OFFICE)
    assert error.code == "month_before_issue"


def test_months_paid_run_back_from_the_month_of_payment_across_a_new_year():
    assert months_paid(date(2027, 2, 10), 3) == ("2026-12", "2027-01", "2027-02")


# ---- companions -----------------------------------------------------------------------


def test_one_companion_on_a_trip_is_recorded_and_two_are_refused():
    gym = counter(GYM, kind=BeneficiaryKind.COMPANION)
    error = refusal(gym, shanghai(2026, 8, 1, 9), 2, person=COMPANION, venue="市体育馆")
    assert (error.code, error.rule) == ("limit_reached", "liaocheng.beneficiary.family")
    assert use(gym, shanghai(2026, 8, 1, 9), person=COMPANION, venue="市体育馆").quantity == 1


# ---- reversal ---------------------------------------------------------------------------


def test_a_reversal_gives_the_use_back_to_the_balance():
    films = counter()
    mistaken = use(films, shanghai(2026, 8, 1, 19), 12)
    films.reverse(
        at(shanghai(2026, 8, 1, 20)),
        mistaken.redemption_id,
        venue="东昌影城",
        city=Scheme.LIAOCHENG,
        reason="recorded on the wrong card",
    )
    assert films.usage_on(date(2026, 8, 2)).uses_this_year == 0
    assert use(films, shanghai(2026, 8, 2, 19), 12).counted_before.uses_this_year == 0


def test_a_second_reversal_of_one_use_is_refused():
    films = counter()
    mistaken = use(films, shanghai(2026, 8, 1, 19))
    again = shanghai(2026, 8, 1, 20)
    films.reverse(
        at(again), mistaken.redemption_id, venue="东昌影城", city=Scheme.LIAOCHENG, reason="r"
    )
    with pytest.raises(DomainError) as info:
        films.reverse(
            at(again), mistaken.redemption_id, venue="东昌影城", city=Scheme.LIAOCHENG, reason="r"
        )
    assert info.value.code == "already_reversed"


def test_reversing_an_id_never_recorded_is_refused():
    films = counter()
    with pytest.raises(DomainError) as info:
        films.reverse(
            at(shanghai(2026, 8, 1)), uuid4(), venue="东昌影城", city=Scheme.LIAOCHENG, reason="r"
        )
    assert info.value.code == "unknown_redemption"


def test_only_the_venue_that_recorded_a_use_may_reverse_it():
    films = counter()
    recorded = use(films, shanghai(2026, 8, 1, 19))
    with pytest.raises(NotAuthorised) as info:
        films.reverse(
            at(shanghai(2026, 8, 1, 20)),
            recorded.redemption_id,
            venue="光岳影城",
            city=Scheme.LIAOCHENG,
            reason="r",
        )
    assert info.value.code == "not_the_recording_venue"


# ---- who, where, when -----------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CITY_HRSS, Role.EMPLOYER, Role.APPLICANT])
def test_a_use_is_recorded_only_by_a_venue_or_a_paying_office(role: Role):
    error = refusal(counter(), shanghai(2026, 8, 1, 19), role=role)
    assert error.code == "use_not_authorised"


def test_a_venue_of_another_city_is_refused_a_city_card_it_does_not_honour():
    weihai_card = card(Scheme.WEIHAI, "4")
    gym = counter(GYM, scheme=Scheme.WEIHAI)
    error = refusal(gym, shanghai(2026, 8, 1, 9), presented=weihai_card, venue="市体育馆")
    assert error.code == "not_granted"


def test_a_venue_of_another_city_records_a_huicai_card_honoured_there_by_stacking():
    huicai = card(Scheme.SHANDONG, "direct", valid_until=date(2031, 6, 30))
    gym = counter("weihai.18", city=Scheme.WEIHAI, scheme=Scheme.SHANDONG)
    recorded = use(gym, shanghai(2026, 8, 1, 9), presented=huicai, venue="威海市体育中心")
    assert "shandong.stacking" in recorded.rules
    assert recorded.city is Scheme.WEIHAI


def test_a_use_of_a_suspended_card_is_not_granted():
    error = refusal(counter(), shanghai(2026, 8, 1, 19), presented=card(status="suspended"))
    assert error.code == "not_granted"


def test_a_use_of_a_whole_article_with_parts_is_malformed():
    with pytest.raises(InvalidInput, match="has parts"):
        use(counter("liaocheng.21"), shanghai(2026, 8, 1, 19))


def test_a_use_dated_after_it_is_recorded_is_refused():
    now = datetime(2026, 8, 1, 1, tzinfo=UTC)
    with pytest.raises(InvalidInput) as info:
        check_use_instant(now + timedelta(seconds=1), now=now)
    assert info.value.code == "effective_in_future"


def test_the_counter_of_a_card_item_and_person_has_one_id_whoever_opens_it():
    scope = use_scope(CARD_ID, Scheme.LIAOCHENG, Scheme.LIAOCHENG, FILMS, BeneficiaryKind.HOLDER)
    assert counter().id == benefit_use_id(scope.key)
    other = use_scope(CARD_ID, Scheme.LIAOCHENG, Scheme.LIAOCHENG, GYM, BeneficiaryKind.HOLDER)
    assert benefit_use_id(other.key) != benefit_use_id(scope.key)


# ---- the person, from the card's filing ---------------------------------------------------

FAMILY = Holder(
    name="李雷",
    identity=IdentityRef(kind=IdDocumentKind.RESIDENT_ID, digest="d", salt="s", last4="002X"),
    date_of_birth=date(1980, 1, 1),
    family=(
        FamilyMember(relation=Relation.SPOUSE, name="韩梅梅", date_of_birth=date(1982, 1, 1)),
        FamilyMember(relation=Relation.PARENT, name="李父", date_of_birth=date(1950, 1, 1)),
        FamilyMember(relation=Relation.PARENT, name="李母", date_of_birth=date(1952, 1, 1)),
    ),
)


def test_a_family_member_is_named_by_place_in_the_filing_or_by_name():
    request = UseRequest(venue="v", in_city_care_home=True)
    by_place = beneficiary_of(FAMILY, BeneficiaryKind.PARENT, "3", request)
    by_name = beneficiary_of(FAMILY, BeneficiaryKind.PARENT, "李母", request)
    assert by_place == by_name
    assert by_place[1] == 3 and by_place[0].date_of_birth == date(1952, 1, 1)


def test_the_only_family_member_of_a_kind_needs_no_name():
    person, place = beneficiary_of(FAMILY, BeneficiaryKind.SPOUSE, "", UseRequest(venue="v"))
    assert (person.kind, place) == (BeneficiaryKind.SPOUSE, 1)


def test_a_parent_not_named_when_the_card_has_two_is_malformed():
    with pytest.raises(InvalidInput) as info:
        beneficiary_of(FAMILY, BeneficiaryKind.PARENT, "", UseRequest(venue="v"))
    assert info.value.code == "unknown_family_member"


def test_an_erased_family_member_is_no_beneficiary_by_place_or_as_the_only_one():
    erased = FamilyMember(
        relation=Relation.SPOUSE, name="", date_of_birth=date(1900, 1, 1), erased=True
    )
    holder = msgspec.structs.replace(FAMILY, family=(erased, *FAMILY.family[1:]))
    for chosen in ("1", ""):
        with pytest.raises(InvalidInput) as info:
            beneficiary_of(holder, BeneficiaryKind.SPOUSE, chosen, UseRequest(venue="v"))
        assert info.value.code == "unknown_family_member"
