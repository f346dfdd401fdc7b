"""The first pass of ``audit verify`` (services.audit.verify), in the calling process: the
Merkle tree (RFC 9162, signing.merkle) over the export's leaves in order, each leaf
compared with the hash recorded when its checkpoint was made (which names the first
position that changed), the roots at each checkpoint's size compared with the signed
ones, and the auditor's saved checkpoint proved to be extended by the latest (a
consistency proof, as a CT auditor checks it). Each leaf also goes to the event
signatures' walk (services.audit.signatures)."""

from __future__ import annotations

from services.audit.file_format import EventLine
from services.audit.report import Finding
from services.audit.signatures import SignatureWalk
from signing import merkle
from signing.checkpoint import TreeHead


class ExportTree:
    """Pass 1: the tree over the export's leaves and every check of it. Feed each event
    line with :meth:`add`, then :meth:`finish`."""

    def __init__(
        self,
        heads: list[tuple[int, TreeHead | None, str]],
        saved: TreeHead | None,
        signatures: SignatureWalk,
    ):
        self.heads = heads  # (line, verified head or None, why not)
        self.signatures = signatures
        self.saved = saved
        self.sizes = {h.size for _, h, _ in heads if h is not None}
        if saved is not None:
            self.sizes.add(saved.size)
        self.roots: dict[int, bytes] = {}
        self.hashes: list[bytes] = []
        self.findings: list[Finding] = []

    def add(self, line: EventLine) -> None:
        """One event line, in the file's order: hashed, checked against the hash recorded
        with its checkpoint, and passed to the signatures' walk."""
        position = len(self.hashes)
        if line.position != position:
            self._fail(
                position,
                "position_out_of_order",
                f"the line for position {position} holds position {line.position}: "
                "an event was removed, inserted or moved",
            )
        hashed = merkle.leaf_hash(line.leaf)
        if line.recorded is not None and line.recorded != hashed:
            self._fail(
                position,
                "leaf_changed",
                f"the event at position {position} does not hash to the leaf "
                "recorded when its checkpoint was signed",
            )
        self.hashes.append(hashed)
        self.signatures.add(position, line.leaf)

    def finish(self) -> int:
        """Check every checkpoint against the tree; the size the latest good one covers."""
        compact = merkle.CompactRange()
        for hashed in self.hashes:
            compact.append(hashed)
            if compact.size in self.sizes:
                self.roots[compact.size] = compact.root()
        if 0 in self.sizes:
            self.roots[0] = merkle.EMPTY_ROOT
        covered, last = 0, -1
        for number, head, why in self.heads:
            if head is None:
                self._fail(None, "checkpoint_invalid", f"checkpoint on line {number}: {why}")
                continue
            if head.size <= last:
                self._fail(
                    None,
                    "checkpoints_out_of_order",
                    f"checkpoint {head.size} follows checkpoint {last}: checkpoints only grow",
                )
            last = max(last, head.size)
            if self._matches(head, f"checkpoint {head.size}"):
                covered = max(covered, head.size)
        saved = self.saved
        if saved is not None and self._matches(saved, f"your saved checkpoint {saved.size}"):
            latest = max(
                (h for _, h, _ in self.heads if h is not None), key=lambda h: h.size, default=None
            )
            if latest is None:
                self._fail(
                    None,
                    "no_checkpoint",
                    f"the export holds no valid checkpoint to prove your saved checkpoint "
                    f"{saved.size} extended by",
                )
            elif latest.size >= saved.size and latest.root == self.roots.get(latest.size):
                proof = (
                    merkle.consistency_proof(self.hashes, saved.size, latest.size)
                    if 0 < saved.size < latest.size
                    else []
                )
                if saved.size and not merkle.verify_consistency(
                    saved.size, saved.root, latest.size, latest.root, proof
                ):
                    self._fail(
                        None,
                        "not_consistent",
                        f"checkpoint {latest.size} is not consistent with your saved "
                        f"checkpoint {saved.size}",
                    )
        return covered

    def _matches(self, head: TreeHead, what: str) -> bool:
        if head.size > len(self.hashes):
            self._fail(
                len(self.hashes),
                "events_missing",
                f"{what} covers {head.size} events; the export holds {len(self.hashes)}",
            )
            return False
        if self.roots.get(head.size) != head.root:
            self._fail(
                None,
                "root_mismatch",
                f"the export's first {head.size} events do not hash to the root {what} "
                "signed: an event before it was changed, removed, reordered or inserted"
                + (" (or the log forked from the one you saved)" if "saved" in what else ""),
            )
            return False
        return True

    def _fail(self, position: int | None, code: str, message: str) -> None:
        self.findings.append(Finding(position=position, aggregate=None, code=code, message=message))
