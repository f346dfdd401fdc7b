"""The read models on the command line: card list pages, the projector's operations, the
audit trail's exports, statistics and deadlines, entitlements; and the business-time
commands (--effective, receive, confirm-contract, import)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import msgspec
import pytest

from api.cli import main
from ledger import commands as c
from tests import factories as f
from tests.conftest import CliKeys

Capsys = pytest.CaptureFixture[str]


def run(capsys: Capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: Capsys, *argv: str) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    return out


# The city whose users act on each scheme's cards here (a 惠才卡 file passes through its
# employer's city: Jinan).
CITY = {"jinan": "jinan", "liaocheng": "liaocheng", "weihai": "weihai", "shandong": "jinan"}


def acting(key: CliKeys, tmp_path: Path, name: str, body: msgspec.Struct, city: str) -> list[str]:
    """``--json FILE --key-file KEY`` for a factory's command: the body's actor and role
    become the user whose key acts (of ``city``), and the file holds the request alone."""
    fields = msgspec.to_builtins(body)
    actor, role = fields.pop("actor"), fields.pop("role")
    for field in ("effective_at", "city", "venue"):
        fields.pop(field, None)
    if role == "employer":  # its user is bound to its employer: the filing names it
        fields["sponsor"]["credit_code"] = f.CREDIT_CODE
    path = tmp_path / f"{name}.json"
    path.write_bytes(msgspec.json.encode(fields))
    return ["--json", str(path), *key(role, city, name=actor).split()]


def apply(capsys: Capsys, key: CliKeys, tmp_path: Path, body: c.ApplyBody) -> str:
    command = acting(key, tmp_path, "apply", body, CITY[body.scheme])
    out = ok(capsys, "card", "apply", *command, "--output-json")
    card_id: str = json.loads(out)["card_id"]
    return card_id


def jinan_card(capsys: Capsys, key: CliKeys, tmp_path: Path, serial: int) -> str:
    """A Jinan class C card: issued directly, no review stages."""
    body = f.jinan_body("C", holder=f.holder(f.resident_id(serial)))
    card_id = apply(capsys, key, tmp_path, body)
    jinan_issue = f.issue(actor="qian.window", role="city_window")  # jinan.issuers
    ok(capsys, "card", "issue", card_id, *acting(key, tmp_path, "issue", jinan_issue, "jinan"))
    return card_id


def listed(capsys: Capsys, *options: str) -> dict[str, object]:
    page: dict[str, object] = json.loads(ok(capsys, "card", "list", "--json", *options))
    return page


# ---- card list ------------------------------------------------------------------------------


def test_card_list_pages_through_every_card_once_by_cursor(
    cli_env: Path, key: CliKeys, capsys: Capsys
):
    cards = {jinan_card(capsys, key, cli_env, serial) for serial in range(5)}
    seen: list[str] = []
    after: list[str] = []
    while True:
        page = listed(capsys, "--limit", "2", *after)
        rows = page["cards"]
        assert isinstance(rows, list) and len(rows) <= 2
        seen += [row["card_id"] for row in rows]
        if page["next_after"] is None:
            break
        after = ["--after", str(page["next_after"])]
    assert sorted(seen) == sorted(cards)


def test_card_list_filters_by_scheme_and_status(cli_env: Path, key: CliKeys, capsys: Capsys):
    issued = jinan_card(capsys, key, cli_env, 1)
    applied = apply(capsys, key, cli_env, f.apply_body(holder=f.holder(f.resident_id(2))))
    by_status = listed(capsys, "--status", "under_review")["cards"]
    assert [row["card_id"] for row in by_status] == [applied]  # type: ignore[index]
    by_scheme = listed(capsys, "--scheme", "jinan", "--status", "active")["cards"]
    assert [row["card_id"] for row in by_scheme] == [issued]  # type: ignore[index]
    assert listed(capsys, "--scheme", "weihai")["cards"] == []


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (["--limit", "0"], "limit must be between 1 and 500"),
        (["--limit", "501"], "limit must be between 1 and 500"),
        (["--after", "not-a-card"], "is not a card id"),
        (["--status", "lost"], "invalid choice"),
    ],
)
def test_card_list_refuses_a_bad_page_or_filter_in_one_line(
    cli_env: Path, key: CliKeys, capsys: Capsys, options: list[str], says: str
):
    code, _, err = run(capsys, "card", "list", *options)
    assert code == 2
    assert says in err and len(err.strip().splitlines()) == 1


# ---- the projector's operations ----------------------------------------------------------


def test_a_rebuild_prints_its_rate_and_gives_the_same_checksums(
    cli_env: Path, key: CliKeys, capsys: Capsys
):
    jinan_card(capsys, key, cli_env, 1)
    f_card = apply(capsys, key, cli_env, f.apply_body(holder=f.holder(f.resident_id(2))))
    assert f_card
    ok(capsys, "projections", "run", "--until-caught-up")
    before = json.loads(ok(capsys, "projections", "checksum", "--json"))
    assert set(before) == {
        "card_current",
        "status_lists",
        "audit_trail",
        "statistics",
        "entitlements",
    }
    out = ok(capsys, "projections", "rebuild", "--quiet")
    # 2 cards' events and reservations, and the four users who acted (UserAdded): 9; a
    # signature record for each of their 7 saves, and where signing started (with the first).
    assert "events/s" in out and "17 events" in out
    assert json.loads(ok(capsys, "projections", "checksum", "--json")) == before


def test_projection_status_shows_the_lag_until_the_projector_has_run(
    cli_env: Path, key: CliKeys, capsys: Capsys
):
    jinan_card(capsys, key, cli_env, 1)
    ok(capsys, "projections", "run", "--until-caught-up")
    jinan_card(capsys, key, cli_env, 2)
    lags = {
        r["name"]: r["head"] - r["position"]
        for r in json.loads(ok(capsys, "projections", "status", "--json"))
    }
    # the second card's Applied, Issued, reservation, and the event signatures' records
    # of its two saves
    assert set(lags.values()) == {5}
    ok(capsys, "projections", "run", "--until-caught-up")
    lags = {
        r["name"]: r["head"] - r["position"]
        for r in json.loads(ok(capsys, "projections", "status", "--json"))
    }
    assert set(lags.values()) == {0}


def test_rebuilding_a_read_model_that_does_not_exist_exits_2_naming_them(
    cli_env: Path, key: CliKeys, capsys: Capsys
):
    code, _, err = run(capsys, "projections", "rebuild", "cards")
    assert code == 2
    assert "no read model 'cards'" in err and "card_current" in err


# ---- audit trail, statistics, deadlines ---------------------------------------------------


def test_the_audit_trail_exports_one_card_s_events_as_csv_without_personal_data(
    cli_env: Path, key: CliKeys, capsys: Capsys
):
    card_id = jinan_card(capsys, key, cli_env, 1)
    jinan_card(capsys, key, cli_env, 2)
    target = cli_env / "trail.csv"
    ok(capsys, "audit", "trail", "--card", card_id, "--format", "csv", "--output", str(target))
    text = target.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["event"], r["card_id"]) for r in rows] == [
        ("Card.Applied", card_id),
        ("Card.Issued", card_id),
    ]
    assert rows[0]["actor"] and rows[0]["authority"] == "jinan" and rows[0]["rules"]
    assert "李雷" not in text and f.resident_id(1) not in text


def test_an_audit_export_never_overwrites_a_file(cli_env: Path, key: CliKeys, capsys: Capsys):
    target = cli_env / "trail.jsonl"
    target.write_text("kept")
    code, _, err = run(capsys, "audit", "trail", "--output", str(target))
    assert code == 2 and "exists" in err
    assert target.read_text() == "kept"


def test_the_audit_trail_as_json_lines_filters_by_authority_and_dates(
    cli_env: Path, key: CliKeys, capsys: Capsys
):
    jinan_card(capsys, key, cli_env, 1)
    apply(capsys, key, cli_env, f.apply_body(holder=f.holder(f.resident_id(2))))
    lines = ok(capsys, "audit", "trail", "--authority", "liaocheng").splitlines()
    events = [json.loads(line)["event"] for line in lines]
    assert "Card.Applied" in events and "Card.Issued" not in events
    assert ok(capsys, "audit", "trail", "--until", "2000-01-01") == ""
    code, _, err = run(capsys, "audit", "trail", "--since", "2026-02-01", "--until", "2026-01-01")
    assert code == 2 and "is after" in err


def test_stats_count_files_by_scheme_and_status(cli_env: Path, key: CliKeys, capsys: Capsys):
    jinan_card(capsys, key, cli_env, 1)
    jinan_card(capsys, key, cli_env, 2)
    apply(capsys, key, cli_env, f.apply_body(holder=f.holder(f.resident_id(3))))
    counts = json.loads(ok(capsys, "stats", "--by", "scheme", "--by", "status", "--json"))
    assert counts == {
        "scheme": {"jinan": 2, "liaocheng": 1},
        "status": {"active": 2, "under_review": 1},
    }


def test_a_received_file_not_issued_in_time_is_listed_overdue(
    cli_env: Path, key: CliKeys, capsys: Capsys
):
    # Today the employer's level comes from the register (RD-2026-91), not the filing.
    register = ("employers", "register", f.CREDIT_CODE, "--level", "city", "--city", "jinan")
    ok(capsys, *register, "--name", "山东大学")
    facts = {k: v for k, v in f.SHANDONG_DIRECT.items() if k != "city_employer"}
    sponsor = {"kind": "employer", "name": "山东大学"}
    body = f.apply_body(scheme="shandong", category="direct", facts=facts, sponsor=sponsor)
    card_id = apply(capsys, key, cli_env, body)
    ok(
        capsys,
        *("card", "receive", card_id, *key("provincial_window", "province").split()),
        *("--window", "provincial_window"),
    )
    assert json.loads(ok(capsys, "sla", "--overdue", "--json")) == []  # due in 7 working days
    late = json.loads(ok(capsys, "sla", "--overdue", "--as-of", "2099-01-01", "--json"))
    assert [(d["card_id"], d["working_days"], d["issued_on"]) for d in late] == [(card_id, 7, None)]


def test_entitlements_list_what_the_holder_and_the_spouse_may_use(
    cli_env: Path, key: CliKeys, capsys: Capsys
):
    family = f.holder(f.resident_id(1))
    family["family"] = [{"relation": "spouse", "name": "韩梅梅", "date_of_birth": "1952-03-04"}]
    card_id = apply(capsys, key, cli_env, f.jinan_body("A", holder=family))
    jinan_issue = f.issue(actor="qian.window", role="city_window")  # jinan.issuers
    ok(capsys, "card", "issue", card_id, *acting(key, cli_env, "issue", jinan_issue, "jinan"))
    granted = json.loads(ok(capsys, "card", "entitlements", card_id, "--json"))
    kinds = {g["kind"]: g["items"] for g in granted}
    # Jinan arts. 4 (the visas, not the permits: 配偶), 5 (household: 配偶) and 10 (spouse
    # placement) are the spouse's; every other article is the holder's alone.
    assert kinds["holder"] and not any(c.startswith("jinan.10") for c in kinds["holder"])
    assert set(kinds["spouse"]) == {
        "jinan.4.visa",
        "jinan.5",
        "jinan.10.settle",
        "jinan.10.public_post",
    }


def test_card_entitlements_prints_the_responsible_units_of_each_item_as_the_readme_says(
    cli_env: Path, key: CliKeys, capsys: Capsys
):
    card_id = apply(capsys, key, cli_env, f.jinan_body("A", holder=f.holder(f.resident_id(1))))
    issued_by = f.issue(actor="qian", role="city_window")  # jinan.issuers
    ok(capsys, "card", "issue", card_id, *acting(key, cli_env, "issue", issued_by, "jinan"))
    text = ok(capsys, "card", "entitlements", card_id)
    assert "responsible units (责任单位):" in text
    # Jinan art. 12: 责任部门（单位）：市卫生计生委、市人力资源社会保障局
    assert any(
        line.split()[:2] == ["jinan.12", "市卫生计生委、市人力资源社会保障局"]
        for line in text.splitlines()
    )
    granted = json.loads(ok(capsys, "card", "entitlements", card_id, "--json"))
    holder = next(g for g in granted if g["kind"] == "holder")
    assert holder["responsible"]["jinan.8"] == ["市人力资源社会保障局"]


# ---- business time -------------------------------------------------------------------------


def test_city_hrss_records_a_paper_decision_taken_earlier(
    cli_env: Path, key: CliKeys, capsys: Capsys
):
    card_id = apply(capsys, key, cli_env, f.apply_body(holder=f.holder(f.resident_id(1))))
    show = json.loads(ok(capsys, "card", "show", card_id, "--json"))
    filed = show["history"][0]["effective_at"]
    ok(
        capsys,
        *("card", "review", card_id, *key("city_hrss", name="liu").split()),
        *("--stage", "city_hrss", "--decision", "approved", "--effective", filed),
    )
    review = json.loads(ok(capsys, "card", "show", card_id, "--json"))["history"][-1]
    assert review["effective_at"] == filed
    assert review["recorded_at"] > filed


@pytest.mark.parametrize(
    ("role", "when", "code", "says"),
    [
        ("employer", "2026-01-01", 1, "backdating_not_allowed"),
        ("city_hrss", "2999-01-01", 2, "effective_in_future"),
        ("city_hrss", "2000-01-01", 1, "effective_before_previous_event"),
        ("city_hrss", "yesterday", 2, "expected YYYY-MM-DD"),
        ("city_hrss", "2026-01-01T10:00:00", 2, "needs a time zone"),
    ],
)
def test_a_back_dated_command_that_may_not_be_is_refused_and_writes_nothing(
    cli_env: Path, key: CliKeys, capsys: Capsys, role: str, when: str, code: int, says: str
):
    card_id = apply(capsys, key, cli_env, f.apply_body(holder=f.holder(f.resident_id(1))))
    result = run(
        capsys,
        *("card", "review", card_id, *key(role, name="liu").split()),
        *("--stage", "city_hrss", "--decision", "approved", "--effective", when),
    )
    assert result[0] == code and says in result[2]
    assert json.loads(ok(capsys, "card", "show", card_id, "--json"))["version"] == 1


def test_an_import_writes_the_good_cards_and_reports_the_bad_one_by_line(
    cli_env: Path, key: CliKeys, capsys: Capsys
):
    def command(name: str, at: str, body: msgspec.Struct) -> dict[str, object]:
        fields = msgspec.to_builtins(body)
        fields.pop("effective_at", None)
        return {"command": name, "effective_at": at, "body": fields}

    good = {
        "ref": "JN-2025-1",
        "commands": [
            command("apply", "2025-05-04T10:00:00+08:00", f.jinan_body("C")),
            command("issue", "2025-05-05T10:00:00+08:00", f.issue()),
        ],
    }
    bad = {  # issued before it was filed
        "ref": "JN-2025-2",
        "commands": [
            command(
                "apply",
                "2025-06-04T10:00:00+08:00",
                f.jinan_body("C", holder=f.holder(f.resident_id(7))),
            ),
            command("issue", "2025-06-01T10:00:00+08:00", f.issue()),
        ],
    }
    source = cli_env / "cards.jsonl"
    source.write_bytes(b"\n".join(msgspec.json.encode(r) for r in (good, bad)) + b"\n")
    admin = key("administrator", "province", name="admin.zhang").split()
    code, out, err = run(capsys, "card", "import", str(source), *admin)
    assert code == 1
    assert "line 1: imported JN-2025-1" in out
    assert "line 2: refused JN-2025-2 command 1: effective_before_previous_event" in out
    assert "1 imported, 1 refused" in err
    rows = listed(capsys)["cards"]
    assert [r["valid_from"] for r in rows] == ["2025-05-05"]  # type: ignore[index]
