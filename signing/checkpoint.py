"""Signed tree heads (检查点): the log key's signature over the Merkle tree of the ledger's
events at one size (RFC 9162 §4.10's tree head, carried as COSE_Sign1 like everything
else this registry signs).

The payload is the canonical CBOR map ``{1: size, 2: root hash (32 bytes), 3: timestamp
(Unix seconds), 4: log id (text)}``, signed by a key whose trust-list entry names the
authority :data:`signing.root.LOG`. An auditor needs only the trust list (itself checked
against the pinned root key) to check a checkpoint, offline.
"""

from __future__ import annotations

from datetime import UTC, datetime

import cbor2
import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from signing.cose import HEADER_TYPE, CoseError, parse_sign1, sign1
from signing.merkle import HASH_SIZE
from signing.root import LOG
from signing.trust import TrustList

CHECKPOINT_TYPE = "application/talentcard-checkpoint+cbor"
LOG_ID = "talentcard"
_SIZE, _ROOT, _TIMESTAMP, _LOG = 1, 2, 3, 4


class CheckpointError(ValueError):
    """A checkpoint that is malformed or whose signature does not check out."""


class TreeHead(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A checkpoint's content: the tree over the first ``size`` leaves has ``root``."""

    size: int
    root: bytes
    timestamp: int  # Unix seconds
    log_id: str = LOG_ID

    @property
    def at(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp, UTC)


def sign_checkpoint(head: TreeHead, key: Ed25519PrivateKey, kid: bytes) -> bytes:
    """The signed checkpoint (COSE_Sign1) over ``head``."""
    payload = cbor2.dumps(
        {_SIZE: head.size, _ROOT: head.root, _TIMESTAMP: head.timestamp, _LOG: head.log_id},
        canonical=True,
    )
    return sign1(payload, key, kid, content_type=CHECKPOINT_TYPE)


def read_checkpoint(data: bytes, trust: TrustList) -> TreeHead:
    """A checkpoint's tree head, once its signature is checked against a log key that
    the trust list names and that could sign at the checkpoint's time."""
    try:
        message = parse_sign1(data)
    except CoseError as e:
        raise CheckpointError(f"checkpoint: {e}") from None
    if message.protected_headers.get(HEADER_TYPE) != CHECKPOINT_TYPE:
        raise CheckpointError("checkpoint: not a talentcard checkpoint")
    head = _head(message.payload)
    kid = message.kid
    key = trust.key(kid) if kid is not None else None
    if key is None or key.authority != LOG:
        raise CheckpointError("checkpoint is signed by a key the trust list names not as the log's")
    if not message.verify(key.public()):
        raise CheckpointError("checkpoint signature does not verify with the log key")
    if not key.signed_within(head.timestamp):
        raise CheckpointError("checkpoint is dated outside the log key's signing period")
    return head


def unverified_head(data: bytes) -> TreeHead:
    """A checkpoint's tree head without checking its signature (to list or pick one)."""
    try:
        return _head(parse_sign1(data).payload)
    except CoseError as e:
        raise CheckpointError(f"checkpoint: {e}") from None


def _head(payload: bytes) -> TreeHead:
    try:
        claims = cbor2.loads(payload)
        head = TreeHead(
            size=claims[_SIZE],
            root=claims[_ROOT],
            timestamp=claims[_TIMESTAMP],
            log_id=claims[_LOG],
        )
    except Exception as e:  # any malformed payload: CBOR errors, missing keys, bad types
        raise CheckpointError(f"checkpoint content is malformed: {e}") from None
    if not (
        isinstance(head.size, int)
        and head.size >= 0
        and isinstance(head.root, bytes)
        and len(head.root) == HASH_SIZE
        and isinstance(head.timestamp, int)
        and isinstance(head.log_id, str)
    ):
        raise CheckpointError("checkpoint content has the wrong types")
    return head
