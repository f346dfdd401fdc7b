"""The API serves the venue page at /venue/ with no key, each file with its media type."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from api.app import create_app
from services.bootstrap import Registry

Client = TestClient  # type: ignore[type-arg]


@pytest.fixture
def client(registry: Registry) -> Iterator[Client]:
    with TestClient(app=create_app(registry)) as c:
        yield c


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/venue/", "text/html"),
        ("/venue/app.js", "text/javascript"),
        ("/venue/sw.js", "text/javascript"),
        ("/venue/vendor/jsQR.js", "text/javascript"),
        ("/venue/manifest.webmanifest", "application/manifest+json"),
        ("/venue/styles.css", "text/css"),
    ],
)
def test_the_venue_page_s_files_are_served_without_a_key(
    client: Client, path: str, media_type: str
):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)


def test_the_page_names_itself_in_chinese_and_english(client: Client):
    assert "人才卡核验 · Talent card check" in client.get("/venue/").text


def test_nothing_outside_the_page_s_folder_is_served(client: Client):
    assert client.get("/venue/../app.py").status_code == 404
    assert client.get("/venue/%2e%2e/app.py").status_code == 404


def test_the_page_s_address_without_its_slash_is_sent_to_the_folder(client: Client):
    # Its files are named relative to /venue/: from /venue they would miss.
    response = client.get("/venue", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (302, "venue/")
    assert client.get("/venue/", follow_redirects=False).status_code == 200


def test_browsers_ask_again_for_the_page_s_files_each_time(client: Client):
    # Offline the service worker answers; online a changed page is fetched, not kept.
    assert client.get("/venue/app.js").headers["cache-control"] == "no-cache"
