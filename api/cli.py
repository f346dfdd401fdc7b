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
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

from api.cli_errors import UsageError, terminal_safe
from api.operations_cli import add_operations_commands
from api.policy_cli import add_policy_commands
from api.quota_cli import add_quota_commands
from api.serving import serve_arguments
from api.signing_cli import add_signing_commands
from api.users_cli import add_user_commands
from domain.errors import DomainError, InvalidInput

if TYPE_CHECKING:
    from services.bootstrap import Registry


def _command_words(words: list[str]) -> list[str]:
    """The command's words (``card show``), never a value typed after them."""
    out: list[str] = []
    for word in words:
        if not word.replace("-", "").isalpha() or len(word) > 30:
            break
        out.append(word)
    return out


def main(argv: Sequence[str] | None = None, registry: Registry | None = None) -> int:
    """Run the command line; returns the exit code. Malformed input of any kind (bad UTF-8
    in an argument or a file, bad or oversized JSON, an unknown field, a value over its
    limit, a field the domain finds malformed) exits 2 with one line on stderr."""
    args_in = list(sys.argv[1:] if argv is None else argv)
    for i, arg in enumerate(args_in, start=1):
        if not _is_utf8(arg):
            _error(f"invalid_input: argument {i} is not valid UTF-8")
            return 2
    parser = _parser(args_in)
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
    from services.read_route import READ_ROUTE

    # What the operator must fix: exit 2 with the one line, like malformed input.
    operator_errors: tuple[type[Exception], ...] = (UsageError, *OPERATOR_ERRORS)
    services = registry or Registry()
    words = [w for w in args_in[:3] if not w.startswith("-")]
    READ_ROUTE.set("cli: " + " ".join(_command_words(words)))
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


def _serve(args: argparse.Namespace, registry: Registry) -> None:
    from api.app import create_app
    from api.serving import serve

    # One worker serves the registry built here; more build their own from the
    # environment, each in its process.
    app = create_app(registry) if args.workers == 1 else None
    serve(app, args, factory="api.app:create_app")


# ---- the parser -------------------------------------------------------------------------


def _parser(words: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The command line's parser; ``words`` (the arguments) say whether the card commands
    are wanted."""
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
    if words[:1] == ["card"]:
        # The card commands come from the command table (ledger.card_commands), which
        # imports the domain: built only for a card command, never for --help or verify.
        from api.card_cli import add_card_commands
        from api.card_query_cli import add_card_queries

        add_card_commands(card)
        add_card_queries(card)
    add_quota_commands(sub)
    add_signing_commands(sub, card)
    audit = add_operations_commands(sub)
    from api.log_cli import add_log_commands  # the tamper-evident log (issue 13)

    add_log_commands(sub, audit)
    add_user_commands(sub)
    from api.employers_cli import add_employer_commands  # the register (issue 27)

    add_employer_commands(sub)
    from api.holder_cli import add_holder_commands  # a person's data (issue 25)

    add_holder_commands(sub)
    from api.benefits_cli import add_benefit_commands  # the record of use (issue 11)

    add_benefit_commands(card)

    return parser


if __name__ == "__main__":
    sys.exit(main())

