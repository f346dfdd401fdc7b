"""A child's sex and marital status on the command line (issue 27): filed with ``card
apply --family`` or changed with ``card amend``, they decide household registration
(Jinan art. 5: 未婚子女); bad input is one line and writes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.clock import business_date
from tests import factories as f
from tests.api.cli_support import issued_jinan_card, ok, run
from tests.conftest import CliKeys

Capsys = pytest.CaptureFixture[str]


def today() -> str:
    return business_date(datetime.now(UTC)).isoformat()


def child_items(capsys: Capsys, card_id: str) -> list[str]:
    granted = json.loads(ok(capsys, f"card entitlements {card_id} --json"))
    items: list[str] = next(g["items"] for g in granted if g["kind"] == "child")
    return items


def test_jinan_art_5_registers_an_unmarried_child_filed_with_card_apply(
    env: Path, key: CliKeys, capsys: Capsys
):
    out = ok(
        capsys,
        f"card apply {key('applicant', 'jinan', name='li')} --scheme jinan --category C "
        f"--fact certified_class_c=true --holder-name 韩梅梅 --holder-id {f.RESIDENT_ID} "
        "--holder-dob 1949-12-31 --sponsor-kind employer --sponsor-name 济南某公司 "
        f"--sponsor-credit-code {f.CREDIT_CODE} "
        f"--family child:李小雷:1996-05-01:male:unmarried:{today()} --output-json",
    )
    card_id = json.loads(out)["card_id"]
    ok(capsys, f"card issue {card_id} {key('city_window', 'jinan', name='qian')}")
    assert "jinan.5" in child_items(capsys, card_id)


def test_jinan_art_5_registers_a_child_once_card_amend_files_that_she_is_unmarried(
    env: Path, key: CliKeys, capsys: Capsys
):
    card_id = issued_jinan_card(capsys, key)
    talent, window = key("applicant", "jinan", name="li"), key("city_window", "jinan", name="qin")
    common = f"--takes-effect-on {today()} --evidence doc://hukou/1 --reason 户籍"
    child = "--relation child --name 李小雪 --date-of-birth 1998-02-01 --sex female"
    ok(capsys, f"card amend request {card_id} {talent} --change add_member {child} {common}")
    ok(capsys, f"card amend decide {card_id} {window} --decision approved")
    assert "jinan.5" not in child_items(capsys, card_id)  # whether married is not filed
    ok(
        capsys,
        f"card amend request {card_id} {talent} --change correct_member --member 1 "
        f"--married no --married-as-of {today()} {common}",
    )
    ok(capsys, f"card amend decide {card_id} {window} --decision approved")
    assert "jinan.5" in child_items(capsys, card_id)
    shown = ok(capsys, f"card show {card_id}")
    assert f"family 1 child 李小雪 (female; unmarried as of {today()})\n" in shown


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ("--married no", "married and married_as_of go together"),
        ("--married perhaps --married-as-of 2026-01-01", "--married"),
        ("--sex other", "--sex"),
    ],
)
def test_a_marital_status_or_sex_given_wrongly_is_refused_in_one_line_and_writes_nothing(
    env: Path, key: CliKeys, capsys: Capsys, options: str, says: str
):
    card_id = issued_jinan_card(capsys, key)
    talent = key("applicant", "jinan", name="li")
    code, out, err = run(
        capsys,
        f"card amend request {card_id} {talent} --change add_member --relation child "
        f"--name 李小雪 --date-of-birth 1998-02-01 {options} --takes-effect-on {today()} "
        "--evidence doc://hukou/1 --reason 户籍",
    )
    assert code == 2 and out == "" and says in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    shown = json.loads(ok(capsys, f"card show {card_id} --json"))
    assert "AmendmentRequested" not in [e["event"] for e in shown["history"]]  # nothing written


def test_a_family_value_with_a_marital_status_but_no_day_is_a_usage_error(
    env: Path, key: CliKeys, capsys: Capsys
):
    code, _, err = run(
        capsys,
        f"card apply {key('applicant', 'jinan', name='li')} --scheme jinan --category C "
        "--family child:李小雷:1996-05-01:male:unmarried",
    )
    assert code == 2 and "RELATION:NAME:YYYY-MM-DD[:SEX" in err


def test_a_filed_marital_status_dated_after_the_filing_day_is_refused_and_writes_nothing(
    env: Path, key: CliKeys, capsys: Capsys
):
    code, out, err = run(
        capsys,
        f"card apply {key('applicant', 'jinan', name='li')} --scheme jinan --category C "
        f"--fact certified_class_c=true --holder-name 韩梅梅 --holder-id {f.RESIDENT_ID} "
        "--holder-dob 1949-12-31 --sponsor-kind employer --sponsor-name 济南某公司 "
        f"--sponsor-credit-code {f.CREDIT_CODE} "
        "--family child:李小雷:1996-05-01:male:unmarried:2999-01-01",
    )
    assert code == 2 and out == "" and "married_as_of 2999-01-01" in err
    assert len(err.strip().splitlines()) == 1
    assert json.loads(ok(capsys, "card list --json"))["cards"] == []
