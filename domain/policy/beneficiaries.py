"""Who may use an item (受益人): the classes an article names, matched against the person a
venue or clerk asks for."""

from __future__ import annotations

from datetime import date

from domain.errors import InvalidInput
from domain.policy.catalogue import listed
from domain.policy.dates import age_on
from domain.policy.model import BeneficiaryRule, BeneficiaryToken, MarriageAge, ServiceItem
from domain.policy.results import Beneficiary, BeneficiaryKind, Sex, Usage

# Age of majority, 18 (民法典 art. 17): a 未成年子女 is a child under 18 on the day.
ADULT_AGE = 18
# The legal marriage age (民法典 art. 1047: 男不得早于二十二周岁，女不得早于二十周岁) of a
# rule stating none (the rules until 2026-12-06); the rules from the rectified versions
# state theirs as data (BeneficiaryRule.marriage_age, RD-2026-85..87).
MARRIAGE_AGE = {Sex.MALE: 22, Sex.FEMALE: 20}

# What a venue must see for an item the family use only together with the holder.
WITH_HOLDER_REQUIRES = "the holder in person, using it at the same time (同步享受)"

_FIXED = {
    BeneficiaryKind.HOLDER: BeneficiaryToken.HOLDER,
    BeneficiaryKind.SPOUSE: BeneficiaryToken.SPOUSE,
    BeneficiaryKind.PARENT: BeneficiaryToken.PARENT,
    BeneficiaryKind.SPOUSE_PARENT: BeneficiaryToken.SPOUSE_PARENT,
    BeneficiaryKind.COMPANION: BeneficiaryToken.COMPANION,
}
CHILD_CLASSES = (
    BeneficiaryToken.MINOR_CHILD,
    BeneficiaryToken.CHILD_UNDER_MARRIAGE_AGE,
    BeneficiaryToken.UNMARRIED_CHILD,
    BeneficiaryToken.CHILD,
)


def tokens_of(
    person: Beneficiary, day: date, rule: BeneficiaryRule | None = None
) -> frozenset[BeneficiaryToken]:
    """Every class of the articles that ``person`` belongs to on ``day``, as ``rule``
    reads a child; a child's classes need what decides them (date of birth, sex,
    marriage), and without it the child is in none of them but the plain 子女."""
    fixed = _FIXED.get(person.kind)
    if fixed is not None:
        return frozenset({fixed})
    ages = _ages(rule)
    return frozenset(t for t in CHILD_CLASSES if _child_refusal(t, person, day, ages) is None)


def _ages(rule: BeneficiaryRule | None) -> dict[Sex, int]:
    ages: MarriageAge | None = None if rule is None else rule.marriage_age
    if ages is None:
        return MARRIAGE_AGE
    return {Sex.MALE: ages.son, Sex.FEMALE: ages.daughter}


def beneficiary_rule(rules: list[BeneficiaryRule], code: str, item: ServiceItem) -> BeneficiaryRule:
    """The rule in force naming who may use ``code``: the item's own, else the default."""
    for rule in rules:
        if not rule.default and listed(rule.items, code, item):
            return rule
    for rule in rules:
        if rule.default:
            return rule
    raise InvalidInput(f"no beneficiary rule in force for {code}", code="no_beneficiary_rule")


def beneficiary_refusal(
    rule: BeneficiaryRule, person: Beneficiary, used: Usage, day: date
) -> str | None:
    """Why ``person`` may not use an item under ``rule`` on ``day``, or None."""
    tokens = tokens_of(person, day, rule)
    if not tokens & set(rule.allowed):
        return _why_not(rule, person, day)
    if (
        rule.with_holder
        and person.kind is not BeneficiaryKind.HOLDER
        and person.holder_present is False
    ):
        return f"only together with the holder, never alone (同步享受; {rule.id})"
    if BeneficiaryToken.COMPANION in tokens and used.companions_admitted >= rule.max_companions:
        return f"at most {rule.max_companions} companion(s) with the holder ({rule.id})"
    return None


def _why_not(rule: BeneficiaryRule, person: Beneficiary, day: date) -> str:
    if person.kind is BeneficiaryKind.CHILD:
        ages = _ages(rule)
        for token in rule.allowed:
            if token in CHILD_CLASSES:
                reason = _child_refusal(token, person, day, ages)
                return f"{reason} ({rule.id})"
    allowed = ", ".join(t.value for t in rule.allowed)
    return f"this item is for: {allowed}; not for a {person.kind.value} ({rule.id})"


# What a registry asks for when the family record lacks it (RD-2026-85..88): unknown is
# not yes, so the child is refused, and told how to file what is missing.
_FILE_IT = "file it with card amend request --change correct_member"


def _child_refusal(
    token: BeneficiaryToken, child: Beneficiary, day: date, ages: dict[Sex, int]
) -> str | None:
    """Why the child is not of the class ``token`` on ``day`` (or what is needed), or None."""
    if token is BeneficiaryToken.CHILD:
        return None
    if token is BeneficiaryToken.UNMARRIED_CHILD:
        as_of = child.married_as_of
        if child.married is None:
            return (
                "whether the child is married is needed (未婚子女: unmarried children; "
                f"{_FILE_IT} --married yes|no --married-as-of DAY)"
            )
        if as_of is not None and day < as_of:
            # Without the document's day: the refusal reaches the asking clerk or venue.
            return (
                f"the child's marital status is not known on {day}: the family record "
                "shows it from a later day (未婚子女: unmarried children)"
            )
        if child.married:
            # Said without echoing the filed status: the refusal reaches the asking clerk.
            return f"the family record does not show the child unmarried on {day} (未婚子女)"
        return None
    son, daughter = ages[Sex.MALE], ages[Sex.FEMALE]
    label = (
        "未成年子女: under 18"
        if token is BeneficiaryToken.MINOR_CHILD
        else f"未到法定结婚年龄子女: a son under {son}, a daughter under {daughter}"
    )
    if child.date_of_birth is None:
        return f"the child's date of birth is needed ({label})"
    age = age_on(child.date_of_birth, day)
    if token is BeneficiaryToken.MINOR_CHILD:
        if age >= ADULT_AGE:
            return f"the child is {age} on {day}, not under {ADULT_AGE} ({label})"
        return None
    if child.sex is None:
        if age < min(son, daughter):
            return None
        if age >= max(son, daughter):
            return f"the child is {age} on {day}, of legal marriage age ({label})"
        return (
            f"the child's sex is needed at {age}: the legal marriage age is {son} for a son, "
            f"{daughter} for a daughter ({_FILE_IT} --sex male|female)"
        )
    if age >= ages[child.sex]:
        # The label gives both ages, never the one that applied: that would tell the
        # asking clerk or venue the child's sex.
        return f"the child is {age} on {day}, of legal marriage age ({label})"
    return None

