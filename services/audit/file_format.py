"""The audit export's file format (审计导出), ``talentcard-audit/1``: JSON Lines, one
record per line, each an object tagged by ``kind``, in this order:

1. ``header``: format, whether redacted, when and by whom it was exported, how many
   checkpoints follow;
2. ``trust``: the trust list and root key the registry published (an auditor should pass
   their own with ``--trust-list``: these are the operator's word);
3. ``checkpoint`` lines, oldest first: each signed tree head's COSE_Sign1 bytes;
4. ``event`` lines in tree order: ``position``, the canonical ``leaf`` bytes
   (ledger.leaves), the leaf hash ``recorded`` with the checkpoint that covered it (null
   after the last checkpoint) and, in a full export, the ``personal`` part and its
   ``salt``. A redacted export leaves those two out: the leaf still commits to them
   through its digest, so everything else verifies.

Byte strings are base64 (msgspec's JSON form).
"""

from __future__ import annotations

import msgspec

FORMAT = "talentcard-audit/1"
MAX_LINE_BYTES = 1_000_000
"""Longer than any legal line (an event is at most 128 KiB, its leaf and personal part
together less than twice that, base64 a third more); a longer one is refused unread."""


class Header(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", tag="header"):
    format: str
    redacted: bool
    exported_at: str
    exported_by: str
    checkpoints: int


class Trust(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", tag="trust"):
    root: str  # hex
    trust_list: bytes


class CheckpointLine(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", tag="checkpoint"):
    signed: bytes


class EventLine(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", tag="event"):
    position: int
    leaf: bytes
    recorded: bytes | None = None
    personal: bytes | None = None
    salt: bytes | None = None
    # A full export of a holder stored sealed (ledger.sealing): the envelope as stored
    # (MessagePack) and each person's data key by hex id, absent for an erased person.
    sealed: bytes | None = None
    keys: dict[str, bytes] | None = None


Line = Header | Trust | CheckpointLine | EventLine
ENCODER = msgspec.json.Encoder()
DECODER = msgspec.json.Decoder(Line)
