"""What every console page shares: the templates (Jinja2, autoescaped), the security
headers, the session cookie and the CSRF check.

- Content-Security-Policy: no script at all (the console is forms and links), styles
  from its own stylesheet only, no framing, forms posted only to itself.
- The session cookie is ``HttpOnly``, ``SameSite=Strict``, ``Path=/console``, and
  ``Secure`` when the request came over HTTPS (directly, or through the proxy, which says
  so in ``X-Forwarded-Proto``). It holds a random token, never the key.
- Every form carries the session's CSRF token; a POST without it, with another's, or
  whose ``Origin`` (or ``Sec-Fetch-Site``) says it came from another site, is refused.
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Request, Response
from litestar.datastructures import Cookie, State
from litestar.response import Redirect

from api.http_support import registry_of
from domain.clock import SHANGHAI
from services.sessions import ConsoleSession

TEMPLATES = Path(__file__).with_name("templates")
COOKIE = "tc_console"
SIGN_IN_COOKIE = "tc_console_sign_in"  # the sign-in form's CSRF token, before a session
PATH = "/console"

CSP = (
    "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # same-origin, not no-referrer: under no-referrer a browser sends ``Origin: null`` with
    # every form it posts (Fetch, "serializing a request origin"), which check_origin
    # rightly refuses; same-origin still sends nothing to another site.
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

ENVIRONMENT = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _local(value: Any) -> str:
    """An instant as Asia/Shanghai wall time, to the minute."""
    if value is None:
        return ""
    return str(value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"))


def _shown(value: Any) -> str:
    """A decision's input as JSON text (the template escapes it)."""
    import msgspec

    return msgspec.json.encode(msgspec.to_builtins(value)).decode()


ENVIRONMENT.filters["local"] = _local
ENVIRONMENT.filters["shown"] = _shown


def page(
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    cookies: list[Cookie] | None = None,
) -> Response[str]:
    """A rendered page with the console's security headers."""
    html = ENVIRONMENT.get_template(template).render(**context)
    return Response(
        html,
        status_code=status,
        media_type="text/html",  # Litestar adds "; charset=utf-8" to a text type
        headers=HEADERS,
        cookies=cookies or [],
    )


def redirect(to: str, *, cookies: list[Cookie] | None = None) -> Response[Any]:
    """See other (303): after a POST, the page to look at, never the form again."""
    return Redirect(to, status_code=303, headers=HEADERS, cookies=cookies or [])


def secure(request: Request[Any, Any, Any]) -> bool:
    """Whether the browser reached us over HTTPS (itself, or the proxy before us)."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def _cookie(request: Request[Any, Any, Any], key: str, value: str, max_age: int) -> Cookie:
    """A console cookie: HttpOnly, SameSite=Strict, the console's path, Secure over HTTPS."""
    return Cookie(
        key=key,
        value=value,
        path=PATH,
        httponly=True,
        samesite="strict",
        secure=secure(request),
        max_age=max_age,
    )


def session_cookie(request: Request[Any, Any, Any], token: str, max_age: int) -> Cookie:
    return _cookie(request, COOKIE, token, max_age)


def ended_cookie(request: Request[Any, Any, Any], key: str = COOKIE) -> Cookie:
    return _cookie(request, key, "", 0)


def sign_in_cookie(request: Request[Any, Any, Any]) -> tuple[Cookie, str]:
    """A fresh sign-in CSRF token and its cookie (double submit: the form and the cookie
    must carry the same token, which another site can neither read nor set)."""
    token = secrets.token_urlsafe(24)
    return _cookie(request, SIGN_IN_COOKIE, token, 3600), token


class CrossSite(Exception):
    """A POST that another site sent, or that carries no valid CSRF token: answered 403
    by the console's handler (``api.console``), nothing done."""


def check_origin(request: Request[Any, Any, Any]) -> None:
    """Refuse a POST whose browser says it came from another site."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        raise CrossSite
    origin = request.headers.get("origin")
    if origin is not None:
        host = request.headers.get("x-forwarded-host") or request.headers.get("host", "")
        if origin == "null" or urlsplit(origin).netloc != host:
            raise CrossSite


def check_csrf(request: Request[Any, Any, Any], expected: str, sent: str) -> None:
    """Refuse a POST from another origin or without this session's token."""
    check_origin(request)
    if not expected or not hmac.compare_digest(expected.encode(), sent.encode()):
        raise CrossSite


class SignInNeeded(Exception):
    """No live session: to the sign-in page."""


def session_of(request: Request[Any, Any, Any], state: State) -> ConsoleSession:
    """The signed-in user's live session, or SignInNeeded."""
    token = request.cookies.get(COOKIE, "")
    found = registry_of(state).sessions.resolve(token) if token else None
    if found is None:
        raise SignInNeeded
    return found


def client_address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"
