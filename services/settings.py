"""The settings the composition root reads from the environment, once. Store settings are
``ledger.settings``'s (database URL, data folder, registry key); these are the rest."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ledger.settings import SettingsError

KEYS_DIR = "TALENTCARD_KEYS_DIR"
KEY_PASSPHRASE = "TALENTCARD_KEY_PASSPHRASE"  # noqa: S105 - the variable's name
CATCH_UP_SECONDS = "TALENTCARD_CATCH_UP_SECONDS"
DEFAULT_CATCH_UP_SECONDS = 10.0
"""How long a read that must not miss a write waits for a running projector."""


def keys_dir(environ: Mapping[str, str], data_dir: Path) -> Path:
    """Where the issuer keys live (default ``<data dir>/keys``)."""
    return Path(environ.get(KEYS_DIR) or data_dir / "keys")


def key_passphrase(environ: Mapping[str, str]) -> bytes | None:
    """The keystore passphrase; bytes that are not UTF-8 are kept as they came
    (surrogateescape)."""
    passphrase = environ.get(KEY_PASSPHRASE)
    return passphrase.encode("utf-8", "surrogateescape") if passphrase else None


def catch_up_seconds(environ: Mapping[str, str]) -> float:
    """The time limit for waiting on a running projector."""
    raw = environ.get(CATCH_UP_SECONDS)
    if not raw:
        return DEFAULT_CATCH_UP_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 600:  # also refuses nan
        raise SettingsError(f"{CATCH_UP_SECONDS} must be a number of seconds in (0, 600]")
    return value
