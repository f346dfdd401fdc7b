"""Attack 9 of issue 8 (input hygiene): bytes that are not UTF-8 and deeply nested JSON
ended in tracebacks, malformed input exited 1 ("refused by a rule") instead of 2,
fullwidth digits passed as an ID number, and control characters and terminal escape
sequences in names were stored and printed raw. Now every malformed input exits 2 with one
line and no traceback, ID numbers are NFKC-normalised and must be ASCII, names refuse
control and bidi characters, and whatever the CLI prints is escaped."""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from api.cli import main
from domain.card import Admission, Card
from domain.errors import InvalidInput
from domain.values import Application, Basis, Context, Holder, IdentityRef, Sponsor
from domain.vocabulary import IdDocumentKind, ReviewStage, Role, Route, Scheme, SponsorKind
from ledger import commands as c
from ledger.app import CardLedger
from ledger.limits import decode_body
from tests import factories as f
from tests.conftest import CliKeys, FakeClock, runtime_ledger

ESC = "\x1b]0;pwned\x07\x1b[2J\x1b[31m"  # retitle the terminal, clear it, turn red


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def apply_fields(**overrides: Any) -> dict[str, Any]:
    """A valid application as a JSON file gives it: the request's fields, never who acts
    (the key says that), for the employer the commissioner's key is bound to."""
    sponsor = {"kind": "employer", "name": "聊城大学", "credit_code": f.CREDIT_CODE}
    body = msgspec.to_builtins(f.apply_body(sponsor=sponsor))
    fields = {k: v for k, v in body.items() if k in c.ApplyRequest.__struct_fields__}
    fields.update(overrides)
    return fields


def employer(key: CliKeys) -> list[str]:
    """``--key-file FILE`` of the employer's commissioner, who may file apply_fields()."""
    return key("employer").split()


def apply_file(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / f"{uuid.uuid4().hex}.json"
    path.write_bytes(data)
    return str(path)


def assert_malformed(code: int, err: str) -> None:
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err


# ---- malformed input: exit 2, one line ------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b'{"note": "\xff\xfe"}',  # not UTF-8
        b"[" * 100_000 + b"]" * 100_000,  # nested past the parser's stack
        b'{"note": [' + b"[" * 5_000 + b"]" * 5_000 + b"]}",
        # a valid application padded past the input cap (the padding is legal JSON)
        json.dumps(apply_fields()).encode()[:-1] + b" " * (300 * 1024) + b"}",
    ],
    ids=["bad-utf8", "deep-array", "deep-inside-object", "too-large"],
)
def test_a_hostile_json_file_exits_2_in_one_line(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str], data: bytes
):
    path = apply_file(cli_env, data)
    code, _, err = run(capsys, "card", "apply", "--json", path, *employer(key))
    assert_malformed(code, err)
    assert run(capsys, "card", "list")[1] == ""


def test_the_application_these_tests_spoil_is_filed_as_it_stands(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    # The control: the valid body and the employer's key file a card, so the exit 2
    # above and below comes from the spoiled input alone, not from who acts.
    path = apply_file(cli_env, json.dumps(apply_fields()).encode())
    code, out, err = run(capsys, "card", "apply", "--json", path, *employer(key), "--output-json")
    assert code == 0, err
    assert json.loads(out)["card_id"] in run(capsys, "card", "list")[1]


def test_a_deeply_nested_facts_file_for_policy_check_exits_2_in_one_line(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
):
    path = apply_file(cli_env, b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    code, _, err = run(capsys, "policy", "check", "--scheme", "weihai", "--facts", path)
    assert_malformed(code, err)


def test_an_argument_that_is_not_utf8_exits_2_in_one_line(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    undecodable = b"\xe6\x9d".decode("utf-8", "surrogateescape")  # as Python hands argv over
    body = apply_file(cli_env, json.dumps(apply_fields()).encode())
    argv = ["card", "apply", "--json", body, *employer(key), "--holder-name", undecodable]
    code, _, err = run(capsys, *argv)
    assert_malformed(code, err)
    assert "not valid UTF-8" in err
    assert run(capsys, "card", "list")[1] == ""


def test_a_deeply_nested_fact_value_exits_2(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    nested = "[" * 100_000 + "]" * 100_000
    body = apply_file(cli_env, json.dumps(apply_fields()).encode())
    argv = ["card", "apply", "--json", body, *employer(key), "--fact", f"x={nested}"]
    code, _, err = run(capsys, *argv)
    assert_malformed(code, err)
    assert "$.facts" in err


def test_a_bad_id_number_is_malformed_input_and_exits_2(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    body = apply_fields(holder=f.holder(id_number="110105194912310021"))
    path = apply_file(cli_env, json.dumps(body).encode())
    code, _, err = run(capsys, "card", "apply", "--json", path, *employer(key))
    assert_malformed(code, err)
    assert "holder.id_number" in err


# ---- ID numbers ---------------------------------------------------------------------


def test_fullwidth_digits_are_filed_as_the_ascii_number(cli_env: Path, tmp_path: Path):
    fullwidth = "１１０１０５１９４９１２３１００２Ｘ"
    with _ledger(tmp_path) as ledger:
        card_id, _ = ledger.apply(f.apply_body(holder=f.holder(id_number=fullwidth)))
        assert ledger.holder_matches(ledger.get_card(card_id), f.RESIDENT_ID)


@pytest.mark.parametrize(
    "number",
    ["١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "११०१०५१९४९१२३१००२X"],  # Arabic-Indic, Devanagari digits
)
def test_digits_that_are_not_ascii_after_nfkc_are_refused(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str], number: str
):
    path = apply_file(cli_env, json.dumps(apply_fields(holder=f.holder(number))).encode())
    code, _, err = run(capsys, "card", "apply", "--json", path, *employer(key))
    assert_malformed(code, err)
    assert "ASCII" in err


# ---- names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("holder", f"李雷{ESC}"),
        ("holder", "\u202e雷李"),  # right-to-left override: reads as another name
        # Who acts comes from the key: a file naming an actor is refused, whatever the
        # name holds (the user's own name: test_a_user_name_with_control_or_bidi_…).
        ("actor", f"wang{ESC}"),
        ("sponsor", "聊城大学\u2066"),
        ("family", "韩梅梅\x00"),
    ],
)
def test_a_name_with_control_or_bidi_characters_exits_2_and_writes_nothing(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str], where: str, value: str
):
    body = apply_fields()
    if where == "holder":
        body["holder"] = f.holder(name=value)
    elif where == "actor":
        body["actor"] = value
    elif where == "sponsor":
        body["sponsor"] = {**body["sponsor"], "name": value}
    else:
        member = {"relation": "spouse", "name": value, "date_of_birth": "1952-03-04"}
        body["holder"] = {**f.holder(), "family": [member]}
    path = apply_file(cli_env, json.dumps(body).encode())
    code, _, err = run(capsys, "card", "apply", "--json", path, *employer(key))
    assert_malformed(code, err)
    assert "\x1b" not in err and "\u202e" not in err
    assert ("unknown field `actor`" in err) == (where == "actor")
    assert run(capsys, "card", "list")[1] == ""


@pytest.mark.parametrize("name", [f"wang{ESC}", "\u202egnaw"])
def test_a_user_name_with_control_or_bidi_characters_exits_2_and_adds_no_one(
    cli_env: Path, capsys: pytest.CaptureFixture[str], name: str
):
    # The acting name now comes from the user a key belongs to: the same hygiene as the
    # typed --actor had applies when the user is added.
    argv = ["users", "add", name, "--role", "city_hrss", "--authority", "liaocheng"]
    code, _, err = run(capsys, *argv)
    assert_malformed(code, err)
    assert "\x1b" not in err and "\u202e" not in err
    assert run(capsys, "users", "list")[1] == ""


def test_names_are_stored_nfc_normalised(cli_env: Path, tmp_path: Path):
    decomposed = "Zoe\u0308 Li"
    with _ledger(tmp_path) as ledger:
        card_id, _ = ledger.apply(f.apply_body(holder=f.holder(name=decomposed)))
        assert ledger.get_card(card_id).application.holder.name == "Zoë Li"


# ---- output ---------------------------------------------------------------------------


def _ledger(tmp_path: Path) -> CardLedger:
    """The CLI's store (cli_env), opened in-process."""
    return runtime_ledger(
        database_url=os.environ["TALENTCARD_DATABASE_URL"],
        data_dir=tmp_path / "data",
        clock=FakeClock(),
        environ={},
    )


def _stored_raw(tmp_path: Path) -> uuid.UUID:
    """A card whose stored name and note hold escape sequences, as events written before
    the input checks existed would (built below every check)."""
    identity = IdentityRef(kind=IdDocumentKind.RESIDENT_ID, digest="d", salt="s", last4="002X")
    ctx = Context(
        actor="wang",
        role=Role.EMPLOYER,
        effective_at=FakeClock().now,
        recorded_at=FakeClock().now,
        note=ESC,
    )
    application = Application(
        scheme=Scheme.LIAOCHENG,
        basis=Basis(category="art5.3", facts={"certified_excellent": True}),
        holder=Holder(name=f"李雷{ESC}\u202e", identity=identity, date_of_birth=f.BORN),
        sponsor=Sponsor(kind=SponsorKind.EMPLOYER, name="聊城大学"),
    )
    admission = Admission(
        route=Route.REVIEWED,
        required_stages=(ReviewStage.CITY_HRSS,),
        tier="B",
        reason="",
        rules=(),
        policy_version="liaocheng-2022",
    )
    card = Card(ctx=ctx, application=application, admission=admission)
    with _ledger(tmp_path) as ledger:
        ledger.save(card)
    return card.id


@pytest.mark.parametrize("command", ["show", "list"])
def test_stored_escape_sequences_are_printed_as_visible_escapes(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
):
    card_id = _stored_raw(tmp_path)
    argv = ["card", "show", str(card_id)] if command == "show" else ["card", "list"]
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "李雷\\x1b]0;pwned\\x07" in out


@pytest.mark.parametrize("command", ["show", "list"])
def test_json_output_escapes_them_too_and_still_decodes_to_the_stored_name(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
):
    card_id = _stored_raw(tmp_path)
    argv = ["card", "show", str(card_id)] if command == "show" else ["card", "list"]
    code, out, _ = run(capsys, *argv, "--json")
    assert code == 0
    assert "\x1b" not in out and "\u202e" not in out
    loaded = json.loads(out)
    view = loaded if command == "show" else loaded["cards"][0]
    assert view["holder_name"] == f"李雷{ESC}\u202e"


# ---- fuzzing the command line and the decoders ---------------------------------------

HOSTILE_JSON = st.sampled_from(
    ["\x1b[31m", "\u202e", "\x00", "١٢", "１２", "[" * 50, '{"a":' * 40, "9" * 40]
)
HOSTILE = st.one_of(st.just("\udcff"), HOSTILE_JSON)  # a lone surrogate: undecodable argv
TEXT = st.one_of(st.text(max_size=40), HOSTILE, st.builds("".join, st.lists(HOSTILE)))
JSON_TEXT = st.one_of(st.text(max_size=40), HOSTILE_JSON)
JSON_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    JSON_TEXT,
)
JSON_VALUE = st.recursive(
    JSON_SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = [
    "actor",
    "role",
    "note",
    "scheme",
    "category",
    "programme",
    "project_id",
    "facts",
    "holder",
    "sponsor",
    "evidence",
    "stage",
    "decision",
    "reviewer",
    "valid_from",
    "bases",
    "tier",
    "event_on",
    "unknown",
]
BODY = st.dictionaries(st.sampled_from(FIELDS), JSON_VALUE, max_size=8)
FILE_BYTES = st.one_of(
    st.binary(max_size=200),
    BODY.map(lambda b: json.dumps(b, ensure_ascii=False).encode()),
    st.builds(lambda b: json.dumps(b).encode(), st.builds(lambda: apply_fields())),
)
COMMON = ["--note", "--expect-version"]
OPTIONS = {
    "apply": [
        "--scheme",
        "--category",
        "--programme",
        "--project-id",
        "--holder-name",
        "--holder-id",
        "--holder-dob",
        "--family",
        "--fact",
        "--evidence",
        "--sponsor-kind",
        "--sponsor-name",
        "--sponsor-credit-code",
    ],
    "review": ["--stage", "--decision", "--reviewer"],
    "issue": ["--valid-from", "--basis"],
    "upgrade": ["--tier"],
    "extend": ["--event-on", "--evidence"],
    "withdraw": [],
}
# Who acts: no key, a key file of random bytes, or the key of a user in one of these
# roles (the employer's may file the valid application below).
ROLE = st.sampled_from(["employer", "city_hrss", "talent_office", "applicant", "venue"])
KEY = st.one_of(ROLE, st.none(), st.binary(max_size=200))


VALID = {
    "review": {"stage": "city_hrss", "decision": "approved"},
    "issue": {},
    "upgrade": {"tier": "A"},
    "extend": {"event_on": "2026-03-02", "evidence": ["d"]},
    "withdraw": {},
}


@st.composite
def command_lines(draw: st.DrawFn) -> tuple[str, bytes, list[str], str | bytes | None]:
    """A command, a --json file (random bytes, random JSON or a valid body), options it
    knows with random or hostile values, and who acts, so that some reach the ledger's
    rules."""
    command = draw(st.sampled_from(sorted(OPTIONS)))
    valid = json.dumps(apply_fields() if command == "apply" else VALID[command]).encode()
    data = draw(st.one_of(FILE_BYTES, st.just(valid)))
    known = OPTIONS[command] + (COMMON if command != "apply" else COMMON[:1])
    argv: list[str] = []
    pairs = st.lists(st.tuples(st.sampled_from(known), TEXT), max_size=3)
    for option, value in draw(st.one_of(st.just([]), pairs)):
        argv += [option, value]
    return command, data, argv, draw(KEY)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(line=command_lines(), card_id=st.one_of(st.uuids().map(str), st.just("x"), TEXT))
def test_the_cli_answers_random_input_with_exit_2_or_a_refusal_never_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    line: tuple[str, bytes, list[str], str | bytes | None],
    card_id: str,
):
    monkeypatch.setenv("TALENTCARD_DATABASE_URL", f"sqlite:///{tmp_path / 'fuzz.sqlite3'}")
    monkeypatch.setenv("TALENTCARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("TALENTCARD_API_KEY", raising=False)
    command, data, options, who = line
    argv = ["card", command] + ([] if command == "apply" else [card_id])
    argv += ["--json", apply_file(tmp_path, data), *options]
    if isinstance(who, str):  # a user's key, the user added on first use
        argv += CliKeys(tmp_path / "keys")(who).split()
    elif who is not None:
        argv += ["--key-file", apply_file(tmp_path, who)]
    code = main(argv)  # an uncaught exception fails the test
    _, err = capsys.readouterr()
    event(f"exit {code}")
    assert code in (0, 1, 2)
    if code:
        assert len(err.strip().splitlines()) == 1, err


BODIES = [c.ApplyBody, c.ReviewBody, c.IssueBody, c.UpgradeBody, c.ExtendBody, c.WithdrawBody]


@settings(max_examples=150, deadline=None)
@given(data=FILE_BYTES, body_type=st.sampled_from(BODIES))
def test_the_command_decoders_refuse_random_bytes_with_invalid_input_only(
    data: bytes, body_type: type[Any]
):
    # Only the domain's malformed-input error may come out (anything else fails the test).
    with contextlib.suppress(InvalidInput):
        decode_body(data, body_type)
