"""The tamper-evident log's public routes (RFC 9162's read API, as JSON): signed
checkpoints and the proofs an auditor or a venue checks them with. No key is needed:
tree heads, leaf hashes and proofs say nothing about anyone.

- ``GET /checkpoints/latest``: the newest checkpoint (cacheable for a minute);
- ``GET /checkpoints/{size}``: the checkpoint over exactly ``size`` events (never changes);
- ``GET /proofs/inclusion?size=N&position=P``: that leaf ``P`` is in checkpoint ``N``;
- ``GET /proofs/consistency?old=M&new=N``: that checkpoint ``N`` extends checkpoint ``M``.

A checkpoint's ``signed`` member is its COSE_Sign1 (base64): check it with the log key the
trust list names (``talentcard audit verify --checkpoint``, ``signing.checkpoint``).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Response, get
from litestar.datastructures import State
from litestar.params import ParameterKwarg

from api.http_support import log_position, registry_of
from api.problems import problem_responses
from services.audit.transparency import (
    Checkpoint,
    ConsistencyProof,
    InclusionProof,
    UnknownCheckpoint,
)

_LOG: dict[str, Any] = {
    "sync_to_thread": True,
    "tags": ["log"],
    "responses": problem_responses(400, 404, 422, 503),
}
_SIZE: ParameterKwarg = log_position("a checkpoint's tree size")
_LATEST_MAX_AGE = 60
_IMMUTABLE = "public, max-age=31536000, immutable"


@get("/checkpoints/latest", summary="The newest signed checkpoint", **_LOG)
def latest_checkpoint(state: State) -> Response[Checkpoint]:
    """Tree size, root hash, time and the signed bytes of the newest checkpoint."""
    latest = registry_of(state).transparency.latest()
    if latest is None:
        raise UnknownCheckpoint("no checkpoint has been signed yet")
    return Response(latest, headers={"Cache-Control": f"public, max-age={_LATEST_MAX_AGE}"})


@get("/checkpoints/{size:int}", summary="The checkpoint over exactly SIZE events", **_LOG)
def checkpoint_at(state: State, size: Annotated[int, _SIZE]) -> Response[Checkpoint]:
    """A checkpoint never changes once signed: cache it for good."""
    return Response(registry_of(state).transparency.at(size), headers={"Cache-Control": _IMMUTABLE})


@get("/proofs/inclusion", summary="That one event is in a checkpoint", **_LOG)
def inclusion_proof(
    state: State,
    size: Annotated[int, _SIZE],
    position: Annotated[int, log_position("the event's tree position")],
) -> Response[InclusionProof]:
    """Hash the leaf, fold in the path (RFC 9162 §2.1.3.2), compare with the root."""
    proof = registry_of(state).transparency.inclusion(size, position)
    return Response(proof, headers={"Cache-Control": _IMMUTABLE})


@get("/proofs/consistency", summary="That a checkpoint extends an earlier one", **_LOG)
def consistency_proof(
    state: State,
    old: Annotated[int, _SIZE],
    new: Annotated[int, _SIZE],
) -> Response[ConsistencyProof]:
    """RFC 9162 §2.1.4.2 checks it from the two roots alone."""
    proof = registry_of(state).transparency.consistency(old, new)
    return Response(proof, headers={"Cache-Control": _IMMUTABLE})


LOG_ROUTES = [latest_checkpoint, checkpoint_at, inclusion_proof, consistency_proof]
