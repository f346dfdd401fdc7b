"""The probes: ``GET /health`` (liveness) and ``GET /ready`` (readiness), no key needed.

- ``/health``: the process is up and its store answers; 200 ``{"status": "ok", "store":
  "postgres"}``, or a 503 problem when the store does not answer. Restarting the api
  would not make a lagging projector catch up, so lag is not part of it.
- ``/ready``: the store answers and every read model is caught up with the event log
  within ``TALENTCARD_READY_LAG`` seconds (``services.readiness``); 200 with each read
  model's position, or a 503 problem (``application/problem+json``) whose detail and
  ``lagging`` member name each read model that lags. For a load balancer or a reverse
  proxy deciding whether to send this process requests.

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

from api.problems import problem_spec
from services import readiness
from services.bootstrap import Registry

PROBLEM_JSON = "application/problem+json"
NO_STORE = {"Cache-Control": "no-store"}
RETRY_AFTER_SECONDS = "5"


# Every answer a probe gives is in the OpenAPI document: a load balancer, and
# schemathesis, read a 503 as one of them.
_UNHEALTHY = problem_spec(
    503,
    "the store does not answer",
    "store_unavailable",
    "the store does not answer: connection refused",
)
_NOT_READY = problem_spec(
    503,
    "the store does not answer, or a read model lags more than TALENTCARD_READY_LAG "
    "seconds (`lagging` names each, `projections` has their positions)",
    "not_ready",
    "read model statistics is 12 events behind the log (at notification 30 of 42): its "
    "oldest unapplied event waits longer than 30 s (TALENTCARD_READY_LAG); is the "
    "projector running? see `talentcard projections status`",
)


@get("/health", sync_to_thread=True, responses={503: _UNHEALTHY})
def health(state: State) -> Response[dict[str, Any]]:
    """Liveness: the process is up and its store answers (and which store it is)."""
    registry: Registry = state.registry
    try:
        store = registry.store_kind()
    except Exception as e:  # a probe reports any failure to reach the store
        return _problem("store_unavailable", f"the store does not answer: {_first_line(e)}", {})
    return Response({"status": "ok", "store": store}, headers=NO_STORE)


@get("/ready", sync_to_thread=True, responses={503: _NOT_READY})
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
