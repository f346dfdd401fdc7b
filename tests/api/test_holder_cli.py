"""``talentcard holder …`` as an operator types it: an erasure proposed and approved by two
administrators, the refusals in one line, a person's copy and the record of reads."""

from __future__ import annotations

import json
import re

import pytest

from tests.api.cli_support import issued_jinan_card, ok, run
from tests.conftest import CliKeys

NAME = "欧阳锋"


@pytest.fixture
def withdrawn(capsys: pytest.CaptureFixture[str], key: CliKeys) -> str:
    """A Jinan application withdrawn by the talent who filed it: the shortest way to a
    card that ended, whose holder may be erased."""
    out = ok(
        capsys,
        f"card apply {key('applicant', 'jinan', name='li')} --scheme jinan --category C "
        f"--fact certified_class_c=true --holder-name {NAME} "
        "--holder-id 11010519491231002X --holder-dob 1949-12-31 --sponsor-kind employer "
        "--sponsor-name 济南某公司 --sponsor-credit-code 91370100MA3C5XXX1X --output-json",
    )
    card_id: str = json.loads(out)["card_id"]
    ok(capsys, f"card withdraw {card_id} {key('applicant', 'jinan', name='li')}")
    return card_id


def propose(capsys: pytest.CaptureFixture[str], key: CliKeys, card_id: str) -> str:
    out = ok(
        capsys,
        f"holder erase --card {card_id} --ground consent_withdrawn --decision REQ-17 "
        f"{key('administrator', 'province', name='admin.one')}",
    )
    found = re.search(r"erasure ([0-9a-f-]{36}) proposed", out)
    assert found, out
    return found.group(1)


def test_two_administrators_erase_a_holder_and_the_file_no_longer_names_them(
    capsys: pytest.CaptureFixture[str], key: CliKeys, withdrawn: str
):
    assert NAME in ok(capsys, f"card show {withdrawn}")
    erasure = propose(capsys, key, withdrawn)
    out = ok(
        capsys,
        f"holder approve-erasure {erasure} {key('administrator', 'province', name='admin.two')}",
    )
    assert f"card {withdrawn} (holder) erased" in out
    shown = ok(capsys, f"card show {withdrawn}")
    assert NAME not in shown and "withdrawn" in shown


def test_the_proposer_s_own_approval_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], key: CliKeys, withdrawn: str
):
    erasure = propose(capsys, key, withdrawn)
    code, out, err = run(
        capsys,
        f"holder approve-erasure {erasure} {key('administrator', 'province', name='admin.one')}",
    )
    assert (code, out) == (1, "")
    assert len(err.strip().splitlines()) == 1 and "other than its proposer" in err


def test_an_unknown_ground_exits_2_naming_the_choices(
    capsys: pytest.CaptureFixture[str], key: CliKeys, withdrawn: str
):
    code, _, err = run(
        capsys,
        f"holder erase --card {withdrawn} --ground because --decision X "
        f"{key('administrator', 'province', name='admin.one')}",
    )
    assert code == 2 and "consent_withdrawn" in err


def test_the_auditor_sees_who_read_a_file_and_by_which_command(
    capsys: pytest.CaptureFixture[str], key: CliKeys
):
    card_id = issued_jinan_card(capsys, key, holder_name=NAME)
    ok(capsys, f"card show {card_id}")
    out = ok(capsys, f"holder reads --card {card_id}")
    assert "cli: card show (card show)" in out and NAME not in out


def test_a_person_s_copy_is_json_with_their_file(capsys: pytest.CaptureFixture[str], key: CliKeys):
    card_id = issued_jinan_card(capsys, key, holder_name=NAME)
    found = json.loads(ok(capsys, f"holder export --card {card_id}"))
    assert found["file"]["name"] == NAME
    assert [e["event"] for e in found["events"]] == ["Card.Applied", "Card.Issued"]


def test_a_withdrawn_card_is_due_once_its_retention_has_run_out(
    capsys: pytest.CaptureFixture[str], key: CliKeys, withdrawn: str
):
    admin = key("administrator", "province", name="admin.one")
    assert "0 due for erasure" in ok(capsys, f"holder due-for-erasure {admin}")
    out = ok(capsys, f"holder due-for-erasure --on 2099-01-01 {admin}")
    assert withdrawn in out and "1 due for erasure" in out
