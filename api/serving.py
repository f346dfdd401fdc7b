"""How ``talentcard serve`` runs an ASGI app under uvicorn: one place, so that
``bench.api``'s bare baseline app is served exactly as the registry is.

Nothing here is imported by the parser beyond ``serve_arguments`` (uvicorn is imported
only to serve).
"""

from __future__ import annotations

import argparse
from typing import Any

MAX_WORKERS = 16


def _workers(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"a whole number of processes from 1 to {MAX_WORKERS}")
    return int(text)


def serve_arguments(parser: argparse.ArgumentParser) -> None:
    """``--host``, ``--port``, ``--workers`` and ``--access-log``."""
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--workers",
        type=_workers,
        default=1,
        help="server processes sharing the port, each with its own connection pool "
        "(default 1)",
    )
    parser.add_argument(
        "--access-log",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="log one line per request, client address and path (default off: on a "
        "small request it costs the server a large part of its time, and every write is "
        "in the audit trail with its user anyway)",
    )


def serve(app: Any, args: argparse.Namespace, *, factory: str = "") -> None:
    """Serve ``app`` (an ASGI app) with the settings ``serve_arguments`` parsed. With more
    than one worker each process builds its own app by calling ``factory`` (an import
    string ``module:function``), since an app object cannot cross into another process."""
    import uvicorn

    if args.workers > 1:
        if not factory:
            raise ValueError("more than one worker needs the app's factory as an import string")
        target: Any = factory
    else:
        target = app
    uvicorn.run(
        target,
        factory=args.workers > 1,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=args.access_log,
    )
