"""The provincial root key's name among the key owners (the issuing authorities and the
root that signs their trust list), apart from the keystore so that the command line can
offer it as a choice without importing cryptography."""

from __future__ import annotations

ROOT = "root"
