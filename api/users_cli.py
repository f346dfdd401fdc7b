"""``talentcard users``: users and their API keys, on the server host.

Run with the store's own credentials, this is the bootstrap path (as ``createuser`` is
for PostgreSQL): it acts as the host's administrator, recorded by the operating-system
user and host name. Over HTTP the same changes are an administrator's (``/users``).
``users list --key-file FILE`` lists as that key's user instead: an auditor reads who
could act (the provincial auditor every user, a city's its own authority's).
A new key is printed once, alone on stdout, so ``talentcard users add … > FILE`` keeps
it in a file; the registry stores only its keyed hash and cannot show it again.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from api.cli_errors import json_safe, terminal_safe
from domain.vocabulary import Role

if TYPE_CHECKING:
    from services.bootstrap import Registry
    from services.users import IssuedKey, UserRecord


def _add(args: argparse.Namespace, registry: Registry) -> None:
    issued = registry.users.add(
        None,
        name=args.name,
        role=Role(args.role),
        authority=args.authority,
        employer=args.employer or "",
    )
    _print_key(args, issued, "added")


def _rotate(args: argparse.Namespace, registry: Registry) -> None:
    issued = registry.users.rotate_key(None, args.name)
    _print_key(args, issued, "has a new key (the old one no longer works)")


def _disable(args: argparse.Namespace, registry: Registry) -> None:
    record = registry.users.disable(None, args.name, args.reason or "")
    print(f"user {terminal_safe(record.name)} disabled: its key no longer works")


def _list(args: argparse.Namespace, registry: Registry) -> None:
    import msgspec

    # With --key-file the list is the key's user's (an auditor reads who could act, within
    # its jurisdiction); without it, the server host's, as for every users command.
    who = None
    if args.key_file:
        from api.cli_caller import caller

        who = caller(args, registry)
    records = registry.users.list(who)
    if args.json:
        sys.stdout.buffer.write(json_safe(msgspec.json.encode(records)) + b"\n")
        return
    for r in records:
        print(terminal_safe(_line(r)))
    print(f"{len(records)} user(s)", file=sys.stderr)


def _line(r: UserRecord) -> str:
    employer = f" employer {r.employer}" if r.employer else ""
    state = "disabled" if r.disabled else "active"
    return (
        f"{r.name:<24} {r.role:<20} {r.authority:<10} {state:<8}"
        f" keys rotated {r.key_rotations}, added by {r.added_by}{employer}"
    )


def _print_key(args: argparse.Namespace, issued: IssuedKey, verb: str) -> None:
    import msgspec

    if args.json:
        sys.stdout.buffer.write(json_safe(msgspec.json.encode(issued)) + b"\n")
    else:
        print(issued.key)
    user = issued.user
    print(
        terminal_safe(
            f"user {user.name} ({user.role}, {user.authority}) {verb}: the key above is "
            "shown once; give it to the user (Authorization: Bearer KEY over HTTP, "
            "TALENTCARD_API_KEY or --key-file FILE on the command line)"
        ),
        file=sys.stderr,
    )


def add_user_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``users add | list | disable | rotate-key``."""
    users = sub.add_parser(
        "users", help="users and their API keys (on the server host)"
    ).add_subparsers(title="users")

    p = users.add_parser("add", help="add a user and print its API key once")
    p.add_argument("name", help="the user's unique name, e.g. wang.liaocheng-window")
    p.add_argument("--role", required=True, choices=[str(r) for r in Role])
    p.add_argument(
        "--authority",
        required=True,
        help="province, or the city the user works for (e.g. jinan, weihai, liaocheng)",
    )
    p.add_argument(
        "--employer",
        metavar="CREDIT-CODE",
        help="an employer's or enterprise's unified social credit code (its users only)",
    )
    p.add_argument("--json", action="store_true", help="the user and its key as JSON")
    p.set_defaults(run=_add)

    p = users.add_parser("list", help="every user, its role, authority and state")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "--key-file",
        metavar="FILE",
        help="list as the user whose API key is in FILE (an auditor: the users it audits)",
    )
    p.set_defaults(run=_list)

    p = users.add_parser("disable", help="disable a user for good: its key stops working")
    p.add_argument("name")
    p.add_argument("--reason", help="why, kept with the event")
    p.set_defaults(run=_disable)

    p = users.add_parser("rotate-key", help="give a user a new key; the old one stops working")
    p.add_argument("name")
    p.add_argument("--json", action="store_true", help="the user and its key as JSON")
    p.set_defaults(run=_rotate)
