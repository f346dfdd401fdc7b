"""The HTTP service (litestar). For now: health and each card's public face.

Until users authenticate (the HTTP API issue), nothing here reaches personal data: a card
answers with what its QR code already shows (card id, scheme, tier, status, validity), not
the holder's name, birth date, ID characters, family or history. The full view with
history stays on the operator's command line (``talentcard card show``).

eventsourcing has no asyncio API, so handlers that touch the ledger are synchronous and
run in litestar's thread pool (``sync_to_thread=True``); the Postgres pool is sized in
the database URL (``pool_size``) to match.
"""

from __future__ import annotations

from uuid import UUID

from litestar import Litestar, Request, Response, get
from litestar.datastructures import State
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import FromPath

from api.public import PUBLIC_ROUTES
from domain.errors import DomainError, InvalidInput, NotAuthorised
from ledger.errors import CardNotFound, ConcurrencyConflict
from ledger.views import PublicCardView
from services.bootstrap import Registry

PROBLEM_JSON = "application/problem+json"

# One table from domain errors to HTTP statuses (RFC 9457 problem details).
_STATUS_BY_ERROR: tuple[tuple[type[DomainError], int], ...] = (
    (CardNotFound, 404),
    (InvalidInput, 422),
    (NotAuthorised, 403),
    (ConcurrencyConflict, 409),
    (DomainError, 409),
)


def problem(request: Request[object, object, State], exc: Exception) -> Response[dict[str, object]]:
    """Render any domain error as problem+json with its stable code."""
    if isinstance(exc, DomainError):
        status = next(s for t, s in _STATUS_BY_ERROR if isinstance(exc, t))
        body: dict[str, object] = {
            "type": f"urn:talentcard:error:{exc.code}",
            "title": exc.code,
            "status": status,
            "detail": exc.message,
        }
        if exc.rule:
            body["rule"] = exc.rule
    elif isinstance(exc, NotFoundException | ValidationException):
        status = exc.status_code
        body = {
            "type": "about:blank",
            "title": "bad_request" if status == 400 else "not_found",
            "status": status,
            "detail": exc.detail,
        }
    else:  # pragma: no cover - only reached for unexpected exception types
        raise exc
    return Response(body, status_code=status, media_type=PROBLEM_JSON)


@get("/health", sync_to_thread=True)
def health(state: State) -> dict[str, str]:
    """Liveness and which store is in use."""
    registry: Registry = state.registry
    return {"status": "ok", "store": registry.store_kind()}


@get("/cards/{card_id:uuid}", sync_to_thread=True)
def get_card(state: State, card_id: FromPath[UUID]) -> PublicCardView:
    """A card's public face: scheme, tier, status and validity as of today."""
    registry: Registry = state.registry
    return registry.cards.public_view(card_id)


def create_app(registry: Registry | None = None) -> Litestar:
    """The service over the given registry, or over one built from the environment (its
    store is opened now, so a store that is not ready stops the start, not a request)."""
    services = registry or Registry()
    services.ledger  # noqa: B018 - open the store before serving
    return Litestar(
        route_handlers=[health, get_card, *PUBLIC_ROUTES],
        state=State({"registry": services}),
        on_shutdown=[services.close] if registry is None else [],
        exception_handlers={
            DomainError: problem,
            NotFoundException: problem,
            ValidationException: problem,
        },
    )
