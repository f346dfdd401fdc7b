"""The employer's level (单位层级) that chooses a file's review path: typed by the filer, or
read from the register of employers (shandong-provincial-service-standard 7.1 item 4:
提交至同级高层次人才服务窗口审核), as the scheme's ``[[levels]]`` rule in force says."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from domain.errors import InvalidInput
from domain.policy.model import EmployerLevelRule, Policy
from domain.policy.versions import RuleScope
from domain.vocabulary import EmployerLevel, Scheme

Facts = Mapping[str, str | int | float | bool]

# The facts a register-read level records in the filing, so that the file and its replay
# show which level it was decided with and from which rule.
LEVEL_FACT = "employer_level"
COUNTY_FACT = "employer_county"
RULE_FACT = "employer_level_rule"


def level_rule(
    scheme: Scheme, day: date, *, policy: Policy | None = None
) -> EmployerLevelRule | None:
    """The rule in force on ``day`` saying where ``scheme``'s employer level comes from
    (None: the scheme's paths do not depend on it)."""
    ctx = RuleScope(scheme, day, policy)
    rules = ctx.rules(ctx.data.levels)
    return rules[0] if rules else None


def facts_with_level(
    rule: EmployerLevelRule,
    facts: Facts,
    registered: tuple[EmployerLevel, str] | None,
    credit_code: str,
) -> dict[str, str | int | float | bool]:
    """The filing's facts with the employer's level set from the register, for a rule
    that reads it from there: a typed level fact is refused, and so is an employer the
    register does not hold. ``registered``: the entry's level and county, or None."""
    level_facts = (rule.county_fact, rule.city_fact, rule.province_fact)
    typed = sorted(
        name for name in (*level_facts, LEVEL_FACT, COUNTY_FACT, RULE_FACT) if name in facts
    )
    if typed:
        raise InvalidInput(
            f"the employer's level comes from the register of employers, not from the filing:"
            f" remove the fact(s) {', '.join(typed)}",
            code="level_from_register",
            rule=rule.id,
        )
    if not credit_code:
        raise InvalidInput(
            "the employer's level comes from the register of employers: the file must name "
            "its employer's credit code (sponsor.credit_code)",
            code="employer_not_registered",
            rule=rule.id,
        )
    if registered is None:
        raise InvalidInput(
            f"employer {credit_code} is not in the register of employers: an administrator "
            "must register it (talentcard employers register CREDIT-CODE --level "
            "county|city|province) before it files",
            code="employer_not_registered",
            rule=rule.id,
        )
    level, county = registered
    chosen = {
        EmployerLevel.COUNTY: rule.county_fact,
        EmployerLevel.CITY: rule.city_fact,
        EmployerLevel.PROVINCE: rule.province_fact,
    }[level]
    out: dict[str, str | int | float | bool] = dict(facts)
    for name in level_facts:
        out[name] = name == chosen
    out[LEVEL_FACT] = str(level)
    if county:
        out[COUNTY_FACT] = county
    out[RULE_FACT] = rule.id
    return out
