"""``card redeem``, ``card reverse-redemption`` and ``card benefits`` as a venue, a paying
office or a clerk types them: exit 0 done, 1 refused by a rule (named with its source),
2 malformed; one line on stderr."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from api.cli import main
from domain.vocabulary import Role
from services.bootstrap import Registry
from tests import factories as f
from tests.conftest import FakeClock

Capsys = pytest.CaptureFixture[str]
PARENT = {"relation": "parent", "name": "李父", "date_of_birth": "1950-01-01"}


def user_key(registry: Registry, folder: Path, name: str, role: Role) -> str:
    """``--key-file`` for a new Liaocheng user of ``role``: the venue or office is its user
    (its name, its city), never a typed --venue or --city."""
    path = folder / f"{name}.key"
    path.write_text(registry.users.add(None, name=name, role=role, authority="liaocheng").key)
    return f"--key-file {path}"


@pytest.fixture(autouse=True)
def auditor(registry: Registry) -> None:
    """Reads (card benefits) default to a provincial auditor's key in the environment."""
    key = registry.users.add(None, name="审计", role=Role.AUDITOR, authority="province").key
    registry.environ["TALENTCARD_API_KEY"] = key


@pytest.fixture
def cinema(registry: Registry, tmp_path: Path) -> str:
    return user_key(registry, tmp_path, "东昌影城", Role.VENUE)


@pytest.fixture
def care_office(registry: Registry, tmp_path: Path) -> str:
    return user_key(registry, tmp_path, "聊城市民政局", Role.PAYING_OFFICE)


def run(capsys: Capsys, registry: Registry, command: str) -> tuple[int, str, str]:
    """Run a command line written as one string (no argument contains spaces)."""
    code = main(command.split(), registry=registry)
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: Capsys, registry: Registry, command: str) -> str:
    code, out, err = run(capsys, registry, command)
    assert code == 0, err
    return out


def films(cinema: str, card_id: object, quantity: int = 1, extra: str = "") -> str:
    return f"card redeem {card_id} --item liaocheng.21.films --quantity {quantity} {cinema} {extra}"


def test_a_recorded_use_prints_its_id_and_what_is_left(
    registry: Registry, capsys: Capsys, cinema: str
):
    card_id = f.liaocheng_card(registry.ledger)
    out = ok(capsys, registry, films(cinema, card_id, 11))
    assert out.startswith("redeemed: use ")
    assert "11 x liaocheng.21.films for the holder" in out
    assert "2026: 1 of 12 left; in all: 25 of 36 left, until 2029-03-01" in out


def test_the_use_past_the_year_s_limit_exits_1_naming_the_rule_and_its_source(
    registry: Registry, capsys: Capsys, cinema: str
):
    card_id = f.liaocheng_card(registry.ledger)
    ok(capsys, registry, films(cinema, card_id, 11))
    code, out, err = run(capsys, registry, films(cinema, card_id, 2))
    assert (code, out) == (1, "")
    assert err.count("\n") == 1
    assert err.startswith("error: limit_reached: 12 uses a calendar year; use 13 in 2026")
    assert "source: liaocheng-2022-green-channel-rules art. 21" in err
    assert err.rstrip().endswith("(rule: liaocheng.limit.films)")


def test_a_use_dated_new_year_s_day_counts_in_the_new_shanghai_year(
    registry: Registry, clock: FakeClock, capsys: Capsys, cinema: str
):
    card_id = f.liaocheng_card(registry.ledger)
    clock.now = datetime(2028, 1, 2, 1, tzinfo=UTC)
    ok(capsys, registry, films(cinema, card_id, 12, "--effective 2027-12-31T23:59:59+08:00"))
    out = ok(capsys, registry, films(cinema, card_id, 1, "--effective 2028-01-01"))
    assert "on 2028-01-01" in out and "2028: 11 of 12 left" in out


@pytest.mark.parametrize(
    ("option", "says"),
    [
        ("--quantity 0", "quantity"),
        ("--quantity 37", "quantity"),
        ("--item liaocheng.99", "unknown_item"),
        ("--item liaocheng.21", "has parts"),
        ("--effective tomorrow", "--effective"),
        ("--effective 0001-01-01", "outside the range of dates"),
    ],
)
def test_a_malformed_use_exits_2_in_one_line(
    registry: Registry, capsys: Capsys, cinema: str, option: str, says: str
):
    card_id = f.liaocheng_card(registry.ledger)
    code, _, err = run(capsys, registry, f"{films(cinema, card_id)} {option}")
    assert code == 2 and err.count("\n") == 1 and says in err


def test_a_use_recorded_in_another_role_is_refused(
    registry: Registry, capsys: Capsys, tmp_path: Path
):
    card_id = f.liaocheng_card(registry.ledger)
    clerk = user_key(registry, tmp_path, "liu", Role.CITY_HRSS)
    code, _, err = run(capsys, registry, f"card redeem {card_id} --item liaocheng.21.films {clerk}")
    assert code == 1 and "use_not_authorised" in err


def test_a_reversal_gives_the_use_back_and_a_second_one_exits_1(
    registry: Registry, capsys: Capsys, cinema: str
):
    card_id = f.liaocheng_card(registry.ledger)
    receipt = json.loads(ok(capsys, registry, films(cinema, card_id, 12, "--output-json")))
    use = receipt["redemption_id"]
    reverse = f"card reverse-redemption {card_id} {use} {cinema} --reason 刷错卡"
    out = ok(capsys, registry, reverse)
    assert out.startswith(f"reversed: use {use} of liaocheng.21.films")
    assert "2026: 12 of 12 left" in out
    code, _, err = run(capsys, registry, reverse)
    assert code == 1 and "already_reversed" in err


def test_reversing_a_use_never_recorded_exits_1(registry: Registry, capsys: Capsys, cinema: str):
    card_id = f.liaocheng_card(registry.ledger)
    unknown = "00000000-0000-4000-8000-000000000000"
    code, _, err = run(
        capsys, registry, f"card reverse-redemption {card_id} {unknown} {cinema} --reason r"
    )
    assert code == 1 and err.startswith("error: unknown_redemption")


def test_card_benefits_lists_what_is_left_per_item_and_beneficiary(
    registry: Registry, capsys: Capsys, care_office: str, cinema: str
):
    card_id = f.liaocheng_card(registry.ledger, family=(PARENT,))
    ok(capsys, registry, films(cinema, card_id, 3))
    care = f"card redeem {card_id} --item liaocheng.22 --beneficiary parent --in-care-home "
    care += care_office
    ok(capsys, registry, care)
    lines = ok(capsys, registry, f"card benefits {card_id}").splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["holder", "liaocheng.21.films"],
        ["parent", "(family"],
    ]
    assert "2026: 9 of 12 left; in all: 33 of 36 left" in lines[0]
    assert "35 of 36 months left  [liaocheng.limit.elderly_care]" in lines[1]


def test_card_benefits_as_of_a_later_year_shows_the_year_s_allowance_again(
    registry: Registry, capsys: Capsys, cinema: str
):
    card_id = f.liaocheng_card(registry.ledger)
    ok(capsys, registry, films(cinema, card_id, 12))
    answer = json.loads(ok(capsys, registry, f"card benefits {card_id} --as-of 2027-01-01 --json"))
    [films_left] = answer
    assert (films_left["kind"], films_left["item"]) == ("holder", "liaocheng.21.films")
    assert films_left["balances"][0]["left_this_year"] == 12
    assert films_left["balances"][0]["left_in_all"] == 24


def test_card_benefits_after_the_years_from_issue_shows_nothing_left(
    registry: Registry, capsys: Capsys, cinema: str
):
    # liaocheng-2022 art. 21: films for the card's first 3 years only (until 2029-03-01).
    card_id = f.liaocheng_card(registry.ledger)
    ok(capsys, registry, films(cinema, card_id, 3))
    answer = json.loads(ok(capsys, registry, f"card benefits {card_id} --as-of 2029-03-02 --json"))
    [balance] = answer[0]["balances"]
    assert (balance["left_this_year"], balance["left_in_all"]) == (0, 0)
    last_day = json.loads(
        ok(capsys, registry, f"card benefits {card_id} --as-of 2029-03-01 --json")
    )
    assert last_day[0]["balances"][0]["left_in_all"] == 33


def test_card_benefits_of_a_bad_date_exits_2(registry: Registry, capsys: Capsys):
    card_id = f.liaocheng_card(registry.ledger)
    code, _, err = run(capsys, registry, f"card benefits {card_id} --as-of 2026-13-01")
    assert code == 2 and "not a date" in err


SPOUSE = {"relation": "spouse", "name": "韩梅梅", "date_of_birth": "1980-03-04"}
CREDIT_CODE = "12371500MB2853621X"


def _huicai_card_with_a_spouse(registry: Registry) -> str:
    import ledger.card_commands as cc

    body = f.shandong_body(
        holder={**f.holder(f.resident_id(7)), "family": [SPOUSE]},
        sponsor={"kind": "employer", "name": "聊城大学", "credit_code": CREDIT_CODE},
    )
    card_id, _ = registry.ledger.apply(body)
    f.approve_all(registry.ledger, card_id)
    registry.ledger.run(cc.ISSUE, card_id, f.issue(actor="sun", role="provincial_window"))
    return str(card_id)


def _employer_key(registry: Registry, folder: Path) -> str:
    path = folder / "employer.key"
    added = registry.users.add(
        None, name="聊城大学专员", role=Role.EMPLOYER, authority="liaocheng", employer=CREDIT_CODE
    )
    path.write_text(added.key)
    return f"--key-file {path}"


def _allowance(card_id: str, key: str, months: int) -> str:
    return (
        f"card redeem {card_id} --item shandong.9.allowance --beneficiary spouse "
        f"--quantity {months} --fact spouse_comes_to_work=true "
        f"--fact spouse_job_not_arranged=true {key}"
    )


def test_shandong_a_9_the_employer_records_the_spouse_allowance_for_at_most_3_years(
    registry: Registry, capsys: Capsys, tmp_path: Path, clock: FakeClock
):
    card_id = _huicai_card_with_a_spouse(registry)
    employer = _employer_key(registry, tmp_path)
    clock.now = datetime(2029, 2, 10, 2, tzinfo=UTC)
    receipt = json.loads(ok(capsys, registry, _allowance(card_id, employer, 30) + " --output-json"))
    assert (receipt["months"][0], receipt["months"][-1]) == ("2026-09", "2029-02")
    clock.now = datetime(2029, 8, 10, 2, tzinfo=UTC)
    ok(capsys, registry, _allowance(card_id, employer, 6))  # months 31-36
    clock.now = datetime(2029, 9, 10, 2, tzinfo=UTC)
    code, _, err = run(capsys, registry, _allowance(card_id, employer, 1))
    assert code == 1 and "limit_reached" in err  # 发放时间不超过3年
    use = receipt["redemption_id"]  # a payment returned is reversed by the employer
    reverse = f"card reverse-redemption {card_id} {use} {employer} --reason 退回"
    assert ok(capsys, registry, reverse).startswith(f"reversed: use {use} of shandong.9")


def test_shandong_a_9_the_allowance_is_the_employer_s_to_record_not_a_venue_s(
    registry: Registry, capsys: Capsys, tmp_path: Path, clock: FakeClock, care_office: str
):
    card_id = _huicai_card_with_a_spouse(registry)
    clock.now = datetime(2026, 12, 8, 2, tzinfo=UTC)
    code, _, err = run(capsys, registry, _allowance(card_id, care_office, 1))
    assert code != 0 and "unknown_item" in err  # a city office keeps its own catalogue
    clock.now = datetime(2026, 12, 4, 2, tzinfo=UTC)  # before the payer rule: no one
    employer = _employer_key(registry, tmp_path)
    code, _, err = run(capsys, registry, _allowance(card_id, employer, 1))
    assert code == 1 and "use_not_authorised" in err
