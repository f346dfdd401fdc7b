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

from domain.clock import business_date
from domain.errors import DomainError, InvalidInput, NotAuthorised
from ledger.app import CardLedger
from ledger.bootstrap import open_ledger
from ledger.errors import CardNotFound, ConcurrencyConflict
from ledger.views import PublicCardView, public_card_view

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
    ledger: CardLedger = state.ledger
    ledger.recorder.max_notification_id()  # proves the store answers
    return {"status": "ok", "store": str(ledger.env.get("PERSISTENCE_MODULE")).split(".")[-1]}


@get("/cards/{card_id:uuid}", sync_to_thread=True)
def get_card(state: State, card_id: FromPath[UUID]) -> PublicCardView:
    """A card's public face: scheme, tier, status and validity as of today."""
    ledger: CardLedger = state.ledger
    card = ledger.get_card(card_id)
    return public_card_view(card, business_date(ledger.clock()))


def create_app(ledger: CardLedger | None = None) -> Litestar:
    """The service, on the given ledger or the one the environment configures."""
    return Litestar(
        route_handlers=[health, get_card],
        state=State({"ledger": ledger or open_ledger()}),
        exception_handlers={
            DomainError: problem,
            NotFoundException: problem,
            ValidationException: problem,
        },
    )
