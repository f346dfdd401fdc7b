"""The ledger stores cards as events on both stores and gives them back unchanged."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.errors import DomainError, InvalidInput
from domain.vocabulary import CardStatus
from ledger.app import CardLedger
from ledger.errors import CardNotFound, ConcurrencyConflict
from ledger.identity import identity_matches
from tests import factories as f
from tests.conftest import FakeClock


def issued(ledger: CardLedger) -> tuple[object, int]:
    card_id, _ = ledger.apply(f.apply_body())
    ledger.record_review(card_id, f.review("city_hrss"))
    version = ledger.record_review(card_id, f.review("talent_office"))
    version = ledger.issue(card_id, f.issue())
    return card_id, version


def test_a_full_lifecycle_is_stored_and_read_back(ledger: CardLedger):
    card_id, _ = issued(ledger)
    ledger.upgrade(card_id, f.upgrade("A"))
    ledger.extend(card_id, f.extend("2032-03-01"))
    version = ledger.revoke(card_id, f.status())
    card = ledger.get_card(card_id)
    assert (card.version, card.tier, card.recorded_status) == (version, "A", CardStatus.REVOKED)
    assert card.term is not None
    assert card.term.valid_until == date(2032, 3, 1)
    assert [type(e).__name__ for e in ledger.history(card_id)] == [
        "Applied",
        "ReviewRecorded",
        "ReviewRecorded",
        "Issued",
        "Upgraded",
        "Extended",
        "Revoked",
    ]


def test_a_card_can_be_read_as_it_was_at_an_earlier_version(ledger: CardLedger):
    card_id, issued_version = issued(ledger)
    ledger.upgrade(card_id, f.upgrade("A"))
    then = ledger.get_card(card_id, version=issued_version)
    assert (then.version, then.tier) == (issued_version, "B")
    assert ledger.get_card(card_id).tier == "A"


def test_events_carry_the_injected_clock_s_time(ledger: CardLedger, clock: FakeClock):
    card_id, _ = ledger.apply(f.apply_body())
    clock.advance(days=3)
    ledger.record_review(card_id, f.review("city_hrss"))
    applied, reviewed = ledger.history(card_id)
    assert (reviewed.ctx.effective_at - applied.ctx.effective_at).days == 3  # type: ignore[attr-defined]
    assert reviewed.ctx.effective_at == clock.now  # type: ignore[attr-defined]


def test_a_refused_command_writes_nothing(ledger: CardLedger):
    card_id, version = issued(ledger)
    with pytest.raises(DomainError) as info:
        ledger.upgrade(card_id, f.upgrade("C"))
    assert info.value.code == "tier_not_higher"
    assert ledger.get_card(card_id).version == version
    assert len(ledger.history(card_id)) == version
    assert ledger.recorder.max_notification_id() == version


def test_a_bad_id_number_is_refused_before_anything_is_written(ledger: CardLedger):
    body = f.apply_body(
        holder={"name": "李雷", "id_number": "110105194912310021", "date_of_birth": "1949-12-31"}
    )
    with pytest.raises(InvalidInput, match="check character"):
        ledger.apply(body)
    assert list(ledger.card_ids()) == []


def test_a_date_of_birth_that_disagrees_with_the_id_number_is_refused(ledger: CardLedger):
    body = f.apply_body(
        holder={"name": "李雷", "id_number": f.RESIDENT_ID, "date_of_birth": "1950-01-01"}
    )
    with pytest.raises(InvalidInput, match="does not match"):
        ledger.apply(body)


def test_the_id_number_is_never_stored_in_clear_but_can_be_matched(ledger: CardLedger, tmp_path):
    card_id, _ = ledger.apply(f.apply_body())
    raw = b"".join(bytes(e.state) for e in ledger.recorder.select_events(card_id))
    assert f.RESIDENT_ID.encode() not in raw
    assert f.RESIDENT_ID[:14].encode() not in raw
    identity = ledger.get_card(card_id).application.holder.identity
    assert identity.last4 == "002X"
    assert identity_matches(ledger._id_pepper, identity, f.RESIDENT_ID.lower())
    assert not identity_matches(ledger._id_pepper, identity, "110105194912310039")


def test_cards_are_listed_in_filing_order(ledger: CardLedger):
    first, _ = ledger.apply(f.apply_body())
    second, _ = ledger.apply(f.apply_body(category="art5.4"))
    ledger.record_review(first, f.review("city_hrss"))
    assert list(ledger.card_ids()) == [first, second]


def test_cards_are_listed_across_pages(ledger: CardLedger):
    ids = [ledger.apply(f.apply_body())[0] for _ in range(5)]
    assert list(ledger.card_ids(page_size=2)) == ids


def test_an_unknown_card_is_reported_as_not_found(ledger: CardLedger):
    missing = uuid4()
    with pytest.raises(CardNotFound, match=str(missing)):
        ledger.issue(missing, f.issue())
    with pytest.raises(CardNotFound):
        ledger.history(missing)


def test_a_command_against_a_stale_version_is_a_conflict(ledger: CardLedger):
    card_id, version = issued(ledger)
    ledger.suspend(card_id, f.status(), expected_version=version)
    with pytest.raises(ConcurrencyConflict, match=f"not {version}"):
        ledger.revoke(card_id, f.status(), expected_version=version)
    assert ledger.get_card(card_id).recorded_status is CardStatus.SUSPENDED


def test_a_new_ledger_on_the_same_store_sees_the_same_cards(
    ledger: CardLedger, database_url: str, tmp_path, clock: FakeClock
):
    from ledger.bootstrap import open_ledger

    card_id, version = issued(ledger)
    with open_ledger(
        database_url=database_url, data_dir=tmp_path, clock=clock, environ={}
    ) as again:
        assert again.get_card(card_id).version == version


def test_the_process_environment_does_not_redirect_the_store(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path, clock: FakeClock
):
    from ledger.bootstrap import open_ledger

    monkeypatch.setenv("PERSISTENCE_MODULE", "eventsourcing.popo")
    monkeypatch.setenv("COMPRESSOR_TOPIC", "zlib")
    with open_ledger(
        database_url=database_url, data_dir=tmp_path, clock=clock, environ={}
    ) as ledger:
        assert ledger.env.get("PERSISTENCE_MODULE") != "eventsourcing.popo"
        assert ledger.mapper.compressor is None
