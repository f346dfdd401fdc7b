"""How long a person's data is kept after their card ended (保存期限), and who is due for
erasure: a rule in the policy data (``domain/policy/data/retention.toml``), citing PIPL
arts. 19 and 47, since no seed sets a period."""

from __future__ import annotations

import tomllib
from datetime import date
from functools import cache
from importlib import resources

import msgspec

from domain.policy.errors import PolicyDataError


class RetentionRule(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One version of the retention period."""

    id: str
    years_after_card_ended: int
    effective_from: date
    effective_until: date | None = None
    source: str


class RetentionFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    rule: tuple[RetentionRule, ...]


@cache
def retention_rules() -> tuple[RetentionRule, ...]:
    """The rules as the policy data states them, oldest first."""
    text = resources.files("domain.policy").joinpath("data/retention.toml").read_text("utf-8")
    try:
        rules = msgspec.convert(tomllib.loads(text), RetentionFile).rule
    except (tomllib.TOMLDecodeError, msgspec.ValidationError) as e:
        raise PolicyDataError("retention.toml", "rule", str(e)) from None
    if not rules or any(r.years_after_card_ended < 1 for r in rules):
        raise PolicyDataError(
            "retention.toml", "rule", "every rule keeps data at least one year"
        )
    return tuple(sorted(rules, key=lambda r: r.effective_from))


def rule_on(day: date, rules: tuple[RetentionRule, ...] | None = None) -> RetentionRule:
    """The rule in force on ``day`` (the earliest one before any took effect)."""
    rules = rules or retention_rules()
    found = rules[0]
    for rule in rules:
        if rule.effective_from <= day and (
            rule.effective_until is None or day <= rule.effective_until
        ):
            found = rule
    return found


def erase_after(ended_on: date, rule: RetentionRule) -> date:
    """The first day the data of a card that ended on ``ended_on`` is due for erasure."""
    years = rule.years_after_card_ended
    try:
        return ended_on.replace(year=ended_on.year + years)
    except ValueError:  # 29 February in a year that has none
        return date(ended_on.year + years, 3, 1)
