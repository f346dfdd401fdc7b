"""The log's public routes over HTTP, with no key: checkpoints and proofs that check out
against the trust list the service publishes."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from litestar.testing import TestClient

import ledger.card_commands as cc
from ledger.app import CardLedger
from services.bootstrap import Registry
from signing import merkle
from signing.checkpoint import read_checkpoint
from signing.trust import read_trust_list
from tests import factories as f

Client = TestClient  # type: ignore[type-arg]


def grow(ledger: CardLedger) -> None:
    card_id, _ = ledger.apply(f.jinan_body("C"))
    ledger.run(cc.ISSUE, card_id, f.issue())


def test_before_any_checkpoint_the_latest_is_a_404_problem(client: Client) -> None:
    response = client.get("/checkpoints/latest")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["title"] == "unknown_checkpoint"


def test_the_latest_checkpoint_is_signed_by_the_log_key_on_the_trust_list(
    client: Client, registry: Registry, ledger: CardLedger
) -> None:
    grow(ledger)
    made = registry.transparency.checkpoint("ops@host")
    body = client.get("/checkpoints/latest").json()
    assert (body["size"], body["root"]) == (made.size, made.root)
    files = registry.issuance.trust_files()
    root = Ed25519PublicKey.from_public_bytes(bytes.fromhex(files["root.pub"].decode()))
    trust = read_trust_list(client.get("/trust-list").content, root)
    head = read_checkpoint(base64.b64decode(body["signed"]), trust)
    assert head.size == made.size


def test_a_checkpoint_by_size_is_cached_for_good_and_an_unknown_size_is_404(
    client: Client, registry: Registry, ledger: CardLedger
) -> None:
    grow(ledger)
    made = registry.transparency.checkpoint("ops@host")
    response = client.get(f"/checkpoints/{made.size}")
    assert response.status_code == 200
    assert "immutable" in response.headers["cache-control"]
    assert client.get(f"/checkpoints/{made.size + 1}").status_code == 404


def test_proofs_served_check_out_against_the_checkpoints(
    client: Client, registry: Registry, ledger: CardLedger
) -> None:
    grow(ledger)
    first = registry.transparency.checkpoint("ops@host")
    grow(ledger)
    second = registry.transparency.checkpoint("ops@host")
    proof = client.get(f"/proofs/inclusion?size={second.size}&position=1").json()
    assert merkle.verify_inclusion(
        bytes.fromhex(proof["leaf_hash"]),
        1,
        second.size,
        [bytes.fromhex(h) for h in proof["path"]],
        bytes.fromhex(second.root),
    )
    consistency = client.get(f"/proofs/consistency?old={first.size}&new={second.size}").json()
    assert merkle.verify_consistency(
        first.size,
        bytes.fromhex(first.root),
        second.size,
        bytes.fromhex(second.root),
        [bytes.fromhex(h) for h in consistency["path"]],
    )


@pytest.mark.parametrize(
    "query", ["size=abc&position=0", "size=-1&position=0", "position=0", "size=2&position=99"]
)
def test_a_malformed_or_impossible_proof_request_is_a_4xx_problem(
    client: Client, registry: Registry, ledger: CardLedger, query: str
) -> None:
    grow(ledger)
    registry.transparency.checkpoint("ops@host")
    response = client.get(f"/proofs/inclusion?{query}")
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith("application/problem+json")
