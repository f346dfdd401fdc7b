"""Attacks on the issuer keys (issue 8, bullet 4): `keys rotate` and `keys retire` went
ahead with a wrong passphrase, a one-character passphrase was accepted, and keys.json and
the keys folder were readable by every user. Every refusal here exits 2 with one line and
leaves the keys folder byte for byte as it was."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from api.cli import main
from signing.keys import Keystore, KeystoreError, unwrap_key, wrap_key

PASSPHRASE = "correct horse battery staple"
WRONG = "incorrect horse battery staple"


@pytest.fixture
def keys_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("TALENTCARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TALENTCARD_KEYS_DIR", str(tmp_path / "data" / "keys"))
    monkeypatch.setenv("TALENTCARD_KEY_PASSPHRASE", PASSPHRASE)
    return tmp_path / "data" / "keys"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file and folder under ``folder`` with its mode and bytes."""
    found = {".": (folder.stat().st_mode, b"")}
    for path in sorted(folder.rglob("*")):
        data = path.read_bytes() if path.is_file() else b""
        found[str(path.relative_to(folder))] = (path.stat().st_mode, data)
    return found


def refused_cleanly(code: int, err: str) -> None:
    assert code == 2
    assert err.count("\n") == 1, err
    assert "Traceback" not in err


def with_passphrase(monkeypatch: pytest.MonkeyPatch, passphrase: str) -> None:
    monkeypatch.setenv("TALENTCARD_KEY_PASSPHRASE", passphrase)


def test_rotate_with_a_wrong_passphrase_is_refused_and_changes_nothing(
    keys_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    assert run(capsys, "keys", "init")[0] == 0
    before = snapshot(keys_dir)
    with_passphrase(monkeypatch, WRONG)
    code, _, err = run(capsys, "keys", "rotate", "weihai")
    refused_cleanly(code, err)
    assert "passphrase" in err
    assert snapshot(keys_dir) == before


def test_retire_with_a_wrong_passphrase_is_refused_and_changes_nothing(
    keys_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    assert run(capsys, "keys", "init")[0] == 0
    kid = json.loads((keys_dir / "keys.json").read_bytes())[1]["kid"]
    before = snapshot(keys_dir)
    with_passphrase(monkeypatch, WRONG)
    code, _, err = run(capsys, "keys", "retire", kid)
    refused_cleanly(code, err)
    assert snapshot(keys_dir) == before


def test_init_with_a_wrong_passphrase_when_keys_exist_makes_no_key(
    keys_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    assert run(capsys, "keys", "init")[0] == 0
    kid = json.loads((keys_dir / "keys.json").read_bytes())[1]["kid"]
    assert run(capsys, "keys", "retire", kid)[0] == 0  # so init has a key to make
    before = snapshot(keys_dir)
    with_passphrase(monkeypatch, WRONG)
    code, _, err = run(capsys, "keys", "init")
    refused_cleanly(code, err)
    assert snapshot(keys_dir) == before


@pytest.mark.parametrize("passphrase", ["x", "eleven char"])
def test_a_passphrase_shorter_than_twelve_characters_makes_no_keys(
    keys_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    passphrase: str,
):
    with_passphrase(monkeypatch, passphrase)
    code, _, err = run(capsys, "keys", "init")
    refused_cleanly(code, err)
    assert "12 characters" in err
    assert not keys_dir.exists()


def _reencrypt(folder: Path, old: bytes, new: bytes) -> None:
    """What an older release allowed: the same keys under a short passphrase."""
    paths = list(folder.glob("*.key.json"))
    assert paths
    for path in paths:
        kid = path.name.removesuffix(".key.json")
        key, cost = unwrap_key(path.read_bytes(), kid, old)
        path.write_bytes(wrap_key(key, kid, new, cost))


def test_keys_under_a_short_passphrase_are_not_used_to_sign(
    keys_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    assert run(capsys, "keys", "init")[0] == 0
    _reencrypt(keys_dir, PASSPHRASE.encode(), b"short")
    keys = Keystore(keys_dir, b"short")
    with pytest.raises(KeystoreError, match="12 characters"):
        keys.signing_key("weihai", datetime.now(UTC))
    before = snapshot(keys_dir)
    with_passphrase(monkeypatch, "short")
    code, _, err = run(capsys, "keys", "rotate", "weihai")
    refused_cleanly(code, err)
    assert snapshot(keys_dir) == before


def test_the_keys_folder_and_keys_json_are_readable_by_their_owner_only(
    keys_dir: Path, capsys: pytest.CaptureFixture[str]
):
    assert run(capsys, "keys", "init")[0] == 0
    assert stat.S_IMODE(keys_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((keys_dir / "keys.json").stat().st_mode) == 0o600
    assert not (keys_dir / "keys.json.tmp").exists()
    assert stat.S_IMODE(keys_dir.parent.stat().st_mode) == 0o700  # the data folder it made


def test_a_keys_json_others_may_read_is_refused_naming_the_chmod_that_fixes_it(
    keys_dir: Path, capsys: pytest.CaptureFixture[str]
):
    # Tightened silently before (issue 23, finding 7): whoever loosened it may have read
    # it; the operator decides, and one chmod makes the keys usable again.
    assert run(capsys, "keys", "init")[0] == 0
    (keys_dir / "keys.json").chmod(0o644)  # loosened by hand, or by an older release
    before = snapshot(keys_dir)
    code, _, err = run(capsys, "keys", "rotate", "jinan")
    refused_cleanly(code, err)
    assert f"{keys_dir / 'keys.json'} is mode 0644" in err
    assert f"chmod 600 {keys_dir / 'keys.json'}" in err
    assert snapshot(keys_dir) == before
    (keys_dir / "keys.json").chmod(0o600)
    assert run(capsys, "keys", "rotate", "jinan")[0] == 0


def test_a_keys_folder_that_others_may_read_is_tightened_when_keys_change(
    keys_dir: Path, capsys: pytest.CaptureFixture[str]
):
    keys_dir.mkdir(parents=True, mode=0o755)
    keys_dir.chmod(0o755)
    assert run(capsys, "keys", "init")[0] == 0
    assert stat.S_IMODE(keys_dir.stat().st_mode) == 0o700


def test_a_passphrase_that_is_not_utf8_makes_and_uses_keys_without_a_traceback(
    keys_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    with_passphrase(monkeypatch, "\udcff" * 12)  # twelve bytes 0xff, as the OS passed them
    assert run(capsys, "keys", "init")[0] == 0
    assert run(capsys, "keys", "rotate", "weihai")[0] == 0
