"""The staff console (工作台, issue 28): server-rendered pages at ``/console/`` over the
same application services as the JSON API, as the signed-in user (``api.console.pages``);
its templates, stylesheet and security (``api.console.web``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request, Response, Router
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import HTTPException
from litestar.static_files import create_static_files_router

from api.console.pages import CONSOLE_PAGES
from api.console.web import CrossSite, SignInNeeded, page, redirect
from domain.errors import DomainError

STATIC = Path(__file__).with_name("static")


def _sign_in_needed(request: Request[Any, Any, Any], exc: SignInNeeded) -> Response[Any]:
    return redirect("/console/sign-in")


def _cross_site(request: Request[Any, Any, Any], exc: CrossSite) -> Response[str]:
    return page(
        "message.html",
        {
            "title": "表单已失效 Form refused",
            "text": "此表单已过期或来自其他网站。The form is out of date or came from another "
            "site: go back, reload the page and send it again.",
            "code": "csrf_failed",
        },
        status=403,
    )


def _refused(request: Request[Any, Any, Any], exc: DomainError) -> Response[str]:
    """A refusal outside a form: a card the user may not see is answered exactly as a
    card that does not exist (the same page, byte for byte)."""
    from api.problems import status_of

    status = status_of(exc)
    if status == 404:
        return page(
            "message.html",
            {
                "title": "未找到 Not found",
                "text": "没有这张卡。There is no such card.",
                "code": "card_not_found",
            },
            status=404,
        )
    return page(
        "message.html",
        {
            "title": "不予办理 Refused",
            "text": exc.message,
            "code": exc.code,
            "rule": exc.rule or "",
        },
        status=status,
    )


def _http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[str]:
    return page(
        "message.html",
        {
            "title": "请求有误 Bad request" if exc.status_code < 500 else "出错 Error",
            "text": str(exc.detail)[:300],
            "code": str(exc.status_code),
        },
        status=exc.status_code,
    )


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[str]:
    import logging

    logging.getLogger("talentcard.console").exception("console page failed")
    return page(
        "message.html",
        {
            "title": "出错 Error",
            "text": "系统出错，请稍后再试。Something went wrong; try again later.",
            "code": "internal_error",
        },
        status=500,
    )


CONSOLE_STATIC = create_static_files_router(
    path="/console/static",
    directories=[STATIC],
    name="console-static",
    include_in_schema=False,
    cache_control=CacheControlHeader(no_cache=True),
)

CONSOLE = Router(
    path="/",
    route_handlers=[*CONSOLE_PAGES, CONSOLE_STATIC],
    exception_handlers={
        SignInNeeded: _sign_in_needed,
        CrossSite: _cross_site,
        DomainError: _refused,
        HTTPException: _http,
        Exception: _unexpected,
    },
    include_in_schema=False,
)
"""Every console route; the app mounts it beside the JSON API."""
