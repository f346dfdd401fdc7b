"""``card issue --evidence-credential FILE|-``: the credential's text is read from a file or
standard input into the request (weihai-2019 part 2(3), RD-2026-95)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from api.cli import main
from domain.errors import InvalidInput
from ledger import limits
from services.bootstrap import Registry

CARD = "5f0c6a1e-8a4b-4c1e-9d7e-2b3c4d5e6f70"
TOKEN = "TC1:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDEPWK G2EP4J0B"


def fields_of(monkeypatch: pytest.MonkeyPatch, *argv: str) -> dict[str, Any]:
    """The fields ``card issue`` sends, stopped before the registry."""
    given: list[dict[str, Any]] = []

    def convert_body(fields: dict[str, Any], into: type[Any]) -> Any:
        given.append(fields)
        raise InvalidInput("stopped before the registry")

    monkeypatch.setattr(limits, "convert_body", convert_body)
    assert main(["card", "issue", CARD, *argv], Registry({})) == 2
    return given[0]


def test_the_credential_is_read_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    (tmp_path / "huicai.txt").write_text(TOKEN + "\n")
    fields = fields_of(
        monkeypatch,
        "--evidence-credential",
        str(tmp_path / "huicai.txt"),
        "--evidence-holder-id",
        "11010519491231002X",
    )
    assert (fields["evidence_credential"], fields["evidence_holder_id"]) == (
        TOKEN,
        "11010519491231002X",
    )


def test_the_credential_is_read_from_standard_input(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(TOKEN))
    assert fields_of(monkeypatch, "--evidence-credential", "-")["evidence_credential"] == TOKEN


def test_an_unreadable_credential_file_is_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    missing = tmp_path / "none.txt"
    assert main(["card", "issue", CARD, "--evidence-credential", str(missing)], Registry({})) == 2
    err = capsys.readouterr().err
    assert str(missing) in err and len(err.strip().splitlines()) == 1
