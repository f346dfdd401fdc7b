"""The provincial root key's and the log key's names among the key owners (the issuing
authorities, the root that signs their trust list, and the log), apart from the keystore
so that the command line can offer them as choices without importing cryptography."""

from __future__ import annotations

ROOT = "root"
LOG = "log"
"""The ledger's log key: it signs the Merkle checkpoints (signing.checkpoint) and nothing
else; the trust list names it with no schemes, so no credential verifies under it."""
EVENTS = "events"
"""The event-signing keys (ledger.event_keys): they sign every saved event's record and
nothing else; the trust list names them with no schemes, as it does the log key."""
