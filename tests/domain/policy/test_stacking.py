"""What a venue honours (叠加): its own city's card by tier, the 惠才卡 for matching items in
every city, the cards a city's rules name; never another city's card."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidInput
from domain.policy import CardSnapshot, default_policy, honours
from domain.vocabulary import Scheme
from tests.domain.policy.support import card

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
        (Scheme.JINAN, "jinan.12", "shandong.11"),
        (Scheme.LIAOCHENG, "liaocheng.17", "shandong.11"),
        (Scheme.JINAN, "jinan.19.vehicle", "shandong.16"),
    ],
)
def test_a_valid_huicai_card_is_honoured_for_matching_items_in_every_city(
    venue: Scheme, item: str, provincial: str
) -> None:
    decision = honours(venue, item, HUICAI, DAY)
    assert decision.honoured
    assert decision.rules == ("shandong.stacking", "shandong.coverage.all")
    assert provincial in decision.reason


@pytest.mark.parametrize(
    "item", ["liaocheng.18.bus", "liaocheng.19", "liaocheng.20", "liaocheng.23", "liaocheng.27"]
)
def test_liaocheng_names_the_huicai_card_for_articles_18_to_20_23_and_27(item: str) -> None:
    decision = honours(Scheme.LIAOCHENG, item, HUICAI, DAY)
    assert decision.honoured and decision.rules == ("liaocheng.accepts.huicai_or_gold",)


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
    decision = honours(venue, item, HUICAI, DAY)
    assert not decision.honoured and "matches no provincial item" in decision.reason


def test_an_expired_huicai_card_is_honoured_nowhere() -> None:
    expired = card(Scheme.SHANDONG, "direct", valid_until=date(2025, 5, 19))
    assert not honours(Scheme.WEIHAI, "weihai.14", expired, DAY).honoured


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
    decision = honours(venue, item, presented, DAY)
    assert not decision.honoured and "is not honoured in" in decision.reason


@pytest.mark.parametrize(("tier", "honoured"), [("A", True), ("C", False)])
def test_a_city_honours_its_own_card_for_the_items_of_its_tier(tier: str, honoured: bool) -> None:
    decision = honours(Scheme.LIAOCHENG, "liaocheng.12", card(Scheme.LIAOCHENG, tier), DAY)
    assert decision.honoured is honoured


def test_a_provincial_venue_honours_the_huicai_card_only() -> None:
    assert honours(Scheme.SHANDONG, "shandong.14", HUICAI, DAY).honoured
    assert not honours(Scheme.SHANDONG, "shandong.14", card(Scheme.JINAN, "A"), DAY).honoured


def test_an_item_code_of_another_scheme_is_invalid_at_a_venue() -> None:
    with pytest.raises(InvalidInput) as refused:
        honours(Scheme.WEIHAI, "jinan.19.travel", HUICAI, DAY)
    assert refused.value.code == "unknown_item"


def test_every_provincial_item_but_other_services_matches_some_city_item() -> None:
    matched = {m.provincial for m in default_policy().stacking.matches}
    assert matched == {f"shandong.{n}" for n in range(1, 30)}
