"""Attack 6 of issue 8: no field had a size limit, and a 5-million-character name was
stored as a 35 MB event. Every field now has a maximum checked when the command is
decoded (CLI exit 2 naming the field, nothing written), and the store refuses any event
above a fixed size (the largest legal application still fits: see
tests/ledger/test_transcoder.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from api.cli import main
from domain.card import Card
from domain.errors import DomainError
from domain.values import Application, Basis, Context, Holder, IdentityRef, Sponsor
from domain.vocabulary import IdDocumentKind, Role, Scheme, SponsorKind
from ledger import commands as c
from ledger.app import CardLedger
from tests import factories as f
from tests.conftest import CliKeys, FakeClock


def cli_apply(tmp_path: Path, key: CliKeys, body: dict[str, Any]) -> int:
    """``card apply --json FILE`` by the employer's commissioner, who may file the body
    apply_fields() gives: only what the test spoils in it can refuse it."""
    path = tmp_path / "apply.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return main(["card", "apply", "--json", str(path), *key("employer").split()])


def apply_fields(**overrides: Any) -> dict[str, Any]:
    """A valid application as a JSON file gives it: the request's fields, never who acts
    (the key says that), for the employer the commissioner's key is bound to."""
    sponsor = {"kind": "employer", "name": "聊城大学", "credit_code": f.CREDIT_CODE}
    body = msgspec.to_builtins(f.apply_body(sponsor=sponsor))
    fields = {k: v for k, v in body.items() if k in c.ApplyRequest.__struct_fields__}
    fields.update(overrides)
    return fields


def test_the_application_these_tests_spoil_is_filed_as_it_stands(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    # The control: the body and the key file a card (the note at its very limit), so the
    # exit 2 below comes from the one field each test puts over its limit.
    assert cli_apply(cli_env, key, apply_fields(note="注" * 2_000)) == 0, capsys.readouterr().err
    assert main(["card", "list"]) == 0
    assert "李雷" in capsys.readouterr().out


def test_a_five_million_character_name_exits_2_naming_the_field_and_writes_nothing(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    # What the issue reproduced: stored as a 35 MB event. The file stays under the input
    # cap here (200,000 characters), so it is the field's own limit that refuses it.
    huge = apply_fields(holder={**f.holder(), "name": "李" * 80_000})
    assert cli_apply(cli_env, key, huge) == 2
    err = capsys.readouterr().err
    assert "holder.name" in err
    assert len(err.strip().splitlines()) == 1
    assert main(["card", "list"]) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("note", "注" * 2_001),
        ("programme", "计" * 201),
        ("category", "c" * 65),
        ("project_id", "P" * 65),
        ("evidence", ["e" * 501]),
        ("evidence", [f"doc://{i}" for i in range(21)]),
        ("facts", {"certified_excellent": True, "k": "v" * 201}),
        ("facts", {"certified_excellent": True, "k" * 65: "v"}),
        ("facts", {f"fact{i}": i for i in range(51)}),
        ("sponsor", {"kind": "employer", "name": "聊" * 101}),
        ("sponsor", {"kind": "employer", "credit_code": "9" * 19}),
    ],
)
def test_a_field_over_its_limit_exits_2_naming_it(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str], field: str, value: Any
):
    assert cli_apply(cli_env, key, apply_fields(**{field: value})) == 2
    assert f"$.{field}" in capsys.readouterr().err


def test_an_actor_in_the_file_is_refused_whatever_its_length(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    # The old 101-character --actor: who acts now comes from the key, so a file naming
    # an actor is refused as an unknown field, short or long, and nothing is written.
    for actor in ("wang", "a" * 101):
        assert cli_apply(cli_env, key, apply_fields(actor=actor)) == 2
        assert "unknown field `actor`" in capsys.readouterr().err
    assert main(["card", "list"]) == 0
    assert capsys.readouterr().out == ""


def test_a_user_name_over_the_name_limit_exits_2_and_adds_no_one(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
):
    # The acting name now comes from the user a key belongs to: the limit the typed
    # --actor had (100 characters) applies when the user is added.
    argv = ["users", "add", "a" * 101, "--role", "city_hrss", "--authority", "liaocheng"]
    assert main(argv) == 2
    assert "100 characters" in capsys.readouterr().err
    assert main(["users", "list"]) == 0
    assert capsys.readouterr().out == ""


def test_eleven_family_members_are_refused_at_decoding(
    cli_env: Path, key: CliKeys, capsys: pytest.CaptureFixture[str]
):
    family = [{"relation": "child", "name": "子", "date_of_birth": "2010-01-01"}] * 11
    assert cli_apply(cli_env, key, apply_fields(holder={**f.holder(), "family": family})) == 2
    assert "$.holder.family" in capsys.readouterr().err


def test_an_overlong_field_is_refused_by_the_command_decoder_itself():
    fields = apply_fields(note="x" * 2_001)
    with pytest.raises(msgspec.ValidationError, match=r"\$\.note"):
        msgspec.convert(fields, c.ApplyBody)


def test_an_event_above_the_store_s_maximum_is_refused_and_nothing_is_written(
    ledger: CardLedger, clock: FakeClock
):
    # Built below the command layer, as a forgotten limit or a future field would be.
    identity = IdentityRef(kind=IdDocumentKind.RESIDENT_ID, digest="d", salt="s", last4="002X")
    application = Application(
        scheme=Scheme.LIAOCHENG,
        basis=Basis(category="art5.3", facts={"certified_excellent": True}),
        holder=Holder(name="李雷", identity=identity, date_of_birth=f.BORN),
        sponsor=Sponsor(kind=SponsorKind.EMPLOYER, name="聊城大学"),
        evidence=("doc://" + "x" * 200_000,),
    )
    ctx = Context(actor="wang", role=Role.EMPLOYER, effective_at=clock.now, recorded_at=clock.now)
    card = Card.file(ctx, application)
    written = ledger.recorder.max_notification_id()
    with pytest.raises(DomainError) as info:
        ledger.save(card)
    assert info.value.code == "event_too_large"
    assert ledger.recorder.max_notification_id() == written
