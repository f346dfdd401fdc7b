"""Every scheme, every item, every kind of person, on the card's own city and through
stacking: the engine's answer against a table written from the seed texts themselves (not
from the policy data), so a data change that gives or takes a benefit fails here."""

from __future__ import annotations

from datetime import date

import pytest

from domain.policy import (
    Beneficiary,
    BeneficiaryKind,
    Sex,
    decide_entitlement,
    service_items,
)
from domain.vocabulary import Scheme
from tests.domain.policy.support import card

S, W, L, J = Scheme.SHANDONG, Scheme.WEIHAI, Scheme.LIAOCHENG, Scheme.JINAN
DAY = date(2025, 5, 20)
TOP = {S: "direct", W: "3", L: "A", J: "A"}  # each covers every item of its scheme

PEOPLE = {
    "holder": Beneficiary(kind=BeneficiaryKind.HOLDER),
    "spouse": Beneficiary(kind=BeneficiaryKind.SPOUSE),
    # 10, unmarried: a minor, under the marriage age, unmarried, a child.
    "young_child": Beneficiary(
        kind=BeneficiaryKind.CHILD, date_of_birth=date(2015, 1, 1), sex=Sex.MALE, married=False
    ),
    # 30, married: only a plain 子女.
    "grown_child": Beneficiary(
        kind=BeneficiaryKind.CHILD, date_of_birth=date(1995, 1, 1), sex=Sex.MALE, married=True
    ),
    "parent": Beneficiary(
        kind=BeneficiaryKind.PARENT, date_of_birth=date(1950, 1, 1), in_city_care_home=True
    ),
    "spouse_parent": Beneficiary(
        kind=BeneficiaryKind.SPOUSE_PARENT, date_of_birth=date(1950, 1, 1), in_city_care_home=True
    ),
    "companion": Beneficiary(kind=BeneficiaryKind.COMPANION),
}

VISAS = {"holder", "spouse", "young_child"}  # 配偶及未成年子女
HOUSEHOLD = {"holder", "spouse", "young_child"}  # 配偶、未到法定结婚年龄子女 / 未婚子女
SPOUSE_ONLY = {"spouse"}
CHILDREN = {"young_child", "grown_child"}  # 子女 (the schooling conditions say which)
WITH_COMPANION = {"holder", "companion"}  # 本人及一名陪同人员
LIAOCHENG_FAMILY = {"holder", "spouse", "young_child", "parent", "spouse_parent", "companion"}

# Who the seed's article names; every item not listed is the holder's alone.
SEED = {
    "shandong.1": VISAS,  # annex A.1 随行家属
    "shandong.3": HOUSEHOLD,  # A.3
    "shandong.9.placement": SPOUSE_ONLY,  # A.9
    "shandong.9.allowance": SPOUSE_ONLY,
    "shandong.10": CHILDREN,  # A.10
    "weihai.1.visa": VISAS,  # the permits (weihai.1.permit) are the talent's own  # part 3 (一)
    "weihai.2": HOUSEHOLD,  # (二)
    "weihai.10.placement": SPOUSE_ONLY,  # (十)
    "weihai.10.allowance": SPOUSE_ONLY,
    "weihai.11": CHILDREN,  # (十一)
    "weihai.14": WITH_COMPANION,  # (十四)
    "weihai.15": WITH_COMPANION,  # (十五)
    "weihai.16": WITH_COMPANION,  # (十六)
    "liaocheng.6.visa": VISAS,  # the permits (liaocheng.6.permit) are the talent's own  # art. 6
    "liaocheng.7": HOUSEHOLD,  # art. 7
    "liaocheng.13.transfer": SPOUSE_ONLY,  # art. 13
    "liaocheng.13.placement": SPOUSE_ONLY,
    "liaocheng.14": CHILDREN,  # art. 14
    "liaocheng.18.bus": LIAOCHENG_FAMILY,  # art. 18
    "liaocheng.19": LIAOCHENG_FAMILY,  # art. 19
    "liaocheng.20": LIAOCHENG_FAMILY,  # art. 20
    "liaocheng.22": {"parent"},  # art. 22 其父母
    "jinan.4.visa": VISAS,  # the permits (jinan.4.permit) are the talent's own  # art. 4
    "jinan.5": HOUSEHOLD,  # art. 5 未婚子女
    "jinan.10.settle": SPOUSE_ONLY,  # art. 10
    "jinan.10.public_post": SPOUSE_ONLY,
    "jinan.11": CHILDREN,  # art. 11
    "jinan.19.travel": WITH_COMPANION,  # art. 19
}

# Stacking (annex A.30): city items the 惠才卡 does not reach at a city venue. The city's
# own items that match no provincial function, and Jinan's class-gated articles.
NOT_REACHED = {
    W: {"weihai.6", "weihai.20", "weihai.24", "weihai.27"},
    L: {"liaocheng.21.library", "liaocheng.21.films", "liaocheng.22"},
    J: {"jinan.6.case_by_case", "jinan.8", "jinan.9", "jinan.11", "jinan.12"},
}


def leaf_codes(scheme: Scheme) -> list[str]:
    return [p.code for i in service_items(scheme) for p in i.parts or [i]]


OWN = [
    (scheme, code, who) for scheme in (S, W, L, J) for code in leaf_codes(scheme) for who in PEOPLE
]
STACKED = [(city, code, who) for city in (W, L, J) for code in leaf_codes(city) for who in PEOPLE]


def test_the_seed_table_names_only_real_items() -> None:
    codes = {c for s in (S, W, L, J) for c in leaf_codes(s)}
    assert set(SEED) <= codes
    assert all(v <= codes for v in NOT_REACHED.values())


@pytest.mark.parametrize(("scheme", "code", "who"), OWN)
def test_the_own_city_card_grants_each_item_to_the_people_its_article_names(
    scheme: Scheme, code: str, who: str
) -> None:
    decision = decide_entitlement(card(scheme, TOP[scheme]), code, PEOPLE[who], DAY)
    assert decision.granted is (who in SEED.get(code, {"holder"})), decision.reason


@pytest.mark.parametrize(("city", "code", "who"), STACKED)
def test_a_huicai_card_at_a_city_venue_grants_what_the_city_article_gives_that_person(
    city: Scheme, code: str, who: str
) -> None:
    huicai = card(S, "evaluated")
    decision = decide_entitlement(huicai, code, PEOPLE[who], DAY, venue=city)
    expected = code not in NOT_REACHED[city] and who in SEED.get(code, {"holder"})
    assert decision.granted is expected, decision.reason
