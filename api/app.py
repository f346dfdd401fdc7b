"""The HTTP service (litestar): a thin adapter over the application services.

Every route but the public ones (health, readiness, the trust list, status lists, the
venue bundle and the online verifier) needs ``Authorization: Bearer KEY``; the caller is
the key's user, acting in its own role within its own jurisdiction, and nothing in a
request can say otherwise. Errors are RFC 9457 problems (``api.problems``).

eventsourcing has no asyncio API, so handlers that touch the ledger are synchronous and
run in litestar's thread pool (``sync_to_thread=True``); the Postgres pool is sized in
the database URL (``pool_size``) to match.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Request
from litestar.concurrency import sync_to_thread
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi import OpenAPIConfig

from api.console import CONSOLE
from api.console.web import COOKIE as CONSOLE_COOKIE
from api.http_support import authenticated, caller, check_body, registry_of
from api.probes import PROBE_ROUTES
from api.problems import domain_problem, http_problem, unexpected_problem
from api.public import PUBLIC_ROUTES
from api.routes_admin import ADMIN_ROUTES
from api.routes_cards import CARD_ROUTES
from api.routes_log import LOG_ROUTES
from api.routes_personal import PERSONAL_ROUTES
from api.venue_page import VENUE_PAGE
from domain.errors import DomainError
from services.bootstrap import Registry
from services.settings import write_rate_per_minute

# No request body but a card import is larger than this (a filing with a family of
# twenty and its evidence is a few KB).
REQUEST_MAX_BODY_BYTES = 256 * 1024


_CONSOLE_USER = "talentcard.console_user"


def _rate_limit_key(request: Request[Any, Any, Any]) -> str:
    """Writes are limited per user: whatever the spelling of its key (``bearer``, extra
    spaces) and across its keys, one budget; writes without a key that works, per client
    address. (Keyed on the raw header, each spelling of one key had a budget of its own.)"""
    who = caller(request, registry_of(request.app.state)) or request.state.get(_CONSOLE_USER)
    if who is not None:
        return f"user:{who.user_id}"
    return f"address:{request.client.host if request.client else 'unknown'}"


async def _is_write(request: Request[Any, Any, Any]) -> bool:
    """A POST but the public verifier. Its caller is authenticated here, in a thread as
    the routes do it (a store read), so that the limit's key can name the user; the
    route's ``who`` reuses it."""
    if request.method != "POST" or request.url.path == "/verify":
        return False
    registry = registry_of(request.app.state)
    who = await sync_to_thread(caller, request, registry)
    if who is None and request.cookies.get(CONSOLE_COOKIE):
        # A console form: its budget is its signed-in user's (clerks behind one proxy
        # share an address, and would share one budget).
        session = await sync_to_thread(
            registry.sessions.resolve, request.cookies[CONSOLE_COOKIE]
        )
        if session is not None:
            request.state[_CONSOLE_USER] = session.who
    return True


def create_app(registry: Registry | None = None) -> Litestar:
    """The service over the given registry, or over one built from the environment (its
    store is opened now, so a store that is not ready stops the start, not a request)."""
    services = registry or Registry()
    services.ledger  # noqa: B018 - open the store before serving
    rate = write_rate_per_minute(services.environ)
    middleware = []
    if rate:
        middleware.append(
            RateLimitConfig(
                rate_limit=("minute", rate),
                identifier_for_request=_rate_limit_key,
                check_throttle_handler=_is_write,
            ).middleware
        )
    return Litestar(
        route_handlers=[
            *PROBE_ROUTES,
            *PUBLIC_ROUTES,
            *CARD_ROUTES,
            *ADMIN_ROUTES,
            *LOG_ROUTES,
            *PERSONAL_ROUTES,
            VENUE_PAGE,
            CONSOLE,
        ],
        dependencies={"who": Provide(authenticated, sync_to_thread=True)},
        state=State({"registry": services}),
        on_shutdown=[services.close] if registry is None else [],
        middleware=middleware,
        before_request=check_body,
        request_max_body_size=REQUEST_MAX_BODY_BYTES,
        openapi_config=OpenAPIConfig(title="talentcard", version="12"),
        exception_handlers={
            DomainError: domain_problem,
            HTTPException: http_problem,
            Exception: unexpected_problem,
        },
    )
