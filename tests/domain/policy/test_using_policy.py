"""The public switch that runs the engine on other rules: ``using_policy``."""

from __future__ import annotations

import threading

import pytest

from domain.policy import Policy, default_policy, parse_policy, tier_ranking, using_policy
from domain.policy.loader import package_texts
from domain.vocabulary import Scheme

TEXTS = package_texts()


def reordered_jinan_tiers() -> Policy:
    """The package data with Jinan's classes (its [tiers] rule) listed lowest first."""
    head, rule = TEXTS["jinan.toml"].split("\n[tiers]\n")
    old, new = 'tiers = ["A", "B", "C", "D"]', 'tiers = ["D", "C", "B", "A"]'
    assert rule.index(old) < rule.index("\n[")  # the first list after [tiers] is its own
    return parse_policy({**TEXTS, "jinan.toml": f"{head}\n[tiers]\n{rule.replace(old, new, 1)}"})


def test_inside_the_block_the_engine_decides_by_the_policy_given_and_after_it_by_the_package():
    package = default_policy()
    other = reordered_jinan_tiers()
    with using_policy(other) as chosen:
        assert chosen is other
        assert default_policy() is other
        assert tier_ranking(Scheme.JINAN).tiers == ("D", "C", "B", "A")
    assert default_policy() is package
    assert tier_ranking(Scheme.JINAN).tiers == ("A", "B", "C", "D")


def refuse_inside(chosen: Policy) -> None:
    """A command that sees ``chosen`` in force, then fails."""
    assert default_policy() is chosen
    raise RuntimeError("refused inside the block")


def test_blocks_nest_and_each_restores_the_one_around_it_even_when_it_raises():
    package = default_policy()
    outer, inner = reordered_jinan_tiers(), parse_policy(TEXTS)
    with using_policy(outer):
        with pytest.raises(RuntimeError), using_policy(inner):
            refuse_inside(inner)
        assert default_policy() is outer
    assert default_policy() is package


def test_another_thread_keeps_deciding_by_the_package_data():
    package = default_policy()
    seen: list[Policy] = []
    with using_policy(reordered_jinan_tiers()):
        thread = threading.Thread(target=lambda: seen.append(default_policy()))
        thread.start()
        thread.join()
    assert seen == [package]
    assert seen[0] is package
