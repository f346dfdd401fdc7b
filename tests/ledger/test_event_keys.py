"""The event-signing keys' folder (ledger.event_keys): made private, refused when others
may read it, and rotated as the issuer keys are (issue 23)."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ledger.event_keys import EventKeyError, EventKeys

AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_first_key_is_made_with_its_folder_and_parents_private_to_their_owner(
    tmp_path: Path,
) -> None:
    keys = EventKeys(tmp_path / "data" / "event-keys")
    made = keys.signer_at(AT)
    (record,) = keys.records()
    assert made.kid == record.kid_bytes
    assert mode(tmp_path / "data") == mode(tmp_path / "data" / "event-keys") == 0o700
    assert {mode(p) for p in keys.folder.iterdir() if p.name != ".lock"} == {0o600}


def test_the_same_key_signs_until_the_file_says_otherwise(tmp_path: Path) -> None:
    keys = EventKeys(tmp_path / "event-keys")
    assert keys.signer_at(AT).kid == keys.signer_at(AT + timedelta(days=1)).kid
    assert len(keys.records()) == 1


@pytest.mark.parametrize("loose", ["keys.json", "key file", "folder"])
def test_a_key_file_or_folder_others_may_read_is_refused_naming_it(
    tmp_path: Path, loose: str
) -> None:
    folder = tmp_path / "event-keys"
    EventKeys(folder).signer_at(AT)
    target = {
        "keys.json": folder / "keys.json",
        "key file": next(folder.glob("*.key.pem")),
        "folder": folder,
    }[loose]
    target.chmod(0o755 if target.is_dir() else 0o644)
    with pytest.raises(EventKeyError, match=f"{target.name}.*chmod go-rwx"):
        EventKeys(folder).signer_at(AT)


def test_after_a_rotation_by_another_process_the_new_key_signs_and_the_old_one_stops(
    tmp_path: Path,
) -> None:
    signer = EventKeys(tmp_path / "event-keys")
    old = signer.signer_at(AT)
    made = EventKeys(tmp_path / "event-keys").rotate(AT + timedelta(minutes=1))
    assert signer.signer_at(AT + timedelta(minutes=2)).kid == made.kid_bytes != old.kid
    first, second = signer.records()
    assert first.signs_until == AT + timedelta(minutes=1) and second.signs_until is None
