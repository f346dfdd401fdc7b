"""Card routes: every command on a card and every query of one, each a thin call into the
application services on behalf of the authenticated caller (``who``).

Commands answer ``{card_id, version}`` with the version as the ETag; ``If-Match`` with
that ETag makes a command conditional on the card not having changed (409 otherwise), and
``Idempotency-Key`` makes a retry return the first answer instead of acting twice.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import OpenAPIResponse, Operation, Schema
from litestar.params import FromPath, FromQuery, Parameter

from api.examples import example_body
from api.http_support import (
    CommandDone,
    done,
    expected_version,
    idempotency_of,
    registry_of,
    text_query,
)
from api.problems import READ_ERRORS, WRITE_ERRORS, problem_responses
from ledger import commands as c
from ledger.card_commands import CHANGES, CardCommand
from services.access import Principal
from services.answers import (
    BenefitBalance,
    CardPage,
    CardView,
    Entitlement,
    EventView,
    PublicCardView,
    ReversalReceipt,
    UseReceipt,
)

_CARDS: dict[str, Any] = {"sync_to_thread": True, "tags": ["cards"]}
_READS: dict[str, Any] = {**_CARDS, "responses": problem_responses(*READ_ERRORS)}
_WRITES: dict[str, Any] = {**_CARDS, "responses": problem_responses(*WRITE_ERRORS)}
# A read of what a card grants on a day: a day no policy version was in force on is
# refused by the policy (409, no_policy_in_force), as a command on such a day is.
_DATED_READS: dict[str, Any] = {**_CARDS, "responses": problem_responses(*READ_ERRORS, 409)}


def _card_route(command: CardCommand[Any]) -> HTTPRouteHandler:
    """The route of a card command of the table (``ledger.card_commands``): ``POST
    /cards/{id}/<path>`` with the command's request as its body, answering ``{card_id,
    version}``. Its handler's name is the command's ``operation`` (the OpenAPI operation
    id is made from it) and its doc the command's summary."""

    def handler(
        request: Request[Any, Any, Any],
        state: State,
        who: NamedDependency[Principal],
        card_id: FromPath[UUID],
        data: Any,
    ) -> Response[CommandDone]:
        outcome = registry_of(state).cards.run(
            who,
            command,
            card_id,
            data,
            expected=expected_version(request),
            idempotency=idempotency_of(request, data),
        )
        return done(outcome)

    handler.__name__ = handler.__qualname__ = command.operation
    handler.__doc__ = command.summary
    handler.__annotations__ = {
        **handler.__annotations__,
        "data": Annotated[command.request, example_body(command.request)],
    }
    return post(f"/cards/{{card_id:uuid}}/{command.path}", status_code=200, **_WRITES)(handler)


@post("/applications", status_code=201, **_WRITES)
def file_application(
    request: Request[Any, Any, Any],
    state: State,
    who: NamedDependency[Principal],
    data: Annotated[c.ApplyRequest, example_body(c.ApplyRequest)],
) -> Response[CommandDone]:
    """File an application (申领) as the caller; 201 with the new card's id."""
    outcome = registry_of(state).cards.apply(who, data, idempotency=idempotency_of(request, data))
    return done(outcome, status=201)


@post("/cards/{card_id:uuid}/redemptions", status_code=201, **_WRITES)
def record_use(
    request: Request[Any, Any, Any],
    state: State,
    who: NamedDependency[Principal],
    card_id: FromPath[UUID],
    data: Annotated[c.RedeemRequest, example_body(c.RedeemRequest)],
) -> UseReceipt:
    """Record the use of a service item at the caller's venue (服务使用); refused past a
    limit, naming the rule."""
    return registry_of(state).benefits.redeem(
        who, card_id, data, idempotency=idempotency_of(request, data)
    )


@post("/cards/{card_id:uuid}/redemptions/reversals", status_code=200, **_WRITES)
def reverse_use(
    request: Request[Any, Any, Any],
    state: State,
    who: NamedDependency[Principal],
    card_id: FromPath[UUID],
    data: Annotated[c.ReverseRedemptionRequest, example_body(c.ReverseRedemptionRequest)],
) -> ReversalReceipt:
    """Reverse a use the caller's venue recorded (冲销)."""
    return registry_of(state).benefits.reverse(
        who, card_id, data, idempotency=idempotency_of(request, data)
    )


# ---- queries ------------------------------------------------------------------------


@get("/cards", **_READS)
def list_cards(
    state: State,
    who: NamedDependency[Principal],
    scheme: Annotated[str | None, text_query(40)] = None,
    authority: Annotated[str | None, text_query(40)] = None,
    status: Annotated[str | None, text_query(40)] = None,
    tier: Annotated[str | None, text_query(10)] = None,
    sponsor: Annotated[str | None, text_query(200)] = None,
    limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
    after: Annotated[str | None, text_query(36)] = None,
) -> CardPage:
    """One page of the cards in the caller's jurisdiction, by card id; ``after`` is the
    previous page's ``next_after``."""
    return registry_of(state).cards.list_cards(
        who,
        scheme=scheme,
        authority=authority,
        status=status,
        tier=tier,
        sponsor=sponsor,
        limit=limit,
        after=after,
    )


@dataclass
class _EitherView(Operation):
    """GET /cards/{id} answers the full view or, to a venue, the public face: a full view
    holds every field of the public one, so it satisfies both schemas and the document
    must say ``anyOf`` (at least one), not the ``oneOf`` (exactly one) litestar writes
    for a union."""

    def __post_init__(self) -> None:
        for response in (self.responses or {}).values():
            if not isinstance(response, OpenAPIResponse):
                continue
            for media in (response.content or {}).values():
                schema = media.schema
                if isinstance(schema, Schema) and schema.one_of:
                    schema.any_of, schema.one_of = schema.one_of, None


@get("/cards/{card_id:uuid}", operation_class=_EitherView, **_READS)
def show_card(
    state: State, who: NamedDependency[Principal], card_id: FromPath[UUID]
) -> Response[CardView | PublicCardView]:
    """The card as the caller may see it (a venue: its public face only), with its
    version as the ETag."""
    view = registry_of(state).cards.view(who, card_id)
    headers = {"ETag": f'"{view.version}"'} if isinstance(view, CardView) else {}
    return Response(view, headers=headers)


@get("/cards/{card_id:uuid}/history", **_READS)
def card_history(
    state: State, who: NamedDependency[Principal], card_id: FromPath[UUID]
) -> list[EventView]:
    """Every event of the card, in order: what, when it took effect and was recorded,
    who acted, and the rules that decided."""
    return registry_of(state).cards.show(who, card_id).history


@get("/cards/{card_id:uuid}/benefits", **_DATED_READS)
def card_benefits(
    state: State,
    who: NamedDependency[Principal],
    card_id: FromPath[UUID],
    as_of: FromQuery[date | None] = None,
) -> list[BenefitBalance]:
    """What is left of each counted service item, per beneficiary."""
    return registry_of(state).benefits.balances(who, card_id, as_of)


@get("/cards/{card_id:uuid}/entitlements", **_DATED_READS)
def card_entitlements(
    state: State,
    who: NamedDependency[Principal],
    card_id: FromPath[UUID],
    on: FromQuery[date | None] = None,
) -> list[Entitlement]:
    """What the card grants to each of its beneficiaries on a day."""
    return registry_of(state).cards.entitlements(who, card_id, on)


_CREDENTIAL_TYPES = ("text/plain", "image/png", "image/svg+xml")


@get(
    "/cards/{card_id:uuid}/credential",
    media_type="text/plain",
    **{**_READS, "responses": problem_responses(*READ_ERRORS, 406)},
)
def card_credential(
    request: Request[Any, Any, Any],
    state: State,
    who: NamedDependency[Principal],
    card_id: FromPath[UUID],
) -> Response[bytes]:
    """The card's signed credential as text (base45, what the QR code holds), or its QR
    code as PNG or SVG, by ``Accept``; ``Credential-Generation`` says which of the card's
    credentials it is (after a change to the people it names, the earlier ones are
    superseded and grant the holder only)."""
    # No Accept header is */*: the text. An Accept naming none of the three is a 406
    # (best_match's default would have answered text to it anyway).
    kind = request.accept.best_match(list(_CREDENTIAL_TYPES))
    if kind is None:
        raise HTTPException(
            status_code=406, detail=f"the credential is served as {', '.join(_CREDENTIAL_TYPES)}"
        )
    registry = registry_of(state)
    registry.cards.check_holder_data(who, card_id)
    credential = registry.issuance.credential(card_id)
    # Which of the card's credentials this is: the earlier ones grant the holder only.
    generation = {"Credential-Generation": str(credential.generation)}
    if kind == "text/plain":
        # litestar adds "; charset=utf-8" to a text/ media type itself (naming it here
        # sent the parameter twice).
        return Response(credential.text.encode(), media_type="text/plain", headers=generation)
    out = io.BytesIO()
    credential.qr.save(out, kind="png" if kind == "image/png" else "svg", scale=4)
    return Response(
        out.getvalue(), media_type=kind, headers={"Cache-Control": "no-store", **generation}
    )


CARD_ROUTES = [
    file_application,
    *(_card_route(command) for command in CHANGES),
    record_use,
    reverse_use,
    list_cards,
    show_card,
    card_history,
    card_benefits,
    card_entitlements,
    card_credential,
]
