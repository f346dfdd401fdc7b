"""What ``audit verify`` found (services.audit.verify): each finding where it was seen,
the report of the whole check, and that report for people, a line each."""

from __future__ import annotations

import msgspec


class Finding(msgspec.Struct, frozen=True, kw_only=True):
    """One disagreement: where (tree position, aggregate) and what."""

    position: int | None
    aggregate: str | None
    code: str
    message: str


class AuditReport(msgspec.Struct, kw_only=True):
    """What ``audit verify`` found."""

    ok: bool
    redacted: bool
    events: int
    aggregates: int
    cards: int
    checkpoints: int
    covered: int  # events the latest valid checkpoint covers
    first_event_at: str | None
    last_event_at: str | None
    seconds: float
    events_per_second: float
    first_bad_position: int | None
    findings: list[Finding]
    signed_events: int = 0  # proven by an event signature
    legacy_events: int = 0  # unsigned, from before signing started, under a checkpoint
    erased_events: int = 0  # whose people's data was erased (PIPL art. 47): not re-decidable


def summary_lines(report: AuditReport) -> list[str]:
    """The report for people, a line each."""
    verdict = "OK: the history is complete and untampered" if report.ok else "FAILED"
    out = [
        f"{verdict}",
        f"events {report.events}, aggregates {report.aggregates}, cards {report.cards}, "
        f"checkpoints {report.checkpoints} (the latest good one covers {report.covered})",
        f"first event {report.first_event_at or '-'}, last event {report.last_event_at or '-'}",
        f"event signatures: {report.signed_events} events signed, "
        f"{report.legacy_events} legacy (from before signing started, under a checkpoint)",
        f"{report.seconds:.2f} s, {report.events_per_second:,.0f} events/s"
        + (" (redacted export: holders' data not checked)" if report.redacted else ""),
    ]
    if report.erased_events:
        out.append(
            f"erased: {report.erased_events} events name people whose data was erased; "
            "their leaves verify, the decisions that read them are not re-decidable"
        )
    if report.first_bad_position is not None:
        out.append(f"first bad position: {report.first_bad_position}")
    out.extend(
        f"position {f.position if f.position is not None else '-'}: {f.code}: {f.message}"
        for f in report.findings[:50]
    )
    if len(report.findings) > 50:
        out.append(f"… and {len(report.findings) - 50} more")
    return out
