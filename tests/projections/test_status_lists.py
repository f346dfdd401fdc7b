"""status_lists: every issued card's status entry and its status over time, persisted."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import ledger.card_commands as cc
from ledger.app import CardLedger
from projections.engine import ReadModels
from signing.status_list import StatusCode
from tests import factories as f
from tests.conftest import FakeClock
from tests.projections import scenario


def seed(authority: str) -> bytes:
    return f"test-seed-{authority}".encode().ljust(32, b".")


def issue_jinan(ledger: CardLedger) -> UUID:
    card_id, _ = ledger.apply(f.jinan_body("C"))
    ledger.run(cc.ISSUE, card_id, f.issue())
    return card_id


def test_issued_cards_get_distinct_indexes_that_a_rebuild_reproduces(ledger: CardLedger):
    cards = [issue_jinan(ledger) for _ in range(5)]
    models = ReadModels(ledger, seed_for=seed)
    models.catch_up(["status_lists"])
    refs = [models.status_lists.reference(c) for c in cards]
    models.rebuild(["status_lists"])
    assert refs == [models.status_lists.reference(c) for c in cards]
    assert len({r[1].index for r in refs if r}) == 5
    assert {r[0] for r in refs if r} == {"jinan"}


def test_an_application_never_issued_has_no_status_entry(ledger: CardLedger):
    card_id, _ = ledger.apply(f.jinan_body("C"))
    models = ReadModels(ledger, seed_for=seed)
    models.catch_up()
    assert models.status_lists.reference(card_id) is None


def test_a_revocation_appears_only_in_lists_built_after_it(ledger: CardLedger, clock: FakeClock):
    card_id = issue_jinan(ledger)
    issued_at = clock.now
    clock.advance(days=1)
    f.revoke(ledger, card_id)
    models = ReadModels(ledger, seed_for=seed)
    models.catch_up()
    reference = models.status_lists.reference(card_id)
    assert reference is not None
    _, ref = reference
    before = models.status_lists.lists("jinan", issued_at + timedelta(hours=1))[ref.list_id]
    after = models.status_lists.lists("jinan", clock.now)[ref.list_id]
    assert before.get(ref.index) == StatusCode.VALID
    assert after.get(ref.index) == StatusCode.REVOKED


def test_a_revocation_followed_at_once_by_catch_up_is_in_the_lists(ledger: CardLedger):
    card_id = issue_jinan(ledger)
    models = ReadModels(ledger, seed_for=seed)
    models.catch_up()
    f.revoke(ledger, card_id)
    models.catch_up(["status_lists"])
    reference = models.status_lists.reference(card_id)
    assert reference is not None
    lists = models.status_lists.lists("jinan", ledger.clock())
    assert lists[reference[1].list_id].get(reference[1].index) == StatusCode.REVOKED


def test_catching_up_picks_up_only_new_events(ledger: CardLedger):
    models = ReadModels(ledger, seed_for=seed)
    first = issue_jinan(ledger)
    models.catch_up()
    ledger.run(cc.SUSPEND, first, f.status(role="talent_office"))
    second = issue_jinan(ledger)
    models.catch_up()
    reference = models.status_lists.reference(first)
    assert reference is not None
    lists = models.status_lists.lists("jinan", ledger.clock())
    assert lists[reference[1].list_id].get(reference[1].index) == StatusCode.SUSPENDED
    assert models.status_lists.reference(second) is not None


def test_every_list_holds_each_issued_card_s_status_and_nothing_else(
    ledger: CardLedger, clock: FakeClock
):
    r = scenario.build(ledger, clock)
    models = ReadModels(ledger, seed_for=seed)
    models.catch_up()
    assert models.status_lists.reference(r.applied) is None  # never issued: no entry
    expected = {
        r.issued: StatusCode.VALID,
        r.upgraded: StatusCode.VALID,
        r.suspended: StatusCode.SUSPENDED,
        r.revoked: StatusCode.REVOKED,
    }
    flagged = 0
    for card_id, code in expected.items():
        reference = models.status_lists.reference(card_id)
        assert reference is not None
        authority, ref = reference
        assert models.status_lists.lists(authority, clock.now)[ref.list_id].get(ref.index) == code
        flagged += code != StatusCode.VALID
    bits = sum(
        status_list.get(i) != StatusCode.VALID
        for authority in ("shandong", "weihai", "liaocheng", "jinan")
        for status_list in models.status_lists.lists(authority, clock.now).values()
        for i in range(status_list.size)
    )
    assert bits == flagged


def test_an_authority_s_list_exists_from_its_first_issue_on(ledger: CardLedger, clock: FakeClock):
    before = clock.now
    clock.advance(hours=1)
    issue_jinan(ledger)
    models = ReadModels(ledger, seed_for=seed)
    models.catch_up(["status_lists"])
    assert models.status_lists.lists("jinan", before) == {}
    assert list(models.status_lists.lists("jinan", clock.now)) == ["sl-0000"]
    assert models.status_lists.lists("weihai", clock.now) == {}  # no Weihai card issued


def test_a_suspension_shows_in_lists_as_of_its_span_and_not_after_the_reinstatement(
    ledger: CardLedger, clock: FakeClock
):
    card_id = issue_jinan(ledger)
    clock.advance(days=1)
    ledger.run(cc.SUSPEND, card_id, f.status(role="talent_office"))
    during = clock.now
    clock.advance(days=1)
    ledger.run(cc.REINSTATE, card_id, f.status("cleared", role="talent_office"))
    models = ReadModels(ledger, seed_for=seed)
    models.catch_up(["status_lists"])
    reference = models.status_lists.reference(card_id)
    assert reference is not None
    _, ref = reference

    def code_at(instant: datetime) -> StatusCode:
        return models.status_lists.lists("jinan", instant)[ref.list_id].get(ref.index)

    assert code_at(during) == StatusCode.SUSPENDED
    assert code_at(clock.now) == StatusCode.VALID
