"""The venue page (场所核验页面): static files served at ``/venue/`` that check a card's QR
code in the browser, offline, against the bundle the page keeps (README, Venue page).

The page's verifier (``verify.js``, ``decision.js``) is a port of ``signing.verify`` and
``signing.venue_decision``; the venue rules it applies are the signed bundle's data.
"""

from __future__ import annotations

from pathlib import Path

from litestar.static_files import create_static_files_router

PAGE_FOLDER = Path(__file__).parent / "venue"

VENUE_PAGE = create_static_files_router(
    path="/venue",
    directories=[PAGE_FOLDER],
    html_mode=True,
    name="venue",
    include_in_schema=False,
)
"""``GET /venue/`` (index.html) and the page's files; no key needed."""
