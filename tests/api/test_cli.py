"""The ``talentcard`` command line, as an administrator or a script uses it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.cli import main
from tests import factories as f


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> Path:
    monkeypatch.setenv("TALENTCARD_DATABASE_URL", database_url)
    monkeypatch.setenv("TALENTCARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("TALENTCARD_ID_PEPPER", raising=False)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


ACT = ("--actor", "liu.hrss", "--role", "city_hrss")


def apply_card(capsys: pytest.CaptureFixture[str]) -> str:
    code, out, err = run(
        capsys,
        "card",
        "apply",
        "--actor",
        "wang",
        "--role",
        "employer",
        "--scheme",
        "liaocheng",
        "--route",
        "reviewed",
        "--category",
        "art5.3",
        "--holder-name",
        "李雷",
        "--holder-id",
        f.RESIDENT_ID,
        "--holder-dob",
        "1949-12-31",
        "--family",
        "spouse:韩梅梅:1952-03-04",
        "--sponsor-kind",
        "employer",
        "--sponsor-name",
        "聊城大学",
        "--evidence",
        "doc://cert/1",
        "--output-json",
    )
    assert code == 0, err
    card_id: str = json.loads(out)["card_id"]
    return card_id


def test_init_reports_the_store_it_prepared(cli_env: Path, capsys: pytest.CaptureFixture[str]):
    code, out, _ = run(capsys, "init")
    assert code == 0
    assert "append-only guards installed" in out


def test_a_card_goes_through_its_whole_life_and_show_prints_that_history(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
):
    card_id = apply_card(capsys)
    steps = [
        (
            "review",
            card_id,
            "--actor",
            "liu",
            "--role",
            "city_hrss",
            "--stage",
            "city_hrss",
            "--decision",
            "approved",
            "--note",
            "材料齐全",
        ),
        (
            "review",
            card_id,
            "--actor",
            "zhao",
            "--role",
            "talent_office",
            "--stage",
            "talent_office",
            "--decision",
            "approved",
        ),
        (
            "issue",
            card_id,
            *ACT,
            "--tier",
            "B",
            "--valid-from",
            "2026-03-02",
            "--valid-until",
            "2031-03-01",
            "--term-basis",
            "5 years",
        ),
        (
            "upgrade",
            card_id,
            *ACT,
            "--tier",
            "A",
            "--valid-from",
            "2026-03-02",
            "--valid-until",
            "2031-03-01",
            "--term-basis",
            "certified leading talent",
        ),
        (
            "extend",
            card_id,
            *ACT,
            "--valid-until",
            "2032-03-01",
            "--basis",
            "contract renewed",
            "--evidence",
            "doc://contract/2",
        ),
        (
            "revoke",
            card_id,
            *ACT,
            "--reason",
            "违规",
            "--proposer",
            "聊城大学",
            "--approver",
            "liu",
        ),
    ]
    for version, step in enumerate(steps, start=2):
        code, out, err = run(capsys, "card", *step)
        assert code == 0, err
        assert out.strip().endswith(f"version {version}")
    code, out, _ = run(capsys, "card", "show", card_id)
    assert code == 0
    assert "status   revoked" in out
    events = [line.split()[1] for line in out.splitlines() if line[:1].isdigit()]
    assert events == [
        "Applied",
        "ReviewRecorded",
        "ReviewRecorded",
        "Issued",
        "Upgraded",
        "Extended",
        "Revoked",
    ]
    assert "材料齐全" in out
    assert "reason=违规" in out


def test_show_json_and_an_earlier_version(cli_env: Path, capsys: pytest.CaptureFixture[str]):
    card_id = apply_card(capsys)
    run(
        capsys,
        "card",
        "review",
        card_id,
        "--actor",
        "liu",
        "--role",
        "city_hrss",
        "--stage",
        "city_hrss",
        "--decision",
        "approved",
    )
    code, out, _ = run(capsys, "card", "show", card_id, "--version", "1", "--json")
    view = json.loads(out)
    assert code == 0
    assert (view["version"], view["status"], view["next_stage"]) == (1, "under_review", "city_hrss")
    assert [e["event"] for e in view["history"]] == ["Applied"]
    assert f.RESIDENT_ID not in out


def test_a_command_can_take_its_fields_from_a_json_file(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
):
    body = json.loads(
        json.dumps(
            {
                "actor": "wang",
                "role": "employer",
                "scheme": "jinan",
                "route": "direct",
                "category": "C",
                "holder": {
                    "name": "韩梅梅",
                    "id_number": f.RESIDENT_ID,
                    "date_of_birth": "1949-12-31",
                },
            }
        )
    )
    path = cli_env / "apply.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    code, out, err = run(capsys, "card", "apply", "--json", str(path), "--note", "from a file")
    assert code == 0, err
    code, out, _ = run(capsys, "card", "list")
    assert "jinan" in out
    assert "韩梅梅" in out


def test_a_refused_command_exits_1_with_the_code_and_writes_nothing(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
):
    card_id = apply_card(capsys)
    code, _, err = run(
        capsys,
        "card",
        "issue",
        card_id,
        *ACT,
        "--tier",
        "B",
        "--valid-from",
        "2026-03-02",
        "--valid-until",
        "2031-03-01",
        "--term-basis",
        "5 years",
    )
    assert code == 1
    assert "review_incomplete" in err
    _, out, _ = run(capsys, "card", "show", card_id, "--json")
    assert json.loads(out)["version"] == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("card", "show", "not-a-uuid"), "is not a card id"),
        (
            (
                "card",
                "withdraw",
                "00000000-0000-0000-0000-000000000000",
                "--actor",
                "a",
                "--role",
                "employer",
                "--json",
                "/nonexistent.json",
            ),
            "cannot read",
        ),
        (
            (
                "card",
                "apply",
                "--actor",
                "a",
                "--role",
                "employer",
                "--scheme",
                "weihai",
                "--route",
                "direct",
                "--category",
                "1",
                "--holder-name",
                "x",
                "--holder-id",
                f.RESIDENT_ID,
            ),
            "Object missing required field `date_of_birth` - at `$.holder`",
        ),
        (
            ("card", "apply", "--actor", "a", "--role", "employer", "--fact", "nokey"),
            "expected KEY=VALUE",
        ),
    ],
)
def test_malformed_input_exits_2_naming_what_was_wrong(
    cli_env: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
):
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert message in err


def test_an_unknown_card_exits_1_as_not_found(cli_env: Path, capsys: pytest.CaptureFixture[str]):
    code, _, err = run(capsys, "card", "show", "00000000-0000-0000-0000-000000000000")
    assert code == 1
    assert "card_not_found" in err


def test_a_stale_expected_version_is_refused_as_a_conflict(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
):
    card_id = apply_card(capsys)
    code, _, err = run(
        capsys,
        "card",
        "withdraw",
        card_id,
        "--actor",
        "wang",
        "--role",
        "employer",
        "--expect-version",
        "3",
    )
    assert code == 1
    assert "conflict" in err
