"""The Card ledger: one eventsourcing Application whose command methods load a card, call
the domain, and save. Each command writes all of its events or none of them.

Its parts, one concept each: ``app_base`` (opening, queries, the card commands of the
table: ``run``), ``app_filing`` (申领 and quotas), ``app_redemption`` (the record of use),
``app_import`` (迁移),
``app_erasure`` (个人信息删除). One Application, not several: a second would mean a second events
table and lose the atomic save of several aggregates.
"""

from __future__ import annotations

from ledger.app_erasure import Erasures
from ledger.app_import import ImportRefused
from ledger.app_redemption import Redemptions

__all__ = ["CardLedger", "ImportRefused"]


class CardLedger(Erasures, Redemptions):
    """Applications and cards, stored as events. The table is ``talentcard_events`` on
    PostgreSQL and ``stored_events`` in the embedded SQLite file."""

    # The store's name (its tables, its tracking key): eventsourcing names an Application
    # by its class unless it says otherwise (the parts are never stored under theirs).
    name = "talentcard"
