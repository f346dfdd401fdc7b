"""RFC 9162's Merkle tree: the RFC's own example tree (§2.1.5) and a naive reference
computation straight from the definition in §2.1.1."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from signing import merkle as m

LEAVES = [f"d{i}".encode() for i in range(7)]
a, b, c, d, e, f, j = (m.leaf_hash(x) for x in LEAVES)
g, h, i = m.node_hash(a, b), m.node_hash(c, d), m.node_hash(e, f)
k, l_ = m.node_hash(g, h), m.node_hash(i, j)
ROOT = m.node_hash(k, l_)
HASHED = [a, b, c, d, e, f, j]


def reference_root(data: list[bytes]) -> bytes:
    """MTH(D[n]) exactly as RFC 9162 §2.1.1 defines it, recursively over raw leaves."""
    n = len(data)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + data[0]).digest()
    split = 1
    while split * 2 < n:
        split *= 2
    left, right = reference_root(data[:split]), reference_root(data[split:])
    return hashlib.sha256(b"\x01" + left + right).digest()


def test_the_root_of_the_rfc_example_tree_is_k_over_l() -> None:
    assert m.subtree_root(HASHED) == ROOT == reference_root(LEAVES)


@pytest.mark.parametrize(
    ("index", "path"),
    [(0, [b, h, l_]), (3, [c, g, l_]), (4, [f, j, k]), (6, [i, k])],
)
def test_inclusion_proofs_are_the_rfc_examples(index: int, path: list[bytes]) -> None:
    assert m.inclusion_proof(HASHED, index, 7) == path
    assert m.verify_inclusion(HASHED[index], index, 7, path, ROOT)


@pytest.mark.parametrize(
    ("old_size", "path"),
    [(3, [c, d, g, l_]), (4, [l_]), (6, [i, j, k])],
)
def test_consistency_proofs_are_the_rfc_examples(old_size: int, path: list[bytes]) -> None:
    old_root = m.subtree_root(HASHED[:old_size])
    assert m.consistency_proof(HASHED, old_size, 7) == path
    assert m.verify_consistency(old_size, old_root, 7, ROOT, path)


def test_an_inclusion_proof_for_another_leaf_does_not_verify() -> None:
    assert not m.verify_inclusion(b"\x00" * 32, 0, 7, [b, h, l_], ROOT)
    assert not m.verify_inclusion(a, 1, 7, [b, h, l_], ROOT)


def test_a_proof_of_the_wrong_length_does_not_verify() -> None:
    assert not m.verify_inclusion(a, 0, 7, [b, h], ROOT)
    assert not m.verify_inclusion(a, 0, 7, [b, h, l_, k], ROOT)


def test_an_empty_consistency_proof_between_different_sizes_does_not_verify() -> None:
    assert not m.verify_consistency(4, k, 7, ROOT, [])


def test_asking_a_proof_beyond_the_log_names_the_sizes() -> None:
    with pytest.raises(m.ProofError, match="no leaf 7 in a tree of 7"):
        m.inclusion_proof(HASHED, 7, 7)
    with pytest.raises(m.ProofError, match="0 < old <= new <= 7"):
        m.consistency_proof(HASHED, 5, 8)


def test_the_empty_tree_has_the_hash_of_nothing() -> None:
    assert m.CompactRange().root() == m.EMPTY_ROOT == hashlib.sha256(b"").digest()


sizes = st.integers(min_value=1, max_value=70)


@given(sizes)
def test_every_prefix_root_of_a_compact_range_matches_the_reference(n: int) -> None:
    data = [bytes([x % 256, x // 256]) for x in range(n)]
    tree = m.CompactRange()
    for count, leaf in enumerate(data, start=1):
        tree.append(m.leaf_hash(leaf))
        assert tree.root() == reference_root(data[:count])


@given(st.data())
def test_every_inclusion_proof_verifies_and_a_flipped_bit_does_not(data: st.DataObject) -> None:
    n = data.draw(sizes)
    index = data.draw(st.integers(min_value=0, max_value=n - 1))
    hashed = [m.leaf_hash(bytes([x % 256, x // 256])) for x in range(n)]
    root = m.subtree_root(hashed)
    proof = m.inclusion_proof(hashed, index, n)
    assert m.verify_inclusion(hashed[index], index, n, proof, root)
    if proof:
        which = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        bad = list(proof)
        bad[which] = bytes([bad[which][0] ^ 1]) + bad[which][1:]
        assert not m.verify_inclusion(hashed[index], index, n, bad, root)


@given(st.data())
def test_every_consistency_proof_verifies_and_a_fork_does_not(data: st.DataObject) -> None:
    new = data.draw(st.integers(min_value=2, max_value=70))
    old = data.draw(st.integers(min_value=1, max_value=new - 1))
    hashed = [m.leaf_hash(bytes([x % 256, x // 256])) for x in range(new)]
    old_root, new_root = m.subtree_root(hashed[:old]), m.subtree_root(hashed)
    proof = m.consistency_proof(hashed, old, new)
    assert m.verify_consistency(old, old_root, new, new_root, proof)
    forked = [*hashed[: old - 1], m.leaf_hash(b"forged"), *hashed[old:]]
    assert not m.verify_consistency(old, m.subtree_root(forked[:old]), new, new_root, proof)
    assert not m.verify_consistency(old, old_root, new, m.subtree_root(forked), proof)
