"""The venue page (场所核验页面): static files served at ``/venue/`` that check a card's QR
code in the browser, offline, against the bundle the page keeps (docs/venues.md, Venue page).

The page's verifier (``venue/verify.js``, ``venue/decision.js``) is a port of
``signing.verify`` and ``signing.venue_decision``; the venue rules it applies are the
signed bundle's data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request
from litestar.datastructures import CacheControlHeader
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

PAGE_FOLDER = Path(__file__).parent / "venue"


def _to_folder(request: Request[Any, Any, Any]) -> Redirect | None:
    """``/venue`` to ``/venue/``: the page's files are named relative to its folder (and
    litestar routes both paths alike). Relative, so a proxy's path prefix is kept."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    return Redirect("venue/") if raw.split(b"?")[0].endswith(b"/venue") else None


VENUE_PAGE = create_static_files_router(
    path="/venue",
    directories=[PAGE_FOLDER],
    html_mode=True,
    name="venue",
    include_in_schema=False,
    before_request=_to_folder,
    # Browsers ask again each time (a 304 when unchanged); offline, the service worker answers.
    cache_control=CacheControlHeader(no_cache=True),
)
"""``GET /venue/`` (index.html) and the page's files; no key needed."""
