"""Migrations of the stored history that its owner runs once, recorded as events so that
the log says when the stored form changed and who changed it (迁移记录)."""

from __future__ import annotations

from datetime import datetime

from eventsourcing.domain import Aggregate, event


class PersonalDataSealing(Aggregate):
    """The owner sealed the personal data a store held in plaintext (PIPL art. 51): its
    events now hold each person's data sealed under their own key; their leaves, and so
    every checkpoint, are unchanged."""

    class Sealed(Aggregate.Created):
        actor: str  # the store owner's account that ran it
        recorded_at: datetime
        events: int  # how many stored events were sealed in place

    @event(Sealed)
    def __init__(self, actor: str, recorded_at: datetime, events: int) -> None:
        self.actor = actor
        self.recorded_at = recorded_at
        self.events = events
