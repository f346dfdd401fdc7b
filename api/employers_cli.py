"""``talentcard employers``: the register of employers (用人单位名录) on the server host.

Run with the store's own credentials it acts as the host's administrator, as ``talentcard
users`` does; over HTTP the same registration is an administrator's (``/employers``). A
惠才卡 file's review path starts at the level registered for its employer
(shandong-provincial-service-standard 7.1 item 4, RD-2026-91).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from api.cli_errors import json_safe, terminal_safe
from domain.vocabulary import EmployerLevel

if TYPE_CHECKING:
    from services.bootstrap import Registry
    from services.employers import EmployerRecord


def _register(args: argparse.Namespace, registry: Registry) -> None:
    import msgspec

    answer = registry.employers.register(
        None,
        credit_code=args.credit_code,
        name=args.name or "",
        level=EmployerLevel(args.level),
        city=args.city or "",
        county=args.county or "",
        reason=args.reason or "",
    )
    if args.json:
        sys.stdout.buffer.write(json_safe(msgspec.json.encode(answer)) + b"\n")
        return
    said = "registered" if answer.recorded else "already registered so; nothing recorded"
    print(terminal_safe(f"{_line(answer.employer)}: {said}"))


def _list(args: argparse.Namespace, registry: Registry) -> None:
    import msgspec

    records = registry.employers.list(None)
    if args.json:
        sys.stdout.buffer.write(json_safe(msgspec.json.encode(records)) + b"\n")
        return
    for r in records:
        print(terminal_safe(_line(r)))
    print(f"{len(records)} employer(s)", file=sys.stderr)


def _unregistered(args: argparse.Namespace, registry: Registry) -> None:
    codes = registry.employers.unregistered(None)
    for code in codes:
        print(terminal_safe(code))
    print(
        f"{len(codes)} credit code(s) of employer users not in the register of employers",
        file=sys.stderr,
    )


def _line(r: EmployerRecord) -> str:
    place = ", ".join(p for p in (r.city, r.county) if p)
    return f"{r.credit_code} {r.level:<8} {place or '-':<18} {r.name}"


def add_employer_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``employers register | list | unregistered``."""
    employers = sub.add_parser(
        "employers", help="the register of employers and their levels (on the server host)"
    ).add_subparsers(title="employers")

    p = employers.add_parser(
        "register",
        help="register an employer at its level, or change its level (with --reason)",
    )
    p.add_argument("credit_code", metavar="CREDIT-CODE", help="unified social credit code")
    p.add_argument("--level", required=True, choices=[str(v) for v in EmployerLevel])
    p.add_argument("--name", help="the employer's name (required when first registered)")
    p.add_argument("--city", help="a county or city employer's city (e.g. liaocheng)")
    p.add_argument("--county", help="a county employer's GB/T 2260 county code (e.g. 371502)")
    p.add_argument("--reason", help="why the level changes (required to change it)")
    p.add_argument("--json", action="store_true", help="the entry as JSON")
    p.set_defaults(run=_register)

    p = employers.add_parser("list", help="every registered employer and its level")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=_list)

    p = employers.add_parser(
        "unregistered",
        help="credit codes employer users are bound to that are not yet registered",
    )
    p.set_defaults(run=_unregistered)
