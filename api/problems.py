"""Every error as an RFC 9457 problem (``application/problem+json``): the domain error's
stable code as ``title`` (and in ``type``), its message as ``detail``, and the refusing
rule where there is one. Nothing else of the failure, and never a traceback, reaches the
caller; an unexpected failure is logged here and answered 500."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException

from domain.errors import DomainError, InvalidInput, NotAuthorised
from ledger.errors import CardNotFound, ConcurrencyConflict
from services.access import IdempotencyKeyReused
from services.errors import OPERATOR_ERRORS
from services.users import NotAuthenticated

PROBLEM_JSON = "application/problem+json"

_log = logging.getLogger("talentcard.api")

# Domain errors to HTTP statuses, most specific first. A refused command that is not one
# of these (an illegal transition, a rule that says no) is a conflict with the card's
# state: 409.
_STATUS_BY_ERROR: tuple[tuple[type[DomainError], int], ...] = (
    (NotAuthenticated, 401),
    (CardNotFound, 404),
    (IdempotencyKeyReused, 422),
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


def problem_response(
    status: int, code: str, detail: str, rule: str | None = None, **headers: str
) -> Response[dict[str, Any]]:
    """One problem document."""
    body: dict[str, Any] = {
        "type": f"urn:talentcard:error:{code}",
        "title": code,
        "status": status,
        "detail": detail,
    }
    if rule:
        body["rule"] = rule
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def domain_problem(request: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    """A refused command or query."""
    status = status_of(exc)
    headers = {"WWW-Authenticate": 'Bearer realm="talentcard"'} if status == 401 else {}
    return problem_response(status, exc.code, exc.message, exc.rule, **headers)


def http_problem(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    """litestar's own refusals: a malformed body or parameter, an unknown route, a wrong
    method, a body over the limit, too many requests."""
    status = exc.status_code
    if isinstance(exc, ValidationException):
        code, detail = "bad_request", _validation_detail(exc)
    elif isinstance(exc, NotAuthorizedException):
        code, detail = "not_authenticated", str(exc.detail)
    else:
        code = _CODES.get(status, "http_error")
        detail = str(exc.detail)
    headers = {k: v for k, v in (exc.headers or {}).items()}
    return problem_response(status, code, detail, **headers)


def operator_problem(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """The registry is not set up to answer (settings, store, keys): 503, the operator's
    message kept to the log."""
    _log.error("service unavailable: %s", exc)
    return problem_response(503, "service_unavailable", "the registry cannot answer now")


def unexpected_problem(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
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
        return f"{key}: {message}" if key and str(key) not in message else message
    return str(exc.detail)
