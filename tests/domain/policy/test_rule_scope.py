"""Which rules are in force on a day (RuleScope): answers are remembered per rule table,
version and day, so a venue checking cards all day does not filter the tables again, and a
remembered answer is never given for another table, version or day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import pytest

from domain.policy import versions
from domain.policy.versions import RuleScope
from domain.vocabulary import Scheme

W = Scheme.WEIHAI


@pytest.fixture
def filterings(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """An empty answer cache, and the rule tables actually filtered, in order."""
    seen: list[object] = []
    real = versions.in_force

    def counted(rules: Iterable[Any], *args: Any) -> list[Any]:
        seen.append(rules)
        return real(rules, *args)

    monkeypatch.setattr(versions, "_IN_FORCE", {})
    monkeypatch.setattr(versions, "in_force", counted)
    return seen


def test_a_table_asked_again_for_the_same_day_is_answered_from_memory(
    filterings: list[object],
) -> None:
    scope = RuleScope(W, date(2024, 3, 1), None)
    first = scope.rules(scope.data.categories)
    again = RuleScope(W, date(2024, 3, 1), None).rules(scope.data.categories)
    assert first == again and len(first) == 6
    assert filterings == [scope.data.categories]


def test_each_table_keeps_its_own_answer_when_tables_alternate(
    filterings: list[object],
) -> None:
    scope = RuleScope(W, date(2024, 3, 1), None)
    categories, paths = scope.data.categories, scope.data.paths
    answers = [scope.rules(categories), scope.rules(paths), scope.rules(categories)]
    # The paths in force that day (a rectified path from 2026-12-07 is not among them).
    in_force = [p for p in paths if p.version != "weihai-2026-rectified"]
    assert answers[0] == answers[2] and answers[1] == in_force
    assert filterings == [categories, paths]


def test_the_same_table_on_another_day_is_filtered_for_that_day(
    filterings: list[object],
) -> None:
    before = RuleScope(W, date(2023, 2, 19), None)
    after = RuleScope(W, date(2023, 2, 20), None)
    categories = before.data.categories
    assert len(before.rules(categories)) == 4
    assert len(after.rules(categories)) == 6


def test_a_remembered_answer_is_not_given_for_another_table_at_the_same_address(
    filterings: list[object],
) -> None:
    scope = RuleScope(W, date(2024, 3, 1), None)
    table = scope.data.paths
    key = (id(table), scope.version.id, scope.day)
    versions._IN_FORCE[key] = (object(), ("a stale answer for a table since freed",))
    assert scope.rules(table) == [p for p in table if p.version != "weihai-2026-rectified"]


def test_the_memory_is_emptied_once_it_holds_its_limit(
    filterings: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(versions, "_IN_FORCE_LIMIT", 3)
    scope = RuleScope(W, date(2024, 3, 1), None)
    data = scope.data
    for table in (data.categories, data.paths, data.terms, data.coverage):
        scope.rules(table)
    assert len(versions._IN_FORCE) == 1
