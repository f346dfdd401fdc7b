"""The policy data loads, validates and versions: bad files fail naming file, key, reason."""

from __future__ import annotations

from datetime import date

import pytest

from domain.policy import (
    NoPolicyInForce,
    PolicyDataError,
    decide_eligibility,
    default_policy,
    parse_policy,
    policy_versions,
    version_in_force,
)
from domain.policy.loader import SEEDS, _rules, package_texts
from domain.vocabulary import Scheme

TEXTS = package_texts()


def edited(name: str, old: str, new: str) -> dict[str, str]:
    """The package texts with one exact edit in one file (no I/O)."""
    assert TEXTS[name].count(old) == 1, f"{old!r} must occur once in {name}"
    return {**TEXTS, name: TEXTS[name].replace(old, new)}


def test_package_data_loads_every_scheme_with_a_full_catalogue() -> None:
    policy = default_policy()
    sizes = {scheme: len(policy.scheme(scheme).items) for scheme in Scheme}
    assert sizes == {Scheme.SHANDONG: 30, Scheme.WEIHAI: 30, Scheme.LIAOCHENG: 25, Scheme.JINAN: 18}


def test_every_rule_and_item_cites_a_seed_file_or_a_recorded_decision() -> None:
    # No rule rests on the brief or a guess: a seed article, or an administrator's
    # decision recorded with its reference (issue 10, "rules with no source").
    for scheme in Scheme:
        data = default_policy().scheme(scheme)
        decisions = {d.id: d for d in data.decisions}
        for item in data.items:
            assert item.source.startswith(SEEDS), item.code
        for _, rule in _rules(data):
            assert "POLICY.md" not in rule.source, rule.id
            if rule.decision:
                decision = decisions[rule.decision]
                assert decision.reference and decision.why, rule.id
                assert rule.decision in rule.source, rule.id
            else:
                assert rule.source.startswith(SEEDS), rule.id


def test_the_rules_resting_on_a_decision_are_the_ones_the_seeds_leave_open() -> None:
    resting = {
        rule.id
        for scheme in Scheme
        for _, rule in _rules(default_policy().scheme(scheme))
        if rule.decision
    }
    assert resting == {
        "shandong.term.programme",
        "shandong.term.default",
        "shandong.term.longest",
        "shandong.revocation",
        "liaocheng.term.open",
        "liaocheng.upgrade.keep_term",
        "liaocheng.filer.direct",
        "liaocheng.limit.films",
        "weihai.filer.direct",
        "weihai.limit.health_check",
        "weihai.term.extension_2023",
        "weihai.term.extension_2023.hire",
        # weihai-2026-rectified: a gap before the 2023 event stays lapsed (RD-2026-100).
        "weihai.term.extension_2026.business_elite",
        "weihai.term.extension_2026.enterprise_talent",
        # 一事一议 names no decider (RD-2026-101).
        "weihai.quota.business_elite.2026",
        # A 2023 card opened again: the notice gives a term to the first opening only.
        "weihai.term.reopened_2026",
        # 按管理权限经主管部门或区市人社部门审核: which body's users take the district stage.
        "weihai.path.reviewed_2026",
        "weihai.term.highest_not_cumulative",
        # The 惠才卡's term read from its verified credential (issue 27, RD-2026-95).
        "weihai.term.huicai_card_credential",
        # Another city's card shown by its verified credential (issue 27, RD-2026-96).
        "weihai.recognition.other_city_card_credential",
        "weihai.category.4",
        "weihai.revocation",
        "shandong.beneficiary.entry_exit",
        "weihai.beneficiary.entry_exit",
        "liaocheng.beneficiary.entry_exit",
        "jinan.beneficiary.entry_exit",
        # A child's sex and marital status as the family record files them (issue 27).
        "liaocheng.beneficiary.household_2026",
        "shandong.beneficiary.household_2026",
        "weihai.beneficiary.household_2026",
        "jinan.beneficiary.household_2026",
        # Who decides a change to a card's people: no seed names a decider (issue 26).
        "shandong.amendment",
        "weihai.amendment",
        "liaocheng.amendment",
        "jinan.amendment",
        # Who issued before 2026-12-07: the registry's one role set (RD-2026-80); after it,
        # where the article names no issuer (RD-2026-81) (issue 27).
        "shandong.issuers.registry_practice",
        "weihai.issuers.registry_practice",
        "liaocheng.issuers.registry_practice",
        "jinan.issuers.registry_practice",
        "weihai.issuers",
        "liaocheng.issuers",
        "jinan.issuers",
        # Jinan art. 24(3) names no proposer for a card with no unit (RD-2026-82).
        "jinan.revocation.without_unit",
        # Suspension and reinstatement: the registry's interim measure (RD-2026-83).
        "shandong.interim",
        "weihai.interim",
        "liaocheng.interim",
        "jinan.interim",
        # Where the employer's level comes from (7.1 item 4 names the same-level window, no
        # register): typed until 2026-12-06 (RD-2026-90), the register after (RD-2026-91).
        # Another card shown by its verified credential (RD-2026-95..99).
        "weihai.recognition.huicai_card_credential",
        "liaocheng.recognition.huicai_card_credential",
        "shandong.level.typed",
        "shandong.level.register",
        # Who records Liaocheng art. 13's spouse-transfer request (issue 27, RD-2026-112).
        "liaocheng.deadline.spouse_transfer",
    }
    versions = {v.id: v.decision for s in Scheme for v in policy_versions(s) if v.decision}
    assert versions == {
        "shandong-standard": "shandong.decision.start_date",
        "liaocheng-2022": "liaocheng.decision.version_date",
        "weihai-2023": "weihai.decision.notice_date",
        "weihai-2024-continued": "weihai.decision.continue_after_2024",
        # The corrected readings of issue 27 are in force from the day they were decided.
        "shandong-2026-rectified": "shandong.decision.rectification_2026",
        "liaocheng-2026-rectified": "liaocheng.decision.rectification_2026",
        "weihai-2026-rectified": "weihai.decision.rectification_2026",
        "jinan-2026-rectified": "jinan.decision.rectification_2026",
    }


@pytest.mark.parametrize(
    ("name", "old", "new", "key", "reason"),
    [
        (
            "liaocheng.toml",
            'source = "liaocheng-2022-green-channel-rules art. 31 '
            '(金卡(C)享受第十六条至第二十条)"\n',
            "",
            "coverage[2]",
            "missing required field `source`",
        ),
        (
            "jinan.toml",
            'tiers = ["A", "B", "C"]\nitems = ["jinan.8"]',
            'tiers = ["A", "B", "C"]\nitems = ["jinan.80"]',
            "coverage[2].items[0]",
            "unknown item code 'jinan.80'",
        ),
        (
            "weihai.toml",
            "per_calendar_year = 1\n",
            'per_calendar_year = "once"\n',
            "limits[0].per_calendar_year",
            "Expected `int | null`, got `str`",
        ),
        (
            "jinan.toml",
            "restart_years = 5\n",
            "restart_years = 5\nrestart_months = 60\n",
            "upgrades[0]",
            "unknown field `restart_months`",
        ),
        (
            "weihai.toml",
            'id = "weihai.limit.health_check"\nsource',
            'id = "weihai.limit.health_check"\nversion = "weihai-2030"\nsource',
            "(syntax)",
            "Cannot overwrite a value",
        ),
        (
            "shandong.toml",
            'version = "shandong-standard"\neffective_from = 2020-03-31\n'
            'effective_until = 2026-12-06\nroute = "direct"',
            'version = "shandong-2019"\neffective_from = 2020-03-31\n'
            'effective_until = 2026-12-06\nroute = "direct"',
            "deadlines[0].version",
            "unknown version 'shandong-2019'",
        ),
        (
            "stacking.toml",
            'city = ["weihai.15"]',
            'city = ["weihai.31"]',
            "matches[14].city[0]",
            "unknown city item 'weihai.31'",
        ),
        (
            "liaocheng.toml",
            'stages = ["city_hrss", "talent_office"]',
            'stages = ["city_hrss", "party_secretary"]',
            "paths[1].stages[1]",
            "Invalid enum value 'party_secretary'",
        ),
        (
            "shandong.toml",
            'from_register = false\ncounty_fact = "county_employer"',
            'from_register = false\ncounty_fact = "county_employers"',
            "levels[0].county_fact",
            "no path is chosen by this fact",
        ),
    ],
)
def test_a_malformed_file_fails_naming_the_file_the_key_and_the_reason(
    name: str, old: str, new: str, key: str, reason: str
) -> None:
    with pytest.raises(PolicyDataError) as caught:
        parse_policy(edited(name, old, new))
    error = caught.value
    assert (error.file, error.key) == (name, key)
    assert reason in error.reason
    assert str(error).startswith(f"{name}: {key}: ")


def test_an_administrator_calendar_day_outside_its_year_is_refused() -> None:
    texts = {
        **TEXTS,
        "workdays.toml": '[[years]]\nyear = 2027\nsource = "notice"\nholidays = [2028-01-01]\n',
    }
    with pytest.raises(PolicyDataError, match=r"workdays.toml: years\[0\].holidays\[0\]: "):
        parse_policy(texts)


def test_weihai_has_four_versions_each_continuing_the_last() -> None:
    versions = policy_versions(Scheme.WEIHAI)
    assert [(v.id, v.continues) for v in versions] == [
        ("weihai-2019", None),
        ("weihai-2023", "weihai-2019"),
        ("weihai-2024-continued", "weihai-2023"),
        ("weihai-2026-rectified", "weihai-2024-continued"),
    ]
    assert versions[-2].effective_until == date(2026, 12, 6)
    assert versions[-1].effective_until is None
    assert versions[-1].decision == "weihai.decision.rectification_2026"


@pytest.mark.parametrize(
    ("scheme", "day", "version"),
    [
        (Scheme.WEIHAI, date(2019, 7, 8), "weihai-2019"),
        (Scheme.WEIHAI, date(2023, 2, 19), "weihai-2019"),
        (Scheme.WEIHAI, date(2023, 2, 20), "weihai-2023"),
        (Scheme.WEIHAI, date(2024, 7, 7), "weihai-2023"),  # the 2019 opinion's last day
        (Scheme.WEIHAI, date(2024, 7, 8), "weihai-2024-continued"),
        (Scheme.LIAOCHENG, date(2022, 9, 13), "liaocheng-2022"),
        (Scheme.JINAN, date(2018, 9, 19), "jinan-2018"),
        (Scheme.JINAN, date(2026, 12, 6), "jinan-2018"),
        (Scheme.JINAN, date(2026, 12, 7), "jinan-2026-rectified"),
        (Scheme.WEIHAI, date(2026, 12, 7), "weihai-2026-rectified"),
        (Scheme.LIAOCHENG, date(2026, 12, 7), "liaocheng-2026-rectified"),
        (Scheme.SHANDONG, date(2026, 12, 7), "shandong-2026-rectified"),
    ],
)
def test_the_version_in_force_follows_the_effective_dates(
    scheme: Scheme, day: date, version: str
) -> None:
    assert version_in_force(scheme, day).id == version


@pytest.mark.parametrize(
    ("scheme", "day"),
    [
        (Scheme.WEIHAI, date(2019, 7, 7)),
        (Scheme.JINAN, date(2018, 9, 18)),
        (Scheme.LIAOCHENG, date(2022, 9, 12)),
    ],
)
def test_a_date_no_version_covers_raises_a_clear_error(scheme: Scheme, day: date) -> None:
    with pytest.raises(NoPolicyInForce, match=f"no {scheme} policy version is in force on {day}"):
        version_in_force(scheme, day)
    with pytest.raises(NoPolicyInForce):
        decide_eligibility(scheme, "A" if scheme is Scheme.JINAN else "art5.1", {}, day)


def test_a_rule_applies_on_the_day_it_expires_and_not_the_day_after() -> None:
    policy = parse_policy(
        edited(
            "jinan.toml",
            'id = "jinan.category.A"\n',
            'id = "jinan.category.A"\neffective_until = 2025-06-30\n',
        )
    )
    facts = {"certified_class_a": True}
    last = decide_eligibility(Scheme.JINAN, "A", facts, date(2025, 6, 30), policy=policy)
    after = decide_eligibility(Scheme.JINAN, "A", facts, date(2025, 7, 1), policy=policy)
    assert last.eligible and last.rules == ("jinan.category.A", "jinan.path.direct")
    assert not after.eligible
    assert after.failed_condition == "category in force"
    assert "2025-06-30" in after.reason


def test_a_later_version_added_as_data_continues_the_rules_of_the_one_before() -> None:
    successor = (
        '[[versions]]\nid = "jinan-2030"\neffective_from = 2030-01-01\n'
        'continues = "jinan-2026-rectified"\nsource = "a successor notice"\n\n'
    )
    texts = edited(
        "jinan.toml",
        'continues = "jinan-2018"\n',
        'continues = "jinan-2018"\neffective_until = 2029-12-31\n',
    )
    decisions = '[[decisions]]\nid = "jinan.decision.rectification_2026"'
    texts["jinan.toml"] = texts["jinan.toml"].replace(decisions, successor + decisions)
    policy = parse_policy(texts)
    decision = decide_eligibility(
        Scheme.JINAN, "B", {"certified_class_b": True}, date(2030, 1, 1), policy=policy
    )
    assert decision.eligible and decision.version == "jinan-2030"
    assert decision.rules == ("jinan.category.B", "jinan.path.direct")


def test_a_fact_given_as_text_is_refused_by_name_rather_than_failing_quietly() -> None:
    from datetime import date

    from domain.errors import InvalidInput
    from domain.policy import decide_eligibility
    from domain.vocabulary import Scheme

    with pytest.raises(InvalidInput, match="fact certified_excellent is the text 'true'"):
        decide_eligibility(
            Scheme.LIAOCHENG, "art5.3", {"certified_excellent": "true"}, date(2026, 3, 2)
        )
