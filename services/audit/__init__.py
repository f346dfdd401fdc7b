"""Audit (审计): what lets someone outside the registry check what it did.

- ``trail``: the audit trail's queries and exports (who did what, when, under which rules);
- ``transparency``: the Merkle tree over the log, its signed checkpoints and their proofs;
- ``signatures``: the walk that checks the event signatures leaf by leaf;
- ``export``: the whole log and its checkpoints written as one file (``file_format``);
- ``verify``: that file checked offline, with no store and no key.

Nothing is imported here: ``audit verify`` loads the offline check alone, without the
store, its drivers or the card services the other modules need.
"""
