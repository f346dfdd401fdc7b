"""``talentcard policy ...``: read the policy rules and try a decision, from the command line.

Thin printing over the policy engine (``domain.policy``): the rules are shown as loaded, and
``check`` prints what ``decide_eligibility`` and ``decide_term`` decided. Exit codes as in
``api.cli``: 0 done (``check``: eligible); 1 the engine refused (``check``: not eligible);
2 malformed input.

The policy engine, the command bodies and msgspec are imported by the handlers, so that
adding these commands to the parser costs ``talentcard --help`` nothing (see ``api.cli``).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.cli_errors import UsageError, terminal_safe
from domain.errors import DomainError
from domain.vocabulary import ReviewStage, Role, Scheme

if TYPE_CHECKING:
    import msgspec

    from services.bootstrap import Registry
    from services.policy import JointStage, TermDecision

# Glosses for the scheme file's sections; a section not listed here still shows, untitled.
_SECTIONS = {
    "versions": "policy versions (政策版本)",
    "decisions": "administrators' recorded decisions, where the sources are silent (管理决定)",
    "items": "service-item catalogue (服务事项) and responsible units (责任单位)",
    "tiers": "tiers (等级)",
    "categories": "eligibility categories: route, tier and conditions",
    "paths": "review paths and their ordered stages",
    "filers": "who files (申请主体)",
    "terms": "terms (待遇享有期限)",
    "term_combination": "how several term bases combine",
    "extensions": "term extensions",
    "upgrades": "upgrades (升级)",
    "coverage": "entitlement: items by tier",
    "beneficiaries": "family and companions",
    "limits": "usage limits",
    "conditions": "item conditions beyond the tier (what the clerk or venue must still see)",
    "quotas": "quotas (名额)",
    "accepts": "cards honoured for items",
    "stacking": "stacking (叠加)",
    "recognitions": "other cards recognised as a basis",
    "revocation": "revocation (收回)",
    "issuers": "who issues, upgrades and extends a card (颁发)",
    "interim": "who suspends and reinstates a card (暂停/恢复)",
    "deadlines": "issuance deadlines (办理时限)",
}
_HEADS = ("id", "code", "label")  # the field a record is known by
_IN_HEAD = {"effective_from", "effective_until", "version"}
_Facts = dict[str, str | int | float | bool]


def add_policy_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``policy versions``, ``policy show`` and ``policy check`` to the command line."""
    policy = sub.add_parser("policy", help="the card schemes' policy rules").add_subparsers(
        title="policy"
    )

    p = policy.add_parser("versions", help="every policy version, and which is in force")
    p.add_argument("scheme", nargs="?", help="one scheme (default: every scheme)")
    p.add_argument("--on", metavar="YYYY-MM-DD", help="mark the version in force then (today)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=_versions)

    p = policy.add_parser("show", help="all of a scheme's rules with their sources")
    p.add_argument("scheme")
    p.add_argument("--json", action="store_true", help="the scheme's data as JSON")
    p.set_defaults(run=_show)

    p = policy.add_parser(
        "check",
        help="decide as card apply (and card issue) would, writing nothing; or on a facts file",
    )
    p.add_argument(
        "--apply",
        metavar="FILE",
        help="the JSON body card apply --json takes: decided by the same code, written nowhere",
    )
    p.add_argument(
        "--issue",
        metavar="FILE",
        help="with --apply: the JSON body card issue --json takes (its term bases, valid_from)",
    )
    p.add_argument("--scheme", help="with --facts: the scheme")
    p.add_argument(
        "--facts",
        metavar="FILE",
        help='a JSON object of facts; may hold "category", "date_of_birth" and "on"',
    )
    p.add_argument("--category", help="overrides the file's category")
    p.add_argument("--on", metavar="YYYY-MM-DD", help="the day to decide for (default: today)")
    p.add_argument("--date-of-birth", metavar="YYYY-MM-DD", help="gives the fact 'age'")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=_check)

    p = policy.add_parser(
        "recheck",
        help="list the past decisions the current (corrected) reading would decide "
        "differently; changes nothing",
    )
    p.add_argument("--scheme", help="one scheme (default: every scheme)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=_recheck)


# ---- commands ---------------------------------------------------------------------------


def _versions(args: argparse.Namespace, registry: Registry) -> None:
    import msgspec

    service = registry.policy
    day = _date(args.on, "--on") or service.today()
    schemes = [_scheme(args.scheme)] if args.scheme else list(Scheme)
    rows: list[dict[str, Any]] = []
    for scheme in schemes:
        current = service.in_force(scheme, day)
        if not args.json:
            data = service.rules(scheme)
            print(f"{scheme}  {data.name_zh}  {data.name_en}")
        for version in service.versions(scheme):
            marked = version.id == current
            if args.json:
                rows.append(
                    {"scheme": scheme, **msgspec.structs.asdict(version), "in_force": marked}
                )
            else:
                lines = _record(version, "  ")
                if marked:
                    lines[0] += f"  <- in force on {day}"
                print("\n".join(lines))
    if args.json:
        print(_json({"as_of": day, "versions": rows}))


def _recheck(args: argparse.Namespace, registry: Registry) -> int:
    """Exit 0 when every past decision stands under the current reading, 1 when some
    would be decided differently (listed, for a person to look at)."""
    scheme = str(_scheme(args.scheme)) if args.scheme else None
    report = registry.policy_recheck.run(scheme)
    if args.json:
        print(_json(report))
    else:
        for f in report.findings:
            print(
                f"{f.card_id}  v{f.card_version}  {f.step}  {f.effective_on}  "
                f"(under {f.recorded_under or 'unrecorded'})  {f.code}: "
                f"{terminal_safe(f.message)}"
            )
        print(
            f"{len(report.findings)} of {report.decisions} past decisions on {report.cards} "
            "cards would be decided differently by the current reading"
        )
    return 1 if report.findings else 0


def _show(args: argparse.Namespace, registry: Registry) -> None:
    import msgspec

    data = registry.policy.rules(_scheme(args.scheme))
    if args.json:
        print(_json(data))
        return
    for field in msgspec.structs.fields(data):
        value = getattr(data, field.name)
        records = value if isinstance(value, tuple) else () if value is None else (value,)
        if not all(isinstance(r, msgspec.Struct) for r in records):
            print(f"{field.name}: {_text(field.name, value)}")
            continue
        gloss = _SECTIONS.get(field.name)
        print(f"\n## {field.name}" + (f" — {gloss}" if gloss else ""))
        for record in records:
            print("\n".join(_record(record, "  ")))
        if not records:
            print("  (none)")


def _check(args: argparse.Namespace, registry: Registry) -> None:
    import msgspec

    if args.apply:
        if args.facts or args.scheme or args.category or args.date_of_birth:
            raise UsageError(
                "--apply takes the whole application; give no --facts, --scheme, "
                "--category or --date-of-birth with it"
            )
        _check_apply(args, registry)
        return
    if args.issue:
        raise UsageError("--issue goes with --apply")
    if not args.facts or not args.scheme:
        raise UsageError("give --apply FILE (as card apply takes), or --scheme and --facts FILE")
    scheme = _scheme(args.scheme)
    path = Path(args.facts)
    raw = _read_object(path)
    given = {"category": args.category, "date_of_birth": args.date_of_birth, "on": args.on}
    options = {key: raw.pop(key, None) for key in given}  # the file's, then the options'
    options.update({key: value for key, value in given.items() if value is not None})
    category = options["category"]
    if not isinstance(category, str) or not category:
        raise UsageError(f'give --category or a "category" string in {path}')
    dob = _date(options["date_of_birth"], "date_of_birth")
    day = _date(options["on"], "on") or registry.policy.today()
    try:
        facts = msgspec.convert(raw, _Facts)
    except msgspec.ValidationError as e:
        raise UsageError(f"{path}: facts must be true/false, numbers or strings: {e}") from None

    trial = registry.policy.check(scheme, category, facts, day, dob)
    decision, term = trial.eligibility, trial.term
    if args.json:
        print(_json(trial))
    else:
        rows = [
            ("eligible", "yes" if decision.eligible else f"no: {decision.failed_condition}"),
            ("route", decision.route or "-"),
            *_chain_rows(decision.stages, decision.intake, decision.joint),
            ("tier", decision.tier or "-"),
            *[("exception", e) for e in decision.exceptions],
            ("reason", decision.reason),
            ("rules", f"{', '.join(decision.rules)} (policy version {decision.version})"),
        ]
        rows += _term_rows(term, trial.term_needs or "not eligible")
        print(f"{scheme} category {category} on {day}")
        for key, value in rows:
            print(f"  {key:<9}{value}")
    if not decision.eligible:
        rule = decision.rules[0] if decision.rules else None
        raise DomainError(decision.reason, code="not_eligible", rule=rule)


# ---- helpers ----------------------------------------------------------------------------


def _record(record: msgspec.Struct, indent: str) -> list[str]:
    """A rule (or any data record) as lines: its id, dates and version, then every field
    that is not left at its default; nested records inline when flat, else indented."""
    import msgspec

    fields = msgspec.structs.fields(record)
    values = {f.name: getattr(record, f.name) for f in fields}
    head_key = next((k for k in _HEADS if k in values), None)
    head = str(values[head_key]) if head_key else type(record).__name__
    if "effective_from" in values:
        head += f"  {values['effective_from']} .. {values['effective_until'] or 'open'}"
    if "version" in values:
        head += f"  [{values['version']}]"
    lines = [indent + head]
    for f in fields:
        value = values[f.name]
        if f.name == head_key or f.name in _IN_HEAD or value == f.default:
            continue
        if isinstance(value, tuple) and value and isinstance(value[0], msgspec.Struct):
            lines.append(f"{indent}    {f.name}:")
            for child in value:
                lines += _nested(child, indent + "      ")
        else:
            lines.append(f"{indent}    {f.name}: {_text(f.name, value)}")
    return lines


def _nested(record: msgspec.Struct, indent: str) -> list[str]:
    """A record inside a rule (a condition, an alternative, an item's part), bulleted;
    on one line when it holds no records of its own."""
    import msgspec

    lines = _record(record, indent)
    lines[0] = indent[:-2] + "- " + lines[0].removeprefix(indent)
    values = [getattr(record, f.name) for f in msgspec.structs.fields(record)]
    if any(isinstance(v, tuple) and v and isinstance(v[0], msgspec.Struct) for v in values):
        return lines
    rest = "; ".join(line.strip() for line in lines[1:])
    return [lines[0] + (f"  ({rest})" if rest else "")]


def _text(name: str, value: object) -> str:
    if isinstance(value, tuple):
        return (" → " if name == "stages" else ", ").join(_text(name, v) for v in value) or "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Enum):
        return str(value.value)
    return " ".join(str(value).split())


def _check_apply(args: argparse.Namespace, registry: Registry) -> None:
    """The decision card apply (and card issue) would take on these bodies."""
    from ledger.commands import ApplyBody, IssueBody
    from ledger.limits import convert_body

    apply = convert_body(_read_object(Path(args.apply)), ApplyBody)
    issue = None
    if args.issue:
        raw = _read_object(Path(args.issue))
        raw.setdefault("actor", apply.actor)  # who would issue does not change the term
        raw.setdefault("role", "city_hrss")
        issue = convert_body(raw, IssueBody)
    day = _date(args.on, "--on")
    trial = registry.policy.trial(apply, issue, day)
    if args.json:
        print(_json(trial))
        return
    admission, term = trial.admission, trial.term
    rows = [
        ("eligible", "yes"),
        ("route", admission.route),
        *_chain_rows(admission.required_stages, admission.intake, admission.joint),
        ("tier", admission.tier),
        ("filer", admission.filer_rule or "(any role)"),
        *[("exception", e) for e in admission.exceptions],
        ("reason", admission.reason),
        ("rules", f"{', '.join(admission.rules)} (policy version {admission.policy_version})"),
    ]
    rows += _term_rows(term, trial.term_needs)
    print(f"{apply.scheme} category {apply.category} as card apply would decide it")
    for key, value in rows:
        print(f"  {key:<9}{terminal_safe(str(value))}")


def _chain_rows(
    stages: Sequence[ReviewStage], intake: Role | None, joint: Sequence[JointStage]
) -> list[tuple[str, str]]:
    """The review chain as printed: its stages, who takes the file in, joint stages."""
    rows = [("stages", " → ".join(stages) or "(none)")]
    if intake is not None:
        rows.append(("intake", f"{intake} receives the file first"))
    rows += [("jointly", f"{j.stage} with {', '.join(j.departments)}") for j in joint]
    return rows


def _term_rows(term: TermDecision | None, needs: str) -> list[tuple[str, str]]:
    """The term as printed, or why none could be decided."""
    if term is None:
        return [("term", f"- ({needs})")]
    return [
        ("term", f"{term.valid_from} .. {term.valid_until or 'no end date'}"),
        ("basis", term.basis),
        ("rules", f"{', '.join(term.rules)} (policy version {term.version})"),
    ]


def _json(value: object) -> str:
    import msgspec

    return msgspec.json.format(msgspec.json.encode(value)).decode()


def _scheme(text: str) -> Scheme:
    try:
        return Scheme(text)
    except ValueError:
        names = ", ".join(s.value for s in Scheme)
        raise UsageError(f"unknown scheme {text!r} (schemes: {names})") from None


def _date(text: object, where: str) -> date | None:
    if text is None:
        return None
    try:
        if isinstance(text, str):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise UsageError(f"{where}: expected a date YYYY-MM-DD, not {text!r}")


def _read_object(path: Path) -> dict[str, Any]:
    from ledger.limits import MAX_INPUT_BYTES, MalformedInput, decode_json_object

    try:
        with path.open("rb") as f:
            data = f.read(MAX_INPUT_BYTES + 1)
    except OSError as e:
        raise UsageError(f"cannot read {path}: {e.strerror}") from None
    # Capped, strict UTF-8, depth-checked before parsing: never a RecursionError traceback.
    try:
        return decode_json_object(data, source=str(path))
    except MalformedInput as e:
        raise UsageError(e.message) from None
