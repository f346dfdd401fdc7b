"""Load and validate the policy data (TOML → frozen Structs), failing loudly on bad data.

Files: one per scheme (``shandong.toml``, ``weihai.toml``, ``liaocheng.toml``,
``jinan.toml``), ``stacking.toml`` (provincial ↔ city item map) and ``workdays.toml``
(administrator-supplied holiday calendars). A malformed file raises ``PolicyDataError``
naming the file, the key and the reason. The package data is loaded once and cached;
``using_policy`` runs the engine on other rules for the length of a block.
"""

from __future__ import annotations

import re
import threading
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

import msgspec

from domain.policy.errors import PolicyDataError
from domain.policy.model import (
    BeneficiaryToken,
    Policy,
    RevocationRule,
    Rule,
    SchemeData,
    StackingData,
    StackingReach,
    TermBasisKind,
    WorkdayData,
)
from domain.vocabulary import Scheme

DATA_DIR = Path(__file__).parent / "data"
SCHEME_FILES = {scheme: f"{scheme.value}.toml" for scheme in Scheme}
# The seed documents a rule may cite (shared/seeds); any other basis is an administrator's
# recorded decision ([[decisions]]), never a brief or a guess.
SEEDS = (
    "shandong-provincial-service-standard",
    "weihai-2019-green-channel-opinion",
    "weihai-2023-card-for-investment-and-recruitment",
    "liaocheng-2022-green-channel-rules",
    "jinan-2018-precision-service-rules",
)
STACKING_FILE = "stacking.toml"
WORKDAYS_FILE = "workdays.toml"

T = TypeVar("T")
_AT = re.compile(r"^(?P<reason>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)


def package_texts(directory: Path | None = None) -> dict[str, str]:
    """The text of every policy data file in ``directory`` (default: the package data)."""
    where = DATA_DIR if directory is None else directory
    names = [*SCHEME_FILES.values(), STACKING_FILE, WORKDAYS_FILE]
    texts: dict[str, str] = {}
    for name in names:
        path = where / name
        if not path.is_file():
            raise PolicyDataError(name, "(file)", f"missing from {where}")
        texts[name] = path.read_text(encoding="utf-8")
    return texts


def load_policy(directory: Path | str | None = None) -> Policy:
    """Load and validate the policy data from ``directory`` (default: the package data)."""
    return parse_policy(package_texts(None if directory is None else Path(directory)))


_loaded: list[Policy] = []
_loading = threading.Lock()
# The rules ``using_policy`` put in force for the current thread or task, if any. A context
# variable, not a global, so that a block on other rules cannot leak into another thread.
_in_force: ContextVar[Policy | None] = ContextVar("policy_in_force", default=None)


def default_policy() -> Policy:
    """The policy the engine decides by: the rules ``using_policy`` put in force around
    the caller, else the package's policy data, loaded once per process.

    The first load is serialised: threads of the HTTP service or a racing test all asking
    at once would otherwise decode the same data concurrently, and msgspec.convert building
    its type information for the first time in several threads at once crashed the
    process (a segfault seen about one run in three of the Postgres quota race test).
    """
    chosen = _in_force.get()
    if chosen is not None:
        return chosen
    if not _loaded:
        with _loading:
            if not _loaded:
                _loaded.append(load_policy())
    return _loaded[0]


@contextmanager
def using_policy(policy: Policy) -> Iterator[Policy]:
    """Make the engine decide by ``policy`` inside the block (an administrator's edit, a
    trial of new rules, a test's variant of the data), then restore what was in force.

    Every rule lookup that falls back on ``default_policy()`` sees ``policy`` while the
    block runs; a caller that passes a policy explicitly is not affected. Blocks nest: the
    innermost wins, and leaving it restores the one around it, even when the block raises.

    Thread safety: the choice is held in a context variable, so it applies to the thread
    (or asyncio task) that entered the block and to asyncio tasks it creates inside it,
    which copy its context. Other threads, including threads started inside the block,
    keep deciding by the package data; concurrent blocks in different threads do not see
    each other's rules. The package data's cache is never modified.
    """
    token = _in_force.set(policy)
    try:
        yield policy
    finally:
        _in_force.reset(token)


def parse_policy(texts: Mapping[str, str]) -> Policy:
    """Validate policy data given as ``{file name: TOML text}`` (no I/O; tests use it)."""
    schemes: dict[Scheme, SchemeData] = {}
    for scheme, name in SCHEME_FILES.items():
        data = _decode(name, _text(texts, name), SchemeData)
        _check_scheme(name, scheme, data)
        schemes[scheme] = data
    _check_unique_rule_ids(schemes)
    stacking = _decode(STACKING_FILE, _text(texts, STACKING_FILE), StackingData)
    _check_stacking(stacking, schemes)
    _check_reach(stacking, schemes)
    workdays = _decode(WORKDAYS_FILE, _text(texts, WORKDAYS_FILE), WorkdayData)
    _check_workdays(workdays)
    return Policy(schemes=schemes, stacking=stacking, workdays=workdays)


# ---- decoding ------------------------------------------------------------------------------


def _text(texts: Mapping[str, str], name: str) -> str:
    if name not in texts:
        raise PolicyDataError(name, "(file)", "missing")
    return texts[name]


def _decode(name: str, text: str, kind: type[T]) -> T:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyDataError(name, "(syntax)", str(exc)) from None
    try:
        return msgspec.convert(raw, kind)
    except msgspec.ValidationError as exc:
        match = _AT.match(str(exc))
        assert match is not None  # the pattern matches any text
        path = (match.group("path") or "").lstrip(".") or "(top level)"
        raise PolicyDataError(name, path, match.group("reason")) from None


# ---- checks beyond types -------------------------------------------------------------------


# The SchemeData fields that hold a tuple of rules (``tiers`` and ``term_combination`` hold
# one each): read by the checks here and by ``domain.policy.reading``.
RULE_KINDS = (
    "categories",
    "paths",
    "filers",
    "terms",
    "extensions",
    "upgrades",
    "coverage",
    "beneficiaries",
    "limits",
    "payers",
    "conditions",
    "amendments",
    "quotas",
    "accepts",
    "stacking",
    "recognitions",
    "revocation",
    "deadlines",
    "issuers",
    "interim",
    "levels",
    "service_deadlines",
)


def _rules(data: SchemeData) -> Iterable[tuple[str, Rule]]:
    """Every rule of a scheme file with its key path."""
    yield "tiers", data.tiers
    if data.term_combination is not None:
        yield "term_combination", data.term_combination
    for field in RULE_KINDS:
        rules: tuple[Rule, ...] = getattr(data, field)
        for i, rule in enumerate(rules):
            yield f"{field}[{i}]", rule


def _item_codes(data: SchemeData) -> set[str]:
    codes = {item.code for item in data.items}
    codes.update(part.code for item in data.items for part in item.parts)
    return codes


def _check_scheme(name: str, scheme: Scheme, data: SchemeData) -> None:
    def fail(key: str, reason: str) -> None:
        raise PolicyDataError(name, key, reason)

    if data.scheme is not scheme:
        fail("scheme", f"is {data.scheme!r} but the file is for {scheme.value!r}")
    _check_versions(name, data)
    _check_sources(data, fail)
    _check_items(scheme, data, fail)
    _check_references(data, fail)
    _check_conditions(data, fail)
    _check_replacements(data, fail)
    _check_levels(data, fail)
    for i, ben in enumerate(data.beneficiaries):
        if ben.default == bool(ben.items):
            fail(f"beneficiaries[{i}]", "a rule lists items, or is the default, not both")
    if sum(1 for b in data.beneficiaries if b.default) != 1:
        fail("beneficiaries", "exactly one default beneficiary rule is required")
    for i, ben in enumerate(data.beneficiaries):
        ages, key = ben.marriage_age, f"beneficiaries[{i}].marriage_age"
        if ages is None:
            continue
        if BeneficiaryToken.CHILD_UNDER_MARRIAGE_AGE not in ben.allowed:
            fail(key, "only for a rule naming child_under_marriage_age")
        if min(ages.son, ages.daughter) <= 0:
            fail(key, "the marriage ages are positive years")
    for i, rev in enumerate(data.revocation):
        _check_revocation_steps(f"revocation[{i}]", rev, fail)
    for i, issuer in enumerate(data.issuers):
        if not issuer.roles or not issuer.actions:
            fail(f"issuers[{i}]", f"{issuer.id} must name its roles and its actions")
    for i, interim in enumerate(data.interim):
        if not interim.roles:
            fail(f"interim[{i}]", f"{interim.id} must name its roles")
        if not interim.decision:
            fail(f"interim[{i}].decision", f"{interim.id}: no seed provides it; name a decision")
    for i, term in enumerate(data.terms):
        fixed_length = term.basis in (TermBasisKind.DEFAULT, TermBasisKind.FIXED)
        if fixed_length and term.open_ended == (term.years is not None):
            fail(f"terms[{i}]", "a default or fixed term needs either years or open_ended")


Fail = Callable[[str, str], None]


def _check_sources(data: SchemeData, fail: Fail) -> None:
    """Every rule cites its source (a seed, a later document or a recorded decision) and
    falls within its version."""
    versions = {v.id: v for v in data.versions}
    decisions = {d.id for d in data.decisions}
    # A rule cites a seed, or a later document a policy version of the scheme introduces
    # (its source's first word), or rests on a recorded decision.
    documents = (*SEEDS, *(v.source.split()[0] for v in data.versions if v.source.split()))
    for i, version in enumerate(data.versions):
        if version.decision and version.decision not in decisions:
            fail(f"versions[{i}].decision", f"names unknown decision {version.decision!r}")
    for key, rule in _rules(data):
        if rule.decision:
            if rule.decision not in decisions:
                fail(f"{key}.decision", f"{rule.id} names unknown decision {rule.decision!r}")
        elif rule.source.strip() and not rule.source.startswith(documents):
            fail(
                f"{key}.source",
                f"{rule.id} must cite a seed document or name an administrator's decision",
            )
    for key, rule in _rules(data):
        if not rule.source.strip():
            fail(f"{key}.source", f"rule {rule.id} must cite its source")
        if rule.version not in versions:
            fail(f"{key}.version", f"rule {rule.id} names unknown version {rule.version!r}")
        if rule.effective_from < versions[rule.version].effective_from:
            fail(f"{key}.effective_from", f"rule {rule.id} starts before its version")
        if rule.effective_until is not None and rule.effective_until < rule.effective_from:
            fail(f"{key}.effective_until", f"rule {rule.id} ends before it starts")


def _check_replacements(data: SchemeData, fail: Fail) -> None:
    """A rule that replaces others names earlier rules of its own kind that end the day
    before it starts, so exactly one reading decides each day."""
    by_id = {rule.id: (key.split("[")[0], rule) for key, rule in _rules(data)}
    for key, rule in _rules(data):
        for old_id in rule.replaces:
            kind = key.split("[")[0]
            found = by_id.get(old_id)
            if found is None or found[0] != kind:
                fail(f"{key}.replaces", f"{rule.id} replaces {old_id!r}, no {kind} rule")
                continue
            old = found[1]
            day_before = rule.effective_from - timedelta(days=1)
            if old.effective_until != day_before:
                # Neither both readings on one day nor none: the old ends the day before.
                fail(
                    f"{key}.replaces",
                    f"{rule.id} replaces {old_id}, which must end on {day_before}, the day "
                    f"before it starts",
                )


def _check_levels(data: SchemeData, fail: Fail) -> None:
    """Each fact a level rule sets is one some review path chooses by (``when``)."""
    whens = {path.when for path in data.paths if path.when}
    for i, rule in enumerate(data.levels):
        for field in ("county_fact", "city_fact", "province_fact"):
            if getattr(rule, field) not in whens:
                fail(f"levels[{i}].{field}", f"{rule.id}: no path is chosen by this fact")


def _check_items(scheme: Scheme, data: SchemeData, fail: Fail) -> None:
    """Item codes are unique and spelt ``scheme.number`` (a part's under its item's)."""
    seen: set[str] = set()
    for i, item in enumerate(data.items):
        for key, code in [(f"items[{i}].code", item.code)] + [
            (f"items[{i}].parts[{j}].code", p.code) for j, p in enumerate(item.parts)
        ]:
            if code in seen:
                fail(key, f"duplicate item code {code!r}")
            seen.add(code)
        if item.code != f"{scheme.value}.{item.number}":
            fail(f"items[{i}].code", f"must be '{scheme.value}.{item.number}', not {item.code!r}")
        for j, part in enumerate(item.parts):
            if not part.code.startswith(item.code + "."):
                fail(f"items[{i}].parts[{j}].code", f"must start with '{item.code}.'")


def _check_references(data: SchemeData, fail: Fail) -> None:
    """Every item, tier and category a rule names exists."""
    codes = _item_codes(data)
    tiers = set(data.tiers.tiers)
    categories = {c.category for c in data.categories}
    for field in (
    "coverage",
    "beneficiaries",
    "limits",
    "payers",
    "accepts",
    "conditions",
    "service_deadlines",
    ):
        for i, rule in enumerate(getattr(data, field)):
            for j, code in enumerate(rule.items):
                if code not in codes:
                    fail(f"{field}[{i}].items[{j}]", f"unknown item code {code!r}")
    for i, cov in enumerate(data.coverage):
        for j, tier in enumerate(cov.tiers):
            if tier not in tiers:
                fail(f"coverage[{i}].tiers[{j}]", f"unknown tier {tier!r}")
    for i, cat in enumerate(data.categories):
        if cat.tier not in tiers:
            fail(f"categories[{i}].tier", f"unknown tier {cat.tier!r}")
    for field in ("paths", "filers", "terms", "extensions"):
        for i, rule in enumerate(getattr(data, field)):
            for j, category in enumerate(rule.categories):
                if category not in categories:
                    fail(f"{field}[{i}].categories[{j}]", f"unknown category {category!r}")


def _check_conditions(data: SchemeData, fail: Fail) -> None:
    """A soft condition names who may except it, on a recorded decision; a condition
    names its categories or fact."""
    decisions = {d.id for d in data.decisions}
    categories = {c.category for c in data.categories}
    for i, cat in enumerate(data.categories):
        for j, cond in enumerate(
            [*cat.all_of, *(c for alt in cat.any_of for c in alt.all_of)]
        ):
            if cond.soft and (cond.exception_by is None or not cond.exception_ref):
                fail(
                    f"categories[{i}]",
                    f"soft condition {j} ({cond.label}) needs exception_by and exception_ref",
                )
            if cond.soft and cond.exception_decision not in decisions:
                fail(
                    f"categories[{i}]",
                    f"soft condition {j}: its decider must rest on a recorded decision",
                )
    for i, condition in enumerate(data.conditions):
        for j, category in enumerate(condition.categories):
            if category not in categories:
                fail(f"conditions[{i}].categories[{j}]", f"unknown category {category!r}")
        if not condition.categories and not condition.fact and not condition.label.strip():
            fail(f"conditions[{i}]", "a condition needs a label, and categories or a fact")
    for field in ("quotas", "recognitions"):
        for i, rule in enumerate(getattr(data, field)):
            if rule.category not in categories:
                fail(f"{field}[{i}].category", f"unknown category {rule.category!r}")


def _check_revocation_steps(
    key: str, rule: RevocationRule, fail: Callable[[str, str], None]
) -> None:
    """A procedure is one proposal, then at least one approval, each step naming roles."""
    steps = rule.steps
    if not steps or steps[0].action != "propose":
        fail(f"{key}.steps", 'the first step must be a proposal (action = "propose")')
    if len(steps) < 2:
        fail(f"{key}.steps", "at least one approval must follow the proposal")
    for j, step in enumerate(steps):
        if not step.roles:
            fail(f"{key}.steps[{j}].roles", "a step must name the roles that may take it")
        if j > 0 and step.action != "approve":
            fail(f"{key}.steps[{j}].action", "only the first step proposes; later steps approve")


def _check_versions(name: str, data: SchemeData) -> None:
    if not data.versions:
        raise PolicyDataError(name, "versions", "at least one policy version is required")
    ids: set[str] = set()
    previous_end: date | None = None
    for i, version in enumerate(data.versions):
        key = f"versions[{i}]"
        if version.id in ids:
            raise PolicyDataError(name, f"{key}.id", f"duplicate version id {version.id!r}")
        if version.effective_until is not None and version.effective_until < version.effective_from:
            raise PolicyDataError(name, f"{key}.effective_until", "ends before it starts")
        if i > 0 and (previous_end is None or version.effective_from <= previous_end):
            raise PolicyDataError(
                name, f"{key}.effective_from", "overlaps the previous version (list in order)"
            )
        if version.continues is not None and version.continues not in ids:
            raise PolicyDataError(
                name, f"{key}.continues", f"must name an earlier version, not {version.continues!r}"
            )
        if not version.source.strip():
            raise PolicyDataError(name, f"{key}.source", "a version must cite its source")
        ids.add(version.id)
        previous_end = version.effective_until


def _check_unique_rule_ids(schemes: Mapping[Scheme, SchemeData]) -> None:
    seen: dict[str, str] = {}
    for scheme, data in schemes.items():
        name = SCHEME_FILES[scheme]
        for key, rule in _rules(data):
            if rule.id in seen:
                raise PolicyDataError(
                    name, f"{key}.id", f"duplicate rule id (also in {seen[rule.id]})"
                )
            seen[rule.id] = name


def _check_stacking(stacking: StackingData, schemes: Mapping[Scheme, SchemeData]) -> None:
    codes: dict[str, set[str]] = {s.value: _item_codes(d) for s, d in schemes.items()}
    for i, match in enumerate(stacking.matches):
        if match.provincial not in codes[Scheme.SHANDONG.value]:
            raise PolicyDataError(
                STACKING_FILE, f"matches[{i}].provincial", f"unknown item {match.provincial!r}"
            )
        for j, code in enumerate(match.city):
            prefix = code.split(".", 1)[0]
            if prefix == Scheme.SHANDONG.value or code not in codes.get(prefix, set()):
                raise PolicyDataError(
                    STACKING_FILE, f"matches[{i}].city[{j}]", f"unknown city item {code!r}"
                )


def _check_reach(stacking: StackingData, schemes: Mapping[Scheme, SchemeData]) -> None:
    """Every city item the matches name is recorded as reached or withheld, once."""
    seen: set[Scheme] = set()
    known = {d.id for d in schemes[Scheme.SHANDONG].decisions}
    if stacking.class_gates and stacking.class_gates not in known:
        raise PolicyDataError(
            STACKING_FILE,
            "class_gates",
            f"names unknown decision {stacking.class_gates!r} (shandong.toml [[decisions]])",
        )
    for i, recorded in enumerate(stacking.reach):
        key = f"reach[{i}]"
        if recorded.city is Scheme.SHANDONG or recorded.city in seen:
            raise PolicyDataError(
                STACKING_FILE, f"{key}.city", f"{recorded.city.value!r}: one entry per city"
            )
        seen.add(recorded.city)
        decisions = {d.id for d in schemes[Scheme.SHANDONG].decisions}
        if recorded.decision and recorded.decision not in decisions:
            raise PolicyDataError(
                STACKING_FILE,
                f"{key}.decision",
                f"names unknown decision {recorded.decision!r} (shandong.toml [[decisions]])",
            )
        codes = _item_codes(schemes[recorded.city])
        for field in ("reached", "withheld"):
            listed_codes: tuple[str, ...] = getattr(recorded, field)
            for j, code in enumerate(listed_codes):
                if code not in codes:
                    raise PolicyDataError(
                        STACKING_FILE,
                        f"{key}.{field}[{j}]",
                        f"unknown {recorded.city} item {code!r}",
                    )
        both = set(recorded.reached) & set(recorded.withheld)
        if both:
            raise PolicyDataError(STACKING_FILE, key, f"{min(both)} is both reached and withheld")
        matched = {
            code
            for m in stacking.matches
            for code in m.city
            if code.split(".", 1)[0] == recorded.city.value
        }
        unrecorded = matched - set(recorded.reached) - set(recorded.withheld)
        if unrecorded:
            raise PolicyDataError(
                STACKING_FILE, key, f"{min(unrecorded)} is matched but neither reached nor withheld"
            )
        unmatched = (set(recorded.reached) | set(recorded.withheld)) - matched
        if unmatched:
            raise PolicyDataError(
                STACKING_FILE, key, f"{min(unmatched)} is recorded but matches no provincial item"
            )
        _check_own(key, recorded, matched, codes, decisions)
        if stacking.class_gates:
            _check_class_gates(key, recorded, matched, schemes[recorded.city])


def _check_own(
    key: str, recorded: StackingReach, matched: set[str], codes: set[str], decisions: set[str]
) -> None:
    """The city's own items are its items, match no provincial item and rest on a
    recorded decision."""
    for j, code in enumerate(recorded.own):
        if code not in codes:
            raise PolicyDataError(
                STACKING_FILE, f"{key}.own[{j}]", f"unknown {recorded.city} item {code!r}"
            )
        if code in matched:
            raise PolicyDataError(
                STACKING_FILE, f"{key}.own[{j}]", f"{code} matches a provincial item"
            )
    if recorded.own and recorded.own_decision not in decisions:
        raise PolicyDataError(
            STACKING_FILE,
            f"{key}.own_decision",
            f"names unknown decision {recorded.own_decision!r} (shandong.toml [[decisions]])",
        )


def _check_class_gates(
    key: str, recorded: StackingReach, matched: set[str], data: SchemeData
) -> None:
    """One reading for class-gated items (the file's ``class_gates`` decision): in a city
    of ranked classes, a matched item is reached when one coverage rule gives it to every
    class (Jinan art. 6(2): D类及以上) or to the class the city's rules give a 惠才卡 holder
    (``huicai_class``), and withheld otherwise (Jinan arts. 8, 9, 11: A-C only; art. 12:
    a different benefit per class)."""
    if recorded.huicai_class and recorded.huicai_class not in data.tiers.tiers:
        raise PolicyDataError(
            STACKING_FILE, f"{key}.huicai_class", f"{recorded.huicai_class!r} is no class"
        )
    if not data.tiers.ranked:
        return
    every = set(data.tiers.tiers)
    for code in sorted(matched):
        gates = [c for c in data.coverage if _names(c.items, code)]
        reached = any(every <= set(c.tiers) or recorded.huicai_class in c.tiers for c in gates)
        if reached != (code in recorded.reached):
            should = "reached" if reached else "withheld"
            raise PolicyDataError(
                STACKING_FILE,
                key,
                f"{code} must be {should} under the class_gates reading (one coverage rule "
                "for every class, or for the 惠才卡's class, reaches it)",
            )


def _names(items: tuple[str, ...], code: str) -> bool:
    """Whether ``items`` name ``code`` or the item ``code`` is a part of."""
    return any(code == i or code.startswith(f"{i}.") for i in items)


def _check_workdays(workdays: WorkdayData) -> None:
    years: set[int] = set()
    for i, year in enumerate(workdays.years):
        if year.year in years:
            raise PolicyDataError(WORKDAYS_FILE, f"years[{i}].year", "duplicate year")
        years.add(year.year)
        for field in ("holidays", "adjusted_workdays"):
            days: tuple[date, ...] = getattr(year, field)
            for j, day in enumerate(days):
                if day.year != year.year:
                    raise PolicyDataError(
                        WORKDAYS_FILE, f"years[{i}].{field}[{j}]", f"{day} is not in {year.year}"
                    )
        both = set(year.holidays) & set(year.adjusted_workdays)
        if both:
            raise PolicyDataError(
                WORKDAYS_FILE,
                f"years[{i}]",
                f"{min(both)} is both a holiday and an adjusted working day",
            )
