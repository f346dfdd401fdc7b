"""Readiness (``GET /ready``, the projector's health check): the store answers, the issuer
keys open, and every read model is caught up with the event log within a bound.

The keys open when the passphrase decrypts a current key, every key that may still sign
has its file, and none of them (nor ``keys.json`` or the folder) is open to others
(``Keystore.health``); a store with no key made yet has nothing to open and passes. The
answer is worked out once and kept until a file in the keys folder changes: proving the
passphrase costs an Argon2id derivation, too much for every probe.

A read model is caught up when it has applied the log's last notification, or when the
oldest notification it has not applied was recorded at most ``TALENTCARD_READY_LAG``
seconds ago (default 30): a projector a page behind a burst of writes is working, one
whose oldest unapplied event is minutes old is stuck or not running. The age is read off
the event's own recorded instant (its ``Context``, the ledger's clock) against the same
clock, so it means the same thing on every process and in tests.

Without a projector, a read that must not miss a write still brings its read model up to
date itself (``ReadModels.catch_up``); readiness is about the projector keeping up, so on
such a deployment ``/ready`` reports the lag that those reads would otherwise pay for.

A probe only reads: two position queries per read model and, for one that lags, one
notification, and a look at the keys folder's listing. It never processes events itself
(a key file in the old format is re-wrapped when the check first decrypts it, as on any
use).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

import msgspec

from domain.clock import as_utc
from ledger.settings import SettingsError

if TYPE_CHECKING:
    from projections.engine import ReadModels
    from services.bootstrap import Registry
    from signing.keys import KeystoreHealth

READY_LAG = "TALENTCARD_READY_LAG"
DEFAULT_READY_LAG_SECONDS = 30.0
MAX_READY_LAG_SECONDS = 3600.0


def ready_lag_seconds(environ: Mapping[str, str]) -> float:
    """``TALENTCARD_READY_LAG``: how old, in seconds, the oldest event a read model has
    not applied may be while the service still answers ready (0: fully caught up only)."""
    raw = environ.get(READY_LAG, "").strip()
    if not raw:
        return DEFAULT_READY_LAG_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not 0 <= value <= MAX_READY_LAG_SECONDS:  # also refuses nan
        raise SettingsError(
            f"{READY_LAG} must be a number of seconds in [0, {MAX_READY_LAG_SECONDS:g}], "
            f"not {raw[:20]!r}"
        )
    return value


class ProjectionReadiness(msgspec.Struct, frozen=True, kw_only=True):
    """One read model: where it stands, and how long its oldest unapplied event waits."""

    name: str
    position: int
    head: int
    lag: int
    """Notifications it has not applied yet."""
    behind_seconds: float
    """How long ago the oldest of them was recorded (0 when caught up, -1 when its
    instant cannot be read, which counts as not ready)."""
    ready: bool


class Readiness(msgspec.Struct, frozen=True, kw_only=True):
    """The answer of a readiness probe."""

    ready: bool
    store: str
    bound_seconds: float
    projections: tuple[ProjectionReadiness, ...] = ()
    keys: str = "ok"
    """``ok``, ``none`` (no key made yet) or ``unavailable`` (the issuer keys do not
    open; ``problem`` says why)."""
    problem: str = ""
    """Why it is not ready, in one sentence naming each read model that lags (or the
    store that does not answer, or why the keys do not open); empty when ready."""

    @property
    def lagging(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.projections if not p.ready)


def keys_health(registry: Registry) -> KeystoreHealth:
    """Whether the registry's issuer keys open (cached until their files change)."""
    from signing.keys import KeystoreError, KeystoreHealth

    try:
        return registry.keystore.health()
    except (SettingsError, KeystoreError) as e:  # e.g. a malformed TALENTCARD_KEY_KDF_COST
        message = e.message if isinstance(e, SettingsError) else str(e)
        return KeystoreHealth(state="unavailable", problem=message)


def keys_problem(health: KeystoreHealth) -> str:
    """The sentence a probe answers when the keys do not open."""
    return f"the issuer keys cannot be opened: {health.problem}"


def check(registry: Registry) -> Readiness:
    """Whether the registry's store answers, its keys open and its read models are caught
    up."""
    try:
        bound = ready_lag_seconds(registry.environ)
    except SettingsError as e:  # a process misconfigured is not ready; say which setting
        return Readiness(ready=False, store="unknown", bound_seconds=0.0, problem=e.message)
    keys = keys_health(registry)
    keys_wrong = [] if keys.ok else [keys_problem(keys)]
    try:
        store = registry.store_kind()
        read_models = registry.read_models
        statuses = read_models.status()
    except Exception as e:  # a probe reports any failure to reach the store
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        return Readiness(
            ready=False,
            store="unknown",
            bound_seconds=bound,
            keys=keys.state,
            problem="; ".join([f"the store does not answer: {first}", *keys_wrong]),
        )
    now = as_utc(registry.clock())
    rows = []
    for status in statuses:
        behind = 0.0
        if status.lag:
            recorded = _oldest_unapplied(read_models, status.position)
            behind = max(0.0, (now - recorded).total_seconds()) if recorded else math.inf
        rows.append(
            ProjectionReadiness(
                name=status.name,
                position=status.position,
                head=status.head,
                lag=status.lag,
                behind_seconds=round(behind, 3) if math.isfinite(behind) else -1.0,
                ready=status.lag == 0 or behind <= bound,
            )
        )
    lagging = [r for r in rows if not r.ready]
    problems = list(keys_wrong)
    if lagging:
        problems.append(
            "; ".join(
                f"read model {r.name} is {r.lag} event{'s' if r.lag != 1 else ''} behind the log "
                f"(at notification {r.position} of {r.head})"
                for r in lagging
            )
            + (
                f": its oldest unapplied event waits longer than {bound:g} s ({READY_LAG}); "
                "is the projector running? see `talentcard projections status`"
            )
        )
    return Readiness(
        ready=not problems,
        store=store,
        bound_seconds=bound,
        projections=tuple(rows),
        keys=keys.state,
        problem="; ".join(problems),
    )


def _oldest_unapplied(read_models: ReadModels, position: int) -> datetime | None:
    """When the first notification after ``position`` was recorded (None if unknown)."""
    ledger = read_models.ledger
    notifications = ledger.recorder.select_notifications(position + 1, 1)
    if not notifications:
        return None
    event = ledger.mapper.to_domain_event(notifications[0])
    ctx = getattr(event, "ctx", None)
    recorded = getattr(ctx, "recorded_at", None)
    if recorded is None:  # what event signing writes: its own instant, by the same clock
        recorded = getattr(event, "recorded_at", None) or getattr(
            getattr(event, "record", None), "signed_at", None
        )
    if isinstance(recorded, datetime):
        return as_utc(recorded)
    timestamp = getattr(event, "timestamp", None)
    return as_utc(timestamp) if isinstance(timestamp, datetime) else None
