"""The HTTP service: health and each card's public face, errors as problem+json."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from api.app import create_app
from ledger.app import CardLedger
from services.bootstrap import Registry
from tests import factories as f


@pytest.fixture
def client(registry: Registry) -> Iterator[TestClient]:  # type: ignore[type-arg]
    with TestClient(app=create_app(registry)) as c:
        yield c


def test_health_names_the_store(client: TestClient, ledger: CardLedger):  # type: ignore[type-arg]
    response = client.get("/health")
    assert response.status_code == 200
    expected = "postgres" if "postgres" in str(ledger.env.get("PERSISTENCE_MODULE")) else "sqlite"
    assert response.json() == {"status": "ok", "store": expected}


def test_an_application_under_review_shows_no_tier_or_term(client: TestClient, ledger: CardLedger):  # type: ignore[type-arg]
    card_id, _ = ledger.apply(f.apply_body())
    ledger.record_review(card_id, f.review("city_hrss"))
    body = client.get(f"/cards/{card_id}").json()
    assert body["card_id"] == str(card_id)
    assert body["status"] == "under_review"
    assert (body["tier"], body["valid_from"], body["valid_until"]) == (None, None, None)


def test_an_issued_card_shows_its_tier_and_validity(client: TestClient, ledger: CardLedger):  # type: ignore[type-arg]
    card_id, _ = ledger.apply(f.apply_body())
    ledger.record_review(card_id, f.review("city_hrss"))
    ledger.record_review(card_id, f.review("talent_office"))
    ledger.issue(card_id, f.issue())
    card = ledger.get_card(card_id)
    body = client.get(f"/cards/{card_id}").json()
    assert body["status"] == "active"
    assert body["tier"] == card.tier
    assert body["valid_from"] == str(card.term.valid_from)


def test_an_unknown_card_is_a_404_problem(client: TestClient):  # type: ignore[type-arg]
    response = client.get("/cards/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["title"] == "card_not_found"


def test_a_malformed_card_id_is_not_found(client: TestClient):  # type: ignore[type-arg]
    assert client.get("/cards/not-a-uuid").status_code == 404
