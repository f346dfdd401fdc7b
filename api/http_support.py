"""What every authenticated route shares: the caller from its Bearer key, the idempotency
key, the expected card version from ``If-Match``, and the answer to a card command."""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.datastructures import State
from litestar.exceptions import ValidationException
from litestar.params import Parameter, ParameterKwarg

from domain.errors import InvalidInput
from ledger.limits import MAX_INPUT_DEPTH, json_depth
from services.access import Idempotency, Outcome, Principal
from services.bootstrap import Registry
from services.read_route import READ_ROUTE
from services.users import NotAuthenticated

_ETAG_VERSION = re.compile(r'^(?:W/)?"(\d{1,9})"$')
# No control characters (NUL above all: PostgreSQL refuses it in text, and the query
# that carried it ended in a 500).
_NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f\x7f]*$"


def text_query(max_length: int) -> ParameterKwarg:
    """A free-text query parameter: at most ``max_length`` characters, none of them a
    control character (a 400 naming the parameter otherwise)."""
    marker: ParameterKwarg = Parameter(max_length=max_length, pattern=_NO_CONTROL_CHARACTERS)
    return marker


# The greatest log position or tree size a parameter may name: 2**53, the greatest
# integer a JSON number carries exactly, and well inside the stores' 64-bit integers (a
# number past those reached the query and ended in a 500, OverflowError on SQLite).
MAX_LOG_POSITION = 2**53


def log_position(description: str) -> ParameterKwarg:
    """A query or path parameter naming a position in the event log or a tree size: from
    0 to MAX_LOG_POSITION (a 400 naming the parameter otherwise)."""
    marker: ParameterKwarg = Parameter(ge=0, le=MAX_LOG_POSITION, description=description)
    return marker


async def check_body(request: Request[Any, Any, Any]) -> None:
    """Before a route that takes a JSON body decodes it: a missing body is refused with a
    line saying what to send (litestar's own answer was ``'data'``), and a body nested
    deeper than any command (``MAX_INPUT_DEPTH``) before the recursive parser sees it (a
    few thousand brackets exhausted its stack and ended in a 500). Routes whose body is
    raw bytes (the card import) decode it themselves."""
    template = request.scope.get("path_template") or request.url.path
    READ_ROUTE.set(f"http: {request.method} {template}"[:200])
    if request.method != "POST":
        return
    data = request.route_handler.parsed_fn_signature.parameters.get("data")
    if data is None or data.annotation is bytes:
        return
    body = await request.body()
    if not body.strip():
        raise ValidationException(
            "the request has no body: send the command as a JSON object"
        )
    # Counting brackets runs at C speed; the exact depth is measured only when it could
    # be over the limit.
    brackets = body.count(b"[") + body.count(b"{")
    if brackets > MAX_INPUT_DEPTH and json_depth(body) > MAX_INPUT_DEPTH:
        raise ValidationException(f"the JSON body is nested deeper than {MAX_INPUT_DEPTH} levels")


def registry_of(state: State) -> Registry:
    """The registry the app was built over."""
    registry: Registry = state.registry
    return registry


# Where a request keeps its authenticated caller (or the refusal), on its ASGI scope's
# state: the write limit authenticates a write first, to count it against its user, and
# the route's ``who`` must not look the user up and hash the key a second time.
_CALLER = "talentcard.caller"


def caller(request: Request[Any, Any, Any], registry: Registry) -> Principal | None:
    """The user the request's ``Authorization: Bearer`` key belongs to, or None (no key,
    or one that does not work); authenticated once per request."""
    kept = request.state.get(_CALLER)
    if kept is None:
        try:
            kept = registry.users.authenticate(_bearer_key(request))
        except NotAuthenticated as refused:
            kept = refused
        request.state[_CALLER] = kept
    return kept if isinstance(kept, Principal) else None


def authenticated(request: Request[Any, Any, Any], state: State) -> Principal:
    """The caller: the user whose key the ``Authorization: Bearer`` header carries."""
    who = caller(request, registry_of(state))
    if who is None:
        refused: NotAuthenticated = request.state[_CALLER]
        raise refused
    return who


def _bearer_key(request: Request[Any, Any, Any]) -> str:
    """The key after the ``Bearer`` scheme (any case, any whitespace between: RFC 9110
    names the scheme case-insensitive, and the write limit once counted each spelling
    apart)."""
    parts = request.headers.get("authorization", "").split(maxsplit=1)
    if len(parts) != 2 or parts[0].lower() != "bearer":
        raise NotAuthenticated("send the API key as Authorization: Bearer KEY")
    return parts[1].strip()


def idempotency_of(
    request: Request[Any, Any, Any], data: msgspec.Struct | None
) -> Idempotency | None:
    """The request's ``Idempotency-Key``, with the fingerprint of what it asks (method,
    path and the decoded body, re-encoded so that spacing does not count)."""
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    body = b"" if data is None else msgspec.json.encode(data)
    return Idempotency.of(key, request.method, request.url.path, body)


def expected_version(request: Request[Any, Any, Any]) -> int | None:
    """The card version ``If-Match`` names (``"7"``, the ETag a read answered), or None."""
    header = request.headers.get("if-match")
    if header is None or header.strip() == "*":
        return None
    match = _ETAG_VERSION.match(header.strip())
    if match is None:
        raise InvalidInput(f'If-Match must be a card version ETag such as "7", not {header[:40]!r}')
    return int(match.group(1))


class CommandDone(msgspec.Struct, frozen=True, kw_only=True):
    """A card command done: the card, its new version (also the answer's ETag, to send
    back as If-Match) and, for a use of a service item, the recorded use."""

    card_id: str
    version: int
    redemption_id: str | None = None


def done(outcome: Outcome, *, status: int = 200) -> Response[CommandDone]:
    """The answer to a card command, with the card version as its ETag."""
    body = CommandDone(
        card_id=str(outcome.card_id),
        version=outcome.version,
        redemption_id=str(outcome.redemption_id) if outcome.redemption_id else None,
    )
    headers = {"ETag": f'"{outcome.version}"', "Location": f"/cards/{outcome.card_id}"}
    return Response(body, status_code=status, headers=headers)
