"""Issuer keys, signed credentials, trust lists, status lists and the offline verifier."""
