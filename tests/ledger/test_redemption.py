"""Recorded use on the store: a use is the next version of its card, item and person's own
record (``BenefitUse``), never the card's; two venues racing for the last use let exactly
one in; a gym visit and a clerk's change to the card never conflict."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest

import ledger.card_commands as cc
from domain.clock import SHANGHAI
from domain.errors import DomainError
from ledger.app import CardLedger
from tests import factories as f
from tests.conftest import FakeClock, runtime_ledger
from tests.racing import RendezvousClock, race

PARENT = {"relation": "parent", "name": "李父", "date_of_birth": "1950-01-01"}


def refused(ledger: CardLedger, card_id: UUID, body: object) -> DomainError:
    written = ledger.recorder.max_notification_id()
    with pytest.raises(DomainError) as info:
        ledger.redeem(card_id, body)  # type: ignore[arg-type]
    assert ledger.recorder.max_notification_id() == written  # a refusal writes nothing
    return info.value


def test_a_recorded_use_is_saved_apart_and_leaves_the_card_as_it_was(ledger: CardLedger):
    card_id = f.liaocheng_card(ledger)
    version = ledger.get_card(card_id).version
    counter, use = ledger.redeem(card_id, f.redeem(quantity=2))
    assert ledger.get_card(card_id).version == version
    stored = ledger.get_benefit_use(counter.id)
    assert stored is not None and stored.standing() == [use]
    assert [type(e).__name__ for e in ledger.events.get(counter.id)] == [
        "BenefitUseOpened",
        "BenefitRedeemed",
    ]


def test_the_twelfth_film_is_recorded_and_the_thirteenth_refused(ledger: CardLedger):
    card_id = f.liaocheng_card(ledger)
    ledger.redeem(card_id, f.redeem(quantity=11))
    _, twelfth = ledger.redeem(card_id, f.redeem())
    assert twelfth.counted_before.uses_this_year == 11
    error = refused(ledger, card_id, f.redeem())
    assert (error.code, error.rule) == ("limit_reached", "liaocheng.limit.films")


def test_a_use_recorded_offline_counts_in_the_shanghai_year_it_took_place(
    ledger: CardLedger, clock: FakeClock
):
    card_id = f.liaocheng_card(ledger)
    clock.now = datetime(2028, 1, 2, 1, tzinfo=UTC)
    late_2027 = datetime(2027, 12, 31, 23, 59, tzinfo=SHANGHAI)
    ledger.redeem(card_id, f.redeem(quantity=12, effective_at=late_2027.isoformat()))
    error = refused(ledger, card_id, f.redeem(effective_at=late_2027.isoformat()))
    assert error.code == "limit_reached"
    new_year = datetime(2028, 1, 1, tzinfo=SHANGHAI)  # 2027-12-31 16:00 UTC
    _, use = ledger.redeem(card_id, f.redeem(effective_at=new_year.isoformat()))
    assert (use.used_on.year, use.counted_before.uses_this_year) == (2028, 0)


def test_a_use_is_decided_on_the_card_as_it_stood_when_the_use_took_place(
    ledger: CardLedger, clock: FakeClock
):
    card_id = f.liaocheng_card(ledger)
    before = clock.now
    clock.advance(days=10)
    f.revoke(ledger, card_id)
    clock.advance(days=1)
    # seen at the counter offline before the revocation, recorded after it
    ledger.redeem(card_id, f.redeem(effective_at=before.isoformat()))
    error = refused(ledger, card_id, f.redeem())
    assert error.code == "not_granted"
    assert "revoked" in error.message


def test_a_weihai_gym_records_a_huicai_card_by_stacking_and_refuses_a_liaocheng_card(
    ledger: CardLedger,
):
    huicai, _ = ledger.apply(f.shandong_body(actor="sun.talent", role="applicant"))
    f.approve_all(ledger, huicai)
    ledger.run(cc.ISSUE, huicai, f.issue(actor="qian.window", role="provincial_window"))
    gym = f.redeem("weihai.18", venue="威海市体育中心", city="weihai")
    record, use = ledger.redeem(huicai, gym)
    assert record.scope.scheme == "shandong" and "shandong.stacking" in use.rules
    error = refused(ledger, f.liaocheng_card(ledger), gym)
    assert error.code == "not_granted"


def test_a_monthly_subsidy_is_counted_per_parent_named_by_the_card(ledger: CardLedger):
    card_id = f.liaocheng_card(ledger, family=(PARENT,))
    pay = f.redeem(
        "liaocheng.22",
        actor="sun.pay",
        role="paying_office",
        venue="聊城市民政局",
        beneficiary="parent",
        in_city_care_home=True,
    )
    counter, use = ledger.redeem(card_id, pay)
    assert (use.family_member, use.months) == (1, ("2026-03",))
    assert counter.scope.family_member == 1
    assert refused(ledger, card_id, pay).code == "month_already_paid"


def test_a_reversal_restores_the_balance_and_a_second_is_refused(ledger: CardLedger):
    card_id = f.liaocheng_card(ledger)
    counter, use = ledger.redeem(card_id, f.redeem(quantity=12))
    ledger.reverse_redemption(counter.id, card_id, f.reverse_redemption(use.redemption_id))
    ledger.redeem(card_id, f.redeem(quantity=12))
    with pytest.raises(DomainError) as info:
        ledger.reverse_redemption(counter.id, card_id, f.reverse_redemption(use.redemption_id))
    assert info.value.code == "already_reversed"


def test_a_use_is_not_reversed_through_another_card(ledger: CardLedger):
    card_id, other = f.liaocheng_card(ledger), f.liaocheng_card(ledger)
    counter, use = ledger.redeem(card_id, f.redeem())
    with pytest.raises(DomainError) as info:
        ledger.reverse_redemption(counter.id, other, f.reverse_redemption(use.redemption_id))
    assert info.value.code == "unknown_redemption"


def test_a_venue_may_not_back_date_a_reversal(ledger: CardLedger, clock: FakeClock):
    card_id = f.liaocheng_card(ledger)
    counter, use = ledger.redeem(card_id, f.redeem())
    earlier = clock.now.isoformat()
    clock.advance(hours=1)
    body = f.reverse_redemption(use.redemption_id, effective_at=earlier)
    with pytest.raises(DomainError) as info:
        ledger.reverse_redemption(counter.id, card_id, body)
    assert info.value.code == "backdating_not_allowed"


def test_a_gym_visit_and_a_clerk_s_change_to_the_card_at_once_both_succeed(
    database_url: str, tmp_path: Path
):
    clock = RendezvousClock(2)
    ledger = runtime_ledger(database_url=database_url, data_dir=tmp_path, clock=clock, environ={})
    try:
        card_id = f.liaocheng_card(ledger)
        version = ledger.get_card(card_id).version
        clock.armed = True  # both load what they change, then both save

        def act(i: int) -> None:
            if i:
                ledger.run(cc.SUSPEND, card_id, f.status("under investigation"))
            else:
                ledger.redeem(
                    card_id, f.redeem("liaocheng.20", venue="聊城市体育馆", holder_present=True)
                )

        outcomes = race(2, act)
        clock.armed = False
        assert outcomes == Counter({"won": 2})
        assert ledger.get_card(card_id).version == version + 1
    finally:
        ledger.close()


# One venue's process: it opens the store, loads the person's record of the item, waits
# until every venue has loaded it (the ledger reads the clock between loading and saving),
# then records one film. It prints "won" or the refusal's code.
VENUE = """
import sys, time
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID
from domain.errors import DomainError
from services.bootstrap import Registry
from tests import factories as f

url, data_dir, barrier, card_id, name, parties = sys.argv[1:]


class Rendezvous:
    armed = False

    def __call__(self):
        if self.armed:
            self.armed = False
            Path(barrier, name).touch()
            give_up = time.monotonic() + 30
            while len(list(Path(barrier).iterdir())) < int(parties):
                if time.monotonic() > give_up:
                    raise SystemExit("the other venue never came")
                time.sleep(0.005)
        return datetime(2026, 3, 2, 2, tzinfo=UTC)


clock = Rendezvous()
ledger = Registry(
    {"TALENTCARD_DATABASE_URL": url, "TALENTCARD_DATA_DIR": data_dir}, clock=clock
).ledger
clock.armed = True
try:
    ledger.redeem(UUID(card_id), f.redeem(venue=name))
    print("won")
except DomainError as e:
    print(e.code)
finally:
    ledger.close()
"""


def test_two_venues_racing_for_the_last_film_in_separate_processes_let_exactly_one_win(
    ledger: CardLedger, database_url: str, tmp_path: Path
):
    card_id = f.liaocheng_card(ledger)
    counter, _ = ledger.redeem(card_id, f.redeem(quantity=11))
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    argv = [sys.executable, "-c", VENUE, database_url, str(tmp_path), str(barrier), str(card_id)]
    venues = [
        subprocess.Popen(
            [*argv, name, "2"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("东昌影城", "光岳影城")
    ]
    outcomes: Counter[str] = Counter()
    for venue in venues:
        out, err = venue.communicate(timeout=120)
        assert venue.returncode == 0, err[-2000:]
        outcomes[out.strip()] += 1
    assert outcomes == Counter({"won": 1, "limit_reached": 1})
    record = ledger.get_benefit_use(counter.id)
    assert record is not None and record.usage_on(record.standing()[0].used_on).uses_in_all == 12


def _care_home_pay(quantity: int) -> object:
    return f.redeem(
        "liaocheng.22",
        actor="sun.pay",
        role="paying_office",
        venue="聊城市民政局",
        beneficiary="parent",
        in_city_care_home=True,
        quantity=quantity,
    )


# Turns 60 on 2026-06-15: arrears paid in December reach back before June.
TURNS_60_IN_JUNE = {"relation": "parent", "name": "李母", "date_of_birth": "1966-06-15"}


def test_liaocheng_art_22_counts_months_only_from_the_month_the_parent_turns_60(
    ledger: CardLedger, clock: FakeClock
):
    card_id = f.liaocheng_card(ledger, family=(TURNS_60_IN_JUNE,))
    clock.now = datetime(2026, 12, 8, 2, tzinfo=UTC)
    error = refused(ledger, card_id, _care_home_pay(9))  # 2026-04 .. 2026-12
    assert error.code == "month_before_age"
    assert error.rule == "liaocheng.limit.elderly_care.from_age_60"
    assert error.message.startswith("2 of the 9 months asked for come before the parent is 60")
    assert "2026-06" not in error.message  # her birth month is not told to the paying office
    _, use = ledger.redeem(card_id, _care_home_pay(7))  # from June, her 60th birthday's month
    assert use.months[0] == "2026-06" and len(use.months) == 7


def test_liaocheng_art_22_before_2026_12_07_the_age_was_checked_on_the_day_of_payment_only(
    ledger: CardLedger, clock: FakeClock
):
    card_id = f.liaocheng_card(ledger, family=(TURNS_60_IN_JUNE,))
    clock.now = datetime(2026, 12, 4, 2, tzinfo=UTC)
    _, use = ledger.redeem(card_id, _care_home_pay(9))
    assert use.months[0] == "2026-04"  # the old reading, kept for replay
