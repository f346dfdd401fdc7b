"""``talentcard employers`` on the server host: the register of employers an administrator
keeps (RD-2026-91), and a 惠才卡 file that starts at the level registered for its employer
(shandong-provincial-service-standard 7.1 item 4: 提交至同级高层次人才服务窗口审核)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.cli import main
from tests import factories as f
from tests.conftest import CliKeys

Capsys = pytest.CaptureFixture[str]
# Filed today (the system clock: on or after 2026-12-07, the rectified version).
SHANDONG = (
    "card apply --scheme shandong --category direct --fact national_comprehensive_programme=true "
    f"--fact innovation_record=true --holder-name 李雷 --holder-id {f.RESIDENT_ID} "
    f"--holder-dob 1949-12-31 --sponsor-kind employer --sponsor-name 山东大学 "
    f"--sponsor-credit-code {f.CREDIT_CODE} --output-json"
)


def run(capsys: Capsys, command: str) -> tuple[int, str, str]:
    code = main(command.split())
    out, err = capsys.readouterr()
    return code, out, err


def test_employers_register_records_the_level_and_list_shows_it(
    cli_env: Path, capsys: Capsys
) -> None:
    code, out, err = run(
        capsys,
        f"employers register {f.CREDIT_CODE} --level county --city liaocheng --county 371502 "
        "--name 聊城某某科技有限公司",
    )
    assert code == 0, err
    assert "county" in out and "registered" in out
    code, out, _ = run(capsys, "employers list --json")
    [entry] = json.loads(out)
    assert (entry["credit_code"], entry["level"], entry["city"], entry["county"]) == (
        f.CREDIT_CODE,
        "county",
        "liaocheng",
        "371502",
    )
    assert "(server host)" in entry["registered_by"]


def test_employers_register_again_at_the_same_level_records_nothing(
    cli_env: Path, capsys: Capsys
) -> None:
    command = f"employers register {f.CREDIT_CODE} --level province --name 山东某某集团 --json"
    assert run(capsys, command)[0] == 0
    code, out, _ = run(capsys, command)
    assert code == 0 and json.loads(out)["recorded"] is False


@pytest.mark.parametrize(
    ("command", "says"),
    [
        ("--level county --city liaocheng --name x", "county employer names its county"),
        ("--level city --name x", "names its city"),
        ("--level province --city jinan --name x", "names no city or county"),
        ("--level province", "name must not be empty"),
    ],
)
def test_employers_register_refuses_a_bad_entry_with_one_line(
    cli_env: Path, capsys: Capsys, command: str, says: str
) -> None:
    code, out, err = run(capsys, f"employers register {f.CREDIT_CODE} {command}")
    assert code == 2 and out == ""
    assert says in err and len(err.strip().splitlines()) == 1
    assert json.loads(run(capsys, "employers list --json")[1]) == []


def test_employers_register_refuses_a_malformed_credit_code(cli_env: Path, capsys: Capsys) -> None:
    code, _, err = run(capsys, "employers register 123 --level province --name x")
    assert code == 2 and "unified social credit code" in err


def test_employers_unregistered_lists_the_employer_users_an_administrator_must_register(
    cli_env: Path, key: CliKeys, capsys: Capsys
) -> None:
    key("employer", "liaocheng", name="wang.employer")
    code, out, _ = run(capsys, "employers unregistered")
    assert code == 0 and out.split() == [f.CREDIT_CODE]
    run(capsys, f"employers register {f.CREDIT_CODE} --level city --city liaocheng --name x")
    assert run(capsys, "employers unregistered")[1].split() == []


def test_employers_unregistered_leaves_out_an_enterprise_which_files_no_huicai_card(
    cli_env: Path, key: CliKeys, capsys: Capsys
) -> None:
    # A Weihai 2023 target enterprise files no 惠才卡 (shandong.filer.commissioner names
    # the employer alone): the administrator is not asked to register it.
    key("enterprise", "weihai", name="qi.enterprise", employer="91371000MA3EXAMP1X")
    key("employer", "liaocheng", name="wang.employer")
    code, out, _ = run(capsys, "employers unregistered")
    assert code == 0 and out.split() == [f.CREDIT_CODE]


def test_shandong_7_1_item_4_a_registered_county_employer_s_file_starts_at_the_county_window(
    cli_env: Path, key: CliKeys, capsys: Capsys
) -> None:
    run(
        capsys,
        f"employers register {f.CREDIT_CODE} --level county --city liaocheng --county 371502 "
        "--name 山东大学",
    )
    employer = key("employer", "liaocheng", name="wang.employer")
    code, out, err = run(capsys, f"{SHANDONG} {employer}")
    assert code == 0, err
    card_id = json.loads(out)["card_id"]
    code, out, err = run(capsys, f"card show {card_id} --json")
    assert code == 0, err
    assert json.loads(out)["required_stages"][0] == "county_window"


def test_a_filer_cannot_type_its_own_level_on_the_command_line(
    cli_env: Path, key: CliKeys, capsys: Capsys
) -> None:
    run(capsys, f"employers register {f.CREDIT_CODE} --level city --city liaocheng --name x")
    employer = key("employer", "liaocheng", name="wang.employer")
    code, out, err = run(capsys, f"{SHANDONG} --fact provincial_employer=true {employer}")
    assert code == 2 and out == ""
    assert "level_from_register" in err and "provincial_employer" in err


def test_an_unregistered_employer_is_told_an_administrator_must_register_it(
    cli_env: Path, key: CliKeys, capsys: Capsys
) -> None:
    employer = key("employer", "liaocheng", name="wang.employer")
    code, _, err = run(capsys, f"{SHANDONG} {employer}")
    assert code == 2
    assert "an administrator must register it" in err and f.CREDIT_CODE in err
