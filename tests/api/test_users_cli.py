"""``talentcard users`` on the server host, and card commands acting as the user whose
key they are given: nobody types a role."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.cli import main
from tests import factories as f

Capsys = pytest.CaptureFixture[str]
JINAN_C = (
    "card apply --scheme jinan --category C --fact certified_class_c=true "
    f"--holder-name 李雷 --holder-id {f.RESIDENT_ID} --holder-dob 1949-12-31"
)


def run(capsys: Capsys, command: str) -> tuple[int, str, str]:
    code = main(command.split())
    out, err = capsys.readouterr()
    return code, out, err


def add_user(capsys: Capsys, folder: Path, name: str, role: str, authority: str) -> Path:
    """``users add``, its key kept in a file as an operator would (``> name.key``)."""
    code, out, err = run(capsys, f"users add {name} --role {role} --authority {authority}")
    assert code == 0, err
    path = folder / f"{name}.key"
    path.write_text(out)
    return path


def test_init_on_a_store_without_users_says_how_to_add_the_first_administrator(
    cli_env: Path, capsys: Capsys
):
    code, out, _ = run(capsys, "init")
    assert code == 0
    assert "talentcard users add NAME --role administrator --authority province" in out


def test_users_add_prints_the_key_alone_on_stdout_once(cli_env: Path, capsys: Capsys):
    code, out, err = run(capsys, "users add li.talent --role applicant --authority jinan")
    assert code == 0
    [key] = out.splitlines()
    assert key.startswith("tck1.") and len(key) >= 40
    assert "shown once" in err and key not in err


def test_users_list_shows_role_authority_and_who_added_them_but_no_key(
    cli_env: Path, capsys: Capsys
):
    key = add_user(capsys, cli_env, "li.talent", "applicant", "jinan").read_text().strip()
    code, out, _ = run(capsys, "users list --json")
    assert code == 0
    [user] = json.loads(out)
    assert (user["name"], user["role"], user["authority"]) == ("li.talent", "applicant", "jinan")
    assert "(server host)" in user["added_by"]
    assert key not in out and key.split(".")[2] not in out


def test_the_auditor_lists_the_users_it_audits_with_its_key(cli_env: Path, capsys: Capsys):
    # Who could act is part of the audit (issue 27): the provincial auditor lists every
    # user, a city's auditor its own city's; anyone else is refused.
    add_user(capsys, cli_env, "li.talent", "applicant", "jinan")
    add_user(capsys, cli_env, "wang.hrss", "city_hrss", "weihai")
    province = add_user(capsys, cli_env, "zhou.audit", "auditor", "province")
    city = add_user(capsys, cli_env, "sun.audit", "auditor", "jinan")
    code, out, _ = run(capsys, f"users list --json --key-file {province}")
    assert code == 0
    assert {u["name"] for u in json.loads(out)} == {
        "li.talent",
        "wang.hrss",
        "zhou.audit",
        "sun.audit",
    }
    code, out, _ = run(capsys, f"users list --json --key-file {city}")
    assert code == 0
    assert {u["name"] for u in json.loads(out)} == {"li.talent", "sun.audit"}
    hrss = cli_env / "wang.hrss.key"
    code, _, err = run(capsys, f"users list --key-file {hrss}")
    assert code == 1 and "only an administrator or an auditor lists users" in err


def test_a_card_command_acts_as_the_key_s_user(cli_env: Path, capsys: Capsys):
    key = add_user(capsys, cli_env, "li.talent", "applicant", "jinan")
    code, out, err = run(capsys, f"{JINAN_C} --key-file {key} --output-json")
    assert code == 0, err
    card_id = json.loads(out)["card_id"]
    code, out, _ = run(capsys, f"card show {card_id} --json --key-file {key}")
    applied = json.loads(out)["history"][0]
    assert (applied["actor"], applied["role"]) == ("li.talent", "applicant")


def test_the_key_may_come_from_the_environment(
    cli_env: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
):
    key = add_user(capsys, cli_env, "li.talent", "applicant", "jinan")
    monkeypatch.setenv("TALENTCARD_API_KEY", key.read_text())
    code, _, err = run(capsys, JINAN_C)
    assert code == 0, err


def test_a_card_command_without_a_key_exits_2_saying_how_to_give_one(
    cli_env: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("TALENTCARD_API_KEY", raising=False)
    code, out, err = run(capsys, JINAN_C)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert "--key-file" in err and "TALENTCARD_API_KEY" in err


def test_a_typed_actor_or_role_is_no_longer_an_option(cli_env: Path, capsys: Capsys):
    code, _, err = run(capsys, f"{JINAN_C} --actor li --role applicant")
    assert code == 2
    assert "unrecognized arguments: --actor li --role applicant" in err


def test_a_key_file_that_is_missing_or_not_a_key_exits_2(cli_env: Path, capsys: Capsys):
    code, _, err = run(capsys, f"{JINAN_C} --key-file {cli_env / 'none.key'}")
    assert code == 2 and "--key-file" in err
    big = cli_env / "big.key"
    big.write_bytes(b"k" * 5000)
    code, _, err = run(capsys, f"{JINAN_C} --key-file {big}")
    assert code == 2 and "not a key" in err


def test_an_unknown_key_is_refused_and_files_nothing(cli_env: Path, capsys: Capsys):
    forged = cli_env / "forged.key"
    forged.write_text("tck1." + "0" * 32 + ".secret")
    code, _, err = run(capsys, f"{JINAN_C} --key-file {forged}")
    assert code == 1 and "not_authenticated" in err
    admin = add_user(capsys, cli_env, "auditor", "auditor", "province")
    code, out, _ = run(capsys, f"card list --json --key-file {admin}")
    assert json.loads(out)["cards"] == []


def test_a_disabled_user_s_key_stops_working(cli_env: Path, capsys: Capsys):
    key = add_user(capsys, cli_env, "li.talent", "applicant", "jinan")
    code, out, _ = run(capsys, "users disable li.talent --reason left")
    assert code == 0 and "disabled" in out
    code, _, err = run(capsys, f"{JINAN_C} --key-file {key}")
    assert code == 1 and "not_authenticated" in err


def test_a_rotated_key_replaces_the_old_one_at_once(cli_env: Path, capsys: Capsys):
    old = add_user(capsys, cli_env, "li.talent", "applicant", "jinan")
    code, out, _ = run(capsys, "users rotate-key li.talent")
    assert code == 0
    new = cli_env / "new.key"
    new.write_text(out)
    code, _, err = run(capsys, f"{JINAN_C} --key-file {old}")
    assert code == 1 and "not_authenticated" in err
    code, _, err = run(capsys, f"{JINAN_C} --key-file {new}")
    assert code == 0, err


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ("--role city_window --authority province", "city"),
        ("--role provincial_window --authority jinan", "province"),
        ("--role employer --authority jinan", "--employer CREDIT-CODE"),
        ("--role applicant --authority atlantis", "atlantis"),
    ],
)
def test_a_user_the_registry_cannot_have_is_refused_in_one_line(
    cli_env: Path, capsys: Capsys, options: str, says: str
):
    code, out, err = run(capsys, f"users add someone {options}")
    assert code in (1, 2) and out == ""
    assert err.count("\n") == 1 and says in err
    code, out, _ = run(capsys, "users list --json")
    assert json.loads(out) == []


def test_an_unknown_role_is_a_usage_error(cli_env: Path, capsys: Capsys):
    code, _, err = run(capsys, "users add someone --role superuser --authority jinan")
    assert code == 2 and "invalid choice" in err


def test_a_venue_s_user_records_use_in_its_own_city_without_typing_it(
    cli_env: Path, capsys: Capsys
):
    talent = add_user(capsys, cli_env, "li.talent", "applicant", "jinan")
    office = add_user(capsys, cli_env, "zhao.window", "city_window", "jinan")
    code, out, _ = run(capsys, f"{JINAN_C} --key-file {talent} --output-json")
    card_id = json.loads(out)["card_id"]
    code, _, err = run(capsys, f"card issue {card_id} --key-file {office}")
    assert code == 0, err
    gym = add_user(capsys, cli_env, "泉城健身", "venue", "jinan")
    redeem = f"card redeem {card_id} --item jinan.20.fitness --key-file {gym} --output-json"
    code, out, err = run(capsys, redeem)
    assert code == 0, err
    assert json.loads(out)["item"] == "jinan.20.fitness"
    run(capsys, "projections run --until-caught-up")
    code, out, _ = run(capsys, "audit trail --actor 泉城健身")
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows and {(r["role"], r["authority"]) for r in rows} == {("venue", "jinan")}
    assert "BenefitUse.BenefitRedeemed" in [r["event"] for r in rows]
