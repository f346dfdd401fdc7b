"""``talentcard audit export``: the event log and its checkpoints as one file an auditor
checks alone (services.audit.file_format). The full export holds the holders' personal data
(sealed, with each person's data key, so the auditor opens it; an erased person's key is
not there); the redacted one keeps only its salted digest, which the leaves commit to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain.clock import Clock
from domain.jurisdiction import check_exports_log
from ledger.sealing import envelope_of
from services.access import Principal
from services.audit.file_format import ENCODER, FORMAT, CheckpointLine, EventLine, Header, Trust
from services.audit.transparency import TransparencyLog
from services.issuance import IssuanceService


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """What an export wrote."""

    events: int
    checkpoints: int
    redacted: bool
    covered: int  # events the last checkpoint covers


class AuditExport:
    """Writes the whole log, for the provincial auditor or the administrator."""

    def __init__(self, log: TransparencyLog, issuance: IssuanceService, clock: Clock) -> None:
        self._log = log
        self._issuance = issuance
        self._clock = clock

    def export(self, who: Principal, stream: BinaryIO, *, redacted: bool) -> ExportSummary:
        """Write the export to ``stream``."""
        check_exports_log(who)
        checkpoints = self._log.checkpoints()
        recorded = self._log.recorded_hashes()
        files = self._issuance.trust_files()
        root = files["root.pub"].decode().strip()
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(root))  # a well-formed key or fail now
        lines: list[object] = [
            Header(
                format=FORMAT,
                redacted=redacted,
                exported_at=self._clock().isoformat(),
                exported_by=who.name,
                checkpoints=len(checkpoints),
            ),
            Trust(root=root, trust_list=files["trust-list.cwt"]),
            *(CheckpointLine(signed=c.signed) for c in checkpoints),
        ]
        for line in lines:
            stream.write(ENCODER.encode(line) + b"\n")
        count = 0
        for e in self._log.events(with_keys=not redacted):
            count += 1
            envelope = None if redacted or e.leaf.personal is not None else envelope_of(e.state)
            line = EventLine(
                position=e.position,
                leaf=e.leaf.data,
                recorded=recorded[e.position] if e.position < len(recorded) else None,
                personal=None if redacted else e.leaf.personal,
                salt=None if redacted else e.leaf.salt,
                sealed=None if envelope is None else msgspec.msgpack.encode(envelope),
                keys=None if envelope is None else self._log.data_keys(e.state),
            )
            stream.write(ENCODER.encode(line) + b"\n")
        return ExportSummary(
            events=count,
            checkpoints=len(checkpoints),
            redacted=redacted,
            covered=len(recorded),
        )
