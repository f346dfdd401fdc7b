"""Changes to a card's people through the command line (issue 26): the filer asks, the
issuing body decides, each as the user of its own key; the old credential stops granting
a removed child once the venue's bundle is newer than the change."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.clock import business_date
from tests.api.cli_support import issued_jinan_card, ok, run
from tests.conftest import CliKeys

CHILD = "--relation child --name 李小雷 --date-of-birth 2015-09-30"


def today() -> str:
    return business_date(datetime.now(UTC)).isoformat()


def test_a_child_added_then_removed_leaves_the_old_credential_granting_the_holder_only(
    env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    ok(capsys, "keys init")
    card_id = issued_jinan_card(capsys, key)
    talent, window = key("applicant", "jinan", name="li"), key("city_window", "jinan", name="qin")
    common = f"--takes-effect-on {today()} --evidence doc://birth/1"
    ok(
        capsys,
        f"card amend request {card_id} {talent} --change add_member {CHILD} {common}",
        "--reason",
        "出生",
    )
    ok(capsys, f"card amend decide {card_id} {window} --decision approved")
    assert "family 1 child 李小雷\n" in ok(capsys, f"card show {card_id}")
    old = ok(capsys, f"card credential {card_id}").strip()
    ok(
        capsys,
        f"card amend request {card_id} {talent} --change remove_member --member 1 {common}",
        "--reason",
        "录入错误",
    )
    ok(capsys, f"card amend decide {card_id} {window} --decision approved")
    shown = ok(capsys, f"card show {card_id}")
    assert "family 1 child 李小雷  (removed)" in shown
    assert "QR code  credential generation 2 is current" in shown
    code, new, err = run(capsys, f"card credential {card_id}")
    assert code == 0 and "current credential: generation 2" in err
    ok(capsys, f"bundle {env / 'b'}")
    asked = f"verify --bundle {env / 'b'} --json --service jinan.11 --beneficiary child"
    code, out, _ = run(capsys, asked, old)
    assert (code, json.loads(out)["reason"]) == (1, "superseded")
    code, out, _ = run(capsys, f"verify --bundle {env / 'b'} --json", old)
    assert code == 0 and json.loads(out)["superseded"] is True
    code, out, _ = run(capsys, f"verify --bundle {env / 'b'} --json", new.strip())
    assert code == 0 and json.loads(out)["superseded"] is False


def test_a_change_asked_for_by_a_role_the_scheme_does_not_name_is_refused_in_one_line(
    env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    card_id = issued_jinan_card(capsys, key)
    venue = key("venue", "jinan", name="gym")
    code, out, err = run(
        capsys,
        f"card amend request {card_id} {venue} --change add_member {CHILD} "
        f"--takes-effect-on {today()} --evidence doc://birth/1 --reason 出生",
    )
    assert code != 0 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_decision_naming_no_verdict_is_a_usage_error(
    env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    card_id = issued_jinan_card(capsys, key)
    window = key("city_window", "jinan", name="qin")
    code, _, err = run(capsys, f"card amend decide {card_id} {window} --decision maybe")
    assert code == 2 and "decision" in err
