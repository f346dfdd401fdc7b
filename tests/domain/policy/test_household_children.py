"""Household registration for a child (issue 27): the articles turn on the child's sex
(未到法定结婚年龄子女: Liaocheng art. 7, Shandong annex A.3, Weihai 2019 part 3(二)) or
marriage (未婚子女: Jinan art. 5), which the family record now files. From 2026-12-07 the
rules state the legal marriage ages as data (RD-2026-85..87); unknown is never yes."""

from __future__ import annotations

from datetime import date

import pytest

from domain.policy import Beneficiary, BeneficiaryKind, Sex, decide_entitlement
from domain.vocabulary import Scheme
from tests.domain.policy.support import card, shifted

AFTER = date(2026, 12, 8)  # the rectified versions are in force
BEFORE = date(2026, 12, 4)
TOP = {Scheme.SHANDONG: "direct", Scheme.WEIHAI: "3", Scheme.LIAOCHENG: "A", Scheme.JINAN: "A"}
HOUSEHOLD = {
    Scheme.LIAOCHENG: "liaocheng.7",
    Scheme.SHANDONG: "shandong.3",
    Scheme.WEIHAI: "weihai.2",
}


def child(
    born: date,
    sex: Sex | None = None,
    *,
    married: bool | None = None,
    married_as_of: date | None = None,
) -> Beneficiary:
    return Beneficiary(
        kind=BeneficiaryKind.CHILD,
        date_of_birth=born,
        sex=sex,
        married=married,
        married_as_of=married_as_of,
    )


def household(scheme: Scheme, person: Beneficiary, day: date = AFTER) -> tuple[bool, str, str]:
    code = HOUSEHOLD.get(scheme, "jinan.5")
    decision = decide_entitlement(card(scheme, TOP[scheme]), code, person, day)
    who = next(r for r in decision.rules if ".beneficiary.household" in r)
    return decision.granted, decision.reason, who


# A son of 21 and a son of 22 on 2026-12-08.
SON_21 = date(2005, 6, 1)
SON_22 = date(2004, 6, 1)


def test_liaocheng_art_7_registers_a_son_of_21_but_not_of_22() -> None:
    assert household(Scheme.LIAOCHENG, child(SON_21, Sex.MALE))[0]
    granted, reason, rule = household(Scheme.LIAOCHENG, child(SON_22, Sex.MALE))
    assert not granted and "the child is 22 on 2026-12-08, of legal marriage age" in reason
    assert rule == "liaocheng.beneficiary.household_2026"


def test_liaocheng_art_7_registers_a_son_of_21_but_not_a_daughter_of_21() -> None:
    assert household(Scheme.LIAOCHENG, child(SON_21, Sex.MALE))[0]
    granted, reason, _ = household(Scheme.LIAOCHENG, child(SON_21, Sex.FEMALE))
    assert not granted and "the child is 21 on 2026-12-08, of legal marriage age" in reason


def test_a_refusal_for_a_child_of_marriage_age_does_not_tell_the_child_s_sex() -> None:
    # The asking clerk or venue sees no personal data: a son of 22 and a daughter of 22
    # are refused in the same words, which name both ages.
    _, son, _ = household(Scheme.LIAOCHENG, child(SON_22, Sex.MALE))
    _, daughter, _ = household(Scheme.LIAOCHENG, child(SON_22, Sex.FEMALE))
    assert son == daughter
    assert "a son under 22, a daughter under 20" in son


def test_shandong_annex_a_3_registers_a_son_of_21_under_the_ages_the_rule_states() -> None:
    granted, _, rule = household(Scheme.SHANDONG, child(SON_21, Sex.MALE))
    assert granted and rule == "shandong.beneficiary.household_2026"


def test_weihai_2019_part_3_2_registers_a_son_of_21_under_the_ages_the_rule_states() -> None:
    granted, _, rule = household(Scheme.WEIHAI, child(SON_21, Sex.MALE))
    assert granted and rule == "weihai.beneficiary.household_2026"


@pytest.mark.parametrize("scheme", list(HOUSEHOLD))
def test_under_the_legal_marriage_age_a_child_of_21_whose_sex_is_not_filed_is_refused_naming_it(
    scheme: Scheme,
) -> None:
    granted, reason, _ = household(scheme, child(SON_21))
    assert not granted
    assert "the child's sex is needed at 21" in reason and "--sex male|female" in reason


@pytest.mark.parametrize("scheme", list(HOUSEHOLD))
def test_the_marriage_ages_decide_as_data_from_2026_12_07_and_the_old_rule_the_days_before(
    scheme: Scheme,
) -> None:
    old = household(scheme, child(SON_21, Sex.MALE), BEFORE)
    assert old[2] == f"{scheme}.beneficiary.household"
    assert household(scheme, child(SON_21, Sex.MALE))[2] == f"{scheme}.beneficiary.household_2026"


def test_jinan_art_5_registers_an_unmarried_child() -> None:
    unmarried = child(date(1996, 1, 1), married=False, married_as_of=date(2026, 11, 30))
    granted, _, rule = household(Scheme.JINAN, unmarried)
    assert granted and rule == "jinan.beneficiary.household_2026"


def test_jinan_art_5_does_not_register_a_married_child() -> None:
    married = child(date(1996, 1, 1), married=True, married_as_of=date(2026, 11, 30))
    granted, reason, _ = household(Scheme.JINAN, married)
    assert not granted and "does not show the child unmarried on 2026-12-08" in reason


def test_jinan_art_5_refuses_a_child_whose_marriage_is_not_filed_naming_what_is_missing() -> None:
    granted, reason, _ = household(Scheme.JINAN, child(date(2010, 1, 1)))
    assert not granted
    assert "whether the child is married is needed" in reason and "--married yes|no" in reason


def test_jinan_art_5_reads_a_marital_status_only_from_the_day_a_document_showed_it() -> None:
    unmarried = child(date(1996, 1, 1), married=False, married_as_of=AFTER)
    granted, reason, _ = household(Scheme.JINAN, unmarried, date(2026, 12, 7))
    assert not granted and "marital status is not known on 2026-12-07" in reason
    assert str(AFTER) not in reason  # the document's day is not told
    assert household(Scheme.JINAN, unmarried, AFTER)[0]


def test_the_marriage_ages_are_read_from_the_rule_s_data_not_from_code() -> None:
    # Ages other than the Civil Code's in a variant of the data: the decision follows them.
    variant = shifted(
        Scheme.LIAOCHENG,
        "marriage_age = { son = 22, daughter = 20 }",
        "marriage_age = { son = 21, daughter = 20 }",
    )
    decision = decide_entitlement(
        card(Scheme.LIAOCHENG, "A"), "liaocheng.7", child(SON_21, Sex.MALE), AFTER, policy=variant
    )
    assert not decision.granted and "a son under 21" in decision.reason
