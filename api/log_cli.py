"""``talentcard ledger checkpoint | checkpoints | proof …`` and ``talentcard audit export |
verify``: the tamper-evident log (services.audit.transparency) on the command line.

``ledger checkpoint`` is a server-host operation, like ``users``: it needs the store's
credentials and the log key's passphrase, and records the host's operator as its actor.
``audit export`` acts by key (the provincial auditor or the administrator). ``audit
verify`` is offline: it opens no store and needs no key, only the files it is given.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.cli_caller import add_key_option, caller
from api.cli_errors import UsageError

if TYPE_CHECKING:
    from services.bootstrap import Registry


def _checkpoint(args: argparse.Namespace, registry: Registry) -> int:
    from services.users import host_administrator

    checkpoint = registry.transparency.checkpoint_if_grown(host_administrator())
    if checkpoint is None:
        latest = registry.transparency.latest()
        size = latest.size if latest else 0
        print(f"nothing signed: the log has not grown since checkpoint {size}", file=sys.stderr)
        return 0
    folder = Path(args.out) if args.out else registry.data_dir / "checkpoints"
    path = _write_new(folder, f"checkpoint-{checkpoint.size:012d}.cose", checkpoint.signed)
    print(f"checkpoint {checkpoint.size}: root {checkpoint.root}, written to {path}")
    return 0


def _event_keys(args: argparse.Namespace, registry: Registry) -> int:
    import msgspec

    rows = registry.event_keys.records()
    if args.json:
        sys.stdout.buffer.write(msgspec.json.encode(rows) + b"\n")
        return 0
    for r in rows:
        until = r.signs_until.isoformat() if r.signs_until else "-"
        print(f"{r.kid}  made {r.created_at.isoformat()}  signs until {until}")
    return 0


def _rotate_event_key(args: argparse.Namespace, registry: Registry) -> int:
    made = registry.event_keys.rotate(registry.clock())
    print(
        f"event key {made.kid} signs from now on; the previous one verifies what it signed. "
        "Re-publish the trust list (the bundle) so auditors hold the new key."
    )
    return 0


def _write_new(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with path.open("xb") as f:
            f.write(data)
    except FileExistsError:
        raise UsageError(f"{path} exists already: nothing overwritten") from None
    except OSError as e:
        raise UsageError(f"cannot write {path}: {e.strerror}") from None
    return path


def _checkpoints(args: argparse.Namespace, registry: Registry) -> int:
    import msgspec

    rows = registry.transparency.checkpoints()
    if args.json:
        sys.stdout.buffer.write(msgspec.json.encode(rows) + b"\n")
        return 0
    from datetime import UTC, datetime

    for c in rows:
        at = datetime.fromtimestamp(c.timestamp, UTC).isoformat()
        print(f"{c.size:>10}  {at}  {c.root}")
    return 0


def _inclusion(args: argparse.Namespace, registry: Registry) -> int:
    import msgspec

    from services.cards import card_uuid

    log = registry.transparency
    if (args.position is None) == (args.card is None):
        raise UsageError("give either --position or --card with --version")
    if args.card is not None:
        if args.version is None:
            raise UsageError("--card needs --version (the event's version of that card)")
        position = log.position_of(card_uuid(args.card, "--card"), args.version)
    else:
        position = args.position
    size = args.size or _latest_size(registry)
    sys.stdout.buffer.write(msgspec.json.encode(log.inclusion(size, position)) + b"\n")
    return 0


def _consistency(args: argparse.Namespace, registry: Registry) -> int:
    import msgspec

    new = args.new or _latest_size(registry)
    proof = registry.transparency.consistency(args.old, new)
    sys.stdout.buffer.write(msgspec.json.encode(proof) + b"\n")
    return 0


def _latest_size(registry: Registry) -> int:
    latest = registry.transparency.latest()
    if latest is None:
        raise UsageError("no checkpoint yet: run `talentcard ledger checkpoint` first")
    return latest.size


def _export(args: argparse.Namespace, registry: Registry) -> int:
    who = caller(args, registry)
    path = Path(args.file)
    try:
        stream = path.open("xb")
    except FileExistsError:
        raise UsageError(f"{path} exists already: nothing overwritten") from None
    except OSError as e:
        raise UsageError(f"cannot write {path}: {e.strerror}") from None
    try:
        with stream:
            summary = registry.audit_export.export(who, stream, redacted=args.redacted)
    except BaseException:
        path.unlink(missing_ok=True)  # a failed export leaves no half-written file
        raise
    what = (
        "redacted: the holders' data replaced by salted digests"
        if summary.redacted
        else "FULL: it holds the holders' personal data; keep it as the audit rules require"
    )
    print(
        f"wrote {summary.events} events and {summary.checkpoints} checkpoints "
        f"({summary.covered} events covered) to {path} ({what})",
        file=sys.stderr,
    )
    return 0


def _verify(args: argparse.Namespace, registry: Registry) -> int:
    import msgspec

    from services.audit.reading import AuditFileError
    from services.audit.report import summary_lines
    from services.audit.verify import verify_export

    if args.workers is not None and not 1 <= args.workers <= 64:
        raise UsageError("--workers must be between 1 and 64")
    try:
        report = verify_export(
            Path(args.file),
            saved_checkpoint=Path(args.checkpoint) if args.checkpoint else None,
            trust_source=Path(args.trust_list) if args.trust_list else None,
            root_hex=_root(args.root),
            workers=args.workers,
        )
    except AuditFileError as e:
        raise UsageError(str(e)) from None
    if args.json:
        sys.stdout.buffer.write(msgspec.json.encode(report) + b"\n")
    else:
        if args.trust_list is None and args.root is None:
            print(
                "warning: trusting the trust list and root key inside the export itself; "
                "pass --trust-list (a bundle you obtained yourself) to anchor them",
                file=sys.stderr,
            )
        for line in summary_lines(report):
            print(line)
    return 0 if report.ok else 1


def _root(value: str | None) -> str | None:
    if value is None:
        return None
    candidate = Path(value)
    text = value
    if len(value) != 64 and candidate.is_file():
        try:
            text = candidate.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            raise UsageError(f"--root {value}: not a root key file") from None
    try:
        if len(bytes.fromhex(text)) != 32:
            raise ValueError
    except ValueError:
        raise UsageError("--root must be the root key's 64 hex digits or a root.pub file") from None
    return text


def add_log_commands(
    sub: argparse._SubParsersAction[Any], audit: argparse._SubParsersAction[Any]
) -> None:
    """Add ``ledger`` and ``audit export | verify``."""
    ledger = sub.add_parser(
        "ledger", help="the tamper-evident log: checkpoints and proofs"
    ).add_subparsers(title="ledger")
    p = ledger.add_parser(
        "checkpoint", help="sign the tree head over every event so far (server host)"
    )
    p.add_argument("--out", metavar="DIR", help="where to write it (default: DATA/checkpoints)")
    p.set_defaults(run=_checkpoint)
    p = ledger.add_parser("event-keys", help="the keys that sign every saved event")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_event_keys)
    p = ledger.add_parser(
        "rotate-event-key", help="a new event-signing key; the old one stops signing (server host)"
    )
    p.set_defaults(run=_rotate_event_key)
    p = ledger.add_parser(
        "seal-personal-data",
        help="seal the personal data of a store written before it was sealed (store owner, once)",
    )
    p.set_defaults(run=_seal_personal_data)
    p = ledger.add_parser("checkpoints", help="every checkpoint signed, oldest first")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_checkpoints)
    proof = ledger.add_parser("proof", help="inclusion and consistency proofs").add_subparsers(
        title="proof"
    )
    p = proof.add_parser("inclusion", help="that one event is in a checkpoint")
    p.add_argument("--size", type=int, help="the checkpoint's tree size (default: the latest)")
    p.add_argument("--position", type=int, help="the event's position in the tree")
    p.add_argument("--card", metavar="ID", help="or the card (aggregate) id …")
    p.add_argument("--version", type=int, help="… and the event's version")
    p.set_defaults(run=_inclusion)
    p = proof.add_parser("consistency", help="that a checkpoint extends an earlier one")
    p.add_argument("old", type=int, help="the earlier checkpoint's size")
    p.add_argument("new", type=int, nargs="?", help="the later one's (default: the latest)")
    p.set_defaults(run=_consistency)

    p = audit.add_parser(
        "export",
        help="the whole log and its checkpoints as one file (provincial auditor, administrator)",
    )
    p.add_argument("file", metavar="FILE", help="a new file to write")
    p.add_argument(
        "--redacted",
        action="store_true",
        help="replace each holder's personal data by its salted digest",
    )
    add_key_option(p)
    p.set_defaults(run=_export)
    p = audit.add_parser("verify", help="check an export alone, offline")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--checkpoint", metavar="CP", help="a checkpoint you saved earlier")
    p.add_argument(
        "--trust-list",
        metavar="TL",
        help="a bundle (folder or file) or a trust-list.cwt (then with --root)",
    )
    p.add_argument("--root", metavar="KEY", help="the root key: 64 hex digits or a root.pub file")
    p.add_argument("--workers", type=int, help="processes replaying (default: up to 2 cores)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_verify)


def _seal_personal_data(args: argparse.Namespace, registry: Registry) -> None:
    count = registry.seal_personal_data()
    if count:
        print(
            f"sealed the personal data of {count} events in place (their leaves unchanged); "
            "read models rebuilt; recorded in the log"
        )
    else:
        print("nothing to seal: every holder in the store is sealed already")
