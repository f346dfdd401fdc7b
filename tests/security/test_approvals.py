"""Issue 8, attack 5: a revocation's approvals were text the caller typed
(``--approval city_hrss:liu``), so anyone could claim anyone's approval, the proposer's
own included. Now each step is a command of its own by the acting user, and no user takes
two steps of one proposal. Each test failed on the main branch before the change (commit
f5dd24a) and passes after; every one runs on SQLite and on PostgreSQL.

Since commit 15a2318 the acting user is the one whose API key the command is given
(``--key-file``): nobody types an actor, a role, an approver or a proposer, and a key
belongs to one user with one role, so the proposer cannot act again in another role."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.cli import main
from tests import factories as f
from tests.conftest import CliKeys


def run(capsys: pytest.CaptureFixture[str], command: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of one command line (no argument holds a space)."""
    code = main(command.split())
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: pytest.CaptureFixture[str], command: str) -> str:
    code, out, err = run(capsys, command)
    assert code == 0, err
    return out


def issued(capsys: pytest.CaptureFixture[str], key: CliKeys, scheme: str = "liaocheng") -> str:
    """An issued card: Liaocheng art. 5(2) (direct) or Jinan class C (direct), filed by
    the talent and naming the employer (tests.factories.CREDIT_CODE) whose commissioner
    may propose revoking it."""
    facts = {
        "liaocheng": "--category art5.2 --fact certified_top_or_leading=true",
        "jinan": "--category C --fact certified_class_c=true",
    }[scheme]
    out = ok(
        capsys,
        f"card apply {key('applicant', scheme, name='li')} --scheme {scheme} {facts} "
        f"--holder-name 李雷 --holder-id {f.RESIDENT_ID} --holder-dob 1949-12-31 "
        f"--sponsor-kind employer --sponsor-name 某单位 --sponsor-credit-code {f.CREDIT_CODE} "
        "--output-json",
    )
    card_id: str = json.loads(out)["card_id"]
    # The city window records a Jinan card (jinan.issuers); the city HRSS issues Liaocheng's
    # (liaocheng-2022 art. 32).
    issuer, name = ("city_window", "qian.window") if scheme == "jinan" else ("city_hrss", "zhao")
    ok(capsys, f"card issue {card_id} {key(issuer, scheme, name=name)}")
    return card_id


def show(capsys: pytest.CaptureFixture[str], card_id: str) -> dict[str, object]:
    """The card as the provincial auditor (TALENTCARD_API_KEY) reads it."""
    view: dict[str, object] = json.loads(ok(capsys, f"card show {card_id} --json"))
    return view


def status(capsys: pytest.CaptureFixture[str], card_id: str) -> str:
    value = show(capsys, card_id)["status"]
    assert isinstance(value, str)
    return value


def propose(capsys: pytest.CaptureFixture[str], key: CliKeys, card_id: str, scheme: str) -> None:
    """The employer's commissioner wang proposes revoking the card."""
    ok(
        capsys,
        f"card revoke propose {card_id} {key('employer', scheme, name='wang')} --reason 违规"
        " --ground misconduct",
    )


def add_user(capsys: pytest.CaptureFixture[str], name: str, role: str, authority: str) -> int:
    """``talentcard users add`` on the server host; returns its exit code."""
    code, _, err = run(capsys, f"users add {name} --role {role} --authority {authority}")
    if code:
        assert "user_exists" in err, err
    return code


@pytest.mark.parametrize(
    "typed",
    [
        "--approval city_window:qin",
        "--approver qin",
        "--proposer wang",
        "--proposer-role employer",
        "--actor qin",
        "--role city_window",
    ],
)
def test_a_typed_approval_in_someone_else_s_name_no_longer_revokes_a_card(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str], typed: str
):
    card_id = issued(capsys, key)
    propose(capsys, key, card_id, "liaocheng")
    version = show(capsys, card_id)["version"]
    # The old one-shot form, which took the whole chain as typed text, is gone ...
    code, _, err = run(
        capsys,
        f"card revoke {card_id} {key('city_hrss', name='liu')} --reason 违规 "
        "--proposer liu --proposer-role employer --approval city_hrss:liu",
    )
    assert code == 2
    assert "invalid choice" in err
    # ... and no step takes a typed name or role in place of the key's user.
    option = typed.split()[0]
    code, _, err = run(
        capsys, f"card revoke approve {card_id} {key('city_hrss', name='liu')} {typed}"
    )
    assert code == 2
    assert f"unrecognized arguments: {option}" in err
    # Nor does a JSON body: who acts is not one of its fields.
    field = option.removeprefix("--").replace("-", "_")
    body = cli_env / "approve.json"
    body.write_text(json.dumps({field: typed.split()[1]}))
    code, _, err = run(
        capsys, f"card revoke approve {card_id} {key('city_hrss', name='liu')} --json {body}"
    )
    assert code == 2
    assert f"unknown field `{field}`" in err
    # The key's user is city HRSS liu, who cannot take the window's step for qin ...
    code, _, err = run(capsys, f"card revoke approve {card_id} {key('city_hrss', name='liu')}")
    assert code == 1
    assert "revocation_step_role" in err and "not city_hrss" in err
    # ... nor become a window clerk as well: a name is one user with one role.
    assert add_user(capsys, "liu", "city_window", "liaocheng") == 1
    view = show(capsys, card_id)
    assert (view["status"], view["version"]) == ("active", version)


def test_the_proposer_cannot_approve_their_own_revocation(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    card_id = issued(capsys, key)
    propose(capsys, key, card_id, "liaocheng")
    version = show(capsys, card_id)["version"]
    # The proposer's key is an employer's: it cannot take the window's step ...
    code, _, err = run(capsys, f"card revoke approve {card_id} {key('employer', name='wang')}")
    assert code == 1
    assert "revocation_step_role" in err and "not employer" in err
    # ... and the proposer cannot get a second user, in the window's role, under its name
    # (the domain's self_approval check stands behind this: tests/domain).
    assert add_user(capsys, "wang", "city_window", "liaocheng") == 1
    assert add_user(capsys, "WANG", "city_window", "liaocheng") == 1
    view = show(capsys, card_id)
    assert (view["status"], view["version"]) == ("active", version)


def test_one_user_cannot_give_both_of_jinan_s_approvals(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    card_id = issued(capsys, key, "jinan")
    propose(capsys, key, card_id, "jinan")
    ok(capsys, f"card revoke approve {card_id} {key('city_window', 'jinan', name='qin')}")
    liu = key("city_hrss", "jinan", name="liu")
    ok(capsys, f"card revoke approve {card_id} {liu}")
    version = show(capsys, card_id)["version"]
    # The same user's key for the talent office's step as well: refused.
    code, _, err = run(capsys, f"card revoke approve {card_id} {liu}")
    assert code == 1
    assert "revocation_step_role" in err and "talent_office" in err
    # A new key is the same user, in the same role: still refused.
    code, new_key, _ = run(capsys, "users rotate-key liu")
    assert code == 0
    rotated = cli_env / "liu-rotated.key"
    rotated.write_text(new_key.strip())
    code, _, err = run(capsys, f"card revoke approve {card_id} --key-file {rotated}")
    assert code == 1
    assert "revocation_step_role" in err
    # Nor can liu be added again as the talent office's user.
    assert add_user(capsys, "liu", "talent_office", "jinan") == 1
    view = show(capsys, card_id)
    assert (view["status"], view["version"]) == ("active", version)
    # The step is the talent office's, taken by another person: that revokes.
    ok(capsys, f"card revoke approve {card_id} {key('talent_office', 'jinan', name='zhao')}")
    assert status(capsys, card_id) == "revoked"


def test_an_approval_in_a_role_the_step_does_not_name_is_refused(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    card_id = issued(capsys, key)
    propose(capsys, key, card_id, "liaocheng")
    # Another commissioner of the same employer: a user of its own, in the wrong role.
    code, _, err = run(capsys, f"card revoke approve {card_id} {key('employer', name='zhang')}")
    assert code == 1
    assert "revocation_step_role" in err
    assert status(capsys, card_id) == "active"


def test_a_suspension_with_a_typed_approver_is_refused(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    card_id = issued(capsys, key)
    # Liaocheng's interim authority (city HRSS) suspends; no proposer or approver is typed.
    suspend = (
        f"card suspend {card_id} {key('city_hrss', name='liu')} --reason 调查 --decision-ref 文1"
    )
    for typed in ("--proposer wang --approver liu", "--approver liu", "--role city_hrss"):
        code, _, err = run(capsys, f"{suspend} {typed}")
        assert code == 2
        assert "unrecognized arguments" in err
        assert status(capsys, card_id) == "active"
    ok(capsys, suspend)  # the same command, without the typed names, suspends
    assert status(capsys, card_id) == "suspended"


def test_only_the_scheme_s_interim_authority_may_suspend(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    card_id = issued(capsys, key)
    code, _, err = run(
        capsys,
        f"card suspend {card_id} {key('employer', name='wang')} --reason 调查 --decision-ref 文1",
    )
    assert code == 1
    assert "interim_measure_not_authorised" in err
    assert status(capsys, card_id) == "active"
