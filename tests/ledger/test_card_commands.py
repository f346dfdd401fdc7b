"""The card command table (ledger.card_commands): each command declared once, and every
adapter derived from it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import msgspec
import pytest
from eventsourcing.domain import DomainEvent

import ledger.card_commands as cc
import tests.domain.factories as d
import tests.factories as f
from api.cli import _parser
from api.routes_cards import CARD_ROUTES
from domain import deadlines
from domain.card import Card
from domain.clock import business_date
from domain.errors import DomainError, NotAuthorised
from domain.vocabulary import Role, Scheme
from ledger.app import CardLedger
from ledger.importing import import_lines
from tests.ledger.command_table_doc import command_table

ALL = list(cc.COMMANDS.values())


def card_events() -> set[str]:
    return {
        name
        for name, value in vars(Card).items()
        if isinstance(value, type)
        and issubclass(value, DomainEvent)
        and name not in ("Event", "Created")  # the library's bases of the card's events
    }


def test_every_event_of_the_card_is_recorded_by_a_command_of_the_table():
    declared = {event for command in ALL for event in command.events}
    assert declared == card_events()


def test_each_command_has_one_name_one_path_and_one_spelling_on_the_command_line():
    for spelling in ("name", "path", "operation", "cli"):
        values = [getattr(command, spelling) for command in ALL]
        assert len(set(values)) == len(values), spelling


def test_a_command_s_body_is_its_request_with_who_acts():
    for command in ALL:
        body = command.body
        assert issubclass(body, command.request)
        extra = set(body.__struct_fields__) - set(command.request.__struct_fields__)
        assert {"actor", "role"} <= extra, command.name


def test_an_import_line_names_its_command_by_its_tag():
    for command in ALL:
        line = {
            "ref": "X",
            "commands": [
                {"command": command.name, "body": {"actor": "a", "role": "administrator"}}
            ],
        }
        line["commands"][0]["body"].update(command.example)
        record = msgspec.convert(line, cc.ImportRecord)
        (decoded,) = record.commands
        assert decoded.command is command
        assert isinstance(decoded.acting(), command.body)


def test_an_import_line_s_effective_instant_goes_into_its_body():
    line = {
        "commands": [
            {
                "command": "withdraw",
                "effective_at": "2024-01-02T10:00:00+08:00",
                "body": {"actor": "a", "role": "employer"},
            }
        ]
    }
    (decoded,) = msgspec.convert(line, cc.ImportRecord).commands
    assert decoded.acting().effective_at is not None
    assert decoded.acting().effective_at.isoformat() == "2024-01-02T10:00:00+08:00"


def line(*commands: dict[str, Any]) -> bytes:
    return msgspec.json.encode({"ref": "R", "commands": list(commands)})


def apply_line() -> dict[str, Any]:
    return {
        "command": "apply",
        "effective_at": "2026-11-02T10:00:00+08:00",
        "body": msgspec.to_builtins(f.apply_body()),
    }


def test_an_unknown_command_in_an_import_is_refused_at_its_index(ledger: CardLedger):
    bogus = {"command": "promote", "body": {}}
    report = import_lines(ledger, [line(apply_line(), bogus)], importer="admin.sun")
    (refused,) = report.refused
    assert (refused.command_index, refused.code) == (1, "unknown_command")
    assert "promote" in refused.message and "upgrade_request" in refused.message


def test_a_malformed_body_in_an_import_is_refused_at_its_index(ledger: CardLedger):
    review = {"command": "review", "body": {"actor": "a", "role": "city_hrss"}}
    report = import_lines(ledger, [line(apply_line(), review)], importer="admin.sun")
    (refused,) = report.refused
    assert (refused.command_index, refused.code) == (1, "invalid_input")
    assert "stage" in refused.message


def test_the_command_line_offers_every_command_of_the_table_at_its_words():
    parser = _parser(["card"])
    for command in cc.CHANGES:
        args = parser.parse_args(["card", *command.cli, "00000000-0000-0000-0000-000000000000"])
        assert args.card_id == "00000000-0000-0000-0000-000000000000", command.name


def test_every_change_has_its_route():
    paths = {path for route in CARD_ROUTES for path in route.paths}
    for command in cc.CHANGES:
        assert f"/cards/{{card_id:uuid}}/{command.path}" in paths, command.name


# ---- role rules -------------------------------------------------------------------------

# The fake clock's day, so that a role rule and the command it answers for read the same
# rules; the corrected readings of issue 27 decide from 2026-12-07 (RECTIFIED).
DAY = date(2026, 3, 2)
RECTIFIED = date(2026, 12, 8)


def allowed(card: Card, command: cc.CardCommand[Any], day: date = DAY) -> set[Role]:
    return {role for role in Role if command.may(card, role, day)}


def test_a_new_file_may_be_reviewed_only_by_the_stage_it_waits_for(ledger: CardLedger):
    card_id, _ = ledger.apply(f.apply_body())
    card = ledger.get_card(card_id)
    assert card.next_stage is not None
    assert allowed(card, cc.REVIEW) == {Role(card.next_stage)}


def test_a_card_is_issued_upgraded_and_extended_by_the_issuing_bodies_only(ledger: CardLedger):
    card = ledger.get_card(f.liaocheng_card(ledger))
    issuers = allowed(card, cc.ISSUE)
    assert Role.CITY_HRSS in issuers and Role.EMPLOYER not in issuers
    assert allowed(card, cc.UPGRADE) == allowed(card, cc.EXTEND) == issuers


def test_liaocheng_art_32_the_role_rules_name_only_the_city_hrss_from_2026_12_07(
    ledger: CardLedger,
):
    card = ledger.get_card(f.liaocheng_card(ledger))
    assert allowed(card, cc.ISSUE, RECTIFIED) == {Role.CITY_HRSS}
    assert allowed(card, cc.UPGRADE, RECTIFIED) == {Role.CITY_HRSS}
    assert allowed(card, cc.EXTEND, RECTIFIED) == set()  # no article extends a gold card


def test_no_one_approves_a_revocation_before_one_is_proposed(ledger: CardLedger):
    card = ledger.get_card(f.liaocheng_card(ledger))
    assert allowed(card, cc.APPROVE_REVOCATION) == set()
    assert allowed(card, cc.PROPOSE_REVOCATION)


@pytest.mark.parametrize(
    ("command", "body"),
    [
        (cc.ISSUE, lambda role: f.issue(role=role, actor="someone")),
        (cc.WITHDRAW, lambda role: f.withdraw(role=role, actor="someone")),
        (cc.REVIEW, None),
    ],
    ids=["issue", "withdraw", "review"],
)
def test_a_role_the_rule_refuses_is_refused_by_the_card(
    ledger: CardLedger, command: cc.CardCommand[Any], body: Any
):
    card_id, _ = ledger.apply(f.apply_body())
    card = ledger.get_card(card_id)
    for role in Role:
        if command.may(card, role, DAY):
            continue
        if body is None:
            stage = str(card.next_stage)
            made = msgspec.convert(
                {"actor": "someone", "role": role, "stage": stage, "decision": "approved"},
                command.body,
            )
        else:
            made = body(role)
        with pytest.raises(DomainError) as refused:
            ledger.run(command, card_id, made)
        assert isinstance(refused.value, NotAuthorised), (role, refused.value)


def test_the_developers_page_lists_every_command_as_the_table_declares_it():
    page = Path(__file__).resolve().parents[2] / "docs" / "developers.md"
    assert command_table() in page.read_text(encoding="utf-8")


# ---- role rules agree with the card, for every role ------------------------------------


def _filed() -> Card:
    return Card.file(d.ctx(Role.EMPLOYER), d.application())


def _suspended() -> Card:
    card = d.issued_card()
    card.suspend(d.ctx(), d.change())
    return card


def _proposed() -> Card:
    card = d.issued_card()
    d.propose(card)
    return card


def _issued() -> Card:
    return d.issued_card()


def _reviewed() -> Card:
    return d.reviewed_card()


def _elite() -> Card:
    return d.weihai_business_elite()


# Each command on a card whose state allows it, with a request that is otherwise valid:
# only who acts can be refused.
AGREEMENT: list[tuple[cc.CardCommand[Any], Any, dict[str, Any]]] = [
    (cc.REVIEW, _filed, {"stage": "city_hrss", "decision": "approved"}),
    (cc.CONFIRM_CONTRACT, _filed, {"confirmed_on": "2026-03-01"}),
    # A window records its own receipt; any other role names a window it is not.
    (cc.RECEIVE, _filed, {"window": "own"}),
    (cc.ISSUE, _reviewed, {}),
    (cc.UPGRADE, _issued, {"tier": "A"}),
    (
        cc.EXTEND,
        _elite,
        {"event_on": "2026-03-01", "evidence": ["doc://landed"], "shows": ["project_landed"]},
    ),
    (cc.SUSPEND, _issued, {"reason": "r", "decision_ref": "d"}),
    (cc.REINSTATE, _suspended, {"reason": "r", "decision_ref": "d"}),
    (cc.WITHDRAW, _filed, {}),
    (cc.PROPOSE_REVOCATION, _issued, {"reason": "r", "ground": "misconduct"}),
    (cc.APPROVE_REVOCATION, _proposed, {}),
    (cc.DECLINE_REVOCATION, _proposed, {"reason": "not proven"}),
]


@pytest.mark.parametrize(
    ("command", "make", "fields"), AGREEMENT, ids=[c.name for c, _, _ in AGREEMENT]
)
def test_the_card_refuses_as_a_role_exactly_the_roles_the_role_rule_refuses(
    command: cc.CardCommand[Any], make: Any, fields: dict[str, Any]
):
    day = business_date(d.T0)
    for role in Role:
        card = make()
        allowed_now = command.may(card, role, day)
        given = dict(fields)
        if given.get("window") == "own":
            given["window"] = role if role in deadlines.WINDOWS else Role.CITY_WINDOW
        body = msgspec.convert({"actor": f"{role}.user", "role": role, **given}, command.body)
        refused: DomainError | None = None
        try:
            command.run(card, d.ctx(role, actor=f"{role}.user"), body)
        except DomainError as e:
            refused = e
        if allowed_now:
            assert not isinstance(refused, NotAuthorised), (role, refused)
        else:
            assert isinstance(refused, NotAuthorised), (role, refused)


def test_a_role_the_upgrade_request_rule_refuses_is_refused_whichever_category_it_asks_for():
    day = business_date(d.T0)
    asks = [("art5.2", d.TOP_TALENT), ("art5.1", d.FACTS[(Scheme.LIAOCHENG, "art5.1")])]
    for role in Role:
        for category, facts in asks:
            card = d.issued_card()
            if cc.UPGRADE_REQUEST.may(card, role, day):
                continue
            with pytest.raises(NotAuthorised):
                card.request_upgrade(d.ctx(role, actor=f"{role}.user"), category, facts)
