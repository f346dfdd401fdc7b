"""The command line's own error: malformed input that never reached the registry."""

from __future__ import annotations


class UsageError(Exception):
    """Malformed command-line input; the CLI exits with code 2."""
