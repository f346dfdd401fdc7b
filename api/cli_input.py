"""What every card command on the command line shares: the common options (``--json FILE``,
``--note``, ``--effective``, ``--output-json``, the key), reading a request from options
merged over a JSON file, and the little parsers of typed values (``--fact KEY=VALUE``,
``--basis``, ``--family``). Nothing here imports the registry or msgspec until a command
runs, so that building the parser stays cheap (tests/test_architecture.py).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.cli_caller import add_key_option, caller
from api.cli_errors import UsageError, terminal_safe
from domain.clock import SHANGHAI

if TYPE_CHECKING:
    from uuid import UUID

    from services.access import Principal
    from services.bootstrap import Registry


BACKDATED = (
    "when the decision took effect, if earlier than now (city HRSS only): "
    "YYYY-MM-DD (00:00 Asia/Shanghai) or an ISO date-time with its zone"
)


def add_command_options(
    p: argparse.ArgumentParser,
    *,
    takes_id: bool = True,
    effective: str | None = BACKDATED,
    output: str = "print {card_id, version} as JSON",
) -> None:
    """The options every command that writes takes: the card and the version it must
    still be at (``takes_id``: unless it files a new one), the JSON file, the key, a note,
    the effective instant (``effective``: its help; None, a command that is never
    back-dated) and JSON output (``output``: what it prints)."""
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
    if effective is not None:
        p.add_argument("--effective", metavar="WHEN", help=effective)
    p.add_argument("--output-json", action="store_true", help=output)


def common(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "note": args.note,
        "effective_at": effective(getattr(args, "effective", None)),
    }


def effective(text: str | None) -> str | None:
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


def present(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


def request_of(
    args: argparse.Namespace, registry: Registry, fields: dict[str, Any], request_type: type[Any]
) -> tuple[Principal, Any]:
    """Who acts (the key's user, ``api.cli_caller``), and the command's request: options
    override the JSON file; what neither gives is left to the request's defaults. The file
    is read as bytes with a size cap and decoded strictly (ledger.limits). The request has
    no ``actor`` or ``role``: a file naming either is refused, as an HTTP body would be."""
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
    for key, value in present(fields).items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    request: Any = convert_body(merged, request_type)
    return caller(args, registry), request


def card_id(text: str) -> UUID:
    from uuid import UUID

    try:
        return UUID(text)
    except ValueError:
        raise UsageError(f"{text!r} is not a card id (a UUID)") from None


FAMILY_FORMAT = "RELATION:NAME:YYYY-MM-DD[:SEX[:married|unmarried:YYYY-MM-DD]]"


def family_member(text: str) -> dict[str, Any]:
    """A ``--family`` value: relation, name and date of birth, then optionally the sex
    (male, female) and whether married as a document showed it on a day, e.g.
    ``child:李明:2004-05-01:male:unmarried:2026-12-01``."""
    parts = text.split(":")
    status = parts[4] if len(parts) == 6 else None
    if len(parts) not in (3, 4, 6) or status not in (None, "married", "unmarried"):
        raise UsageError(f"--family {terminal_safe(text[:120])!r}: expected {FAMILY_FORMAT}")
    member: dict[str, Any] = {"relation": parts[0], "name": parts[1], "date_of_birth": parts[2]}
    if len(parts) > 3 and parts[3]:
        member["sex"] = parts[3]
    if status is not None:
        member["married"] = status == "married"
        member["married_as_of"] = parts[5]
    return member


def fact(text: str) -> tuple[str, Any]:
    key, sep, raw = text.partition("=")
    if not sep or not key:
        raise UsageError(f"--fact {text!r}: expected KEY=VALUE")
    return key, fact_value(raw)


def fact_value(raw: str) -> Any:
    """A fact's value as typed (``--fact``, the console's fact fields): a JSON scalar
    (true, 3, 4.5, "text"), never a nested document; a bare word is a string."""
    import msgspec

    try:
        value: Any = msgspec.json.decode(raw.encode(), type=bool | int | float | str)
    except (msgspec.DecodeError, msgspec.ValidationError):
        value = raw
    return value


def basis(text: str) -> dict[str, Any]:
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


def credential_text(source: str | None, limit: int) -> str | None:
    """A credential's text from a file, or standard input for ``-``; at most ``limit``
    characters are read (one more, for the request's own size check to refuse)."""
    if source is None:
        return None
    try:
        if source == "-":
            text = sys.stdin.read(limit + 1)
        else:
            with open(source, encoding="utf-8") as f:
                text = f.read(limit + 1)
    except OSError as e:
        raise UsageError(f"cannot read the credential {source}: {e.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"the credential {source} is not text") from None
    return text.strip()


def report(args: argparse.Namespace, verb: str, card: UUID, version: int) -> None:
    if args.output_json:
        import json

        print(json.dumps({"card_id": str(card), "version": version}))
    else:
        print(f"{verb}: card {card} version {version}")


def iso_date(text: str) -> str:
    """An argparse type: the text, once it reads as a date."""
    try:
        date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a date YYYY-MM-DD") from None
    return text


def values(enum_type: type[Any]) -> list[str]:
    return [str(m) for m in enum_type]
