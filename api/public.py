"""The public, cacheable routes: no key needed, nothing personal beyond what a credential
itself shows.

- ``GET /trust-list``: the signed trust list (``application/cwt``);
- ``GET /status-lists/{authority}/{list}``: one status list token
  (``application/statuslist+cwt``, draft-ietf-oauth-status-list §8.1); this path is the
  URI in every credential's status claim;
- ``GET /bundle``: the whole venue bundle as one file (``application/cbor``, a map of
  file names to bytes, what ``talentcard verify --bundle FILE`` reads);
- ``POST /verify``: the offline verifier on the server's current bundle.

Each document carries a strong ``ETag`` (a hash of its bytes), ``Cache-Control: public,
max-age=TTL`` (its ttl as signed) with ``Age`` (seconds since it was signed, so a cache
keeps it only for what is left of the ttl), and answers ``304`` to a matching
``If-None-Match``. The documents are signed once and kept by ``services.public``; a
request never signs. Errors are RFC 9457 problem details, one line each.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.concurrency import sync_to_thread
from litestar.datastructures import State
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import Body, FromPath
from litestar.types import ExceptionHandlersMap

from domain.errors import DomainError
from services.bootstrap import Registry
from services.public import (
    BUNDLE_MEDIA_TYPE,
    MAX_VERIFY_BODY_BYTES,
    STATUS_LIST_MEDIA_TYPE,
    TRUST_LIST_MEDIA_TYPE,
    PublicDocument,
    PublicDocumentUnavailable,
    StatusListNotFound,
    VerifyAnswer,
    VerifyRequest,
)

PROBLEM_JSON = "application/problem+json"


class Problem(msgspec.Struct, frozen=True, kw_only=True):
    """An RFC 9457 problem: ``title`` is the stable error code, ``detail`` one line."""

    type: str
    title: str
    status: int
    detail: str


def _problem(status: int, code: str, detail: str) -> Response[Problem]:
    return Response(
        Problem(type=f"urn:talentcard:error:{code}", title=code, status=status, detail=detail),
        status_code=status,
        media_type=PROBLEM_JSON,
    )


def _domain_problem(_: Request[Any, Any, State], exc: Exception) -> Response[Problem]:
    assert isinstance(exc, DomainError)
    if isinstance(exc, StatusListNotFound):
        return _problem(404, exc.code, exc.message)
    # No keys yet, a read model that did not catch up: the service, not the request.
    return _problem(503, exc.code, exc.message)


def _http_problem(_: Request[Any, Any, State], exc: Exception) -> Response[Problem]:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    if isinstance(exc, ValidationException):
        return _problem(400, "invalid_input", _one_line(exc))
    if status == 413:
        return _problem(413, "request_too_large", f"the body is over {MAX_VERIFY_BODY_BYTES} bytes")
    code = {400: "invalid_input", 404: "not_found", 405: "method_not_allowed"}.get(
        status, "bad_request"
    )
    return _problem(status, code, str(exc.detail))


def _one_line(exc: ValidationException) -> str:
    """The first thing wrong with the body, in one line (msgspec's message names the
    field: ``Object contains unknown field `x```, ``Expected `str` of length <= 4096 -
    at `$.credential```)."""
    extra = exc.extra
    if isinstance(extra, list) and extra and isinstance(extra[0], dict):
        message = str(extra[0].get("message") or exc.detail)
        key = extra[0].get("key")
        where = f" (field {key})" if key and key != "data" and str(key) not in message else ""
        return (message + where).replace("\n", " ")[:300]
    return str(exc.detail).replace("\n", " ")[:300]


_HANDLERS: ExceptionHandlersMap = {
    DomainError: _domain_problem,
    HTTPException: _http_problem,
    # Named too, or the app's own handlers for these classes would win over ours.
    ValidationException: _http_problem,
    NotFoundException: _http_problem,
}


def _problem_spec(status: int, code: str, detail: str) -> ResponseSpec:
    return ResponseSpec(
        Problem,
        description=detail,
        media_type=PROBLEM_JSON,
        generate_examples=False,
        examples=[
            Example(
                summary=code,
                value={
                    "type": f"urn:talentcard:error:{code}",
                    "title": code,
                    "status": status,
                    "detail": detail,
                },
            )
        ],
    )


_UNAVAILABLE = _problem_spec(
    503,
    PublicDocumentUnavailable.code,
    "the registry cannot sign its public documents: no signing key for root",
)


def _binary_spec(media_type: str, summary: str, example: str) -> ResponseSpec:
    return ResponseSpec(
        bytes,
        description=f"{summary}; 304 with no body when If-None-Match matches its ETag",
        media_type=media_type,
        generate_examples=False,
        examples=[Example(summary=summary, description="binary; shown hex", value=example)],
    )


# What every signed document answers to an If-None-Match naming its ETag (``_serve``).
_NOT_MODIFIED = ResponseSpec(
    None, description="not modified: If-None-Match names the document's ETag (no body)"
)


def _registry(state: State) -> Registry:
    registry: Registry = state.registry
    return registry


def _serve(
    request: Request[Any, Any, State], registry: Registry, doc: PublicDocument
) -> Response[bytes]:
    headers = {
        "ETag": doc.etag,
        "Cache-Control": f"public, max-age={doc.max_age}",
        "Age": str(doc.age(registry.clock())),
    }
    if _matches(request.headers.get("if-none-match"), doc.etag):
        return Response(b"", status_code=304, headers=headers)
    if doc.media_type == BUNDLE_MEDIA_TYPE:
        headers["Content-Disposition"] = f'attachment; filename="{doc.filename}"'
    return Response(doc.body, media_type=doc.media_type, headers=headers)


def _matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 §13.1.2: ``*`` or any listed tag equal to ours by weak comparison."""
    if if_none_match is None:
        return False
    tags = [t.strip() for t in if_none_match.split(",")]
    return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)


@get(
    "/trust-list",
    sync_to_thread=True,
    media_type=TRUST_LIST_MEDIA_TYPE,
    summary="The signed trust list",
    description="Every authority's public keys, signed by the provincial root (a CWT).",
    responses={
        200: _binary_spec(TRUST_LIST_MEDIA_TYPE, "the trust list CWT", "d28443a10127a0…"),
        304: _NOT_MODIFIED,
        503: _UNAVAILABLE,
    },
    exception_handlers=_HANDLERS,
    tags=["public"],
)
def trust_list(request: Request[Any, Any, State], state: State) -> Response[bytes]:
    registry = _registry(state)
    return _serve(request, registry, registry.public.trust_list())


@get(
    "/status-lists/{authority:str}/{list_id:str}",
    media_type=STATUS_LIST_MEDIA_TYPE,
    summary="One status list token",
    description="The Token Status List a credential's status claim names, by this very URL.",
    responses={
        200: _binary_spec(STATUS_LIST_MEDIA_TYPE, "a status list token", "d28458…"),
        304: _NOT_MODIFIED,
        404: _problem_spec(
            404, StatusListNotFound.code, "jinan has issued no status list 'sl-9999'"
        ),
        503: _UNAVAILABLE,
    },
    exception_handlers=_HANDLERS,
    tags=["public"],
)
async def status_list(
    request: Request[Any, Any, State],
    state: State,
    authority: FromPath[str],
    list_id: FromPath[str],
) -> Response[bytes]:
    # As POST /verify: on the event loop while the kept snapshot needs no look at the
    # store, in a thread when its once-a-second check is due.
    registry = _registry(state)
    public = registry.public
    doc = public.status_list_if_current(authority, list_id)
    if doc is None:
        doc = await sync_to_thread(public.status_list, authority, list_id)
    return _serve(request, registry, doc)


@get(
    "/bundle",
    sync_to_thread=True,
    media_type=BUNDLE_MEDIA_TYPE,
    summary="The venue bundle as one file",
    description="A CBOR map of file names (root.pub, trust-list.cwt, venue-rules.cwt, "
    "status/AUTHORITY/LIST.cwt) to their bytes: `talentcard verify --bundle FILE` reads it.",
    responses={
        200: _binary_spec(BUNDLE_MEDIA_TYPE, "the bundle", "a46e726f6f742e707562…"),
        304: _NOT_MODIFIED,
        503: _UNAVAILABLE,
    },
    exception_handlers=_HANDLERS,
    tags=["public"],
)
def bundle(request: Request[Any, Any, State], state: State) -> Response[bytes]:
    registry = _registry(state)
    return _serve(request, registry, registry.public.bundle())


_VERIFY_EXAMPLE = {
    "credential": "TC1:6BFOXN*TS0BI$ZD-PHQ7I9AD66V5B22CH9M9ESI9XBHXK-%69LQOGI.*V76GCV4*XUA2",
    "service": "liaocheng.21.films",
    "beneficiary": "holder",
    "holder_present": True,
    "venue_city": "liaocheng",
    "skew_seconds": 300,
}
_ANSWER_EXAMPLE = {
    "verdict": "valid",
    "valid": True,
    "reason": "ok",
    "detail": "granted",
    "card_id": "5f0c6a1e-8a4b-4c1e-9d7e-2b3c4d5e6f70",
    "scheme": "liaocheng",
    "tier": "A",
    "holder_name": "张明远",
    "valid_until": "2031-03-01",
    "service": "liaocheng.21.films",
    "beneficiary": "holder",
    "beneficiary_name": None,
    "granted": True,
    "rule": "liaocheng.21.films",
    "requires": [],
    "checked_at": "2026-03-02T01:00:00Z",
    "bundle_age_seconds": 42,
}


@post(
    "/verify",
    status_code=200,
    summary="Verify a credential (online venues)",
    description="The offline verifier run on the server's current bundle and clock. The "
    "answer holds nothing personal beyond what the credential itself shows. A credential "
    "that does not verify is a 200 with verdict invalid and a reason code; a body that is "
    "not a valid request is a 400 problem.",
    request_max_body_size=MAX_VERIFY_BODY_BYTES,
    responses={
        200: ResponseSpec(
            VerifyAnswer,
            description="the decision",
            generate_examples=False,
            examples=[Example(summary="a granted item", value=_ANSWER_EXAMPLE)],
        ),
        400: _problem_spec(400, "invalid_input", "Object contains unknown field `bundle`"),
        413: _problem_spec(
            413, "request_too_large", f"the body is over {MAX_VERIFY_BODY_BYTES} bytes"
        ),
        503: _UNAVAILABLE,
    },
    exception_handlers=_HANDLERS,
    tags=["public"],
)
async def verify_credential(
    state: State,
    data: Annotated[
        VerifyRequest,
        Body(
            title="VerifyRequest",
            examples=[Example(summary="a film ticket for the holder", value=_VERIFY_EXAMPLE)],
        ),
    ],
) -> VerifyAnswer:
    # The verifier reads nothing but the kept bundle: run it on the event loop, sparing
    # every request a hop to the thread pool and back. Only when the bundle is due for its
    # once-a-second look at the store does the request go to a thread, as the others do.
    public = _registry(state).public
    answer = public.verify_if_current(data)
    if answer is None:
        answer = await sync_to_thread(public.verify, data)
    return answer


PUBLIC_ROUTES: list[Any] = [trust_list, status_list, bundle, verify_credential]
"""The public route handlers, for ``create_app``'s ``route_handlers``."""
