"""Errors the operator must fix (settings, the store's preparation, keys, a bundle),
gathered so that an entry point maps them to its "malformed input" answer (exit 2, HTTP
4xx/5xx) without knowing which layer raised them."""

from __future__ import annotations

from ledger.event_keys import EventKeyError
from ledger.settings import SettingsError, StoreNotReady
from signing.bundle import BundleError
from signing.keys import KeystoreError

OPERATOR_ERRORS: tuple[type[Exception], ...] = (
    SettingsError,
    StoreNotReady,
    KeystoreError,
    EventKeyError,
    BundleError,
)
