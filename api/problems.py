"""Every error as an RFC 9457 problem (``application/problem+json``): the domain error's
stable code as ``title`` (and in ``type``), its message as ``detail``, and the refusing
rule where there is one. Nothing else of the failure, and never a traceback, reaches the
caller; an unexpected failure is logged here and answered 500."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    SerializationException,
    ValidationException,
)
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example

from domain.errors import DomainError, InvalidInput, NotAuthorised
from ledger.errors import CardNotFound, ConcurrencyConflict
from services.access import IdempotencyKeyReused
from services.errors import OPERATOR_ERRORS
from services.refusals import TooManyRefusals
from services.users import NotAuthenticated

PROBLEM_JSON = "application/problem+json"

_log = logging.getLogger("talentcard.api")


class Problem(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """An RFC 9457 problem: ``title`` is the stable error code (also in ``type``),
    ``detail`` one line saying what was wrong, ``rule`` the rule that refused, if one did."""

    type: str
    title: str
    status: int
    detail: str
    rule: str | None = None


# Domain errors to HTTP statuses, most specific first. A refused command that is not one
# of these (an illegal transition, a rule that says no) is a conflict with the card's
# state: 409.
_STATUS_BY_ERROR: tuple[tuple[type[DomainError], int], ...] = (
    (NotAuthenticated, 401),
    (CardNotFound, 404),
    (IdempotencyKeyReused, 422),
    (TooManyRefusals, 429),
    (InvalidInput, 422),
    (NotAuthorised, 403),
    (ConcurrencyConflict, 409),
    (DomainError, 409),
)
# Error codes that mean "no such thing" whatever their class (an unknown user, an unknown
# recorded use): 404.
_NOT_FOUND_CODES = frozenset({"unknown_user", "unknown_redemption", "unknown_checkpoint"})


def status_of(exc: DomainError) -> int:
    """The HTTP status a domain error answers with."""
    if exc.code in _NOT_FOUND_CODES:
        return 404
    return next(s for t, s in _STATUS_BY_ERROR if isinstance(exc, t))


def problem(status: int, code: str, detail: str, rule: str | None = None) -> Problem:
    """One problem document."""
    return Problem(
        type=f"urn:talentcard:error:{code}", title=code, status=status, detail=detail, rule=rule
    )


def problem_response(
    status: int, code: str, detail: str, rule: str | None = None, **headers: str
) -> Response[Problem]:
    """One problem document as an answer."""
    return Response(
        problem(status, code, detail, rule or None),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


# What each status means on an authenticated route, with an example problem: the
# OpenAPI document lists them (``problem_responses``), so that a client, and
# schemathesis, knows every answer a route may give.
_DOCUMENTED: dict[int, tuple[str, str, str | None]] = {
    400: ("bad_request", "Object contains unknown field `colour`", None),
    401: ("not_authenticated", "the API key is missing, unknown, replaced or disabled", None),
    403: (
        "not_authorised",
        "a venue records uses; it does not issue cards",
        "issuance is the scheme's issuing authority's",
    ),
    404: ("card_not_found", "no card with id 6f1c2a4e-8d2b-4a5e-9f7c-0b1d2e3f4a5b", None),
    406: ("not_acceptable", "the credential is served as text/plain, image/png", None),
    409: ("conflict", "the card is at version 4, not 3", None),
    413: ("body_too_large", "Request Entity Too Large", None),
    422: ("invalid_input", "holder.id_number must not be empty", None),
    429: ("too_many_requests", "API rate limit exceeded", None),
    503: ("service_unavailable", "the registry cannot answer now", None),
}
_MEANING = {
    400: "the body or a parameter is malformed (not JSON, an unknown field, a wrong type)",
    401: "no API key, or one that is unknown, replaced or disabled",
    403: "the caller's role may not do this; the problem names the rule",
    404: "no such card, or one outside the caller's jurisdiction",
    406: "none of the media types the route serves is acceptable",
    409: "refused by the card's state or a rule (named), or a concurrent change (If-Match)",
    413: "the body is over the route's limit",
    422: "the request is well formed but invalid (a value, a reused Idempotency-Key)",
    429: (
        "too many writes with this key in the last minute, or too many filings refused "
        "this hour because the person already holds a card"
    ),
    503: "the registry is not set up to answer (settings, store, keys)",
}
READ_ERRORS = (400, 401, 403, 404, 422, 503)
WRITE_ERRORS = (*READ_ERRORS, 409, 413, 429)


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI ``responses`` for the problems a route may answer with."""
    return {
        status: problem_spec(status, _MEANING[status], *_DOCUMENTED[status]) for status in statuses
    }


def problem_spec(
    status: int, meaning: str, code: str, detail: str, rule: str | None = None
) -> ResponseSpec:
    """An OpenAPI response: a problem with this status, what it means and an example."""
    example = msgspec.to_builtins(problem(status, code, detail, rule))
    return ResponseSpec(
        Problem,
        description=meaning,
        media_type=PROBLEM_JSON,
        generate_examples=False,
        examples=[Example(summary=code, value=example)],
    )


def domain_problem(request: Request[Any, Any, Any], exc: DomainError) -> Response[Problem]:
    """A refused command or query."""
    status = status_of(exc)
    headers = {"WWW-Authenticate": 'Bearer realm="talentcard"'} if status == 401 else {}
    if isinstance(exc, TooManyRefusals):
        headers = {"Retry-After": str(exc.retry_after)}
    return problem_response(status, exc.code, exc.message, exc.rule, **headers)


def http_problem(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Problem]:
    """litestar's own refusals: a malformed body or parameter, an unknown route, a wrong
    method, a body over the limit, too many requests."""
    status = exc.status_code
    if isinstance(exc, ValidationException):
        code, detail = "bad_request", _validation_detail(exc)
    elif isinstance(exc, NotAuthorizedException):
        code, detail = "not_authenticated", str(exc.detail)
    elif isinstance(exc.__cause__, SerializationException):
        code, detail = "bad_request", f"the body is not valid JSON: {exc.detail}"
    else:
        code = _CODES.get(status, "http_error")
        detail = str(exc.detail)
    headers = {k: v for k, v in (exc.headers or {}).items()}
    return problem_response(status, code, detail, **headers)


def operator_problem(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    """The registry is not set up to answer (settings, store, keys): 503, the operator's
    message kept to the log."""
    _log.error("service unavailable: %s", exc)
    return problem_response(503, "service_unavailable", "the registry cannot answer now")


def unexpected_problem(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    """A failure nobody planned for: logged with its traceback, answered without it."""
    if isinstance(exc, OPERATOR_ERRORS):
        return operator_problem(request, exc)
    _log.exception("unexpected failure on %s %s", request.method, request.url.path)
    return problem_response(500, "internal_error", "the registry failed to answer; it is logged")


_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "body_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}


def _validation_detail(exc: ValidationException) -> str:
    """One line naming what was wrong (msgspec's message names the field's path)."""
    extra = exc.extra
    if isinstance(extra, list) and extra and isinstance(extra[0], dict):
        first = extra[0]
        message = str(first.get("message", exc.detail))
        key = first.get("key")
        # "data" is litestar's name for the whole body: msgspec's message says where.
        named = key and key != "data" and str(key) not in message
        return f"{key}: {message}" if named else message
    return str(exc.detail)
