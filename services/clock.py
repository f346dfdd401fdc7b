"""The registry's one clock. Everything that needs the time is handed this callable (or a
fake in tests) by the composition root; nothing else reads the system time."""

from __future__ import annotations

from datetime import UTC, datetime


def system_clock() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)
