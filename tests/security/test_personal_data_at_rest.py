"""PIPL art. 51: a copy of the database alone yields no holder. Names, dates of birth, the
last ID characters and family members are sealed per person in the events and encrypted in
the read models; reading through the registry still gives them back."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from uuid import UUID

import psycopg
import pytest

from domain.values import Holder
from ledger.app import CardLedger
from ledger.person_keys import keys_table
from projections.engine import ReadModels
from tests import factories as f

FAMILY = (
    {"relation": "spouse", "name": "欧阳娜娜", "date_of_birth": "1981-07-19"},
    {"relation": "child", "name": "欧阳小明", "date_of_birth": "2016-02-29"},
)


def planted(holder: Holder) -> dict[str, str]:
    values = {
        "holder name": holder.name,
        "holder date of birth": holder.date_of_birth.isoformat(),
        "last ID characters": holder.identity.last4,
    }
    for i, member in enumerate(FAMILY):
        values[f"family[{i}] name"] = member["name"]
        values[f"family[{i}] date of birth"] = member["date_of_birth"]
    return values


def database_text(ledger: CardLedger, tmp_path: Path) -> str:
    """Everything the store holds, as a database reader or a dump would see it."""
    datastore = ledger.recorder.datastore  # type: ignore[attr-defined]
    if hasattr(datastore, "schema"):
        conninfo = datastore.pool.conninfo
        out = []
        with psycopg.connect(conninfo) as conn:
            tables = conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (datastore.schema,),
            ).fetchall()
            for (table,) in tables:
                rows = conn.execute(
                    psycopg.sql.SQL("SELECT * FROM {}").format(
                        psycopg.sql.Identifier(datastore.schema, table)
                    )
                ).fetchall()
                for row in rows:
                    for value in row:
                        raw = bytes(value) if isinstance(value, bytes | memoryview) else None
                        out.append(raw.decode("utf-8", "replace") if raw else str(value))
        return "\n".join(out)
    files = sorted(tmp_path.rglob("*.sqlite3*"))
    assert files, "the embedded store's file is where the test put it"
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in files)


@pytest.fixture
def filed(ledger: CardLedger) -> list[UUID]:
    """Two issued cards, the first with a family, and their read models brought up to date."""
    cards = [f.liaocheng_card(ledger, FAMILY), f.liaocheng_card(ledger)]
    ReadModels(ledger).catch_up()
    return cards


def test_no_planted_personal_value_is_in_the_database(
    ledger: CardLedger, filed: list[UUID], tmp_path: Path
):
    text = database_text(ledger, tmp_path)
    for card_id in filed:
        holder = ledger.get_card(card_id).application.holder
        found = [label for label, value in planted(holder).items() if value in text]
        if card_id != filed[0]:
            found = [label for label in found if not label.startswith("family")]
        assert found == [], f"card {card_id}: {found} readable in the database"


def test_the_registry_still_reads_every_person_back(ledger: CardLedger, filed: list[UUID]):
    holder = ledger.get_card(filed[0]).application.holder
    assert [(m.name, m.date_of_birth.isoformat()) for m in holder.family] == [
        (m["name"], m["date_of_birth"]) for m in FAMILY
    ]
    assert holder.name and not holder.erased


def test_each_person_of_a_filing_has_their_own_data_key(ledger: CardLedger, filed: list[UUID]):
    found = ledger.person_keys.of_cards(filed)
    assert sorted(pos for card, pos in found if card == filed[0]) == [0, 1, 2]
    assert sorted(pos for card, pos in found if card == filed[1]) == [0]
    assert len({key for _, key in found.values()}) == 4


def test_the_data_keys_are_stored_wrapped(ledger: CardLedger, filed: list[UUID], tmp_path: Path):
    text = database_text(ledger, tmp_path)
    for _, key in ledger.person_keys.of_cards(filed).values():
        assert key.hex() not in text
    if not hasattr(ledger.recorder.datastore, "schema"):  # type: ignore[attr-defined]
        files = sorted(tmp_path.rglob("*.sqlite3"))
        with sqlite3.connect(files[0]) as db:
            table = keys_table(ledger.recorder.events_table_name)  # type: ignore[attr-defined]
            (count,) = db.execute(f"SELECT count(*) FROM {table}").fetchone()
        assert count == 4
