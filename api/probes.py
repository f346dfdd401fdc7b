"""The probes: ``GET /health`` (liveness) and ``GET /ready`` (readiness), no key needed.

- ``/health``: the process is up, its store answers and its issuer keys open; 200
  ``{"status": "ok", "store": "postgres"}``, or a 503 problem when the store does not
  answer (``store_unavailable``) or the keys do not (``keys_unavailable``: a wrong or
  missing passphrase, a missing key file, a file others may read; the detail says which,
  never the passphrase). Restarting the api would not make a lagging projector catch up,
  so lag is not part of it. The keys are proved once and again only when their files
  change (``Keystore.health``): a probe does not pay an Argon2id derivation.
- ``/ready``: the store answers, the keys open and every read model is caught up with the
  event log within ``TALENTCARD_READY_LAG`` seconds (``services.readiness``); 200 with
  each read model's position, or a 503 problem (``application/problem+json``) whose detail
  and ``lagging`` member name each read model that lags, and whose ``keys`` member is
  ``unavailable`` when the keys do not open. For a load balancer or a reverse proxy
  deciding whether to send this process requests.

``python -m api.probes`` runs the readiness check once on the environment's store, prints
one line and exits 0 when ready, 1 when not (compose.yaml's health check of the
projector, which serves no HTTP).
"""

from __future__ import annotations

import sys
from typing import Any

import msgspec
from litestar import Response, get
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec

from services import readiness
from services.bootstrap import Registry

PROBLEM_JSON = "application/problem+json"
NO_STORE = {"Cache-Control": "no-store"}
RETRY_AFTER_SECONDS = "5"


class ProbeProblem(msgspec.Struct, frozen=True, kw_only=True):
    """A probe's 503 (RFC 9457): ``title`` says which check failed, ``detail`` why."""

    type: str
    title: str
    status: int
    detail: str
    store: str | None = None
    keys: str | None = None
    bound_seconds: float | None = None
    lagging: list[str] | None = None
    projections: list[dict[str, Any]] | None = None


def _unavailable(description: str) -> ResponseSpec:
    return ResponseSpec(
        ProbeProblem, description=description, media_type=PROBLEM_JSON, generate_examples=False
    )


@get(
    "/health",
    sync_to_thread=True,
    responses={
        503: _unavailable(
            "store_unavailable: the store does not answer; keys_unavailable: the issuer "
            "keys do not open (passphrase, a missing file, a file others may read)"
        )
    },
)
def health(state: State) -> Response[dict[str, Any]]:
    """Liveness: the process is up, its store answers (and which store it is) and its
    issuer keys open."""
    registry: Registry = state.registry
    try:
        store = registry.store_kind()
    except Exception as e:  # a probe reports any failure to reach the store
        return _problem("store_unavailable", f"the store does not answer: {_first_line(e)}", {})
    keys = readiness.keys_health(registry)
    if not keys.ok:
        return _problem(
            "keys_unavailable", readiness.keys_problem(keys), {"store": store, "keys": keys.state}
        )
    return Response({"status": "ok", "store": store}, headers=NO_STORE)


@get(
    "/ready",
    sync_to_thread=True,
    responses={
        503: _unavailable(
            "not_ready: a read model lags, the store does not answer, the issuer keys do "
            "not open, or a setting is malformed; the detail names each"
        )
    },
)
def ready(state: State) -> Response[dict[str, Any]]:
    """Readiness: the store answers and every read model is caught up within the bound."""
    registry: Registry = state.registry
    answer = readiness.check(registry)
    projections = msgspec.to_builtins(answer.projections)
    if not answer.ready:
        return _problem(
            "not_ready",
            answer.problem,
            {
                "store": answer.store,
                "keys": answer.keys,
                "bound_seconds": answer.bound_seconds,
                "lagging": list(answer.lagging),
                "projections": projections,
            },
        )
    return Response(
        {
            "status": "ready",
            "store": answer.store,
            "bound_seconds": answer.bound_seconds,
            "projections": projections,
        },
        headers=NO_STORE,
    )


PROBE_ROUTES = (health, ready)


def _problem(code: str, detail: str, extra: dict[str, Any]) -> Response[dict[str, Any]]:
    body = {
        "type": f"urn:talentcard:error:{code}",
        "title": code,
        "status": 503,
        "detail": detail,
        **extra,
    }
    return Response(
        body,
        status_code=503,
        media_type=PROBLEM_JSON,
        headers={**NO_STORE, "Retry-After": RETRY_AFTER_SECONDS},
    )


def _first_line(e: Exception) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def main() -> int:
    """Check readiness once on the environment's store: 0 ready, 1 not (one line)."""
    with Registry() as registry:
        answer = readiness.check(registry)
    if answer.ready:
        lag = max((p.lag for p in answer.projections), default=0)
        print(f"ready: {answer.store}, {len(answer.projections)} read models, max lag {lag}")
        return 0
    print(f"not ready: {answer.problem}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
