"""Attacks on the registry, one test per attack: each failed on the main branch before the
hardening issue and passes after (issue 8). Store-backed ones run on SQLite and Postgres."""
