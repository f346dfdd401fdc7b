"""``talentcard audit verify``: check an audit export alone, offline (离线审计).

Nothing here opens a store or reads a key: the export, an optional checkpoint the auditor
saved earlier and a trust anchor (a bundle, or a trust list and the root key) are all.

1. The tree (this process, services.audit.tree): every event line's leaf is hashed in
   order (RFC 9162), the roots at each checkpoint's size compared with the signed ones,
   every checkpoint's signature checked against the trust list, the saved checkpoint
   proved to be extended by the latest (a consistency proof, as a CT auditor would check
   it), and each leaf compared with the hash recorded when its checkpoint was made, which
   names the first position that changed; the event signatures walked alongside
   (services.audit.signatures).
2. The replay (the other cores, services.audit.replay): every aggregate's events rebuilt
   from their leaves and applied through the domain model; every decision the rules made
   (admission, term on issue, upgrade and extension) decided again from the inputs the
   event recorded and compared with what it recorded, so a doctored tier or term is
   caught even where it was written before any checkpoint.

What it found is an :class:`~services.audit.report.AuditReport`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from services.audit.file_format import CheckpointLine, EventLine
from services.audit.reading import (
    AuditFileError,
    export_lines,
    read_file,
    read_preamble,
    read_trust_anchor,
)
from services.audit.replay import replay_share
from services.audit.report import AuditReport, Finding
from services.audit.signatures import SignatureFinding, SignatureWalk
from services.audit.tree import ExportTree
from signing.checkpoint import CheckpointError, TreeHead, read_checkpoint
from signing.root import EVENTS
from signing.trust import TrustList


def verify_export(
    path: Path,
    *,
    saved_checkpoint: Path | None = None,
    trust_source: Path | None = None,
    root_hex: str | None = None,
    workers: int | None = None,
) -> AuditReport:
    """Check the export at ``path``; raises AuditFileError if it cannot be read at all."""
    started = time.perf_counter()
    lines = export_lines(path)
    header, trust, checkpoint_lines = read_preamble(path, lines)
    anchor = read_trust_anchor(trust_source, root_hex, trust)
    heads = _heads(checkpoint_lines, anchor)
    saved = None if saved_checkpoint is None else _saved(saved_checkpoint, anchor)
    count = max(1, min(2, os.cpu_count() or 1)) if workers is None else workers
    event_keys = {k.kid: k for k in anchor.keys if k.authority == EVENTS}
    tree = ExportTree(heads, saved, SignatureWalk(event_keys))
    if count > 1:
        with ProcessPoolExecutor(max_workers=count) as pool:
            futures = [
                pool.submit(replay_share, str(path), w, count, header.redacted)
                for w in range(count)
            ]
            _walk_tree(lines, tree)
            shares = [f.result() for f in futures]
    else:
        _walk_tree(lines, tree)
        shares = [replay_share(str(path), 0, 1, header.redacted)]
    covered = tree.finish()
    signed = tree.signatures.finish()
    unsigned = [_unsigned(f) for f in signed.findings]
    findings = sorted(
        [*tree.findings, *unsigned, *(f for s in shares for f in s.findings)],
        key=lambda f: (f.position is None, f.position or 0),
    )
    seconds = time.perf_counter() - started
    events = len(tree.hashes)
    firsts = [s.first for s in shares if s.first]
    lasts = [s.last for s in shares if s.last]
    return AuditReport(
        ok=not findings,
        redacted=header.redacted,
        events=events,
        aggregates=sum(s.aggregates for s in shares),
        cards=sum(s.cards for s in shares),
        checkpoints=len(heads),
        covered=covered,
        first_event_at=min(firsts) if firsts else None,
        last_event_at=max(lasts) if lasts else None,
        seconds=round(seconds, 3),
        events_per_second=round(events / seconds, 1) if seconds else 0.0,
        first_bad_position=next((f.position for f in findings if f.position is not None), None),
        findings=findings,
        signed_events=signed.signed,
        legacy_events=signed.legacy,
        erased_events=sum(len(s.erased) for s in shares),
    )


def _heads(
    checkpoint_lines: list[tuple[int, CheckpointLine]], anchor: TrustList
) -> list[tuple[int, TreeHead | None, str]]:
    """Each checkpoint line's number and its verified head, or None and why not."""
    heads: list[tuple[int, TreeHead | None, str]] = []
    for number, line in checkpoint_lines:
        try:
            heads.append((number, read_checkpoint(line.signed, anchor), ""))
        except CheckpointError as e:
            heads.append((number, None, str(e)))
    return heads


def _saved(path: Path, anchor: TrustList) -> TreeHead:
    """The checkpoint the auditor saved earlier: one they cannot trust ends the check."""
    try:
        return read_checkpoint(read_file(path), anchor)
    except CheckpointError as e:
        raise AuditFileError(f"{path}: {e}") from None


def _unsigned(found: SignatureFinding) -> Finding:
    """What the event signatures' walk found, as a finding of the report."""
    return Finding(
        position=found.position,
        aggregate=str(found.aggregate),
        code=found.code,
        message=f"{found.aggregate} v{found.version}: {found.message}",
    )


def _walk_tree(lines: Iterator[tuple[int, Any]], tree: ExportTree) -> None:
    for number, line in lines:
        if not isinstance(line, EventLine):
            raise AuditFileError(f"line {number}: only event lines follow the checkpoints")
        tree.add(line)
