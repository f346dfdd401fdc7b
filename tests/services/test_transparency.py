"""Checkpoints and proofs over the ledger's events, on both stores."""

from __future__ import annotations

from uuid import UUID

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain.tree_head import CheckpointNotNewer
from ledger.app import CardLedger
from ledger.leaves import read_leaf
from ledger.sealing import envelope_of, open_holder
from services.bootstrap import Registry
from signing import merkle
from signing.checkpoint import read_checkpoint
from signing.trust import read_trust_list
from tests import factories as f
from tests.conftest import FakeClock


def trust(registry: Registry):  # type: ignore[no-untyped-def]
    files = registry.issuance.trust_files()
    root = Ed25519PublicKey.from_public_bytes(bytes.fromhex(files["root.pub"].decode().strip()))
    return read_trust_list(files["trust-list.cwt"], root)


def test_a_checkpoint_covers_every_event_and_verifies_with_the_trust_list(
    ledger: CardLedger, registry: Registry
) -> None:
    registry.keys.init()
    f.jinan_card(ledger)
    log = registry.transparency
    checkpoint = log.checkpoint("ops@host")
    hashed = log.hashed_leaves()
    head = read_checkpoint(checkpoint.signed, trust(registry))
    assert head.size == len(hashed) >= 2
    assert head.root == merkle.subtree_root(hashed)
    assert log.latest() == checkpoint


def test_a_second_checkpoint_with_nothing_new_is_refused(
    ledger: CardLedger, registry: Registry
) -> None:
    registry.keys.init()
    f.jinan_card(ledger)
    registry.transparency.checkpoint("ops@host")
    with pytest.raises(CheckpointNotNewer):
        registry.transparency.checkpoint("ops@host")


def test_a_later_checkpoint_is_proved_consistent_with_the_earlier(
    ledger: CardLedger, registry: Registry, clock: FakeClock
) -> None:
    registry.keys.init()
    f.jinan_card(ledger)
    log = registry.transparency
    first = log.checkpoint("ops@host")
    f.jinan_card(ledger)
    second = log.checkpoint("ops@host")
    proof = log.consistency(first.size, second.size)
    assert merkle.verify_consistency(
        first.size,
        bytes.fromhex(first.root),
        second.size,
        bytes.fromhex(second.root),
        [bytes.fromhex(h) for h in proof.path],
    )
    assert [c.size for c in log.checkpoints()] == [first.size, second.size]


def test_an_inclusion_proof_leads_to_the_checkpoint_s_root(
    ledger: CardLedger, registry: Registry
) -> None:
    registry.keys.init()
    f.jinan_card(ledger)
    f.jinan_card(ledger)
    log = registry.transparency
    checkpoint = log.checkpoint("ops@host")
    proof = log.inclusion(checkpoint.size, 2)
    assert merkle.verify_inclusion(
        bytes.fromhex(proof.leaf_hash),
        2,
        checkpoint.size,
        [bytes.fromhex(h) for h in proof.path],
        bytes.fromhex(checkpoint.root),
    )


def test_no_leaf_holds_the_holder_s_name_or_birth_date_in_clear(
    ledger: CardLedger, registry: Registry
) -> None:
    ledger.apply(f.jinan_body("C", holder=f.holder(name="韩梅梅")))
    events = list(registry.transparency.events())
    named = [e for e in events if read_leaf(e.leaf.data).personal_digest is not None]
    assert len(named) == 1 and named[0].leaf.personal is None  # sealed: nothing in clear
    for e in events:
        for stored in (e.leaf.data, e.state):
            assert "韩梅梅".encode() not in stored
            assert f.BORN.isoformat().encode() not in stored
    # The person's key (what a full export carries) opens it again.
    envelope = envelope_of(named[0].state)
    assert envelope is not None
    keys = {UUID(k): v for k, v in registry.transparency.data_keys(named[0].state).items()}
    holder, erased = open_holder(envelope, named[0].originator_id, 1, keys)
    assert (holder["name"], holder["date_of_birth"], erased) == ("韩梅梅", f.BORN.isoformat(), [])
