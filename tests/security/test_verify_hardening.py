"""Attacks on the offline verifier (issue 8, bullets 8 and 9): a venue's clock-skew
setting that was accepted and ignored, and one broken status-list file that made every
card of every authority fail. Driven through the command line a venue runs."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from api.cli import main
from domain.vocabulary import Scheme
from tests.signing.support import T0, World, uri

JINAN_LIST = "status/jinan/sl-0000.cwt"


def verify_cli(
    capsys: pytest.CaptureFixture[str], token: str, bundle: Path, at: datetime, *options: str
) -> tuple[int, dict[str, object] | None, str]:
    code = main(
        ["verify", token, "--bundle", str(bundle), "--at", at.isoformat(), "--json", *options]
    )
    out, err = capsys.readouterr()
    return code, json.loads(out) if out else None, err


def test_a_venue_s_skew_allowance_keeps_a_status_list_usable_that_long(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    world = World()
    bundle = world.write_bundle(tmp_path, ttl=3600)
    at = T0 + timedelta(seconds=3600 + 500)
    code, result, _ = verify_cli(capsys, world.token(), bundle, at, "--skew-seconds", "600")
    assert (code, result and result["reason"]) == (0, "ok")


def test_a_venue_that_allows_no_skew_gets_none_at_the_card_s_first_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    world = World()
    bundle = world.write_bundle(tmp_path)
    token = world.token(world.claims(valid_from=date(2026, 3, 3)))
    first_second = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # 00:00 in Shanghai
    at = first_second - timedelta(seconds=60)
    code, result, _ = verify_cli(capsys, token, bundle, at, "--skew-seconds", "0")
    assert (code, result and result["reason"]) == (1, "not_yet_valid")


@pytest.mark.parametrize("skew", ["-1", "3601", "nan", "inf"])
def test_a_skew_allowance_outside_zero_to_an_hour_is_malformed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], skew: str
):
    world = World()
    bundle = world.write_bundle(tmp_path)
    code, result, err = verify_cli(capsys, world.token(), bundle, T0, "--skew-seconds", skew)
    assert (code, result) == (2, None)
    assert "--skew-seconds" in err
    assert "Traceback" not in err


def _signed_by_liaocheng(world: World) -> bytes:
    forged = World()
    forged.keys["liaocheng"] = world.keys["liaocheng"]
    forged.keys["jinan"] = world.keys["liaocheng"]  # jinan's list, liaocheng's key
    return forged.bundle_files()[JINAN_LIST]


def _flip_last_byte(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1])  # the last byte of the Ed25519 signature


@pytest.mark.parametrize("damage", ["garbage", "empty", "unreadable", "foreign_key", "forged"])
def test_one_authority_s_broken_status_list_spares_every_other_authority_s_cards(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str
):
    world = World()
    bundle = world.write_bundle(tmp_path)
    path = bundle / JINAN_LIST
    if damage == "garbage":
        path.write_bytes(b"\xd2\x84garbage")
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "unreadable":  # root reads any file: a folder in its place cannot be read
        path.unlink()
        path.mkdir()
    elif damage == "foreign_key":
        path.write_bytes(_signed_by_liaocheng(world))
    else:
        path.write_bytes(_flip_last_byte(path.read_bytes()))
    code, result, err = verify_cli(capsys, world.token(), bundle, T0)
    assert (code, result and result["reason"]) == (0, "ok"), err
    jinan_card = world.token(world.claims(Scheme.JINAN, tier="A"))
    code, result, err = verify_cli(capsys, jinan_card, bundle, T0)
    assert code == 1, err
    assert result is not None
    assert result["reason"] == "status_list_unavailable"
    assert JINAN_LIST in str(result["detail"])


def test_a_card_whose_status_list_is_missing_is_unavailable_never_ok(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    world = World()
    bundle = world.write_bundle(tmp_path)
    (bundle / JINAN_LIST).unlink()
    jinan_card = world.token(world.claims(Scheme.JINAN, tier="A"))
    code, result, _ = verify_cli(capsys, jinan_card, bundle, T0)
    assert (code, result and result["reason"]) == (1, "status_list_unavailable")
    assert uri("jinan") in str(result and result["detail"])
