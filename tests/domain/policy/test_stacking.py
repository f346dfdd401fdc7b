"""What a venue honours (叠加): its own city's card by tier; the 惠才卡 for the city items
``stacking.toml`` records as reached through annex A.30, decided by the city's own article
for each person; the cards a city's article names; never another city's card."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidInput
from domain.policy import CardSnapshot, Usage, decide_entitlement, default_policy
from domain.vocabulary import Scheme
from tests.domain.policy.support import COMPANION, SPOUSE, at_venue, card, child

DAY = date(2025, 5, 20)
HUICAI = card(Scheme.SHANDONG, "evaluated")


@pytest.mark.parametrize(
    ("venue", "item", "provincial"),
    [
        (Scheme.WEIHAI, "weihai.14", "shandong.14"),  # airport
        (Scheme.WEIHAI, "weihai.15", "shandong.15"),  # ferry
        (Scheme.WEIHAI, "weihai.16", "shandong.13"),  # rail
        (Scheme.JINAN, "jinan.19.travel", "shandong.13"),
        (Scheme.JINAN, "jinan.20.fitness", "shandong.18"),
        (Scheme.LIAOCHENG, "liaocheng.17", "shandong.11"),
        (Scheme.JINAN, "jinan.19.vehicle", "shandong.16"),
    ],
)
def test_a_valid_huicai_card_is_honoured_for_reached_items_in_every_city(
    venue: Scheme, item: str, provincial: str
) -> None:
    decision = at_venue(venue, item, HUICAI, DAY)
    assert decision.granted
    assert decision.rules[:2] == ("shandong.stacking", "shandong.coverage.all")
    assert provincial in decision.reason


@pytest.mark.parametrize("item", ["jinan.8", "jinan.9", "jinan.11", "jinan.12"])
def test_a_30_does_not_reach_jinan_s_class_gated_items(item: str) -> None:
    # Jinan arts. 8, 9, 11 (A-C classes) and 12 (class-1 or class-2 care by class): the
    # 惠才卡 carries no Jinan class, so stacking.toml withholds them.
    decision = at_venue(Scheme.JINAN, item, HUICAI, DAY, beneficiary=child(date(2015, 1, 1)))
    assert not decision.granted and "gated by the jinan card's own classes" in decision.reason


@pytest.mark.parametrize(
    "item", ["liaocheng.18.bus", "liaocheng.19", "liaocheng.20", "liaocheng.23", "liaocheng.27"]
)
def test_liaocheng_names_the_huicai_card_for_articles_18_to_20_23_and_27(item: str) -> None:
    decision = at_venue(Scheme.LIAOCHENG, item, HUICAI, DAY)
    assert decision.granted and decision.rules[0] == "liaocheng.accepts.huicai_or_gold"


@pytest.mark.parametrize(
    ("venue", "item"),
    [
        (Scheme.LIAOCHENG, "liaocheng.21.films"),
        (Scheme.LIAOCHENG, "liaocheng.22"),
        (Scheme.WEIHAI, "weihai.20"),
        (Scheme.JINAN, "jinan.6.case_by_case"),
    ],
)
def test_the_huicai_card_is_not_honoured_for_a_citys_own_items(venue: Scheme, item: str) -> None:
    decision = at_venue(venue, item, HUICAI, DAY)
    assert not decision.granted and "matches no provincial item" in decision.reason


def test_an_expired_huicai_card_is_honoured_nowhere() -> None:
    expired = card(Scheme.SHANDONG, "direct", valid_until=date(2025, 5, 19))
    assert not at_venue(Scheme.WEIHAI, "weihai.14", expired, DAY).granted


@pytest.mark.parametrize(
    ("venue", "item", "presented"),
    [
        (Scheme.WEIHAI, "weihai.14", card(Scheme.JINAN, "A")),
        (Scheme.JINAN, "jinan.20.parks", card(Scheme.LIAOCHENG, "A", valid_until=None)),
        (Scheme.LIAOCHENG, "liaocheng.19", card(Scheme.WEIHAI, "2")),
    ],
)
def test_another_citys_card_is_not_honoured_at_a_venue(
    venue: Scheme, item: str, presented: CardSnapshot
) -> None:
    decision = at_venue(venue, item, presented, DAY)
    assert not decision.granted and "is not honoured in" in decision.reason


@pytest.mark.parametrize(("tier", "honoured"), [("A", True), ("C", False)])
def test_a_city_honours_its_own_card_for_the_items_of_its_tier(tier: str, honoured: bool) -> None:
    decision = at_venue(Scheme.LIAOCHENG, "liaocheng.12", card(Scheme.LIAOCHENG, tier), DAY)
    assert decision.granted is honoured


def test_a_provincial_venue_honours_the_huicai_card_only() -> None:
    assert at_venue(Scheme.SHANDONG, "shandong.14", HUICAI, DAY).granted
    assert not at_venue(Scheme.SHANDONG, "shandong.14", card(Scheme.JINAN, "A"), DAY).granted


def test_an_item_code_of_another_scheme_is_invalid_at_a_venue() -> None:
    with pytest.raises(InvalidInput) as refused:
        at_venue(Scheme.WEIHAI, "jinan.19.travel", HUICAI, DAY)
    assert refused.value.code == "unknown_item"


def test_every_provincial_item_but_other_services_matches_some_city_item() -> None:
    matched = {m.provincial for m in default_policy().stacking.matches}
    assert matched == {f"shandong.{n}" for n in range(1, 30)}


# ---- per beneficiary: a stacked item is decided by the city's own article ---------------------


def test_a_spouse_is_refused_a_weihai_airport_item_the_huicai_card_reaches_for_its_holder() -> None:
    # Weihai part 3(十四): 本人及一名陪同人员; a spouse is no companion by right.
    assert at_venue(Scheme.WEIHAI, "weihai.14", HUICAI, DAY).granted
    assert not at_venue(Scheme.WEIHAI, "weihai.14", HUICAI, DAY, beneficiary=SPOUSE).granted


def test_one_companion_and_no_second_travels_on_a_stacked_huicai_card() -> None:
    first = decide_entitlement(HUICAI, "weihai.15", COMPANION, DAY, venue=Scheme.WEIHAI)
    second = decide_entitlement(
        HUICAI, "weihai.15", COMPANION, DAY, venue=Scheme.WEIHAI, usage=Usage(companions_admitted=1)
    )
    assert first.granted and not second.granted
    assert "at most 1 companion" in second.reason


def test_a_stacked_item_carries_the_city_article_s_conditions() -> None:
    decision = at_venue(Scheme.WEIHAI, "weihai.16", HUICAI, DAY)
    assert decision.requires == (
        "the holder's own valid ID and a ticket for this day's train "
        "(本人有效身份证件和当日当次火车票)",
    )


def test_liaocheng_art_19_admits_the_family_of_a_huicai_holder_with_the_holder() -> None:
    decision = at_venue(Scheme.LIAOCHENG, "liaocheng.19", HUICAI, DAY, beneficiary=SPOUSE)
    assert decision.granted and any("同步享受" in r for r in decision.requires)


@pytest.mark.parametrize("item", ["liaocheng.21.films", "liaocheng.22"])
def test_shandong_a_30_leaves_liaocheng_films_and_care_home_to_the_gold_card_by_decision(
    item: str,
) -> None:
    decision = at_venue(Scheme.LIAOCHENG, item, HUICAI, DAY)
    assert not decision.granted
    assert "stays with the liaocheng card" in decision.reason
    assert "RD-2026-110" in decision.reason


def test_jinan_art_6_purchase_is_reached_because_every_class_gets_it_and_art_8_is_not() -> None:
    purchase = at_venue(Scheme.JINAN, "jinan.6.purchase", HUICAI, DAY)
    post = at_venue(Scheme.JINAN, "jinan.8", HUICAI, DAY)
    assert purchase.granted
    assert not post.granted and "RD-2026-111" in post.reason
    reach = {r.city: r for r in default_policy().stacking.reach}
    assert default_policy().stacking.class_gates == "shandong.decision.stacking_class_gates"
    assert reach[Scheme.JINAN].withheld == ("jinan.8", "jinan.9", "jinan.11", "jinan.12")
