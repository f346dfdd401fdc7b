"""Read models rebuilt from the event log: entitlements, audit trail, statistics."""
