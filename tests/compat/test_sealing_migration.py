"""``talentcard ledger seal-personal-data`` on a store written before personal data was
sealed (the compatibility fixture, written at 984c53b): afterwards no holder is readable
from the database, every card reads back the same people, every leaf is the one the
committed checkpoint signed, and the migration is recorded in the log."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.audit.verify import verify_export
from tests.compat.layout import FIXTURE, SQLITE_FILE, TRUST
from tests.compat.test_fixture_store import (
    AUDITOR,
    Store,
    copied_store,
    notifications,
    stored_topics,
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh copy of each store of the first fixture (written before sealing)."""
    yield from copied_store(request, tmp_path, FIXTURE, request.param)


def holders(store: Store) -> dict[str, tuple[str, str, list[str]]]:
    with store.registry() as registry:
        ledger = registry.ledger
        found = {}
        for n in notifications(registry):
            if n.topic.endswith("Card.Applied"):
                card = ledger.get_card(n.originator_id)
                holder = card.application.holder
                found[str(n.originator_id)] = (
                    holder.name,
                    holder.identity.last4,
                    [m.name for m in holder.family],
                )
        return found


def test_sealing_a_legacy_store_keeps_every_person_and_every_leaf(
    store: Store, tmp_path: Path
) -> None:
    before = holders(store)
    with store.registry() as registry:
        leaves = registry.transparency.hashed_leaves()
        topics = stored_topics(registry)
    with store.owner_registry() as owner:
        sealed = owner.seal_personal_data()
        again = owner.seal_personal_data()
    assert sealed == topics["domain.card:Card.Applied"] > 0
    assert again == 0
    assert holders(store) == before
    with store.registry() as registry:
        assert registry.transparency.hashed_leaves()[: len(leaves)] == leaves
        after = stored_topics(registry)
        assert (after - topics)["domain.migration:PersonalDataSealing.Sealed"] == 1
        page = registry.cards.list_cards(AUDITOR, limit=500)
        names = {r.card_id: r.holder_name for r in page.rows}
        assert names == {card: name for card, (name, _, _) in before.items()}
        export = tmp_path / "audit.jsonl"
        with export.open("wb") as stream:
            registry.audit_export.export(AUDITOR, stream, redacted=False)
    report = verify_export(
        export,
        saved_checkpoint=store.data_dir / store.expected["checkpoint"]["file"],
        trust_source=store.data_dir / TRUST,
        workers=1,
    )
    assert report.ok, report.findings
    if store.kind == "sqlite":
        text = (store.data_dir / SQLITE_FILE).read_bytes()
        for name, _, family in before.values():
            for value in (name, *family):
                assert value.encode() not in text, f"{value} still readable in the store"
