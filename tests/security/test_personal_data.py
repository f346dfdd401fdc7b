"""Attack 1: scanning a card's QR code gives its id; asking the service for that id must
not give the holder's file, and no read path may hand out the ID digest, its salt or the
sealed venue binding, from which the ID number was recovered in under a minute."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from api.app import create_app
from api.cli import main
from domain.card import Card
from domain.vocabulary import Role
from ledger.app import CardLedger
from services.bootstrap import Registry
from tests import factories as f
from tests.conftest import CliKeys

FAMILY = [
    {"relation": "spouse", "name": "韩梅梅", "date_of_birth": "1952-04-01"},
    {"relation": "child", "name": "李小雷", "date_of_birth": "2015-06-01"},
]


@pytest.fixture
def card_id(ledger: CardLedger) -> UUID:
    """An issued card with family members, reviewed by two stages."""
    return f.liaocheng_card(ledger, tuple(FAMILY), id_number=f.RESIDENT_ID)


def secrets_of(card: Card) -> dict[str, str]:
    """Every personal or sealed value of the card, in each form a body could carry it."""
    holder = card.application.holder
    identity = holder.identity
    found = {
        "holder name": holder.name,
        "date of birth": holder.date_of_birth.isoformat(),
        "ID number": f.RESIDENT_ID,
        "ID birth digits": f.RESIDENT_ID[6:14],
        "ID digest": identity.digest,
        "ID salt": identity.salt,
    }
    for i, member in enumerate(holder.family):
        found[f"family[{i}] name"] = member.name
        found[f"family[{i}] date of birth"] = member.date_of_birth.isoformat()
    for name in ("binding_salt", "binding_sealed"):
        raw: bytes = getattr(identity, name)
        found[f"{name} (hex)"] = raw.hex()
        found[f"{name} (base64)"] = base64.b64encode(raw).decode()
    return found


def leaks(text: str, card: Card) -> list[str]:
    return [label for label, value in secrets_of(card).items() if value and value in text]


def every_get_path(app: Litestar, card_id: UUID) -> Iterator[str]:
    """Each GET route of the app, its path parameters filled with the card's id."""
    for route in app.routes:
        if "GET" not in route.methods:
            continue
        yield re.sub(r"\{[^}]+\}", str(card_id), route.path)


def test_no_route_of_the_service_returns_personal_or_sealed_data(
    ledger: CardLedger, registry: Registry, card_id: UUID
):
    app = create_app(registry)
    card = ledger.get_card(card_id)
    paths = list(every_get_path(app, card_id))
    assert f"/cards/{card_id}" in paths  # the walk reaches the card lookup
    with TestClient(app=app) as client:
        for path in paths:
            for query in ("", "?history=true", "?history=1&full=true"):
                response = client.get(path + query)
                assert leaks(response.text, card) == [], f"GET {path}{query}"


def test_a_card_lookup_needs_a_key(registry: Registry, card_id: UUID):
    with TestClient(app=create_app(registry)) as client:
        response = client.get(f"/cards/{card_id}")
    assert response.status_code == 401
    assert str(card_id) not in response.text


def test_a_venue_s_card_lookup_shows_what_the_credential_shows(registry: Registry, card_id: UUID):
    key = registry.users.add(None, name="cinema", role=Role.VENUE, authority="liaocheng").key
    with TestClient(app=create_app(registry)) as client:
        body = client.get(f"/cards/{card_id}", headers={"Authorization": f"Bearer {key}"}).json()
    assert body["card_id"] == str(card_id)
    assert body["status"] == "active"
    assert body["scheme"] == "liaocheng"
    assert set(body) == {
        "card_id",
        "as_of",
        "scheme",
        "status",
        "tier",
        "valid_from",
        "valid_until",
    }


def test_the_operators_card_show_never_prints_the_sealed_identity_fields(
    ledger: CardLedger,
    card_id: UUID,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    monkeypatch.setenv("TALENTCARD_DATABASE_URL", database_url)
    monkeypatch.setenv("TALENTCARD_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TALENTCARD_API_KEY", raising=False)
    card = ledger.get_card(card_id)
    sealed = {k: v for k, v in secrets_of(card).items() if k.startswith(("ID d", "ID s", "bind"))}
    assert len(sealed) == 6  # digest, salt, and the binding's salt and seal in two forms
    # The command line acts as the user whose key it is given: the readers who see the
    # whole file, the holder's data included (the provincial auditor, the city's HRSS).
    keys = CliKeys(tmp_path / "keys")
    for reader in (keys("auditor", "province"), keys("city_hrss", "liaocheng")):
        show = ["card", "show", str(card_id), *reader.split()]
        for argv in (show, [*show, "--json"]):
            assert main(argv) == 0
            out = capsys.readouterr().out
            assert card.application.holder.name in out, argv  # the file, not its public face
            assert [label for label, value in sealed.items() if value in out] == [], argv
        assert main([*show, "--json"]) == 0
        history = json.loads(capsys.readouterr().out)["history"]
        identity = history[0]["details"]["application"]["holder"]["identity"]
        assert identity == {"kind": "resident_id", "last4": f.RESIDENT_ID[-4:]}
