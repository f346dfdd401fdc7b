"""The current reading (domain.policy.reading): a corrected rule read back over the days of
the rule it replaces, so ``policy recheck`` can ask what it would have decided then."""

from __future__ import annotations

from datetime import date

from domain.policy import decide_eligibility, parse_policy
from domain.policy.loader import package_texts
from domain.policy.reading import current_reading
from domain.vocabulary import Scheme

OLD_DAY = date(2025, 1, 1)
NEW_DAY = date(2026, 12, 8)
B = {"certified_class_b": True}
B_CORRECTED = {"certified_class_b_by_the_city": True}


def corrected_policy():  # type: ignore[no-untyped-def]
    """Jinan with class B corrected from 2026-12-07: it asks for another fact."""
    texts = package_texts()
    old = 'category = "B"\nroute = "direct"\n'
    assert texts["jinan.toml"].count(old) == 1
    text = texts["jinan.toml"].replace(
        'id = "jinan.category.B"\nsource = "jinan-2018-precision-service-rules arts. 3, 24(1)"\n'
        'version = "jinan-2018"\neffective_from = 2018-09-19\n',
        'id = "jinan.category.B"\nsource = "jinan-2018-precision-service-rules arts. 3, 24(1)"\n'
        'version = "jinan-2018"\neffective_from = 2018-09-19\neffective_until = 2026-12-06\n',
    )
    text += (
        '\n[[categories]]\nid = "jinan.category.B.corrected"\n'
        'source = "jinan-2018-precision-service-rules arts. 3, 24(1)"\n'
        'version = "jinan-2026-rectified"\neffective_from = 2026-12-07\n'
        'replaces = ["jinan.category.B"]\ncategory = "B"\nroute = "direct"\ntier = "B"\n'
        'summary = "class B, as corrected"\n'
        'all_of = [{ label = "certified by the city", fact = "certified_class_b_by_the_city" }]\n'
    )
    texts["jinan.toml"] = text
    return parse_policy(texts)


def test_a_corrected_rule_decides_only_from_the_day_it_was_decided():
    policy = corrected_policy()
    before = decide_eligibility(Scheme.JINAN, "B", B, OLD_DAY, policy=policy)
    after = decide_eligibility(Scheme.JINAN, "B", B, NEW_DAY, policy=policy)
    assert before.eligible and before.rules[0] == "jinan.category.B"
    assert not after.eligible


def test_the_current_reading_decides_a_past_day_by_the_corrected_rule():
    reading = current_reading(corrected_policy())
    old_facts = decide_eligibility(Scheme.JINAN, "B", B, OLD_DAY, policy=reading)
    new_facts = decide_eligibility(Scheme.JINAN, "B", B_CORRECTED, OLD_DAY, policy=reading)
    assert not old_facts.eligible
    assert new_facts.eligible and new_facts.rules[0] == "jinan.category.B.corrected"
    assert new_facts.version == "jinan-2018"  # the day's own version, read anew


def test_the_current_reading_leaves_rules_nobody_replaced_as_they_are():
    reading = current_reading(corrected_policy())
    c_rule = decide_eligibility(
        Scheme.JINAN, "C", {"certified_class_c": True}, OLD_DAY, policy=reading
    )
    assert c_rule.eligible and c_rule.rules[0] == "jinan.category.C"
