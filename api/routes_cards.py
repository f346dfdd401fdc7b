"""Card routes: every command on a card and every query of one, each a thin call into the
application services on behalf of the authenticated caller (``who``).

Commands answer ``{card_id, version}`` with the version as the ETag; ``If-Match`` with
that ETag makes a command conditional on the card not having changed (409 otherwise), and
``Idempotency-Key`` makes a retry return the first answer instead of acting twice.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.params import Parameter

from api.examples import example_body
from api.http_support import (
    CommandDone,
    done,
    expected_version,
    idempotency_of,
    registry_of,
)
from ledger import commands as c
from services.access import Outcome, Principal
from services.bootstrap import Registry
from services.views import (
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


def _command(
    request: Request[Any, Any, Any],
    state: State,
    data: c.Request,
    run: Callable[[Registry, dict[str, Any]], Outcome],
    *,
    status: int = 200,
) -> Response[CommandDone]:
    how = {"expected": expected_version(request), "idempotency": idempotency_of(request, data)}
    return done(run(registry_of(state), how), status=status)


@post("/applications", status_code=201, **_CARDS)
def file_application(
    request: Request[Any, Any, Any],
    state: State,
    who: Principal,
    data: Annotated[c.ApplyRequest, example_body(c.ApplyRequest)],
) -> Response[CommandDone]:
    """File an application (申领) as the caller; 201 with the new card's id."""
    outcome = registry_of(state).cards.apply(who, data, idempotency=idempotency_of(request, data))
    return done(outcome, status=201)


@post("/cards/{card_id:uuid}/reviews", **_CARDS)
def record_review(
    request: Request[Any, Any, Any],
    state: State,
    who: Principal,
    card_id: UUID,
    data: Annotated[c.ReviewRequest, example_body(c.ReviewRequest)],
) -> Response[CommandDone]:
    """Record the caller's review decision at its stage (审核)."""
    return _command(request, state, data, lambda r, how: r.cards.review(who, card_id, data, **how))


@post("/cards/{card_id:uuid}/receipt", **_CARDS)
def receive_file(
    request: Request[Any, Any, Any],
    state: State,
    who: Principal,
    card_id: UUID,
    data: Annotated[c.ReceiveRequest, example_body(c.ReceiveRequest)],
) -> Response[CommandDone]:
    """Record that the caller's window has the file (受理)."""
    return _command(request, state, data, lambda r, how: r.cards.receive(who, card_id, data, **how))


@post("/cards/{card_id:uuid}/contract", **_CARDS)
def confirm_contract(
    request: Request[Any, Any, Any],
    state: State,
    who: Principal,
    card_id: UUID,
    data: Annotated[c.ContractRequest, example_body(c.ContractRequest)],
) -> Response[CommandDone]:
    """Record the employment contract's confirmation."""
    return _command(
        request, state, data, lambda r, how: r.cards.confirm_contract(who, card_id, data, **how)
    )


@post("/cards/{card_id:uuid}/issue", **_CARDS)
def issue_card(
    request: Request[Any, Any, Any],
    state: State,
    who: Principal,
    card_id: UUID,
    data: Annotated[c.IssueRequest, example_body(c.IssueRequest)],
) -> Response[CommandDone]:
    """Issue the card (颁发) with the term the scheme's rules give."""
    return _command(request, state, data, lambda r, how: r.cards.issue(who, card_id, data, **how))


@post("/cards/{card_id:uuid}/upgrade-request", **_CARDS)
def request_upgrade(
    request: Request[Any, Any, Any],
    state: State,
    who: Principal,
    card_id: UUID,
    data: Annotated[c.UpgradeCategoryRequest, example_body(c.UpgradeCategoryRequest)],
) -> Response[CommandDone]:
    """Ask for a higher category (Liaocheng art. 32); its reviews follow."""
    return _command(
        request, state, data, lambda r, how: r.cards.request_upgrade(who, card_id, data, **how)
    )


@post("/cards/{card_id:uuid}/upgrade", **_CARDS)
def upgrade_card(
    request: Request[Any, Any, Any],
    state: State,
    who: Principal,
    card_id: UUID,
    data: Annotated[c.UpgradeTierRequest, example_body(c.UpgradeTierRequest)],
) -> Response[CommandDone]:
    """Upgrade the card's tier (升级)."""
    return _command(request, state, data, lambda r, how: r.cards.upgrade(who, card_id, data, **how))


@post("/cards/{card_id:uuid}/extend", **_CARDS)
def extend_card(
    request: Request[Any, Any, Any],
    state: State,
    who: Principal,
    card_id: UUID,
    data: Annotated[c.ExtendRequest, example_body(c.ExtendRequest)],
) -> Response[CommandDone]:
    """Extend the card's term (延期)."""
    return _command(request, state, data, lambda r, how: r.cards.extend(who, card_id, data, **how))


@post("/cards/{card_id:uuid}/suspend", **_CARDS)
def suspend_card(
    request: Request[Any, Any, Any],
    state: State,
    who: Principal,
    card_id: UUID,
    data: Annotated[c.StatusRequest, example_body(c.StatusRequest)],
) -> Response[CommandDone]:
    """Suspend the card (暂停)."""
    return _command(request, state, data, lambda r, how: r.cards.suspend(who, card_id, data, **how))


@post("/cards/{card_id:uuid}/reinstate", **_CARDS)
def reinstate_card(
    request: Request[Any, Any, Any],
    state: State,
    who: Principal,
    card_id: UUID,
    data: Annotated[c.StatusRequest, example_body(c.StatusRequest)],
) -> Response[CommandDone]:
    """Reinstate a suspended card."""
    return _command(
        request, state, data, lambda r, how: r.cards.reinstate(who, card_id, data, **how)
    )


@post("/cards/{card_id:uuid}/withdraw", **_CARDS)
def withdraw_application(
    request: Request[Any, Any, Any],
    state: State,
    who: Principal,
    card_id: UUID,
    data: Annotated[c.WithdrawRequest, example_body(c.WithdrawRequest)],
) -> Response[CommandDone]:
    """Withdraw an application."""
    return _command(
        request, state, data, lambda r, how: r.cards.withdraw(who, card_id, data, **how)
    )


@post("/cards/{card_id:uuid}/revocation", **_CARDS)
def propose_revocation(
    request: Request[Any, Any, Any],
    state: State,
    who: Principal,
    card_id: UUID,
    data: Annotated[c.RevocationProposeRequest, example_body(c.RevocationProposeRequest)],
) -> Response[CommandDone]:
    """Propose revoking the card (收回), as the caller; approvals follow."""
    return _command(
        request, state, data, lambda r, how: r.cards.propose_revocation(who, card_id, data, **how)
    )


@post("/cards/{card_id:uuid}/revocation/approvals", **_CARDS)
def approve_revocation(
    request: Request[Any, Any, Any],
    state: State,
    who: Principal,
    card_id: UUID,
    data: Annotated[c.RevocationApproveRequest, example_body(c.RevocationApproveRequest)],
) -> Response[CommandDone]:
    """Approve the open proposal's next step as the caller; the last approval revokes."""
    return _command(
        request, state, data, lambda r, how: r.cards.approve_revocation(who, card_id, data, **how)
    )


@post("/cards/{card_id:uuid}/revocation/declines", **_CARDS)
def decline_revocation(
    request: Request[Any, Any, Any],
    state: State,
    who: Principal,
    card_id: UUID,
    data: Annotated[c.RevocationDeclineRequest, example_body(c.RevocationDeclineRequest)],
) -> Response[CommandDone]:
    """Decline the open revocation proposal."""
    return _command(
        request, state, data, lambda r, how: r.cards.decline_revocation(who, card_id, data, **how)
    )


@post("/cards/{card_id:uuid}/redemptions", status_code=201, **_CARDS)
def record_use(
    request: Request[Any, Any, Any],
    state: State,
    who: Principal,
    card_id: UUID,
    data: Annotated[c.RedeemRequest, example_body(c.RedeemRequest)],
) -> UseReceipt:
    """Record the use of a service item at the caller's venue (服务使用); refused past a
    limit, naming the rule."""
    return registry_of(state).benefits.redeem(
        who, card_id, data, idempotency=idempotency_of(request, data)
    )


@post("/cards/{card_id:uuid}/redemptions/reversals", **_CARDS)
def reverse_use(
    request: Request[Any, Any, Any],
    state: State,
    who: Principal,
    card_id: UUID,
    data: Annotated[c.ReverseRedemptionRequest, example_body(c.ReverseRedemptionRequest)],
) -> ReversalReceipt:
    """Reverse a use the caller's venue recorded (冲销)."""
    return registry_of(state).benefits.reverse(
        who, card_id, data, idempotency=idempotency_of(request, data)
    )


# ---- queries ------------------------------------------------------------------------


@get("/cards", **_CARDS)
def list_cards(
    state: State,
    who: Principal,
    scheme: str | None = None,
    authority: str | None = None,
    status: str | None = None,
    tier: str | None = None,
    sponsor: Annotated[str | None, Parameter(max_length=200)] = None,
    limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
    after: Annotated[str | None, Parameter(max_length=36)] = None,
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


@get("/cards/{card_id:uuid}", **_CARDS)
def show_card(state: State, who: Principal, card_id: UUID) -> Response[CardView | PublicCardView]:
    """The card as the caller may see it (a venue: its public face only), with its
    version as the ETag."""
    view = registry_of(state).cards.view(who, card_id)
    headers = {"ETag": f'"{view.version}"'} if isinstance(view, CardView) else {}
    return Response(view, headers=headers)


@get("/cards/{card_id:uuid}/history", **_CARDS)
def card_history(state: State, who: Principal, card_id: UUID) -> list[EventView]:
    """Every event of the card, in order: what, when it took effect and was recorded,
    who acted, and the rules that decided."""
    return registry_of(state).cards.show(who, card_id).history


@get("/cards/{card_id:uuid}/benefits", **_CARDS)
def card_benefits(
    state: State, who: Principal, card_id: UUID, as_of: date | None = None
) -> list[BenefitBalance]:
    """What is left of each counted service item, per beneficiary."""
    return registry_of(state).benefits.balances(who, card_id, as_of)


@get("/cards/{card_id:uuid}/entitlements", **_CARDS)
def card_entitlements(
    state: State, who: Principal, card_id: UUID, on: date | None = None
) -> list[Entitlement]:
    """What the card grants to each of its beneficiaries on a day."""
    return registry_of(state).cards.entitlements(who, card_id, on)


_CREDENTIAL_TYPES = ("text/plain", "image/png", "image/svg+xml")


@get("/cards/{card_id:uuid}/credential", media_type="text/plain", **_CARDS)
def card_credential(
    request: Request[Any, Any, Any], state: State, who: Principal, card_id: UUID
) -> Response[bytes]:
    """The card's signed credential as text (base45, what the QR code holds), or its QR
    code as PNG or SVG, by ``Accept``."""
    kind = request.accept.best_match(list(_CREDENTIAL_TYPES), default="text/plain")
    if kind is None:
        raise HTTPException(
            status_code=406, detail=f"the credential is served as {', '.join(_CREDENTIAL_TYPES)}"
        )
    registry = registry_of(state)
    registry.cards.check_holder_data(who, card_id)
    credential = registry.issuance.credential(card_id)
    if kind == "text/plain":
        return Response(credential.text.encode(), media_type="text/plain; charset=utf-8")
    out = io.BytesIO()
    credential.qr.save(out, kind="png" if kind == "image/png" else "svg", scale=4)
    return Response(out.getvalue(), media_type=kind, headers={"Cache-Control": "no-store"})


CARD_ROUTES = [
    file_application,
    record_review,
    receive_file,
    confirm_contract,
    issue_card,
    request_upgrade,
    upgrade_card,
    extend_card,
    suspend_card,
    reinstate_card,
    withdraw_application,
    propose_revocation,
    approve_revocation,
    decline_revocation,
    record_use,
    reverse_use,
    list_cards,
    show_card,
    card_history,
    card_benefits,
    card_entitlements,
    card_credential,
]
