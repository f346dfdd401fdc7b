"""The Merkle tree of Certificate Transparency (RFC 9162 §2.1), over the ledger's events.

Leaves are hashed ``SHA-256(0x00 || leaf)``, interior nodes ``SHA-256(0x01 || left ||
right)``, so that no leaf can pass for a node (the second-preimage guard of §2.1.1). The
tree is the RFC's, not a padded binary tree: a tree of ``n`` leaves splits at the largest
power of two below ``n``, so the tree over the first ``m`` leaves is a subtree-prefix of
the tree over ``n`` and consistency between them can be proved in ``O(log n)`` hashes.

pymerkle implements the same hashing, but it is GPL-3.0 and says of itself that it awaits
a security audit; the RFC's algorithms are short enough to keep here, tested with the
RFC's own example trees (§2.1.5) and against a naive reference computation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

HASH_SIZE = 32
_LEAF = b"\x00"
_NODE = b"\x01"


class ProofError(ValueError):
    """A proof asked for positions the tree does not have, or one that does not verify."""


def leaf_hash(leaf: bytes) -> bytes:
    """``MTH({d}) = SHA-256(0x00 || d)`` (RFC 9162 §2.1.1)."""
    return hashlib.sha256(_LEAF + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(_NODE + left + right).digest()


EMPTY_ROOT = hashlib.sha256(b"").digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (``n`` > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def subtree_root(leaves: Sequence[bytes]) -> bytes:
    """MTH over already-hashed leaves, iteratively: pair the level up, carrying an odd
    last node up unchanged, which yields exactly the RFC's split at a power of two."""
    if not leaves:
        return EMPTY_ROOT
    level = list(leaves)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


class CompactRange:
    """The roots of the perfect subtrees covering the leaves seen so far (a "compact
    range"): appending is amortised O(1) and the root of every prefix is at hand, so one
    pass over a log gives its tree head at each checkpoint's size."""

    def __init__(self) -> None:
        self._peaks: list[tuple[int, bytes]] = []  # (height, hash), left to right
        self.size = 0

    def append(self, hashed_leaf: bytes) -> None:
        """Add the next leaf (already ``leaf_hash``-ed)."""
        height, node = 0, hashed_leaf
        while self._peaks and self._peaks[-1][0] == height:
            _, left = self._peaks.pop()
            node = node_hash(left, node)
            height += 1
        self._peaks.append((height, node))
        self.size += 1

    def extend(self, hashed_leaves: Iterable[bytes]) -> None:
        """Add leaves in order."""
        for hashed in hashed_leaves:
            self.append(hashed)

    def root(self) -> bytes:
        """The tree head's root hash over every leaf appended so far."""
        if not self._peaks:
            return EMPTY_ROOT
        node = self._peaks[-1][1]
        for _, left in reversed(self._peaks[:-1]):
            node = node_hash(left, node)
        return node


def inclusion_proof(leaves: Sequence[bytes], index: int, size: int) -> list[bytes]:
    """``PATH(m, D[n])`` (RFC 9162 §2.1.3.1): the audit path of leaf ``index`` in the tree
    of the first ``size`` hashed leaves."""
    if not 0 <= index < size <= len(leaves):
        raise ProofError(f"no leaf {index} in a tree of {size} (the log holds {len(leaves)})")
    return _path(leaves, index, 0, size)


def _path(leaves: Sequence[bytes], m: int, lo: int, hi: int) -> list[bytes]:
    n = hi - lo
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return [*_path(leaves, m, lo, lo + k), subtree_root(leaves[lo + k : hi])]
    return [*_path(leaves, m - k, lo + k, hi), subtree_root(leaves[lo : lo + k])]


def consistency_proof(leaves: Sequence[bytes], old_size: int, new_size: int) -> list[bytes]:
    """``PROOF(m, D[n])`` (RFC 9162 §2.1.4.1): that the tree of the first ``old_size``
    leaves is a prefix of the tree of the first ``new_size``."""
    if not 0 < old_size <= new_size <= len(leaves):
        raise ProofError(
            f"no consistency proof from {old_size} to {new_size} "
            f"(sizes must satisfy 0 < old <= new <= {len(leaves)})"
        )
    if old_size == new_size:
        return []
    return _subproof(leaves, old_size, 0, new_size, True)


def _subproof(leaves: Sequence[bytes], m: int, lo: int, hi: int, whole: bool) -> list[bytes]:
    n = hi - lo
    if m == n:
        return [] if whole else [subtree_root(leaves[lo:hi])]
    k = _split(n)
    if m <= k:
        return [*_subproof(leaves, m, lo, lo + k, whole), subtree_root(leaves[lo + k : hi])]
    return [*_subproof(leaves, m - k, lo + k, hi, False), subtree_root(leaves[lo : lo + k])]


def root_from_inclusion(hashed_leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """The root an inclusion proof leads to (RFC 9162 §2.1.3.2); compare it with the
    signed tree head's. Raises ProofError if the proof has the wrong shape."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of {size}")
    fn, sn, r = index, size - 1, hashed_leaf
    for p in proof:
        if sn == 0:
            raise ProofError("the inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the inclusion proof is shorter than the tree is deep")
    return r


def verify_inclusion(
    hashed_leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``proof`` shows leaf ``index`` in the tree of ``size`` with ``root``."""
    try:
        return root_from_inclusion(hashed_leaf, index, size, proof) == root
    except ProofError:
        return False


def verify_consistency(
    old_size: int, old_root: bytes, new_size: int, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether ``proof`` shows the tree (old_size, old_root) is a prefix of (new_size,
    new_root), by RFC 9162 §2.1.4.2."""
    if not 0 < old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0
