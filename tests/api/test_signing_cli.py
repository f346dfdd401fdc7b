"""Keys, credentials, bundles and offline verification through the command line: the
issue's "done when" as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from signing.keys import KeyFile
from tests import factories as f
from tests.api.cli_support import issued_jinan_card, ok, run
from tests.conftest import CliKeys
from tests.signing.support import World


def revoke(capsys: pytest.CaptureFixture[str], key: CliKeys, card_id: str) -> None:
    """A Jinan card revoked as its rules require: proposed, then approved at each step,
    each by a user of its own."""
    ok(
        capsys,
        f"card revoke propose {card_id} {key('employer', 'jinan', name='wang')} --reason 违规"
        " --ground misconduct",
    )
    ok(capsys, f"card revoke approve {card_id} {key('city_window', 'jinan', name='qin')}")
    ok(capsys, f"card revoke approve {card_id} {key('city_hrss', 'jinan', name='liu')}")
    ok(capsys, f"card revoke approve {card_id} {key('talent_office', 'jinan', name='zhao')}")


def test_an_issued_card_verifies_offline_and_is_refused_after_revocation_once_refreshed(
    env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    ok(capsys, "keys init")
    card_id = issued_jinan_card(capsys, key)
    token = ok(capsys, f"card credential {card_id}").strip()
    assert token.startswith("TC1:")
    (env / "token.txt").write_text(token)
    ok(capsys, f"bundle {env / 'b1'}")
    assert "VALID: ok" in ok(capsys, f"verify {env / 'token.txt'} --bundle {env / 'b1'}")
    revoke(capsys, key, card_id)
    # The venue's old bundle predates the revocation: still valid there.
    assert run(capsys, f"verify --bundle {env / 'b1'}", token)[0] == 0
    ok(capsys, f"bundle {env / 'b2'}")
    code, out, _ = run(capsys, f"verify --bundle {env / 'b2'} --json", token)
    assert code == 1
    assert json.loads(out)["reason"] == "revoked"


def test_a_credential_comes_as_json_claims_and_as_png_and_svg_qr_codes(
    env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    ok(capsys, "keys init")
    card_id = issued_jinan_card(capsys, key)
    out = ok(
        capsys, f"card credential {card_id} --json --png {env / 'c.png'} --svg {env / 'c.svg'}"
    )
    info = json.loads(out)
    assert info["claims"]["card_id"] == card_id
    assert info["claims"]["tier"] == "C"
    assert info["cbor_bytes"] < 250  # a card without family, at the default base URL
    assert f.RESIDENT_ID not in out
    assert (env / "c.png").read_bytes().startswith(b"\x89PNG")
    assert "<svg" in (env / "c.svg").read_text()


def test_a_service_check_at_a_venue_names_the_rule(
    env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    ok(capsys, "keys init")
    token = ok(capsys, f"card credential {issued_jinan_card(capsys, key)}").strip()
    ok(capsys, f"bundle {env / 'b'}")
    out = ok(capsys, f"verify --bundle {env / 'b'} --service jinan.8", token)
    assert "rule: jinan." in out
    code, out, _ = run(
        capsys,
        f"verify --bundle {env / 'b'} --service jinan.20.fitness --beneficiary companion",
        token,
    )
    assert code == 1
    assert "service_not_granted" in out


def test_verify_prints_the_responsible_units_of_the_service_asked(
    env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    ok(capsys, "keys init")
    token = ok(capsys, f"card credential {issued_jinan_card(capsys, key)}").strip()
    ok(capsys, f"bundle {env / 'b'}")
    out = ok(capsys, f"verify --bundle {env / 'b'} --service jinan.8", token)
    # Jinan art. 8: 责任部门（单位）：市人力资源社会保障局
    assert "responsible units (责任单位): 市人力资源社会保障局" in out
    _, out, _ = run(capsys, f"verify --bundle {env / 'b'} --service jinan.12 --json", token)
    assert json.loads(out)["responsible"] == ["市卫生计生委", "市人力资源社会保障局"]


def test_a_venue_gets_no_credential_because_it_names_the_holder_but_the_auditor_does(
    env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    ok(capsys, "keys init")
    card_id = issued_jinan_card(capsys, key)
    # A Jinan venue sees the card (its public face), not the holder's data the credential
    # carries (the name, the family, the ID binding): refused by the rule, nothing written.
    venue = key("venue", "jinan", name="gym")
    png = env / "venue.png"
    code, out, err = run(capsys, f"card credential {card_id} {venue} --png {png}")
    assert (code, out) == (1, "")
    assert err.count("\n") == 1
    assert "not_authorised" in err
    assert "rule: a venue sees no personal data beyond what the credential shows" in err
    assert not png.exists()
    # The provincial auditor (TALENTCARD_API_KEY) reads the holder's data: it gets it.
    info = json.loads(ok(capsys, f"card credential {card_id} --json --png {png}"))
    assert info["claims"]["card_id"] == card_id
    assert info["claims"]["holder_name"] == "韩梅梅"
    assert info["token"].startswith("TC1:")
    assert png.read_bytes().startswith(b"\x89PNG")


def test_keys_rotate_keeps_old_credentials_verifying(
    env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    ok(capsys, "keys init")
    token = ok(capsys, f"card credential {issued_jinan_card(capsys, key)}").strip()
    assert "previous key now only verifies" in ok(capsys, "keys rotate jinan")
    listing = ok(capsys, "keys list")
    assert "verifying" in listing
    assert "signing" in listing
    ok(capsys, f"bundle {env / 'b'}")
    assert run(capsys, f"verify --bundle {env / 'b'}", token)[0] == 0


def test_a_revoked_card_gets_no_new_credential(
    env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    ok(capsys, "keys init")
    card_id = issued_jinan_card(capsys, key)
    ok(
        capsys,
        f"card suspend {card_id} {key('talent_office', 'jinan', name='zhao')} --reason 调查 "
        "--decision-ref 济人才办〔2026〕3号",
    )
    code, _, err = run(capsys, f"card credential {card_id}")
    assert code == 1
    assert "card_not_active" in err


def test_keys_without_a_passphrase_are_refused_clearly(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("TALENTCARD_KEY_PASSPHRASE")
    code, _, err = run(capsys, "keys init")
    assert code == 2
    assert "TALENTCARD_KEY_PASSPHRASE" in err


def test_private_keys_are_encrypted_files_readable_by_their_owner_only(
    env: Path, capsys: pytest.CaptureFixture[str]
):
    ok(capsys, "keys init")
    files = list((env / "data" / "keys").glob("*.key.json"))
    assert len(files) == 6  # the root, the log key, and one per issuing authority
    for path in files:
        wrapped = msgspec.json.decode(path.read_bytes(), type=KeyFile)
        assert (wrapped.header.kdf, wrapped.header.cipher) == ("argon2id", "aes-256-gcm")
        assert path.name == f"{wrapped.header.kid}.key.json"
        assert path.stat().st_mode & 0o077 == 0
    assert not list((env / "data" / "keys").glob("*.pem"))


def test_a_bundle_from_another_root_is_refused(
    env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    ok(capsys, "keys init")
    token = ok(capsys, f"card credential {issued_jinan_card(capsys, key)}").strip()
    ok(capsys, f"bundle {env / 'b'}")
    other_root = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    code, _, err = run(capsys, f"verify --bundle {env / 'b'} --root-key {other_root}", token)
    assert code == 2
    assert "root key" in err


def test_an_upgrade_yields_a_new_credential_and_the_old_one_still_verifies(
    env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    ok(capsys, "keys init")
    card_id = issued_jinan_card(capsys, key)
    old = ok(capsys, f"card credential {card_id}").strip()
    certified = "--fact certified_class_b=true"  # Jinan art. 24(2): the upgrade follows it
    ok(
        capsys,
        f"card upgrade {card_id} {key('city_window', 'jinan', name='qian.window')} --tier B "
        f"{certified}",
    )
    new = json.loads(ok(capsys, f"card credential {card_id} --json"))
    assert new["claims"]["tier"] == "B"
    assert new["token"] != old
    ok(capsys, f"bundle {env / 'b'}")
    for token, tier in ((old, "C"), (new["token"], "B")):
        result = json.loads(ok(capsys, f"verify --bundle {env / 'b'} --json", token))
        assert (result["reason"], result["tier"]) == ("ok", tier)


def test_a_passphrase_of_exactly_twelve_characters_makes_keys(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("TALENTCARD_KEY_PASSPHRASE", "十二个字符的密码短语一二")  # 36 bytes
    assert "made root key" in ok(capsys, "keys init")


def test_a_credential_with_a_wrong_passphrase_is_refused_in_one_line(
    env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    ok(capsys, "keys init")
    card_id = issued_jinan_card(capsys, key)
    monkeypatch.setenv("TALENTCARD_KEY_PASSPHRASE", "not the passphrase at all")
    code, out, err = run(capsys, f"card credential {card_id}")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert "passphrase" in err


def test_a_bundle_with_a_wrong_passphrase_writes_nothing(
    env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    ok(capsys, "keys init")
    issued_jinan_card(capsys, key)
    monkeypatch.setenv("TALENTCARD_KEY_PASSPHRASE", "not the passphrase at all")
    code, _, err = run(capsys, f"bundle {env / 'b'}")
    assert code == 2, err
    assert not (env / "b").exists()


def test_a_credential_with_a_short_passphrase_is_refused(
    env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    ok(capsys, "keys init")
    card_id = issued_jinan_card(capsys, key)
    monkeypatch.setenv("TALENTCARD_KEY_PASSPHRASE", "short")
    code, _, err = run(capsys, f"card credential {card_id}")
    assert code == 2
    assert "12 characters" in err


def test_verify_prints_a_credentials_text_escaped_for_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    # A signing key that signed a name with terminal escapes (a bug or a stolen key):
    # the venue's screen shows the escape, the terminal does not obey it.
    world = World()
    token = world.token(world.claims(holder_name="李\x1b]0;pwned\x07雷\u202e"))
    bundle = world.write_bundle(tmp_path / "bundle")
    at = "2026-03-02T09:00:00+08:00"
    code, out, _ = run(capsys, f"verify --bundle {bundle} --at {at}", token)
    assert code == 0
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    assert "李\\x1b]0;pwned\\x07雷\\u202e" in out
    code, out, _ = run(capsys, f"verify --json --bundle {bundle} --at {at}", token)
    assert "\x1b" not in out and "\u202e" not in out
    assert json.loads(out)["holder_name"] == "李\x1b]0;pwned\x07雷\u202e"


def test_bundle_at_an_instant_shows_a_venue_the_card_as_it_stood_before_its_revocation(
    env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    from datetime import UTC, datetime

    ok(capsys, "keys init")
    card_id = issued_jinan_card(capsys, key)
    token = ok(capsys, f"card credential {card_id}").strip()
    before = datetime.now(UTC).isoformat()
    revoke(capsys, key, card_id)
    out = ok(capsys, f"bundle {env / 'then'} --at {before}")
    assert f"as of {before}" in out
    ok(capsys, f"bundle {env / 'now'}")
    code, out, _ = run(capsys, f"verify --bundle {env / 'then'} --at {before} --json", token)
    assert (code, json.loads(out)["reason"]) == (0, "ok")
    code, out, _ = run(capsys, f"verify --bundle {env / 'now'} --json", token)
    assert (code, json.loads(out)["reason"]) == (1, "revoked")


def test_bundle_at_a_malformed_instant_exits_2_naming_it(
    env: Path, capsys: pytest.CaptureFixture[str]
):
    ok(capsys, "keys init")
    code, _, err = run(capsys, f"bundle {env / 'b'} --at yesterday")
    assert code == 2 and "yesterday" in err and "Traceback" not in err


def test_verify_refuses_a_beneficiary_that_names_no_one_with_exit_2(
    env: Path, capsys: pytest.CaptureFixture[str]
):
    code, _, err = run(capsys, f"verify --bundle {env} --beneficiary cousin", "TC1:X")
    assert code == 2 and "cousin" in err


def test_bundle_file_writes_one_file_that_loads_as_a_bundle(
    env: Path, capsys: pytest.CaptureFixture[str]
):
    from signing.bundle import load_bundle

    ok(capsys, "keys init")
    out = ok(capsys, f"bundle --file {env / 'bundle.cbor'}")
    assert out.startswith(f"wrote 3 files into {env / 'bundle.cbor'}")
    assert load_bundle(env / "bundle.cbor").trust_list.keys


def test_verify_reads_a_one_file_bundle(env: Path, capsys: pytest.CaptureFixture[str]):
    from signing.bundle import pack
    from tests.signing.support import T0

    world = World()
    (env / "bundle.cbor").write_bytes(pack(world.bundle_files()))
    out = ok(
        capsys,
        "verify",
        world.token(),
        "--bundle",
        str(env / "bundle.cbor"),
        "--at",
        T0.isoformat(),
    )
    assert out.startswith("VALID: ok")


def test_bundle_without_a_folder_or_a_file_exits_2(env: Path, capsys: pytest.CaptureFixture[str]):
    code, _, err = run(capsys, "bundle")
    assert code == 2
    assert "FOLDER or --file" in err


def test_a_key_file_others_may_read_is_refused_in_one_line_naming_the_chmod(
    env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    ok(capsys, "keys init")
    card_id = issued_jinan_card(capsys, key)
    keys = env / "data" / "keys"
    jinan = next(
        r["kid"] for r in json.loads((keys / "keys.json").read_bytes()) if r["authority"] == "jinan"
    )
    path = keys / f"{jinan}.key.json"
    path.chmod(0o644)
    code, out, err = run(capsys, f"card credential {card_id}")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    assert f"{path} is mode 0644" in err
    assert f"chmod 600 {path}" in err
    path.chmod(0o600)
    assert ok(capsys, f"card credential {card_id}").startswith("TC1:")


def test_a_keys_folder_others_may_list_is_refused_in_one_line(
    env: Path, capsys: pytest.CaptureFixture[str]
):
    ok(capsys, "keys init")
    keys = env / "data" / "keys"
    keys.chmod(0o755)
    code, _, err = run(capsys, "keys list")
    assert code == 2
    assert err.count("\n") == 1, err
    assert f"chmod 700 {keys}" in err
