"""``talentcard``: the administrators' and scripts' command line.

Exit codes: 0 done; 1 the registry refused the command (the message says which rule);
2 the command line or its input was malformed. Nothing is written unless it exits 0.

Building the parser imports only the vocabulary it offers as choices: the registry, the
command bodies, msgspec and everything below them are imported once a command runs, and
each handler imports what it alone needs, so ``--help`` and ``verify`` load no database
driver, QR writer or web framework (tests/test_architecture.py holds this in place).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from api.cli_caller import add_key_option, caller
from api.cli_errors import UsageError, json_safe, terminal_safe
from api.operations_cli import add_operations_commands
from api.policy_cli import add_policy_commands
from api.serving import serve_arguments
from api.signing_cli import add_signing_commands
from api.users_cli import add_user_commands
from domain.authority import AUTHORITIES
from domain.clock import SHANGHAI
from domain.errors import DomainError, InvalidInput
from domain.vocabulary import (
    CardStatus,
    IdDocumentKind,
    ReviewDecision,
    ReviewStage,
    Role,
    Scheme,
)

if TYPE_CHECKING:
    from uuid import UUID

    from ledger.commands import Body
    from services.access import Outcome, Principal
    from services.bootstrap import Registry


def main(argv: Sequence[str] | None = None, registry: Registry | None = None) -> int:
    """Run the command line; returns the exit code. Malformed input of any kind (bad UTF-8
    in an argument or a file, bad or oversized JSON, an unknown field, a value over its
    limit, a field the domain finds malformed) exits 2 with one line on stderr."""
    args_in = list(sys.argv[1:] if argv is None else argv)
    for i, arg in enumerate(args_in, start=1):
        if not _is_utf8(arg):
            _error(f"invalid_input: argument {i} is not valid UTF-8")
            return 2
    parser = _parser()
    try:
        args = parser.parse_args(args_in)
    except SystemExit as e:  # --help (0) or a usage error, already reported in one line
        return e.code if isinstance(e.code, int) else 2
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    import msgspec

    from services.bootstrap import Registry
    from services.errors import OPERATOR_ERRORS

    # What the operator must fix: exit 2 with the one line, like malformed input.
    operator_errors: tuple[type[Exception], ...] = (UsageError, *OPERATOR_ERRORS)
    services = registry or Registry()
    try:
        code = args.run(args, services)
    except operator_errors as e:  # the operator's to fix
        _error(str(e))
        return 2
    except msgspec.ValidationError as e:
        _error(f"invalid_input: {e}")
        return 2
    except InvalidInput as e:  # malformed or missing field: the message names it
        _error(str(e))
        return 2
    except DomainError as e:
        _error(str(e))
        return 1
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        sys.stderr.close()
        return 0
    finally:
        if registry is None:
            services.close()
    return code if isinstance(code, int) else 0


def _error(message: str) -> None:
    """One line on stderr, escaped: messages quote input, which may hold escapes."""
    print(f"error: {terminal_safe(message)}", file=sys.stderr)


def _is_utf8(text: str) -> bool:
    # Python hands over undecodable argument bytes as lone surrogates (PEP 383).
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error (its default prints the whole usage first)."""

    def error(self, message: str) -> NoReturn:
        _error(f"{self.prog}: {message}")
        raise SystemExit(2)


# ---- commands ---------------------------------------------------------------------------


def _init(args: argparse.Namespace, registry: Registry) -> None:
    store = registry.init_store(args.app_role)
    granted = f"; role {args.app_role} may read and append" if args.app_role else ""
    print(f"ledger ready: {store} (append-only guards installed{granted})")
    if not registry.users.list(None):
        print(
            "no users yet: add the first administrator on this host with\n"
            "  talentcard users add NAME --role administrator --authority province > NAME.key"
        )


def _apply(args: argparse.Namespace, registry: Registry) -> None:
    fields = _common(args)
    holder = {
        "name": args.holder_name,
        "id_number": args.holder_id,
        "id_kind": args.holder_id_kind,
        "date_of_birth": args.holder_dob,
        "family": [_family_member(s) for s in args.family] or None,
    }
    sponsor = {
        "kind": args.sponsor_kind,
        "name": args.sponsor_name,
        "credit_code": args.sponsor_credit_code,
    }
    fields.update(
        scheme=args.scheme,
        category=args.category,
        programme=args.programme,
        project_id=args.project_id,
        enterprise_id=args.enterprise_id,
        facts=dict(_fact(s) for s in args.fact) or None,
        evidence=args.evidence or None,
        holder=_present(holder) or None,
        sponsor=_present(sponsor) or None,
    )
    from ledger.commands import ApplyBody

    who, request = _body(args, registry, fields, ApplyBody)
    outcome = registry.cards.apply(who, request)
    _report(args, "applied", outcome.card_id, outcome.version)


def _revocation_fields(
    name: str, has_reason: bool
) -> Callable[[argparse.Namespace], dict[str, Any]]:
    """The body fields of a revocation step's arguments."""
    if name == "propose":
        return lambda a: {"reason": a.reason, "ground": a.ground}
    if has_reason:
        return lambda a: {"reason": a.reason}
    return lambda a: {}


def _change(
    body_name: str,
    extra: Callable[[argparse.Namespace], dict[str, Any]],
    command: str,
    verb: str,
) -> Callable[[argparse.Namespace, Registry], None]:
    """A card command's handler; its body type is named (``"ReviewBody"``), and looked up
    in ``ledger.commands`` when the command runs, not when the parser is built."""

    def run(args: argparse.Namespace, registry: Registry) -> None:
        from ledger import commands

        body_type: type[Body] = getattr(commands, body_name)
        fields = _common(args)
        fields.update(extra(args))
        who, request = _body(args, registry, fields, body_type)
        card_id = _card_id(args.card_id)
        run_command: Callable[..., Outcome] = getattr(registry.cards, command)
        outcome = run_command(who, card_id, request, expected=args.expect_version)
        _report(args, verb, card_id, outcome.version)

    return run


def _show(args: argparse.Namespace, registry: Registry) -> None:
    import msgspec

    from ledger.views import local_time

    view = registry.cards.show(caller(args, registry), _card_id(args.card_id), args.version)
    if args.json:
        sys.stdout.buffer.write(json_safe(msgspec.json.format(msgspec.json.encode(view))) + b"\n")
        return
    rows = [
        ("card", str(view.card_id)),
        ("scheme", f"{view.scheme} ({view.route}, category {view.category})"),
        ("holder", f"{view.holder_name} (ID …{view.holder_id_last4})"),
        ("sponsor", view.sponsor),
        ("status", f"{view.status} as of {view.as_of}"),
        ("tier", view.tier or "-"),
        (
            "term",
            f"{view.valid_from} .. {view.valid_until or 'no end date'} ({view.term_basis})"
            if view.valid_from
            else "-",
        ),
        (
            "review",
            f"{len(view.approved_stages)}/{len(view.required_stages)} stages approved"
            + (
                f"; next: {view.next_stage}"
                if view.next_stage and view.status == "under_review"
                else ""
            ),
        ),
        ("admitted", f"{', '.join(view.admitted_by)} (policy {view.policy_version})"),
        ("version", str(view.version)),
    ]
    for key, value in rows:
        print(f"{key:<8} {terminal_safe(value)}")
    print()
    table: list[tuple[str, ...]] = [
        ("ver", "event", "effective (Asia/Shanghai)", "actor", "role", "details", "note")
    ]
    table += [
        tuple(
            terminal_safe(cell)
            for cell in (
                str(e.version),
                e.event,
                local_time(e.effective_at),
                e.actor,
                e.role,
                e.summary,
                e.note,
            )
        )
        for e in view.history
    ]
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]) - 1)]
    for row in table:
        print(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1]
        )


def _list(args: argparse.Namespace, registry: Registry) -> None:
    import msgspec

    page = registry.cards.list_cards(
        caller(args, registry),
        scheme=args.scheme,
        authority=args.authority,
        status=args.status,
        tier=args.tier,
        sponsor=args.sponsor,
        limit=args.limit,
        after=args.after,
    )
    if args.json:
        body = {"cards": page.rows, "next_after": page.next_after}
        sys.stdout.buffer.write(json_safe(msgspec.json.encode(body)) + b"\n")
        return
    for v in page.rows:
        until = f"until {v.valid_until}" if v.valid_until else ""
        print(
            f"{v.card_id}  {v.scheme:<9} {v.status:<12} {terminal_safe(v.tier or '-'):<4} "
            f"{terminal_safe(v.holder_name)}  {until}".rstrip()
        )
    more = f"; next page: --after {page.next_after}" if page.next_after else ""
    print(f"{len(page.rows)} card(s){more}", file=sys.stderr)


def _import(args: argparse.Namespace, registry: Registry) -> int:
    import msgspec

    report = registry.cards.import_file(caller(args, registry), Path(args.file))
    if args.json:
        sys.stdout.buffer.write(json_safe(msgspec.json.encode(report)) + b"\n")
    else:
        for card in report.imported:
            print(f"line {card.line}: imported {terminal_safe(card.ref)} as {card.card_id}")
        for refused in report.refused:
            where = "" if refused.command_index < 0 else f" command {refused.command_index}"
            print(
                terminal_safe(
                    f"line {refused.line}: refused {refused.ref}{where}: "
                    f"{refused.code}: {refused.message}"
                )
            )
    print(f"{len(report.imported)} imported, {len(report.refused)} refused", file=sys.stderr)
    return 1 if report.refused else 0


def _entitlements(args: argparse.Namespace, registry: Registry) -> None:
    import msgspec

    on = date.fromisoformat(args.on) if args.on else None
    granted = registry.cards.entitlements(caller(args, registry), _card_id(args.card_id), on)
    if args.json:
        sys.stdout.buffer.write(json_safe(msgspec.json.encode(granted)) + b"\n")
        return
    for beneficiary in granted:
        items = ", ".join(beneficiary.items) or "(nothing)"
        print(f"{terminal_safe(beneficiary.kind):<12} {terminal_safe(items)}")


def _quota_raise(args: argparse.Namespace, registry: Registry) -> None:
    fields = _common(args)
    fields.update(
        scheme=args.scheme,
        category=args.category,
        project_id=args.project_id,
        enterprise_id=args.enterprise_id,
        limit=args.limit,
        decision_ref=args.decision_ref,
        attests=args.attests,
    )
    from ledger.commands import QuotaRaiseBody

    who, request = _body(args, registry, fields, QuotaRaiseBody)
    quota = registry.quotas.raise_limit(who, request)
    print(
        f"quota {terminal_safe(quota.key)}: limit raised to {quota.limit_raised_to}, "
        f"{len(quota.holders)} in use (version {quota.version})"
    )


def _quota_show(args: argparse.Namespace, registry: Registry) -> None:
    quota = registry.quotas.show(
        caller(args, registry),
        Scheme(args.scheme), args.category, args.project_id or "", args.enterprise_id or ""
    )
    print(f"quota {terminal_safe(quota.key)}: {quota.reason}")
    for card_id in quota.holders:
        print(f"  {card_id}")


def _serve(args: argparse.Namespace, registry: Registry) -> None:
    from api.app import create_app
    from api.serving import serve

    # One worker serves the registry built here; more build their own from the
    # environment, each in its process.
    app = create_app(registry) if args.workers == 1 else None
    serve(app, args, factory="api.app:create_app")


# ---- helpers ----------------------------------------------------------------------------


def _common(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "note": args.note,
        "effective_at": _effective(getattr(args, "effective", None)),
    }


def _effective(text: str | None) -> str | None:
    """``--effective``: a date means 00:00 that day in Asia/Shanghai (business dates are
    Shanghai dates); a date-time must say its zone. The ledger decides whether it is
    allowed (role, not in the future, not before the card's previous event)."""
    if text is None:
        return None
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(), SHANGHAI).isoformat()
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--effective {text[:40]!r}: expected YYYY-MM-DD or an ISO date-time"
        ) from None
    if instant.tzinfo is None:
        raise UsageError(f"--effective {text!r} needs a time zone, e.g. +08:00 or Z")
    return instant.isoformat()


def _present(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


def _body(
    args: argparse.Namespace, registry: Registry, fields: dict[str, Any], body_type: type[Any]
) -> tuple[Principal, Any]:
    """Who acts (the key's user, ``api.cli_caller``), and the command's request: options
    override the JSON file; what neither gives is left to the request's defaults. The file
    is read as bytes with a size cap and decoded strictly (ledger.limits). ``body_type``
    is the ledger's body; the request is its base (``XRequest``), which has no ``actor``
    or ``role``: a file naming either is refused, as an HTTP body would be."""
    from ledger.limits import MAX_INPUT_BYTES, convert_body, decode_json_object

    merged: dict[str, Any] = {}
    if args.json_file:
        path = Path(args.json_file)
        try:
            with path.open("rb") as f:
                data = f.read(MAX_INPUT_BYTES + 1)
        except OSError as e:
            raise UsageError(f"cannot read {path}: {e.strerror}") from None
        merged.update(decode_json_object(data, source=str(path)))
    for key, value in _present(fields).items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    request: Any = convert_body(merged, body_type.__mro__[1])
    return caller(args, registry), request


def _card_id(text: str) -> UUID:
    from uuid import UUID

    try:
        return UUID(text)
    except ValueError:
        raise UsageError(f"{text!r} is not a card id (a UUID)") from None


def _family_member(text: str) -> dict[str, str]:
    parts = text.split(":")
    if len(parts) != 3:
        raise UsageError(
            f"--family {terminal_safe(text[:120])!r}: expected RELATION:NAME:YYYY-MM-DD"
        )
    return {"relation": parts[0], "name": parts[1], "date_of_birth": parts[2]}


def _fact(text: str) -> tuple[str, Any]:
    key, sep, raw = text.partition("=")
    if not sep or not key:
        raise UsageError(f"--fact {text!r}: expected KEY=VALUE")
    import msgspec

    try:  # a JSON scalar (true, 3, 4.5, "text"); never a nested document
        value: Any = msgspec.json.decode(raw.encode(), type=bool | int | float | str)
    except (msgspec.DecodeError, msgspec.ValidationError):
        value = raw  # a bare word is a string
    return key, value


def _basis(text: str) -> dict[str, Any]:
    kind, _, rest = text.partition(":")
    value, _, label = rest.partition(":")
    if not kind or not value:
        raise UsageError(f"--basis {text!r}: expected KIND:YEARS or KIND:YYYY-MM-DD[:LABEL]")
    basis: dict[str, Any] = {"kind": kind, "label": label}
    if value.isdigit():
        basis["years"] = int(value)
    else:
        basis["until"] = value
    return basis


def _report(args: argparse.Namespace, verb: str, card_id: UUID, version: int) -> None:
    if args.output_json:
        import json

        print(json.dumps({"card_id": str(card_id), "version": version}))
    else:
        print(f"{verb}: card {card_id} version {version}")


def _iso_date(text: str) -> str:
    """An argparse type: the text, once it reads as a date."""
    try:
        date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a date YYYY-MM-DD") from None
    return text


def _values(enum_type: type[Any]) -> list[str]:
    return [str(m) for m in enum_type]


# ---- the parser -------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = _Parser(
        prog="talentcard", description="Shandong high-level talent service card registry."
    )
    sub = parser.add_subparsers(title="commands")

    p = sub.add_parser(
        "init",
        help="create the store's schema and append-only guards (run once, as the owner)",
    )
    p.add_argument(
        "--app-role",
        metavar="ROLE",
        help="PostgreSQL: grant this existing role what the service needs, and no more",
    )
    p.set_defaults(run=_init)

    p = sub.add_parser("serve", help="run the HTTP service")
    serve_arguments(p)
    p.set_defaults(run=_serve)

    add_policy_commands(sub)

    card = sub.add_parser("card", help="applications and cards").add_subparsers(title="card")

    def command(
        name: str,
        help_text: str,
        *,
        takes_id: bool = True,
        parent: argparse._SubParsersAction[argparse.ArgumentParser] | None = None,
    ) -> argparse.ArgumentParser:
        p = (parent or card).add_parser(name, help=help_text)
        if takes_id:
            p.add_argument("card_id", help="the card id (UUID)")
            p.add_argument(
                "--expect-version",
                type=int,
                metavar="N",
                help="refuse unless the card is still at version N",
            )
        p.add_argument(
            "--json",
            dest="json_file",
            metavar="FILE",
            help="read the command's fields from a JSON file (options override it)",
        )
        add_key_option(p)
        p.add_argument("--note", help="free-text note kept with the event")
        p.add_argument(
            "--effective",
            metavar="WHEN",
            help="when the decision took effect, if earlier than now (city HRSS only): "
            "YYYY-MM-DD (00:00 Asia/Shanghai) or an ISO date-time with its zone",
        )
        p.add_argument(
            "--output-json", action="store_true", help="print {card_id, version} as JSON"
        )
        return p

    p = command("apply", "file an application", takes_id=False)
    p.add_argument("--scheme", choices=_values(Scheme))
    p.add_argument("--category", help="e.g. weihai 3, liaocheng art5.3, jinan C, business_elite")
    p.add_argument("--programme")
    p.add_argument("--project-id")
    p.add_argument("--enterprise-id")
    p.add_argument("--fact", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--holder-name")
    p.add_argument("--holder-id", help="ID document number (kept only as a keyed hash)")
    p.add_argument("--holder-id-kind", choices=_values(IdDocumentKind))
    p.add_argument("--holder-dob", metavar="YYYY-MM-DD")
    p.add_argument("--family", action="append", default=[], metavar="RELATION:NAME:YYYY-MM-DD")
    p.add_argument("--sponsor-kind")
    p.add_argument("--sponsor-name")
    p.add_argument("--sponsor-credit-code")
    p.add_argument("--evidence", action="append", default=[], metavar="REF")
    p.set_defaults(run=_apply)

    p = command("review", "record a review decision")
    p.add_argument("--stage", choices=_values(ReviewStage))
    p.add_argument("--decision", choices=_values(ReviewDecision))
    p.add_argument("--reviewer", help="defaults to the actor")
    p.add_argument(
        "--joint-with",
        action="append",
        default=[],
        metavar="DEPARTMENT",
        help="a department that decided with this stage (repeat; where the scheme says so)",
    )
    p.set_defaults(
        run=_change(
            "ReviewBody",
            lambda a: {
                "stage": a.stage,
                "decision": a.decision,
                "reviewer": a.reviewer,
                "joint_with": a.joint_with,
            },
            "review",
            "reviewed",
        )
    )

    p = command("issue", "issue the card; the scheme's rules set its term")
    p.add_argument("--valid-from", metavar="YYYY-MM-DD", help="default: the issue date")
    p.add_argument(
        "--basis",
        action="append",
        default=[],
        metavar="KIND:YEARS|UNTIL[:LABEL]",
        help="a term basis, e.g. contract:7 or huicai_card:2030-05-01 or "
        "programme_period:3:泰山学者 (kinds: huicai_card, programme_period, contract)",
    )
    p.set_defaults(
        run=_change(
            "IssueBody",
            lambda a: {"valid_from": a.valid_from, "bases": [_basis(b) for b in a.basis] or None},
            "issue",
            "issued",
        )
    )

    p = command(
        "upgrade-request", "ask for a higher category, whose route's reviews follow (liaocheng)"
    )
    p.add_argument("--category")
    p.add_argument("--fact", action="append", default=[], metavar="KEY=VALUE")
    p.set_defaults(
        run=_change(
            "UpgradeRequestBody",
            lambda a: {"category": a.category, "facts": dict(_fact(s) for s in a.fact) or None},
            "request_upgrade",
            "upgrade requested",
        )
    )

    p = command("upgrade", "upgrade the card to a higher tier")
    p.add_argument("--tier")
    p.add_argument(
        "--fact",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="the higher tier's certification, where the scheme needs it (jinan)",
    )
    p.set_defaults(
        run=_change(
            "UpgradeBody",
            lambda a: {"tier": a.tier, "facts": dict(_fact(s) for s in a.fact) or None},
            "upgrade",
            "upgraded",
        )
    )

    p = command("extend", "extend the term because the scheme's trigger happened")
    p.add_argument("--event-on", metavar="YYYY-MM-DD", help="when the project landed / hire")
    p.add_argument("--evidence", action="append", default=[], metavar="REF")
    p.add_argument(
        "--shows",
        action="append",
        default=[],
        metavar="WHAT",
        help="what the evidence shows, in the rule's words (repeat; see policy show)",
    )
    p.set_defaults(
        run=_change(
            "ExtendBody",
            lambda a: {"event_on": a.event_on, "evidence": a.evidence or None, "shows": a.shows},
            "extend",
            "extended",
        )
    )

    # Suspension and reinstatement: the scheme's interim authority acts, with a reason and
    # the decision's reference; there is no typed proposer or approver.
    status_commands: dict[str, tuple[str, str]] = {
        "suspend": ("suspended", "suspend"),
        "reinstate": ("reinstated", "reinstate"),
    }
    for name, (verb, run) in status_commands.items():
        p = command(name, f"{name} the card (the scheme's interim authority)")
        p.add_argument("--reason")
        p.add_argument("--decision-ref", help="the decision's reference, e.g. its file number")
        p.set_defaults(
            run=_change(
                "StatusBody",
                lambda a: {"reason": a.reason, "decision_ref": a.decision_ref},
                run,
                verb,
            )
        )

    # Revocation: each step is its own command by its own user (its own key); the
    # scheme's rules say which role takes which step, and the last approval revokes.
    revoke = card.add_parser(
        "revoke", help="propose, approve or decline revoking a card, one step per user"
    ).add_subparsers(title="revoke")
    revocation_steps: tuple[
        tuple[str, str, str, str | None, str, str], ...
    ] = (
        ("propose", "propose revoking the card (a proposing role)",
         "RevocationProposeBody", "the grounds", "propose_revocation",
         "revocation proposed"),
        ("approve", "approve the open proposal's next step",
         "RevocationApproveBody", None, "approve_revocation", "revocation approved"),
        ("decline", "decline the open proposal; the card stays as it was",
         "RevocationDeclineBody", "why it is declined", "decline_revocation",
         "revocation declined"),
    )  # fmt: skip
    for name, help_text, body_name, reason_help, method, verb in revocation_steps:
        p = command(name, help_text, parent=revoke)
        if reason_help:
            p.add_argument("--reason", help=reason_help)
        if name == "propose":
            p.add_argument(
                "--ground", default="", help="the ground's code from the scheme's closed list"
            )
        p.set_defaults(
            run=_change(
                body_name,
                _revocation_fields(name, bool(reason_help)),
                method,
                verb,
            )
        )

    p = command("receive", "the window that counts records that it has the file (受理)")
    p.add_argument("--window", choices=_values(Role), help="the receiving window's role")
    p.set_defaults(
        run=_change("ReceiveBody", lambda a: {"window": a.window}, "receive", "received")
    )

    p = command("confirm-contract", "record the employment contract's confirmation")
    p.add_argument("--confirmed-on", metavar="YYYY-MM-DD")
    p.set_defaults(
        run=_change(
            "ContractBody",
            lambda a: {"confirmed_on": a.confirmed_on},
            "confirm_contract",
            "contract confirmed",
        )
    )

    p = card.add_parser(
        "import",
        help="migrate cards with their history from a JSON Lines file (administrator)",
    )
    p.add_argument("file", help="one card a line: {ref, commands: [{command, effective_at, body}]}")
    add_key_option(p)
    p.add_argument("--json", action="store_true", help="the report as JSON")
    p.set_defaults(run=_import)

    p = command("withdraw", "withdraw an application")
    p.set_defaults(
        run=_change(
            "WithdrawBody",
            lambda a: {},
            "withdraw",
            "withdrawn",
        )
    )

    quota = sub.add_parser("quota", help="project and enterprise quotas (名额)").add_subparsers(
        title="quota"
    )
    for name, help_text in (
        ("show", "cards counted against a quota"),
        ("raise", "record a case-by-case decision raising a quota"),
    ):
        p = quota.add_parser(name, help=help_text)
        add_key_option(p)
        p.add_argument("--scheme", choices=_values(Scheme), required=name == "show")
        p.add_argument("--category", required=name == "show")
        p.add_argument("--project-id")
        p.add_argument("--enterprise-id")
        if name == "raise":
            p.add_argument("--limit", type=int)
            p.add_argument("--decision-ref", help="the case-by-case decision document")
            p.add_argument(
                "--attests",
                action="append",
                default=[],
                metavar="WHAT",
                help="what the decision attests of the project (major_project: 重大项目)",
            )
            p.add_argument("--json", dest="json_file", metavar="FILE")
            p.add_argument("--note")
            p.set_defaults(run=_quota_raise)
        else:
            p.set_defaults(run=_quota_show)

    add_signing_commands(sub, card)
    audit = add_operations_commands(sub)
    from api.log_cli import add_log_commands  # the tamper-evident log (issue 13)

    add_log_commands(sub, audit)
    add_user_commands(sub)
    from api.benefits_cli import add_benefit_commands  # the record of use (issue 11)

    add_benefit_commands(card)

    p = card.add_parser("show", help="a card's state and its history")
    add_key_option(p)
    p.add_argument("card_id")
    p.add_argument("--version", type=int, help="as it was at this version")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=_show)

    p = card.add_parser("list", help="cards, filtered, a page at a time (by card id)")
    add_key_option(p)
    p.add_argument("--scheme", choices=_values(Scheme))
    p.add_argument("--authority", choices=list(AUTHORITIES))
    p.add_argument("--status", choices=_values(CardStatus))
    p.add_argument("--tier")
    p.add_argument("--sponsor", metavar="NAME", help="the sponsoring body's name")
    p.add_argument("--limit", type=int, default=50, help="cards per page (1-500, default 50)")
    p.add_argument("--after", metavar="ID", help="the page after this card id")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=_list)

    p = card.add_parser("entitlements", help="what the card grants to whom on a day")
    add_key_option(p)
    p.add_argument("card_id")
    p.add_argument("--on", metavar="YYYY-MM-DD", type=_iso_date, help="default: today")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=_entitlements)

    return parser


if __name__ == "__main__":
    sys.exit(main())
