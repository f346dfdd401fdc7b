"""The settings the composition root reads from the environment, once. Store settings are
``ledger.settings``'s (database URL, data folder, registry key); these are the rest."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ledger.settings import SettingsError

KEYS_DIR = "TALENTCARD_KEYS_DIR"
KEY_PASSPHRASE = "TALENTCARD_KEY_PASSPHRASE"  # noqa: S105 - the variable's name
CATCH_UP_SECONDS = "TALENTCARD_CATCH_UP_SECONDS"
PUBLIC_BASE_URL = "TALENTCARD_PUBLIC_BASE_URL"
DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000"
"""Where ``talentcard serve`` listens by default: right for one machine, wrong for venues."""
MAX_BASE_URL_CHARS = 100  # every credential carries it: it costs QR code size
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


def public_base_url(environ: Mapping[str, str]) -> str:
    """The registry's public address, the stem of every status-list URL a credential
    carries (``{base}/status-lists/{authority}/{list}``). Permanent once cards are issued:
    a credential names it for life, so a venue fetches status from there."""
    raw = environ.get(PUBLIC_BASE_URL) or DEFAULT_PUBLIC_BASE_URL
    base = raw.rstrip("/")
    scheme, _, rest = base.partition("://")
    if (
        scheme not in ("http", "https")
        or not rest
        or any(c in rest for c in "?#@ ")
        or len(base) > MAX_BASE_URL_CHARS
        or not base.isascii()
    ):
        raise SettingsError(
            f"{PUBLIC_BASE_URL} must be an http(s) URL of at most {MAX_BASE_URL_CHARS} "
            f"ASCII characters with no query, fragment or user, e.g. https://card.example.cn"
        )
    return base


WRITE_RATE_DEFAULT = 600  # writes a minute per user


def write_rate_per_minute(environ: Mapping[str, str]) -> int:
    """``TALENTCARD_WRITE_RATE``: how many writes (POSTs) one user may send a minute
    to one API process (default 600; 0 turns the limit off, e.g. for a load test)."""
    raw = environ.get("TALENTCARD_WRITE_RATE", "").strip()
    if not raw:
        return WRITE_RATE_DEFAULT
    if not raw.isdigit() or int(raw) > 1_000_000:
        raise SettingsError(
            f"TALENTCARD_WRITE_RATE must be a whole number of writes a minute, not {raw[:20]!r}"
        )
    return int(raw)


CHECKPOINT_SECONDS = "TALENTCARD_CHECKPOINT_SECONDS"
CHECKPOINT_SECONDS_DEFAULT = 3600


def checkpoint_seconds(environ: Mapping[str, str]) -> int:
    """``TALENTCARD_CHECKPOINT_SECONDS``: how often the projector signs a checkpoint of
    the log (default hourly; 0 turns it off, e.g. where ``ledger checkpoint`` runs from
    cron instead). The projector needs the key passphrase for it."""
    raw = environ.get(CHECKPOINT_SECONDS, "").strip()
    if not raw:
        return CHECKPOINT_SECONDS_DEFAULT
    if not raw.isdigit() or int(raw) > 31 * 24 * 3600:
        raise SettingsError(
            f"{CHECKPOINT_SECONDS} must be a whole number of seconds up to a month, "
            f"not {raw[:20]!r}"
        )
    return int(raw)
