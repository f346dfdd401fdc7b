"""``talentcard policy ...``: the rules as an administrator reads them, and a trial decision."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

from api.cli_errors import UsageError
from api.policy_cli import add_policy_commands
from domain.errors import DomainError
from domain.policy import default_policy
from domain.policy.model import SchemeData
from domain.vocabulary import Scheme
from services.bootstrap import Registry
from tests import factories as f  # the builders card apply's own tests use


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """The policy commands on their own parser, with ``api.cli.main``'s exit codes."""
    parser = argparse.ArgumentParser(prog="talentcard")
    add_policy_commands(parser.add_subparsers())
    args = parser.parse_args(argv)
    code = 0
    try:
        args.run(args, Registry({}))
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        code = 2
    except msgspec.ValidationError as e:
        print(f"error: invalid_input: {e}", file=sys.stderr)
        code = 2
    except DomainError as e:
        print(f"error: {e}", file=sys.stderr)
        code = 1
    out, err = capsys.readouterr()
    return code, out, err


def facts_file(tmp_path: Path, content: dict[str, Any] | str) -> str:
    path = tmp_path / "facts.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return str(path)


def block(out: str, head: str) -> str:
    """The lines of the record whose first line starts with ``head``, up to the next record."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if f"{line.strip()} ".startswith(head + " "))
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = next(
        (
            i
            for i in range(start + 1, len(lines))
            if len(lines[i]) - len(lines[i].lstrip()) <= indent
        ),
        len(lines),
    )
    return "\n".join(lines[start:end])


def records(data: SchemeData) -> Iterator[msgspec.Struct]:
    """Every top-level record of a scheme file: versions, items and rules of every kind."""
    for field in msgspec.structs.fields(data):
        value = getattr(data, field.name)
        for record in value if isinstance(value, tuple) else (value,):
            if isinstance(record, msgspec.Struct):
                yield record


def one_line(text: str) -> str:
    return " ".join(text.split())


# ---- versions ---------------------------------------------------------------------------


def test_versions_lists_the_four_weihai_versions_and_marks_the_continued_one_in_force(
    capsys: pytest.CaptureFixture[str],
):
    code, out, _ = run(capsys, "policy", "versions", "weihai", "--on", "2026-03-02")
    assert code == 0
    versions = default_policy().scheme(Scheme.WEIHAI).versions
    assert [v.id for v in versions] == [
        "weihai-2019",
        "weihai-2023",
        "weihai-2024-continued",
        "weihai-2026-rectified",
    ]
    continued = block(out, "weihai-2024-continued")
    assert "2024-07-08 .. 2026-12-06  <- in force on" in continued
    assert "weihai-2026-rectified  2026-12-07 .. open\n" in out
    assert "continues: weihai-2023" in continued
    assert one_line(versions[2].note) in continued
    assert "weihai-2019  2019-07-08 .. 2023-02-19\n" in out
    assert out.count("in force on") == 1


def test_versions_on_a_2023_day_marks_the_2023_version(capsys: pytest.CaptureFixture[str]):
    _, out, _ = run(capsys, "policy", "versions", "weihai", "--on", "2023-03-01")
    assert "<- in force on 2023-03-01" in block(out, "weihai-2023")
    assert out.count("in force on") == 1


def test_versions_as_json_covers_every_scheme_with_one_version_in_force_each(
    capsys: pytest.CaptureFixture[str],
):
    code, out, _ = run(capsys, "policy", "versions", "--json")
    assert code == 0
    rows = json.loads(out)["versions"]
    assert {r["scheme"] for r in rows} == {s.value for s in Scheme}
    for scheme in Scheme:
        assert sum(r["in_force"] for r in rows if r["scheme"] == scheme) == 1


# ---- show -------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", list(Scheme))
def test_show_prints_every_rule_of_the_data_file_with_its_dates_and_source(
    capsys: pytest.CaptureFixture[str], scheme: Scheme
):
    code, out, _ = run(capsys, "policy", "show", scheme.value)
    assert code == 0
    data = default_policy().scheme(scheme)
    shown = 0
    for record in records(data):
        if hasattr(record, "decided_by"):  # an administrator's decision: who, when, why
            text = block(out, record.id)
            assert f"reference: {record.reference}" in text
            assert f"why: {one_line(record.why)}" in text
            shown += 1
            continue
        if hasattr(record, "id"):
            text = block(out, f"{record.id}  {record.effective_from} ..")
        else:  # a catalogue item
            text = block(out, record.code)
            assert f"name_zh: {record.name_zh}" in text
            assert f"name_en: {record.name_en}" in text
        assert f"source: {one_line(record.source)}" in text
        shown += 1
    assert shown > len(data.items) + len(data.versions) + len(data.categories)


def test_show_prints_a_categorys_conditions_and_a_paths_ordered_stages(
    capsys: pytest.CaptureFixture[str],
):
    _, out, _ = run(capsys, "policy", "show", "weihai")
    assert "(fact: years_in_key_field; at_least: 3)" in block(out, "weihai.category.4")
    assert "stages: city_hrss → talent_office" in out
    assert "intake: talent_institute" in out


def test_show_liaocheng_as_json_round_trips_to_the_loaded_data(
    capsys: pytest.CaptureFixture[str],
):
    code, out, _ = run(capsys, "policy", "show", "liaocheng", "--json")
    assert code == 0
    decoded = msgspec.json.decode(out, type=SchemeData)
    assert decoded == default_policy().scheme(Scheme.LIAOCHENG)


# ---- check ------------------------------------------------------------------------------


def test_check_of_an_eligible_weihai_category_prints_route_stages_and_a_5_year_term(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
):
    facts = {"category": "3", "on": "2024-09-01", "imported_national_or_provincial_programme": True}
    code, out, err = run(
        capsys, "policy", "check", "--scheme", "weihai", "--facts", facts_file(tmp_path, facts)
    )
    assert (code, err) == (0, "")
    assert "eligible yes" in out
    assert "route    reviewed" in out
    assert "stages   district → city_hrss → talent_office" in out
    assert "term     2024-09-01 .. 2029-08-31" in out
    assert "weihai.category.3, weihai.path.reviewed (policy version weihai-2024-continued)" in out
    assert "weihai.term.default (policy version weihai-2024-continued)" in out


def test_check_of_a_card_filed_on_the_huicai_card_says_its_term_needs_that_card_s_term(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
):
    # weihai-2019-green-channel-opinion part 2(3): 凭山东惠才卡申领的，按山东惠才卡待遇享有期限确定.
    facts = {"category": "1", "on": "2024-09-01", "works_in_weihai": True}
    facts["holds_huicai_card"] = True
    facts["huicai_card_valid_from"] = "2020-01-01"
    code, out, _ = run(
        capsys, "policy", "check", "--scheme", "weihai", "--facts", facts_file(tmp_path, facts)
    )
    assert code == 0 and "eligible yes" in out
    assert "term     - (weihai 1 cards take their term from the huicai_card basis" in out


def test_check_of_an_ineligible_facts_file_exits_1_naming_the_failing_condition(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
):
    facts = {
        "full_time_public_institution": True,
        "imported_national_or_provincial_programme": True,
    }
    code, out, err = run(
        capsys,
        "policy",
        "check",
        "--scheme",
        "weihai",
        "--facts",
        facts_file(tmp_path, facts),
        "--category",
        "3",
        "--on",
        "2024-09-01",
        "--date-of-birth",
        "1960-01-01",
    )
    assert code == 1
    assert (
        "eligible no: full-time into a Weihai public institution: age normally not over 55" in out
    )
    assert "term     - (not eligible)" in out
    assert err.startswith("error: not_eligible: does not meet weihai category 3: full-time")
    assert err.count("\n") == 1


def test_check_of_a_2023_business_elite_prints_the_1_year_term(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
):
    facts = {"on": "2022-06-01", "key_member_of_project_under_negotiation": True}
    code, out, _ = run(
        capsys,
        "policy",
        "check",
        "--scheme",
        "weihai",
        "--facts",
        facts_file(tmp_path, facts),
        "--category",
        "business_elite",
        "--on",
        "2023-03-01",  # overrides the file's day, before the category existed
    )
    assert code == 0
    assert "stages   city_hrss → talent_office" in out
    assert "intake   talent_institute receives the file first" in out
    assert "jointly  city_hrss with 市委组织部, 市商务局" in out
    assert "term     2023-03-01 .. 2024-02-29" in out
    assert "weihai.term.first_issue_2023 (policy version weihai-2023)" in out


def test_check_as_json_prints_the_engines_decisions(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
):
    facts = {
        "category": "art5.1",
        "on": "2023-01-01",
        "holds_huicai_card": True,
        "huicai_card_valid_from": "2020-01-01",
    }
    path = facts_file(tmp_path, facts)
    code, out, _ = run(
        capsys, "policy", "check", "--scheme", "liaocheng", "--facts", path, "--json"
    )
    assert code == 0
    result = json.loads(out)
    assert result["eligibility"]["tier"] == "A"
    assert result["term"]["valid_until"] is None


@pytest.mark.parametrize(
    ("content", "scheme", "message"),
    [
        ('{"category": "3",', "weihai", "facts.json is not valid JSON"),
        ('["category", "3"]', "weihai", "facts.json must hold a JSON object"),
        ('{"category": "3", "on": "2024-02-30"}', "weihai", "on: expected a date YYYY-MM-DD"),
        ('{"category": "3", "degrees": ["phd"]}', "weihai", "facts.json: facts must be"),
        ('{"category": "3"}', "qingdao", "unknown scheme 'qingdao'"),
        ("{}", "weihai", 'give --category or a "category" string in'),
    ],
)
def test_check_of_malformed_input_exits_2_saying_what_is_wrong(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, scheme: str, message: str
):
    path = facts_file(tmp_path, content)
    code, out, err = run(capsys, "policy", "check", "--scheme", scheme, "--facts", path)
    assert (code, out) == (2, "")
    assert message in err


def test_check_of_a_missing_facts_file_exits_2_naming_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
):
    missing = str(tmp_path / "nowhere.json")
    code, _, err = run(capsys, "policy", "check", "--scheme", "weihai", "--facts", missing)
    assert code == 2
    assert f"cannot read {missing}" in err


def test_check_of_an_unknown_category_is_the_engines_refusal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
):
    path = facts_file(tmp_path, {"category": "5", "on": "2024-09-01"})
    code, _, err = run(capsys, "policy", "check", "--scheme", "weihai", "--facts", path)
    assert code == 1
    assert err.startswith("error: unknown_category: '5' is not a weihai category")


def test_check_takes_the_body_card_apply_takes_and_prints_its_decision(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
):
    body = f.apply_body(
        scheme="weihai",
        category="1",
        facts={
            "works_in_weihai": True,
            "holds_huicai_card": True,
            "huicai_card_valid_from": "2020-01-01",
        },
    )
    apply = tmp_path / "apply.json"
    apply.write_bytes(msgspec.json.encode(body))
    code, out, _ = run(capsys, "policy", "check", "--apply", str(apply), "--on", "2025-05-20")
    assert code == 0
    assert "filer    weihai.filer.direct" in out
    assert "term     - (" in out and "huicai_card" in out
    issue = tmp_path / "issue.json"
    issue.write_text(json.dumps({"bases": [{"kind": "huicai_card", "until": "2028-12-31"}]}))
    code, out, _ = run(
        capsys,
        "policy",
        "check",
        "--apply",
        str(apply),
        "--issue",
        str(issue),
        "--on",
        "2025-05-20",
    )
    assert code == 0 and "term     2025-05-20 .. 2028-12-31" in out


def test_check_with_apply_refuses_as_card_apply_does(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
):
    body = f.apply_body(scheme="jinan", category="C", facts={"certified_class_c": True})
    apply = tmp_path / "apply.json"
    apply.write_bytes(msgspec.json.encode(body))
    code, _, err = run(capsys, "policy", "check", "--apply", str(apply))
    assert code == 1 and "filer_not_authorised" in err


def test_check_needs_an_application_or_a_scheme_and_facts(capsys: pytest.CaptureFixture[str]):
    code, _, err = run(capsys, "policy", "check")
    assert code == 2 and "--apply" in err


# ---- recheck ----------------------------------------------------------------------------


def recheck(
    capsys: pytest.CaptureFixture[str], registry: Registry, *argv: str
) -> tuple[int, str, str]:
    from api.cli import main

    code = main(["policy", "recheck", *argv], registry=registry)
    out, err = capsys.readouterr()
    return code, out, err


def test_recheck_exits_0_and_says_so_while_every_past_decision_stands(
    capsys: pytest.CaptureFixture[str], registry: Registry, ledger: Any
):
    f.jinan_card(ledger, "B")
    code, out, _ = recheck(capsys, registry)
    assert code == 0
    assert out.strip() == (
        "0 of 2 past decisions on 1 cards would be decided differently by the current reading"
    )


def test_recheck_prints_each_decision_the_corrected_reading_changes_and_exits_1(
    capsys: pytest.CaptureFixture[str], registry: Registry, ledger: Any
):
    from domain.policy import using_policy
    from tests.domain.policy.test_reading import corrected_policy

    card_id = f.jinan_card(ledger, "B", id_number=f.resident_id(901))
    with using_policy(corrected_policy()):
        code, out, _ = recheck(capsys, registry)
        _, as_json, _ = recheck(capsys, registry, "--json")
    assert code == 1
    first, summary = out.strip().split("\n")
    assert first.startswith(f"{card_id}  v1  Applied  2026-03-02  (under jinan-2018)  ")
    assert summary.startswith("1 of 2 past decisions on 1 cards")
    assert json.loads(as_json)["findings"][0]["card_id"] == str(card_id)
    for personal in ("李雷", f.resident_id(901), "1949"):  # no person is named
        assert personal not in out + as_json


def test_recheck_of_an_unknown_scheme_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], registry: Registry
):
    code, out, err = recheck(capsys, registry, "--scheme", "qingdao")
    assert code == 2 and out == ""
    assert err.strip() == (
        "error: unknown scheme 'qingdao' (schemes: shandong, weihai, liaocheng, jinan)"
    )
