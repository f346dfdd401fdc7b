"""Read models (读模型) persisted on the event store's own database and kept up to date
from its notification log: ``card_current``, ``status_lists``, ``audit_trail``,
``statistics`` and ``entitlements`` (one module each), driven by ``engine.ReadModels``."""
