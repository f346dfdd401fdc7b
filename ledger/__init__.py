"""The append-only event store: the Card ledger application on SQLite or PostgreSQL."""
