"""The framework's own ceiling: a bare litestar app with one route returning a constant,
served by ``api.serving.serve`` exactly as ``talentcard serve`` serves the registry (same
uvicorn settings, workers and access log), for ``bench.api`` to load in the same run.

    python -m bench._bare --host 127.0.0.1 --port 8001 [--workers N]
"""

from __future__ import annotations

import argparse

from litestar import Litestar, post

ANSWER = {"verdict": "valid", "valid": True, "reason": "ok"}


@post("/verify", status_code=200)
async def constant() -> dict[str, object]:
    """The same path and method as the real verifier, a constant answer, no body read."""
    return ANSWER


def create_app() -> Litestar:
    return Litestar(route_handlers=[constant], openapi_config=None)


def main() -> None:
    from api.serving import serve, serve_arguments

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    serve_arguments(parser)
    args = parser.parse_args()
    app = create_app() if args.workers == 1 else None  # as talentcard serve does
    serve(app, args, factory="bench._bare:create_app")


if __name__ == "__main__":
    main()
