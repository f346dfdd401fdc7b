"""The settings the composition root reads from the environment, once. Store settings are
``ledger.settings``'s (database URL, data folder, registry key); these are the rest."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ledger.settings import SettingsError

if TYPE_CHECKING:
    from services.sessions import SessionLimits
    from signing.keys import KdfCost

KEYS_DIR = "TALENTCARD_KEYS_DIR"
KEY_PASSPHRASE = "TALENTCARD_KEY_PASSPHRASE"  # noqa: S105 - the variable's name
KEY_KDF_COST = "TALENTCARD_KEY_KDF_COST"
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


def key_kdf_cost(environ: Mapping[str, str]) -> KdfCost:
    """``TALENTCARD_KEY_KDF_COST``: the Argon2id cost key files are written at, as
    ``m=KIB,t=ITERATIONS,p=LANES`` (default RFC 9106's ``m=65536,t=3,p=4``). Lowering it
    is for tests: files already written keep the cost they name, and a file cheaper than
    the setting is re-wrapped at it on next use."""
    from signing.keys import KDF_COST, KdfCost

    raw = environ.get(KEY_KDF_COST, "").strip()
    if not raw:
        return KDF_COST
    fields: dict[str, int] = {}
    for part in raw.split(","):
        name, _, value = part.strip().partition("=")
        if name not in ("m", "t", "p") or name in fields or not value.isdigit():
            fields = {}
            break
        fields[name] = int(value)
    if len(fields) == 3:
        cost = KdfCost(iterations=fields["t"], memory_kib=fields["m"], lanes=fields["p"])
        problem = cost.problem()
        if problem is None:
            return cost
        raise SettingsError(f"{KEY_KDF_COST}: {problem}")
    raise SettingsError(
        f"{KEY_KDF_COST} must read m=KIB,t=ITERATIONS,p=LANES (e.g. m=65536,t=3,p=4), "
        f"not {raw[:40]!r}"
    )


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


HOLDER_REFUSALS = "TALENTCARD_HOLDER_REFUSALS_PER_HOUR"
HOLDER_REFUSALS_DEFAULT = 5
"""How many times an hour one filer may be told that a person already holds a card in a
scheme (409 ``already_holds_card``) before its filings are answered 429. Why 5: the
refusal tells a filer that an ID number it typed belongs to a holder; issue 23 found a
holder's full ID number in 708 requests from a card's birth date and region code, so at 5
an hour one key needs about six days of steady probing for one person (alerts and the
audit trail have long seen it), while a commissioner who re-files a form by mistake, the
refusal's honest case, meets it once or twice. Counted per API process (like
``TALENTCARD_WRITE_RATE``): with N workers a filer may meet it up to N × 5 times."""


def holder_refusals_per_hour(environ: Mapping[str, str]) -> int:
    """``TALENTCARD_HOLDER_REFUSALS_PER_HOUR``: one filer's one-card-per-person refusals an
    hour before 429 (default 5; 1 to 1,000, never off: the refusal is an oracle)."""
    raw = environ.get(HOLDER_REFUSALS, "").strip()
    if not raw:
        return HOLDER_REFUSALS_DEFAULT
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        raise SettingsError(
            f"{HOLDER_REFUSALS} must be a whole number of refusals an hour from 1 to 1000, "
            f"not {raw[:20]!r}"
        )
    return int(raw)


SESSION_IDLE_MINUTES = "TALENTCARD_CONSOLE_IDLE_MINUTES"
SESSION_ABSOLUTE_HOURS = "TALENTCARD_CONSOLE_ABSOLUTE_HOURS"


def session_limits(environ: Mapping[str, str]) -> SessionLimits:
    """The console's session timeouts: ``TALENTCARD_CONSOLE_IDLE_MINUTES`` without a
    request (default 30) and ``TALENTCARD_CONSOLE_ABSOLUTE_HOURS`` after signing in
    (default 12: an office day, then sign in again)."""
    from services.sessions import SessionLimits

    defaults = SessionLimits()
    idle = _whole(environ, SESSION_IDLE_MINUTES, defaults.idle // 60, 1, 24 * 60)
    absolute = _whole(environ, SESSION_ABSOLUTE_HOURS, defaults.absolute // 3600, 1, 72)
    return SessionLimits(idle=idle * 60, absolute=absolute * 3600)


def _whole(environ: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}, not {raw[:20]!r}")
    return int(raw)
