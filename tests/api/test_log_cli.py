"""The tamper-evident log on the command line: checkpoint, proofs, export and the
auditor's offline verify, as an operator and an auditor run them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.api.cli_support import issued_jinan_card, ok, run
from tests.conftest import CliKeys


@pytest.fixture
def logged(env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]) -> Path:
    """A registry with one issued card, a checkpoint over it and a bundle."""
    ok(capsys, "keys init")
    issued_jinan_card(capsys, key)
    ok(capsys, f"ledger checkpoint --out {env / 'cps'}")
    ok(capsys, f"bundle {env / 'bundle'}")
    return env


def test_a_checkpoint_is_written_as_a_file_and_nothing_new_signs_nothing(
    logged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = sorted((logged / "cps").iterdir())
    assert [p.suffix for p in files] == [".cose"]
    code, _, err = run(capsys, f"ledger checkpoint --out {logged / 'cps'}")
    assert code == 0 and "nothing signed" in err
    assert len(list((logged / "cps").iterdir())) == 1


def test_an_export_verifies_offline_with_the_saved_checkpoint_and_the_bundle(
    logged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ok(capsys, f"audit export {logged / 'audit.jsonl'}")
    (saved,) = (logged / "cps").iterdir()
    code, out, err = run(
        capsys,
        f"audit verify {logged / 'audit.jsonl'} --checkpoint {saved} "
        f"--trust-list {logged / 'bundle'}",
    )
    assert code == 0, out + err
    assert out.startswith("OK: the history is complete and untampered")
    assert "cards 1" in out


def test_a_tampered_export_exits_1_naming_the_first_bad_position(
    logged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ok(capsys, f"audit export {logged / 'audit.jsonl'}")
    lines = (logged / "audit.jsonl").read_text().splitlines()
    del lines[-2]
    (logged / "bad.jsonl").write_text("\n".join(lines) + "\n")
    code, out, _ = run(
        capsys, f"audit verify {logged / 'bad.jsonl'} --trust-list {logged / 'bundle'}"
    )
    assert code == 1
    assert "FAILED" in out and "first bad position:" in out


def test_an_export_is_refused_to_a_venue_and_never_overwrites_a_file(
    logged: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, f"audit export {logged / 'v.jsonl'} {key('venue', 'jinan')}")
    assert code == 1 and "does not export the whole log" in err
    assert not (logged / "v.jsonl").exists()
    (logged / "taken.jsonl").write_text("keep me")
    code, _, err = run(capsys, f"audit export {logged / 'taken.jsonl'}")
    assert code == 2 and "exists already" in err
    assert (logged / "taken.jsonl").read_text() == "keep me"


def test_a_file_that_is_no_export_exits_2_with_one_line(
    logged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (logged / "junk.jsonl").write_text("not json\n")
    code, out, err = run(capsys, f"audit verify {logged / 'junk.jsonl'}")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "line 1" in err


def test_inclusion_and_consistency_proofs_come_as_json(
    logged: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
) -> None:
    proof = json.loads(ok(capsys, "ledger proof inclusion --position 0"))
    assert proof["position"] == 0 and proof["size"] >= 2
    key("auditor", "province", name="second.auditor")  # one more event in the log
    ok(capsys, f"ledger checkpoint --out {logged / 'cps'}")
    sizes = [c["size"] for c in json.loads(ok(capsys, "ledger checkpoints --json"))]
    consistency = json.loads(ok(capsys, f"ledger proof consistency {sizes[0]}"))
    assert (consistency["old_size"], consistency["new_size"]) == (sizes[0], sizes[1])
    assert consistency["path"]


def test_event_keys_are_listed_and_rotated_on_the_server_host(
    logged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (first,) = ok(capsys, "ledger event-keys").splitlines()
    assert "signs until -" in first
    assert "signs from now on" in ok(capsys, "ledger rotate-event-key")
    listed = json.loads(ok(capsys, "ledger event-keys --json"))
    assert listed[0]["kid"] == first.split()[0]
    assert listed[0]["signs_until"] is not None and listed[1]["signs_until"] is None


def test_an_event_keys_file_others_may_read_is_one_line_and_exit_2(
    logged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = logged / "data" / "event-keys" / "keys.json"
    keys.chmod(0o644)
    code, out, err = run(capsys, "ledger event-keys")
    assert code == 2 and out == ""
    assert err.startswith("error: ") and "chmod go-rwx" in err and len(err.splitlines()) == 1
