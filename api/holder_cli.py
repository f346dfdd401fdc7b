"""``talentcard holder …``: a person's rights over their data (PIPL arts. 45, 47, 54).

- ``holder erase --card ID [--family N] --ground G --decision REF``: an administrator
  proposes erasing the card's holder (with the family) or one family member;
- ``holder approve-erasure ERASURE_ID``: a second administrator approves it, which
  destroys the people's data keys and purges their read-model rows;
- ``holder due-for-erasure [--on DATE]``: the ended cards whose retention ran out;
- ``holder export --card ID``: everything held on the card's people, as JSON;
- ``holder reads --card ID``: who read the card's personal data, when and how.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from api.cli_caller import add_key_option, caller
from api.cli_errors import terminal_safe
from api.cli_input import iso_date, values
from domain.vocabulary import ErasureGround

if TYPE_CHECKING:
    from services.bootstrap import Registry

GROUNDS = values(ErasureGround)


def add_holder_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    holder = sub.add_parser(
        "holder", help="a person's data: erasure, retention, a copy, who read it"
    ).add_subparsers(title="holder")
    p = holder.add_parser("erase", help="propose erasing a card's holder or a family member")
    add_key_option(p)
    p.add_argument("--card", required=True, metavar="CARD_ID")
    p.add_argument(
        "--family", type=int, metavar="N", help="erase only family member N (1: first filed)"
    )
    p.add_argument("--ground", required=True, choices=GROUNDS, help="PIPL art. 47's ground")
    p.add_argument("--decision", required=True, help="the decision the erasure rests on")
    p.set_defaults(run=_erase)
    p = holder.add_parser("approve-erasure", help="approve another administrator's erasure")
    add_key_option(p)
    p.add_argument("erasure_id", metavar="ERASURE_ID")
    p.set_defaults(run=_approve)
    p = holder.add_parser("due-for-erasure", help="ended cards whose retention has run out")
    add_key_option(p)
    p.add_argument("--on", type=iso_date, metavar="YYYY-MM-DD", help="as of (default today)")
    p.set_defaults(run=_due)
    p = holder.add_parser("export", help="everything held on a card's people, as JSON")
    add_key_option(p)
    p.add_argument("--card", required=True, metavar="CARD_ID")
    p.set_defaults(run=_export)
    p = holder.add_parser("reads", help="who read a card's personal data")
    add_key_option(p)
    p.add_argument("--card", required=True, metavar="CARD_ID")
    p.set_defaults(run=_reads)


def card_uuid(text: str, field: str) -> UUID:
    from services.cards import card_uuid as parse  # imports the store: only when run

    return parse(text, field)


def _erase(args: argparse.Namespace, registry: Registry) -> None:
    who = caller(args, registry)
    erasure = registry.personal_data.propose_erasure(
        who,
        card_uuid(args.card, "--card"),
        family=args.family,
        ground=args.ground,
        decision=args.decision,
    )
    people = ", ".join("holder" if p == 0 else f"family {p}" for p in erasure.positions)
    print(
        f"erasure {erasure.id} proposed for card {erasure.card_id} ({people}); "
        "another administrator approves it with `talentcard holder approve-erasure "
        f"{erasure.id}`"
    )


def _approve(args: argparse.Namespace, registry: Registry) -> None:
    who = caller(args, registry)
    erasure = registry.personal_data.approve_erasure(who, card_uuid(args.erasure_id, "ERASURE_ID"))
    people = ", ".join("holder" if p == 0 else f"family {p}" for p in erasure.positions)
    print(f"erasure {erasure.id} approved: card {erasure.card_id} ({people}) erased")


def _due(args: argparse.Namespace, registry: Registry) -> None:
    on = date.fromisoformat(args.on) if args.on else None
    due = registry.personal_data.due_for_erasure(caller(args, registry), on)
    for row in due:
        print(f"{row.card_id}  {row.status}  ended {row.ended_on}  due {row.due_on}  ({row.rule})")
    print(f"{len(due)} due for erasure")


def _export(args: argparse.Namespace, registry: Registry) -> None:
    found = registry.personal_data.export(caller(args, registry), card_uuid(args.card, "--card"))
    print(json.dumps(found, ensure_ascii=False, indent=2, default=str))


def _reads(args: argparse.Namespace, registry: Registry) -> None:
    reads = registry.personal_data.reads_of(caller(args, registry), card_uuid(args.card, "--card"))
    for r in reads:
        print(f"{r.at.isoformat()}  {terminal_safe(r.actor)} ({r.role})  {terminal_safe(r.route)}")
    print(f"{len(reads)} recorded reads")
