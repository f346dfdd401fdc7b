"""``talentcard card apply`` and the card commands of the command table
(``ledger.card_commands``): ``card review``, ``card issue``, ``card revoke propose`` …

Each command of the table becomes a sub-command at its ``cli`` words, its options derived
from its request's fields (``--stage`` for ``stage``, a repeatable ``--evidence`` for a
tuple, the choices of an enum; ``--fact KEY=VALUE`` for ``facts`` and ``--basis`` for
``bases``), so a new command needs no code here. ``apply`` keeps its flat ``--holder-*``
and ``--sponsor-*`` options, written out below.

The table is imported only when the command line's first word is ``card`` (``api.cli``):
building it costs what ``--help`` and ``verify`` need not pay.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgspec
import msgspec.inspect

from api.cli_input import (
    FAMILY_FORMAT,
    add_command_options,
    basis,
    card_id,
    common,
    credential_text,
    fact,
    family_member,
    present,
    report,
    request_of,
    values,
)
from domain.vocabulary import IdDocumentKind, Scheme
from ledger.card_commands import CHANGES, CardCommand
from ledger.limits import EVIDENCE_CREDENTIAL_MAX

if TYPE_CHECKING:
    from services.bootstrap import Registry

Handler = Callable[[argparse.Namespace, "Registry"], None]

# Help for the options of the table's commands, by request field (what the field's own
# name does not say).
_OPTION_HELP: dict[str, str] = {
    "reviewer": "defaults to the actor",
    "joint_with": "a department that decided with this stage (repeat; where the scheme says so)",
    "valid_from": "default: the issue date",
    "bases": "a term basis, e.g. contract:7 or huicai_card:2030-05-01 or "
    "programme_period:3:泰山学者 (kinds: huicai_card, programme_period, contract)",
    "facts": "a fact the command rests on, e.g. the higher tier's certification (repeat)",
    "event_on": "when the project landed / hire",
    "shows": "what the evidence shows, in the rule's words (repeat; see policy show)",
    "reason": "why (the grounds of a proposal; why a proposal is declined)",
    "ground": "the ground's code from the scheme's closed list",
    "decision_ref": "the decision's reference, e.g. its file number",
    "window": "the receiving window's role",
    "change": "what changes: add, correct or remove a family member, or correct the holder",
    "member": "the family member's number (1 the first filed; see card show)",
    "takes_effect_on": "the business day the change took effect (not after today)",
    "sex": "a family member's sex (for a child's household registration)",
    "married": "whether the family member is married, as a document showed it",
    "married_as_of": "the day the document showed the marital status (with --married)",
    "decision": "approve the open change, or refuse it with --reason",
    "evidence_credential": "another card's credential (TC1:…) whose term the rule reads, "
    "e.g. the holder's 惠才卡 for a Weihai category 1 card; - reads standard input",
    "evidence_holder_id": "the number on the holder's ID document, checked against the card "
    "and the credential",
}
_METAVARS = {
    "joint_with": "DEPARTMENT",
    "evidence": "REF",
    "shows": "WHAT",
    "bases": "KIND:YEARS|UNTIL[:LABEL]",
    "facts": "KEY=VALUE",
    "evidence_credential": "FILE|-",
    "evidence_holder_id": "ID_NUMBER",
}
# Fields whose option is not their name: one --fact or --basis per value.
_FLAGS = {"facts": "--fact", "bases": "--basis"}
# Help for a group of sub-commands (``card revoke …``).
_GROUPS = {
    "revoke": "propose, approve or decline revoking a card, one step per user",
    "amend": "ask for a change to the card's people, or decide one (信息变更)",
}


def add_card_commands(card: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``card apply`` and every command of the table, under ``card``."""
    _add_apply(card)
    groups: dict[str, argparse._SubParsersAction[argparse.ArgumentParser]] = {}
    for command in CHANGES:
        *group, name = command.cli
        parent = card
        for word in group:
            if word not in groups:
                groups[word] = card.add_parser(word, help=_GROUPS[word]).add_subparsers(title=word)
            parent = groups[word]
        p = parent.add_parser(name, help=command.summary)
        add_command_options(p)
        fields = _add_fields(p, command)
        p.set_defaults(run=_change(command, fields))


def _add_fields(
    p: argparse.ArgumentParser, command: CardCommand[Any]
) -> list[tuple[str, Callable[[Any], Any]]]:
    """An option per field of the command's request; returns, per field, how to read the
    option's value into the request's field (None: not given)."""
    readers: list[tuple[str, Callable[[Any], Any]]] = []
    info = msgspec.inspect.type_info(command.request)
    assert isinstance(info, msgspec.inspect.StructType)
    for field in info.fields:
        if field.name in ("note", "effective_at"):  # common options
            continue
        flag = _FLAGS.get(field.name, "--" + field.name.replace("_", "-"))
        kind = field.type
        options: dict[str, Any] = {"dest": field.name, "help": _OPTION_HELP.get(field.name)}
        if field.name in _METAVARS:
            options["metavar"] = _METAVARS[field.name]
        if field.name == "facts":
            options.update(action="append", default=[])
            readers.append((field.name, lambda given: dict(fact(s) for s in given) or None))
        elif field.name == "evidence_credential":
            readers.append(
                (field.name, lambda given: credential_text(given, EVIDENCE_CREDENTIAL_MAX))
            )
        elif field.name == "bases":
            options.update(action="append", default=[])
            readers.append((field.name, lambda given: [basis(b) for b in given] or None))
        elif isinstance(kind, msgspec.inspect.VarTupleType):
            options.update(action="append", default=[])
            readers.append((field.name, lambda given: given or None))
        else:
            if isinstance(kind, msgspec.inspect.UnionType):  # Optional: the field's own type
                given = [t for t in kind.types if not isinstance(t, msgspec.inspect.NoneType)]
                kind = given[0] if len(given) == 1 else kind
            if isinstance(kind, msgspec.inspect.EnumType):
                options["choices"] = values(kind.cls)
            elif isinstance(kind, msgspec.inspect.DateType):
                options["metavar"] = "YYYY-MM-DD"
            elif isinstance(kind, msgspec.inspect.IntType):
                options.update(type=int, metavar="N")
            elif isinstance(kind, msgspec.inspect.BoolType):
                options["choices"] = ("yes", "no")
                readers.append((field.name, _yes_no))
                p.add_argument(flag, **options)
                continue
            readers.append((field.name, lambda given: given))
        p.add_argument(flag, **options)
    return readers


def _yes_no(given: str | None) -> bool | None:
    return None if given is None else given == "yes"


def _change(command: CardCommand[Any], fields: list[tuple[str, Callable[[Any], Any]]]) -> Handler:
    """The handler of a card command: its request from the options (over ``--json``), run
    by the key's user on the card."""

    def run(args: argparse.Namespace, registry: Registry) -> None:
        given = common(args)
        given.update({name: read(getattr(args, name)) for name, read in fields})
        who, request = request_of(args, registry, given, command.request)
        card = card_id(args.card_id)
        outcome = registry.cards.run(who, command, card, request, expected=args.expect_version)
        report(args, command.done, card, outcome.version)

    return run


def _add_apply(card: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = card.add_parser("apply", help="file an application")
    add_command_options(p, takes_id=False)
    p.add_argument("--scheme", choices=values(Scheme))
    p.add_argument("--category", help="e.g. weihai 3, liaocheng art5.3, jinan C, business_elite")
    p.add_argument("--programme")
    p.add_argument("--project-id")
    p.add_argument("--enterprise-id")
    p.add_argument("--fact", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--holder-name")
    p.add_argument("--holder-id", help="ID document number (kept only as a keyed hash)")
    p.add_argument("--holder-id-kind", choices=values(IdDocumentKind))
    p.add_argument("--holder-dob", metavar="YYYY-MM-DD")
    p.add_argument("--family", action="append", default=[], metavar=FAMILY_FORMAT)
    p.add_argument("--sponsor-kind")
    p.add_argument("--sponsor-name")
    p.add_argument("--sponsor-credit-code")
    p.add_argument("--evidence", action="append", default=[], metavar="REF")
    p.add_argument(
        "--evidence-credential",
        metavar="FILE|-",
        help="another card's credential (TC1:…) a rule reads, e.g. another city's card for "
        "Weihai enterprise_talent ①; - reads standard input",
    )
    p.set_defaults(run=_apply)


def _apply(args: argparse.Namespace, registry: Registry) -> None:
    fields = common(args)
    holder = {
        "name": args.holder_name,
        "id_number": args.holder_id,
        "id_kind": args.holder_id_kind,
        "date_of_birth": args.holder_dob,
        "family": [family_member(s) for s in args.family] or None,
    }
    sponsor = {
        "kind": args.sponsor_kind,
        "name": args.sponsor_name,
        "credit_code": args.sponsor_credit_code,
    }
    fields.update(
        scheme=args.scheme,
        category=args.category,
        programme=args.programme,
        project_id=args.project_id,
        enterprise_id=args.enterprise_id,
        facts=dict(fact(s) for s in args.fact) or None,
        evidence=args.evidence or None,
        evidence_credential=credential_text(args.evidence_credential, EVIDENCE_CREDENTIAL_MAX),
        holder=present(holder) or None,
        sponsor=present(sponsor) or None,
    )
    from ledger.commands import ApplyRequest

    who, request = request_of(args, registry, fields, ApplyRequest)
    outcome = registry.cards.apply(who, request)
    report(args, "applied", outcome.card_id, outcome.version)
