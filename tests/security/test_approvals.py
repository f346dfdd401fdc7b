"""Issue 8, attack 5: a revocation's approvals were text the caller typed
(``--approval city_hrss:liu``), so anyone could claim anyone's approval, the proposer's
own included. Now each step is a command of its own by the acting user, and no user takes
two steps of one proposal. Each test failed on the main branch before the change (commit
f5dd24a) and passes after; every one runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.cli import main
from tests import factories as f


def run(capsys: pytest.CaptureFixture[str], command: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of one command line (no argument holds a space)."""
    code = main(command.split())
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: pytest.CaptureFixture[str], command: str) -> str:
    code, out, err = run(capsys, command)
    assert code == 0, err
    return out


def issued(capsys: pytest.CaptureFixture[str], scheme: str = "liaocheng") -> str:
    """An issued card: Liaocheng art. 5(1) (direct) or Jinan class C (direct)."""
    facts = {
        "liaocheng": "--category art5.1 --fact holds_huicai_card=true "
        "--fact huicai_card_valid_from=2020-01-01",
        "jinan": "--category C --fact certified_class_c=true",
    }[scheme]
    out = ok(
        capsys,
        f"card apply --actor li --role applicant --scheme {scheme} {facts} "
        f"--holder-name 李雷 --holder-id {f.RESIDENT_ID} --holder-dob 1949-12-31 --output-json",
    )
    card_id: str = json.loads(out)["card_id"]
    issuer = "talent_office" if scheme == "jinan" else "city_hrss"
    ok(capsys, f"card issue {card_id} --actor zhao --role {issuer}")
    return card_id


def status(capsys: pytest.CaptureFixture[str], card_id: str) -> str:
    out = ok(capsys, f"card show {card_id} --json")
    value: str = json.loads(out)["status"]
    return value


def test_a_typed_approval_in_someone_else_s_name_no_longer_revokes_a_card(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
):
    card_id = issued(capsys)
    code, _, _ = run(
        capsys,
        f"card revoke {card_id} --actor liu --role city_hrss --reason 违规 "
        "--proposer liu --proposer-role employer --approval city_hrss:liu",
    )
    assert code == 2
    assert status(capsys, card_id) == "active"


def test_the_proposer_cannot_approve_their_own_revocation(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
):
    card_id = issued(capsys)
    ok(
        capsys,
        f"card revoke propose {card_id} --actor liu --role employer --reason 违规"
        " --ground misconduct",
    )
    code, _, err = run(capsys, f"card revoke approve {card_id} --actor liu --role city_window")
    assert code == 1
    assert "self_approval" in err
    assert status(capsys, card_id) == "active"


def test_one_user_cannot_give_both_of_jinan_s_approvals(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
):
    card_id = issued(capsys, "jinan")
    ok(
        capsys,
        f"card revoke propose {card_id} --actor wang --role employer --reason 违纪"
        " --ground misconduct",
    )
    ok(capsys, f"card revoke approve {card_id} --actor qin --role city_window")
    ok(capsys, f"card revoke approve {card_id} --actor liu --role city_hrss")
    code, _, err = run(capsys, f"card revoke approve {card_id} --actor liu --role talent_office")
    assert code == 1
    assert "self_approval" in err
    assert status(capsys, card_id) == "active"


def test_an_approval_in_a_role_the_step_does_not_name_is_refused(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
):
    card_id = issued(capsys)
    ok(
        capsys,
        f"card revoke propose {card_id} --actor wang --role employer --reason 违规"
        " --ground misconduct",
    )
    code, _, err = run(capsys, f"card revoke approve {card_id} --actor zhang --role employer")
    assert code == 1
    assert "revocation_step_role" in err
    assert status(capsys, card_id) == "active"


def test_a_suspension_with_a_typed_approver_is_refused(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
):
    card_id = issued(capsys)
    code, _, _ = run(
        capsys,
        f"card suspend {card_id} --actor wang --role employer --reason 调查 "
        "--proposer wang --approver liu",
    )
    assert code == 2
    assert status(capsys, card_id) == "active"


def test_only_the_scheme_s_interim_authority_may_suspend(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
):
    card_id = issued(capsys)
    code, _, err = run(
        capsys,
        f"card suspend {card_id} --actor wang --role employer --reason 调查 --decision-ref 文1",
    )
    assert code == 1
    assert "interim_measure_not_authorised" in err
    assert status(capsys, card_id) == "active"
