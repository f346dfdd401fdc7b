"""The ``talentcard`` command line, as an administrator or a script uses it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from api.cli import main, terminal_safe
from domain.clock import business_date
from domain.errors import InvalidInput
from ledger import commands as c
from ledger import limits
from services.bootstrap import Registry
from services.clock import system_clock
from tests import factories as f
from tests.api import cli_support
from tests.conftest import CliKeys, runtime_ledger


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: pytest.CaptureFixture[str], command: str) -> str:
    """Run a command line written as one string (no argument contains spaces)."""
    code, out, err = run(capsys, *command.split())
    assert code == 0, err
    return out


HOLDER = f"--holder-name 李雷 --holder-id {f.RESIDENT_ID} --holder-dob 1949-12-31"


def apply_card(capsys: pytest.CaptureFixture[str], key: CliKeys) -> str:
    out = ok(
        capsys,
        f"card apply {key('employer', name='wang')} --scheme liaocheng --category art5.3 "
        f"--fact certified_excellent=true {HOLDER} --family spouse:韩梅梅:1952-03-04 "
        f"--sponsor-kind employer --sponsor-credit-code {f.CREDIT_CODE} --sponsor-name 聊城大学 "
        "--evidence doc://cert/1 --output-json",
    )
    card_id: str = json.loads(out)["card_id"]
    return card_id


def test_init_reports_the_store_it_prepared(cli_env: Path, capsys: pytest.CaptureFixture[str]):
    assert "append-only guards installed" in ok(capsys, "init")


def test_a_card_goes_through_its_whole_life_and_show_prints_that_history(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    out = ok(
        capsys,
        f"card apply {key('investment_department', 'weihai', name='zhou')} --scheme weihai "
        "--category business_elite --project-id P-1 "
        f"--fact key_member_of_project_under_negotiation=true {HOLDER} "
        "--sponsor-kind investment_department --sponsor-name 威海市商务局 --evidence doc://1 "
        "--output-json",
    )
    card_id = json.loads(out)["card_id"]
    today = business_date(datetime.now(UTC))
    steps = [
        f"receive {card_id} {key('talent_institute', 'weihai', name='qian')} --window "
        "talent_institute "
        "--note 材料齐全",
        f"review {card_id} {key('city_hrss', 'weihai', name='liu')} --stage city_hrss --decision "
        "approved "
        "--joint-with 市委组织部 --joint-with 市商务局",
        f"review {card_id} {key('talent_office', 'weihai', name='zhao')} --stage talent_office "
        "--decision approved",
        f"issue {card_id} {key('city_hrss', 'weihai', name='liu')}",
        f"extend {card_id} {key('city_hrss', 'weihai', name='liu')} --event-on {today} "
        "--evidence doc://landing/1 --shows project_landed",
        f"revoke propose {card_id} {key('programme_authority', 'weihai', name='wu')} --reason 违规 "
        "--ground misconduct",
        f"revoke approve {card_id} {key('city_window', 'weihai', name='qin')}",
    ]
    # The receipt writes two events: FileReceived and the deadline clock it starts.
    versions = [3, 4, 5, 6, 7, 8, 9]
    for version, step in zip(versions, steps, strict=True):
        assert ok(capsys, f"card {step}").strip().endswith(f"version {version}")
    out = ok(capsys, f"card revoke approve {card_id} {key('city_hrss', 'weihai', name='ma')}")
    assert out.strip().endswith("version 11")  # the approval, and the revocation it completes
    out = ok(capsys, f"card show {card_id}")
    assert "status   revoked" in out
    events = [line.split()[1] for line in out.splitlines() if line[:1].isdigit()]
    assert events == [
        "Applied",
        "FileReceived",
        "DeadlineStarted",
        "ReviewRecorded",
        "ReviewRecorded",
        "Issued",
        "Extended",
        "RevocationProposed",
        "RevocationApproved",
        "RevocationApproved",
        "Revoked",
    ]
    assert "材料齐全" in out
    # The command runs on today's date: from 2026-12-07 the rectified rule (首次开通 only).
    first = "first_opening_2026" if today.isoformat() >= "2026-12-07" else "first_issue_2023"
    assert f"weihai.term.{first}: 1 year" in out
    assert (
        "proposed by programme_authority wu: 违规; steps: propose (programme_authority or employer"
        in out
    )
    assert "step 2: approved by city_window qin" in out
    assert "step 3: approved by city_hrss ma" in out
    assert (
        "违规; proposed by programme_authority wu, approved by city_window qin, approved by "
        "city_hrss ma" in out
    )


def test_an_upgrade_through_the_cli_records_the_new_tier(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    card_id = apply_card(capsys, key)
    for stage in ("city_hrss", "talent_office"):
        ok(
            capsys,
            f"card review {card_id} {key(stage)} --stage {stage} --decision approved",
        )
    ok(capsys, f"card issue {card_id} {key('city_hrss', name='liu')}")
    ok(  # liaocheng art. 32: the higher category (5(2), direct) on the same card
        capsys,
        f"card upgrade-request {card_id} {key('employer', name='wang')} --category art5.2 "
        "--fact certified_top_or_leading=true",
    )
    ok(capsys, f"card upgrade {card_id} {key('city_hrss', name='liu')} --tier A")
    view = json.loads(ok(capsys, f"card show {card_id} --json"))
    assert (view["tier"], view["valid_until"]) == ("A", None)


def test_an_ineligible_application_exits_1_naming_the_condition(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    code, _, err = run(
        capsys,
        *(
            f"card apply {key('employer', name='wang')} --scheme liaocheng --category art5.3 "
            f"{HOLDER} --sponsor-kind employer --sponsor-credit-code {f.CREDIT_CODE} --evidence "
            "doc://1"
        ).split(),
    )
    assert code == 1
    assert "not_eligible" in err
    assert "certified excellent talent" in err


def test_show_json_and_an_earlier_version(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    card_id = apply_card(capsys, key)
    ok(
        capsys,
        f"card review {card_id} {key('city_hrss', name='liu')} --stage city_hrss --decision "
        "approved",
    )
    out = ok(capsys, f"card show {card_id} --version 1 --json")
    view = json.loads(out)
    assert (view["version"], view["status"], view["next_stage"]) == (1, "under_review", "city_hrss")
    assert [e["event"] for e in view["history"]] == ["Applied"]
    assert view["policy_version"] == "liaocheng-2026-rectified"  # the version in force today
    assert f.RESIDENT_ID not in out


def test_a_command_can_take_its_fields_from_a_json_file(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    body = {
        "scheme": "jinan",
        "category": "C",
        "facts": {"certified_class_c": True},
        "holder": {"name": "韩梅梅", "id_number": f.RESIDENT_ID, "date_of_birth": "1949-12-31"},
    }
    path = cli_env / "apply.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    ok(capsys, f"card apply --json {path} --note from-a-file {key('applicant', 'jinan')}")
    out = ok(capsys, "card list")
    assert "jinan" in out
    assert "韩梅梅" in out


def test_a_refused_command_exits_1_with_the_code_and_writes_nothing(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    card_id = apply_card(capsys, key)
    code, _, err = run(capsys, *f"card issue {card_id} {key('city_hrss', name='liu')}".split())
    assert code == 1
    assert "review_incomplete" in err
    assert json.loads(ok(capsys, f"card show {card_id} --json"))["version"] == 1


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("card show not-a-uuid", "is not a card id"),
        (
            "card withdraw 00000000-0000-0000-0000-000000000000 --json /nonexistent.json",
            "cannot read",
        ),
        (
            f"card apply --scheme weihai --category 1 --holder-name x --holder-id {f.RESIDENT_ID}",
            "Object missing required field `date_of_birth` - at `$.holder`",
        ),
        ("card apply --fact nokey", "expected KEY=VALUE"),
        (
            "card issue 00000000-0000-0000-0000-000000000000 --basis contract",
            "expected KIND:YEARS",
        ),
        (
            "card suspend 00000000-0000-0000-0000-000000000000 --reason r",
            "Object missing required field `decision_ref`",
        ),
    ],
)
def test_malformed_input_exits_2_naming_what_was_wrong(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str], command: str, message: str
):
    code, _, err = run(capsys, *command.split())
    assert code == 2
    assert message in err


def test_an_unknown_card_exits_1_as_not_found(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    code, _, err = run(capsys, "card", "show", "00000000-0000-0000-0000-000000000000")
    assert code == 1
    assert "card_not_found" in err


def test_a_stale_expected_version_is_refused_as_a_conflict(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    card_id = apply_card(capsys, key)
    code, _, err = run(
        capsys,
        *(f"card withdraw {card_id} {key('employer', name='wang')} --expect-version 3").split(),
    )
    assert code == 1
    assert "conflict" in err


def test_a_project_quota_is_shown_and_raised_case_by_case(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    def apply(person: int) -> str:  # one live card per person: each filing a new person
        return (
            f"card apply {key('investment_department', 'weihai', name='zhou')} --scheme weihai "
            "--category business_elite --project-id P-7 "
            "--fact key_member_of_project_under_negotiation=true --holder-name 李雷 "
            f"--holder-id {f.resident_id(person)} --holder-dob 1949-12-31 "
            "--sponsor-kind investment_department --evidence doc://1"
        )

    for person in range(3):
        ok(capsys, apply(person))
    code, _, err = run(capsys, *apply(3).split())
    assert code == 1
    assert "quota_full" in err
    show = "quota show --scheme weihai --category business_elite --project-id P-7"
    assert "quota full: 3 of 3" in ok(capsys, show)
    out = ok(
        capsys,
        "quota raise --scheme weihai --category business_elite --project-id P-7 "
        "--limit 4 --decision-ref 威人才办〔2026〕7号 --attests major_project "
        f"{key('talent_office', 'weihai', name='zhao')}",
    )
    assert "limit raised to 4" in out
    ok(capsys, apply(3))


# ---- malformed input and terminal safety (issue 8) ------------------------------------


def test_a_usage_error_is_one_line_on_stderr(cli_env: Path, capsys: pytest.CaptureFixture[str]):
    code, _, err = run(capsys, "card", "apply", "--role", "nobody")
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "--role" in err


def test_a_field_the_domain_finds_malformed_exits_2_not_1(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    # A reviewed application without evidence: InvalidInput, which names the field.
    code, _, err = run(
        capsys,
        *(
            f"card apply {key('employer', name='wang')} --scheme liaocheng --category art5.3 "
            f"--fact certified_excellent=true {HOLDER} --sponsor-kind employer "
            f"--sponsor-credit-code {f.CREDIT_CODE}"
        ).split(),
    )
    assert code == 2
    assert "invalid_input" in err and "evidence" in err


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"note": ["a"]}, "$.note"),
        ({"note": "n" * 2_001}, "$.note"),
        # Who acts comes from the key: a file typing an actor or a role is refused.
        ({"actor": "wang", "role": "city_hrss"}, "actor"),
        ({"role": "city_hrss"}, "role"),
    ],
)
def test_an_unknown_field_a_wrong_type_or_a_long_value_in_json_exits_2_naming_it(
    cli_env: Path,
    key: CliKeys,
    capsys: pytest.CaptureFixture[str],
    body: dict[str, object],
    field: str,
):
    path = cli_env / "body.json"
    path.write_text(json.dumps(body))
    code, _, err = run(capsys, "card", "apply", "--json", str(path))
    assert code == 2
    assert field in err
    assert len(err.strip().splitlines()) == 1


def test_a_fact_value_is_a_json_scalar_or_else_text(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    out = ok(
        capsys,
        f"card apply {key('employer', name='wang')} --scheme liaocheng --category art5.3 "
        f"--fact certified_excellent=true --fact years=3 --fact list=[1,2] {HOLDER} "
        f"--sponsor-kind employer --sponsor-credit-code {f.CREDIT_CODE} --evidence doc://1 "
        "--output-json",
    )
    card_id = json.loads(out)["card_id"]
    with runtime_ledger(clock=system_clock) as ledger:
        facts = ledger.get_card(UUID(card_id)).application.basis.facts
    assert facts == {"certified_excellent": True, "years": 3, "list": "[1,2]"}


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("李雷", "李雷"),
        ("a\x1b[31mb", "a\\x1b[31mb"),
        ("\u202eabc", "\\u202eabc"),
        ("line\nnext", "line\\nnext"),
        ("\U000e0001tag", "\\U000e0001tag"),
    ],
)
def test_terminal_safe_shows_control_characters_as_visible_escapes(raw: str, shown: str):
    assert terminal_safe(raw) == shown


def test_a_second_application_for_the_same_person_exits_1_without_naming_the_first_card(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    first = apply_card(capsys, key)
    code, _, err = run(
        capsys,
        *(
            f"card apply {key('employer', name='wang')} --scheme liaocheng --category art5.3 "
            f"--fact certified_excellent=true {HOLDER} --sponsor-kind employer "
            f"--sponsor-credit-code {f.CREDIT_CODE} "
            "--evidence doc://cert/2"
        ).split(),
    )
    assert code == 1
    assert "already_holds_card" in err
    assert first not in err


def issued_jinan_card(capsys: pytest.CaptureFixture[str], key: CliKeys) -> str:
    """The shared Jinan card (tests/api/cli_support.py), held by 李雷, issued by the
    city window (jinan.issuers)."""
    return cli_support.issued_jinan_card(
        capsys, key, holder_name="李雷", issuer=("city_window", "qian.window")
    )


def test_a_jinan_revocation_is_three_commands_by_three_users_in_the_seed_s_order(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    card_id = issued_jinan_card(capsys, key)
    ok(
        capsys,
        f"card revoke propose {card_id} {key('employer', 'jinan', name='wang')} --reason 违纪"
        " --ground misconduct",
    )
    ok(capsys, f"card revoke approve {card_id} {key('city_window', 'jinan', name='qin')}")
    ok(capsys, f"card revoke approve {card_id} {key('city_hrss', 'jinan', name='liu')}")
    assert "status   active" in ok(capsys, f"card show {card_id}")
    ok(capsys, f"card revoke approve {card_id} {key('talent_office', 'jinan', name='zhao')}")
    out = ok(capsys, f"card show {card_id}")
    assert "status   revoked" in out
    assert (
        "违纪; proposed by employer wang, approved by city_window qin, "
        "approved by city_hrss liu, approved by talent_office zhao" in out
    )


def test_the_proposer_approving_their_own_revocation_exits_1_and_writes_nothing(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    card_id = issued_jinan_card(capsys, key)
    ok(
        capsys,
        f"card revoke propose {card_id} {key('employer', 'jinan', name='wang')} --reason 违纪"
        " --ground misconduct",
    )
    code, _, err = run(
        capsys, *f"card revoke approve {card_id} {key('city_window', 'jinan', name='wang')}".split()
    )
    # One user, one role: the proposer's own approval is refused at the step's role
    # (the domain's self_approval check stands behind it, tests/domain).
    assert code == 1
    assert "revocation_step_role" in err
    assert "version  3" in ok(capsys, f"card show {card_id}")


def test_a_declined_revocation_leaves_the_card_active(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    card_id = issued_jinan_card(capsys, key)
    ok(
        capsys,
        f"card revoke propose {card_id} {key('employer', 'jinan', name='wang')} --reason 违纪"
        " --ground misconduct",
    )
    ok(capsys, f"card revoke approve {card_id} {key('city_window', 'jinan', name='qin')}")
    ok(
        capsys,
        f"card revoke decline {card_id} {key('city_hrss', 'jinan', name='liu')} --reason 证据不足",
    )
    out = ok(capsys, f"card show {card_id}")
    assert "status   active" in out
    assert "step 3: declined by city_hrss liu: 证据不足" in out


@pytest.mark.parametrize(
    "option",
    ["--approval city_hrss:liu", "--approver liu", "--proposer 单位", "--proposer-role employer"],
)
def test_typed_approvers_and_proposers_are_no_longer_accepted(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str], option: str
):
    card_id = issued_jinan_card(capsys, key)
    for command in (
        f"card revoke approve {card_id} {key('city_hrss', 'jinan', name='liu')} {option}",
        f"card suspend {card_id} {key('talent_office', 'jinan', name='zhao')} --reason r "
        f"--decision-ref d {option}",
    ):
        code, _, err = run(capsys, *command.split())
        assert code == 2
        assert option.split()[0] in err
    assert "version  2" in ok(capsys, f"card show {card_id}")


def test_a_suspension_names_its_decision_and_only_the_interim_authority_may_suspend(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    card_id = issued_jinan_card(capsys, key)
    suspend = f"card suspend {card_id} --reason 调查 --decision-ref 济人才办〔2026〕3号"
    code, _, err = run(capsys, *f"{suspend} {key('city_hrss', 'jinan', name='liu')}".split())
    assert code == 1
    assert "interim_measure_not_authorised" in err
    ok(capsys, f"{suspend} {key('talent_office', 'jinan', name='zhao')}")
    out = ok(capsys, f"card show {card_id}")
    assert "status   suspended" in out
    assert "decision_ref=济人才办〔2026〕3号" in out


def test_a_jinan_upgrade_needs_the_higher_class_s_certification_and_records_it(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    card_id = issued_jinan_card(capsys, key)
    upgrade = f"card upgrade {card_id} {key('city_window', 'jinan', name='qian.window')} --tier B"
    code, _, err = run(capsys, *upgrade.split())
    assert code == 1 and "upgrade_refused" in err and "class B" in err
    ok(capsys, upgrade + " --fact certified_class_b=true")
    history = json.loads(ok(capsys, f"card show {card_id} --json"))["history"]
    assert history[-1]["event"] == "Upgraded"
    assert history[-1]["details"]["upgrade"]["facts"] == {"certified_class_b": True}


# Card commands name their body type and look it up when they run (the parser imports no
# ledger.commands), so a misspelt name would only show as a traceback: each is run here.
CARD = "5f0c6a1e-8a4b-4c1e-9d7e-2b3c4d5e6f70"
COMMAND_BODIES = [
    (["card", "apply"], c.ApplyBody),
    (["card", "review", CARD], c.ReviewBody),
    (["card", "issue", CARD], c.IssueBody),
    (["card", "upgrade-request", CARD], c.UpgradeRequestBody),
    (["card", "upgrade", CARD], c.UpgradeBody),
    (["card", "extend", CARD], c.ExtendBody),
    (["card", "suspend", CARD], c.StatusBody),
    (["card", "reinstate", CARD], c.StatusBody),
    (["card", "revoke", "propose", CARD], c.RevocationProposeBody),
    (["card", "revoke", "approve", CARD], c.RevocationApproveBody),
    (["card", "revoke", "decline", CARD], c.RevocationDeclineBody),
    (["card", "receive", CARD], c.ReceiveBody),
    (["card", "confirm-contract", CARD], c.ContractBody),
    (["card", "withdraw", CARD], c.WithdrawBody),
    (["quota", "raise"], c.QuotaRaiseBody),
]


@pytest.mark.parametrize(
    ("argv", "body_type"),
    COMMAND_BODIES,
    ids=[" ".join(word for word in argv if word != CARD) for argv, _ in COMMAND_BODIES],
)
def test_each_command_reads_its_fields_into_its_own_body_type(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], body_type: type[c.Body]
):
    converted: list[type[Any]] = []

    def convert_body(fields: dict[str, Any], into: type[Any]) -> Any:
        converted.append(into)
        raise InvalidInput("stopped before the registry")

    monkeypatch.setattr(limits, "convert_body", convert_body)
    assert main([*argv, "--note", "n"], Registry({})) == 2
    assert converted == [body_type.__mro__[1]]  # the request: the body less who acts
