"""The status projection rebuilds every card's status entry from the event log."""

from __future__ import annotations

from datetime import timedelta

from ledger.app import CardLedger
from projections.status import StatusProjection
from signing.status_list import StatusCode
from tests import factories as f
from tests.conftest import FakeClock


def seed(authority: str) -> bytes:
    return f"test-seed-{authority}".encode().ljust(32, b".")


def issue_jinan(ledger: CardLedger) -> object:
    card_id, _ = ledger.apply(f.jinan_body("C"))
    ledger.issue(card_id, f.issue())
    return card_id


def test_issued_cards_get_distinct_indexes_that_a_rebuild_reproduces(ledger: CardLedger):
    cards = [issue_jinan(ledger) for _ in range(5)]
    first = StatusProjection(seed)
    first.follow(ledger)
    again = StatusProjection(seed)
    again.follow(ledger)
    refs = [first.reference(c) for c in cards]
    assert refs == [again.reference(c) for c in cards]
    assert len({r[1].index for r in refs if r}) == 5
    assert {r[0] for r in refs if r} == {"sl:jinan:sl-0000"}


def test_an_application_never_issued_has_no_status_entry(ledger: CardLedger):
    card_id, _ = ledger.apply(f.jinan_body("C"))
    projection = StatusProjection(seed)
    projection.follow(ledger)
    assert projection.reference(card_id) is None


def test_a_revocation_appears_only_in_lists_built_after_it(ledger: CardLedger, clock: FakeClock):
    card_id = issue_jinan(ledger)
    issued_at = clock.now
    clock.advance(days=1)
    f.revoke(ledger, card_id, ("city_hrss", "talent_office"))
    projection = StatusProjection(seed)
    projection.follow(ledger)
    reference = projection.reference(card_id)
    assert reference is not None
    uri, ref = reference
    before = projection.lists("jinan", issued_at + timedelta(hours=1))[uri]
    after = projection.lists("jinan", clock.now)[uri]
    assert before.get(ref.index) == StatusCode.VALID
    assert after.get(ref.index) == StatusCode.REVOKED


def test_following_picks_up_only_new_events(ledger: CardLedger):
    projection = StatusProjection(seed)
    first = issue_jinan(ledger)
    projection.follow(ledger)
    ledger.suspend(first, f.status(role="talent_office"))
    second = issue_jinan(ledger)
    projection.follow(ledger)
    reference = projection.reference(first)
    assert reference is not None
    assert (
        projection.lists("jinan", ledger.clock())[reference[0]].get(reference[1].index)
        == StatusCode.SUSPENDED
    )
    assert projection.reference(second) is not None
