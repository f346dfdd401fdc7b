"""Attack 7 of issue 8: one person (one ID number) could hold any number of live
applications and cards of the same scheme, and a single ID number filled a whole project
quota. A second application for the same number in the same scheme is now refused with
``already_holds_card`` while the first is live, on both stores, racing or not."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import ledger.card_commands as cc
from domain.errors import DomainError
from ledger.app import CardLedger
from tests import factories as f
from tests.conftest import FakeClock, runtime_ledger
from tests.racing import race

# The same person's number typed on a Chinese keyboard (fullwidth digits, NFKC-equal).
FULLWIDTH_ID = "１１０１０５１９４９１２３１００２Ｘ"


def same_person(**overrides: object) -> dict[str, object]:
    return {**f.holder(), **overrides}


def test_a_second_live_application_for_one_person_in_one_scheme_is_refused(
    ledger: CardLedger,
):
    first, _ = ledger.apply(f.apply_body(holder=same_person()))
    written = ledger.recorder.max_notification_id()
    with pytest.raises(DomainError) as info:
        ledger.apply(f.apply_body(holder=same_person(name="李 雷")))
    assert info.value.code == "already_holds_card"
    assert ledger.recorder.max_notification_id() == written
    assert list(ledger.card_ids()) == [first]


def test_the_refusal_does_not_reveal_the_other_card(ledger: CardLedger):
    first, _ = ledger.apply(f.apply_body(holder=same_person()))
    with pytest.raises(DomainError) as info:
        ledger.apply(f.apply_body(holder=same_person()))
    assert str(first) not in str(info.value)
    assert str(first) not in repr(info.value.__dict__)


def test_one_id_number_can_no_longer_fill_a_project_quota(ledger: CardLedger):
    ledger.apply(f.business_elite_body("P-1", holder=same_person()))
    for _ in range(2):
        with pytest.raises(DomainError) as info:
            ledger.apply(f.business_elite_body("P-1", holder=same_person()))
        assert info.value.code == "already_holds_card"
    quota = ledger.get_quota_by_key("weihai:business_elite:project:P-1")
    assert quota is not None and len(quota.holders) == 1


def test_fullwidth_digits_are_the_same_person(ledger: CardLedger):
    ledger.apply(f.apply_body(holder=same_person()))
    with pytest.raises(DomainError) as info:
        ledger.apply(f.apply_body(holder=same_person(id_number=FULLWIDTH_ID)))
    assert info.value.code == "already_holds_card"


def test_an_issued_card_blocks_a_new_application_until_it_expires(
    ledger: CardLedger, clock: FakeClock
):
    first, _ = ledger.apply(f.jinan_body("C", holder=same_person()))
    ledger.run(cc.ISSUE, first, f.issue())
    valid_until = ledger.get_card(first).term
    assert valid_until is not None and valid_until.valid_until is not None
    with pytest.raises(DomainError) as info:
        ledger.apply(f.jinan_body("C", holder=same_person()))
    assert info.value.code == "already_holds_card"
    # Expiry writes no event: on the day after valid_until the card no longer counts.
    days = (valid_until.valid_until - date(2026, 3, 2)).days + 1
    clock.advance(days=days)
    second, _ = ledger.apply(f.jinan_body("C", holder=same_person()))
    assert second != first


THREADS = 6


def test_racing_applications_for_one_person_end_with_exactly_one_card(
    database_url: str, tmp_path: Path
):
    ledger = runtime_ledger(
        database_url=database_url, data_dir=tmp_path, clock=FakeClock(), environ={}
    )
    # Every thread loads the (not yet existing) reservation before any of them saves, so
    # all but one lose the race at the store and are decided again on fresh state.
    loaded = threading.Barrier(THREADS, timeout=20)
    first_attempt = threading.local()
    claim = ledger._claim_reservation

    def claim_then_wait(*args: Any) -> Any:
        reservation = claim(*args)
        if not getattr(first_attempt, "done", False):
            first_attempt.done = True
            loaded.wait()
        return reservation

    try:
        ledger.apply(f.apply_body())  # someone else's card, filed first
        ledger._claim_reservation = claim_then_wait  # type: ignore[method-assign]
        outcomes = race(
            THREADS, lambda _: ledger.apply(f.apply_body(holder=same_person())), won="filed"
        )
        assert outcomes == Counter({"filed": 1, "already_holds_card": THREADS - 1})
        assert len(list(ledger.card_ids())) == 2  # someone else's and this person's one
    finally:
        ledger.close()
