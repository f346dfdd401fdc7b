"""``talentcard projections …``, ``audit trail``, ``stats`` and ``sla``: the read models'
operations and the reports read from them. Each handler imports what it needs (msgspec, the
progress bar): building the parser stays light (see ``api.cli``)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from api.cli_errors import UsageError, json_safe, terminal_safe

if TYPE_CHECKING:
    from services.bootstrap import Registry

_FORMATS = ("csv", "jsonl")
_GROUPS = ("scheme", "tier", "status", "authority", "month")


# ---- projections --------------------------------------------------------------------------


def _run(args: argparse.Namespace, registry: Registry) -> None:
    import signal
    import threading

    stop = threading.Event()
    # SIGTERM (docker stop) and Ctrl-C end the projector between pages: what was processed
    # is committed with its tracking position, the rest is picked up on the next start.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    from services import settings

    every = settings.checkpoint_seconds(registry.environ)
    if every and not args.until_caught_up:
        # The periodic checkpoint (issue 13) beside the projector, as the host's operator.
        from services.users import host_administrator

        threading.Thread(
            target=registry.transparency.run_periodically,
            args=(every, stop),
            kwargs={
                "actor": f"projector {host_administrator()}",
                "report": lambda line: print(line, file=sys.stderr, flush=True),
            },
            name="checkpoints",
            daemon=True,
        ).start()
    registry.projections.run(until_caught_up=args.until_caught_up, stop=stop)
    for row in registry.projections.status():
        print(f"{row.name}: at {row.position} of {row.head}", file=sys.stderr)


def _status(args: argparse.Namespace, registry: Registry) -> None:
    import msgspec

    rows = registry.projections.status()
    if args.json:
        sys.stdout.buffer.write(msgspec.json.encode(rows) + b"\n")
        return
    print(f"{'read model':<14} {'position':>10} {'head':>10} {'lag':>8}")
    for row in rows:
        print(f"{row.name:<14} {row.position:>10} {row.head:>10} {row.lag:>8}")


def _rebuild(args: argparse.Namespace, registry: Registry) -> None:
    from tqdm import tqdm  # the progress bar: imported by the one command that shows it

    names = args.names or None
    with tqdm(total=0, unit="ev", file=sys.stderr, disable=args.quiet) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        result = registry.projections.rebuild(names, progress)
    rate = result.events / result.seconds if result.seconds > 0 else float("inf")
    print(
        f"rebuilt {', '.join(result.names)}: {result.events} events in "
        f"{result.seconds:.2f} s ({rate:,.0f} events/s)"
    )


def _checksum(args: argparse.Namespace, registry: Registry) -> None:
    import msgspec

    sums = registry.projections.checksum(args.names or None)
    if args.json:
        sys.stdout.buffer.write(msgspec.json.encode(sums) + b"\n")
        return
    for name, digest in sums.items():
        print(f"{digest}  {name}")


# ---- reports ------------------------------------------------------------------------------


def _trail(args: argparse.Namespace, registry: Registry) -> None:
    query = registry.audit.query(
        card_id=args.card,
        actor=args.actor,
        authority=args.authority,
        since=_date(args.since, "--since"),
        until=_date(args.until, "--until"),
    )
    if args.output:
        with _open_output(Path(args.output)) as stream:
            count = registry.audit.export(query, args.format, stream)
        print(f"wrote {count} event(s) to {args.output}", file=sys.stderr)
        return
    count = registry.audit.export(query, args.format, sys.stdout.buffer)
    print(f"{count} event(s)", file=sys.stderr)


def _stats(args: argparse.Namespace, registry: Registry) -> None:
    import msgspec

    as_of = _date(args.as_of, "--as-of")
    by = args.by or list(_GROUPS)
    counts = {group: registry.statistics.counts(group, as_of) for group in by}
    if args.json:
        sys.stdout.buffer.write(json_safe(msgspec.json.encode(counts)) + b"\n")
        return
    for group, values in counts.items():
        print(f"by {group}:")
        for value, n in values.items():
            print(f"  {terminal_safe(value):<24} {n:>8}")


def _sla(args: argparse.Namespace, registry: Registry) -> None:
    import msgspec

    as_of = _date(args.as_of, "--as-of")
    service = registry.statistics
    files = service.overdue(as_of) if args.overdue else service.deadlines(as_of)
    if args.json:
        sys.stdout.buffer.write(msgspec.json.encode(files) + b"\n")
        return
    for f in files:
        issued = f"issued {f.issued_on}" if f.issued_on else "not issued"
        count = f"{f.working_days} working days" if f.working_days else "no fixed count"
        if f.clock == "spouse_transfer":  # Liaocheng art. 13: 1个月内办理随调手续
            issued = f"transfer done {f.done_on}" if f.done_on else "transfer not done"
            count = "calendar months"
        due = (
            f"due {f.due_on}{' (estimated)' if f.estimated else ''}" if f.due_on else "no due date"
        )
        print(
            f"{f.card_id}  {f.scheme:<9} {f.state:<17} {due} ({count} from {f.clock} "
            f"on {f.starts_on}), {issued}"
        )
    what = "overdue or late " if args.overdue else ""
    print(f"{len(files)} {what}file(s)", file=sys.stderr)


# ---- helpers ------------------------------------------------------------------------------


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} {text[:40]!r}: expected a date YYYY-MM-DD") from None


def _open_output(path: Path) -> BinaryIO:
    try:
        return path.open("xb")  # never overwrite an earlier export
    except FileExistsError:
        raise UsageError(f"{path} exists: choose another file") from None
    except OSError as e:
        raise UsageError(f"cannot write {path}: {e.strerror}") from None


def add_operations_commands(
    sub: argparse._SubParsersAction[Any],
) -> argparse._SubParsersAction[Any]:
    """Add ``projections``, ``audit``, ``stats`` and ``sla``; the ``audit`` subcommands
    are returned, for ``audit export`` and ``verify`` (api.log_cli)."""
    projections = sub.add_parser(
        "projections", help="the read models: run the projector, status, rebuild, checksum"
    ).add_subparsers(title="projections")
    p = projections.add_parser("run", help="the projector: keep the read models up with the log")
    p.add_argument("--until-caught-up", action="store_true", help="stop once at the log's head")
    p.set_defaults(run=_run)
    p = projections.add_parser("status", help="each read model's position and lag")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_status)
    p = projections.add_parser("rebuild", help="empty read models and replay the log")
    p.add_argument("names", nargs="*", metavar="NAME", help="default: every read model")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=_rebuild)
    p = projections.add_parser("checksum", help="a digest of each read model's rows")
    p.add_argument("names", nargs="*", metavar="NAME", help="default: every read model")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_checksum)

    audit: argparse._SubParsersAction[Any] = sub.add_parser(
        "audit", help="the audit trail; the whole log exported and verified"
    ).add_subparsers(title="audit")
    p = audit.add_parser("trail", help="events in log order, as CSV or JSON Lines")
    p.add_argument("--card", metavar="ID")
    p.add_argument("--actor")
    p.add_argument("--authority")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="effective on or after")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="effective on or before")
    p.add_argument("--format", choices=_FORMATS, default="jsonl")
    p.add_argument("--output", metavar="FILE", help="write to a new file (default: stdout)")
    p.set_defaults(run=_trail)

    p = sub.add_parser("stats", help="files counted by scheme, tier, status, authority, month")
    p.add_argument("--by", action="append", choices=_GROUPS)
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="default: today")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_stats)

    p = sub.add_parser(
        "sla",
        help="issuance deadlines (办理时限) and spouse-transfer months (Liaocheng art. 13): each"
        " file's, and whether it was met",
    )
    p.add_argument(
        "--overdue", action="store_true", help="only files overdue, or issued after their due date"
    )
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="default: today")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_sla)
    return audit
