"""bench.seed: a small synthetic history has every kind of event, on both stores, and a
store that already holds events is refused unless --force."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench import seed
from services.clock import system_clock
from tests.conftest import runtime_ledger

# Every event a card's life can write (domain/card.py), and the quota and reservation
# events that come with them.
CARD_EVENTS = {
    "Card.Applied",
    "Card.ReviewRecorded",
    "Card.Rejected",
    "Card.Withdrawn",
    "Card.Issued",
    "Card.Upgraded",
    "Card.Extended",
    "Card.Suspended",
    "Card.Reinstated",
    "Card.RevocationProposed",
    "Card.RevocationApproved",
    "Card.RevocationDeclined",
    "Card.Revoked",
}
OTHER_EVENTS = {"HolderReservation.ReservationOpened", "CardQuota.QuotaReserved"}


def stored_mix() -> dict[str, int]:
    with runtime_ledger(clock=system_clock) as ledger:
        return dict(seed.event_mix(ledger, 0))


def stored_events() -> int:
    """Every event stored, the signature records included."""
    with runtime_ledger(clock=system_clock) as ledger:
        return ledger.recorder.max_notification_id() or 0


def test_forty_cards_write_every_kind_of_card_event(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert seed.main(["--cards", "40"]) == 0
    mix = stored_mix()
    assert set(mix) >= CARD_EVENTS | OTHER_EVENTS
    assert mix["Card.Applied"] == 40
    assert "cards 40  events" in capsys.readouterr().out


def test_a_store_that_holds_events_is_refused_without_force(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert seed.main(["--cards", "5"]) == 0
    before = stored_events()
    capsys.readouterr()
    assert seed.main(["--cards", "5"]) == 2
    err = capsys.readouterr().err
    assert f"already holds {before:,} events" in err and len(err.strip().splitlines()) == 1
    assert stored_events() == before


def test_force_adds_a_second_history_to_a_store_that_holds_one(cli_env: Path) -> None:
    assert seed.main(["--cards", "5"]) == 0
    assert seed.main(["--cards", "5", "--force", "--seed", "2"]) == 0
    assert stored_mix()["Card.Applied"] == 10


def test_the_same_seed_writes_the_same_history_with_one_or_two_writers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mixes = []
    for workers in ("1", "2"):
        folder = tmp_path / workers
        monkeypatch.setenv("TALENTCARD_DATABASE_URL", f"sqlite:///{folder / 's.sqlite3'}")
        monkeypatch.setenv("TALENTCARD_DATA_DIR", str(folder))
        assert seed.main(["--cards", "120", "--workers", workers]) == 0
        mixes.append(stored_mix())
    assert mixes[0] == mixes[1]


def test_no_command_is_dated_after_the_real_now(cli_env: Path) -> None:
    now = datetime(2024, 1, 15, 3, 0, tzinfo=UTC)  # a seed run on that day
    outcome, _, _ = seed.run(60, until=now, progress=False)
    assert not outcome.refused
    with runtime_ledger(clock=system_clock) as ledger:
        events = [
            ledger.mapper.to_domain_event(n)
            for n in ledger.recorder.select_notifications(1, 10_000)
        ]
    instants = [e.ctx.effective_at for e in events if hasattr(e, "ctx")]  # QuotaOpened: none
    assert max(instants) <= now
    assert min(instants) >= datetime(2023, 5, 31, 16, 0, tzinfo=UTC)  # 2023-06-01 in Shanghai
