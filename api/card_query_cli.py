"""``talentcard card show``, ``card list``, ``card entitlements`` and ``card import``: reading
cards, and migrating them with their history."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from api.cli_caller import add_key_option, caller
from api.cli_errors import json_safe, terminal_safe
from api.cli_input import card_id, iso_date, values
from domain.authority import AUTHORITIES
from domain.vocabulary import CardStatus, Scheme

if TYPE_CHECKING:
    from ledger.views import FamilyView
    from services.bootstrap import Registry


def add_card_queries(card: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``card show``, ``card list``, ``card entitlements`` and ``card import``."""
    p = card.add_parser("show", help="a card's state and its history")
    add_key_option(p)
    p.add_argument("card_id")
    p.add_argument("--version", type=int, help="as it was at this version")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=_show)

    p = card.add_parser("list", help="cards, filtered, a page at a time (by card id)")
    add_key_option(p)
    p.add_argument("--scheme", choices=values(Scheme))
    p.add_argument("--authority", choices=list(AUTHORITIES))
    p.add_argument("--status", choices=values(CardStatus))
    p.add_argument("--tier")
    p.add_argument("--sponsor", metavar="NAME", help="the sponsoring body's name")
    p.add_argument("--limit", type=int, default=50, help="cards per page (1-500, default 50)")
    p.add_argument("--after", metavar="ID", help="the page after this card id")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=_list)

    p = card.add_parser("entitlements", help="what the card grants to whom on a day")
    add_key_option(p)
    p.add_argument("card_id")
    p.add_argument("--on", metavar="YYYY-MM-DD", type=iso_date, help="default: today")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=_entitlements)

    p = card.add_parser(
        "import",
        help="migrate cards with their history from a JSON Lines file (administrator)",
    )
    p.add_argument("file", help="one card a line: {ref, commands: [{command, effective_at, body}]}")
    add_key_option(p)
    p.add_argument("--json", action="store_true", help="the report as JSON")
    p.set_defaults(run=_import)


def _family_record(member: FamilyView) -> str:
    """`` (male; unmarried as of 2026-12-01)``: what is filed of a member's sex and
    marriage (issue 27), nothing where nothing is."""
    said = [member.sex] if member.sex else []
    if member.married is not None:
        said.append(f"{'married' if member.married else 'unmarried'} as of {member.married_as_of}")
    return f" ({'; '.join(said)})" if said else ""


def _show(args: argparse.Namespace, registry: Registry) -> None:
    import msgspec

    from ledger.views import local_time

    view = registry.cards.show(caller(args, registry), card_id(args.card_id), args.version)
    if args.json:
        sys.stdout.buffer.write(json_safe(msgspec.json.format(msgspec.json.encode(view))) + b"\n")
        return
    rows = [
        ("card", str(view.card_id)),
        ("scheme", f"{view.scheme} ({view.route}, category {view.category})"),
        (
            "holder",
            f"{view.holder_name} (ID …{view.holder_id_last4})"
            if view.holder_name
            else "(erased: PIPL art. 47)",
        ),
        *(
            (
                f"family {m.member}",
                f"{m.relation} {m.name or '(erased: PIPL art. 47)'}"
                + _family_record(m)
                + ("  (removed)" if m.removed else ""),
            )
            for m in view.family
        ),
        ("sponsor", view.sponsor),
        ("status", f"{view.status} as of {view.as_of}"),
        ("tier", view.tier or "-"),
        (
            "term",
            f"{view.valid_from} .. {view.valid_until or 'no end date'} ({view.term_basis})"
            if view.valid_from
            else "-",
        ),
        (
            "review",
            f"{len(view.approved_stages)}/{len(view.required_stages)} stages approved"
            + (
                f"; next: {view.next_stage}"
                if view.next_stage and view.status == "under_review"
                else ""
            ),
        ),
        ("admitted", f"{', '.join(view.admitted_by)} (policy {view.policy_version})"),
        *(
            [("QR code", f"credential generation {view.credential_generation} is current")]
            if view.tier is not None
            else []
        ),
        ("version", str(view.version)),
    ]
    for key, value in rows:
        print(f"{key:<8} {terminal_safe(value)}")
    print()
    table: list[tuple[str, ...]] = [
        ("ver", "event", "effective (Asia/Shanghai)", "actor", "role", "details", "note")
    ]
    table += [
        tuple(
            terminal_safe(cell)
            for cell in (
                str(e.version),
                e.event,
                local_time(e.effective_at),
                e.actor,
                e.role,
                e.summary,
                e.note,
            )
        )
        for e in view.history
    ]
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]) - 1)]
    for row in table:
        print(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1]
        )


def _list(args: argparse.Namespace, registry: Registry) -> None:
    import msgspec

    page = registry.cards.list_cards(
        caller(args, registry),
        scheme=args.scheme,
        authority=args.authority,
        status=args.status,
        tier=args.tier,
        sponsor=args.sponsor,
        limit=args.limit,
        after=args.after,
    )
    if args.json:
        body = {"cards": page.rows, "next_after": page.next_after}
        sys.stdout.buffer.write(json_safe(msgspec.json.encode(body)) + b"\n")
        return
    for v in page.rows:
        until = f"until {v.valid_until}" if v.valid_until else ""
        print(
            f"{v.card_id}  {v.scheme:<9} {v.status:<12} {terminal_safe(v.tier or '-'):<4} "
            f"{terminal_safe(v.holder_name or '(erased)')}  {until}".rstrip()
        )
    more = f"; next page: --after {page.next_after}" if page.next_after else ""
    print(f"{len(page.rows)} card(s){more}", file=sys.stderr)


def _import(args: argparse.Namespace, registry: Registry) -> int:
    import msgspec

    report = registry.cards.import_file(caller(args, registry), Path(args.file))
    if args.json:
        sys.stdout.buffer.write(json_safe(msgspec.json.encode(report)) + b"\n")
    else:
        for card in report.imported:
            print(f"line {card.line}: imported {terminal_safe(card.ref)} as {card.card_id}")
        for refused in report.refused:
            where = "" if refused.command_index < 0 else f" command {refused.command_index}"
            print(
                terminal_safe(
                    f"line {refused.line}: refused {refused.ref}{where}: "
                    f"{refused.code}: {refused.message}"
                )
            )
    print(f"{len(report.imported)} imported, {len(report.refused)} refused", file=sys.stderr)
    return 1 if report.refused else 0


def _entitlements(args: argparse.Namespace, registry: Registry) -> None:
    import msgspec

    on = date.fromisoformat(args.on) if args.on else None
    granted = registry.cards.entitlements(caller(args, registry), card_id(args.card_id), on)
    if args.json:
        sys.stdout.buffer.write(json_safe(msgspec.json.encode(granted)) + b"\n")
        return
    units: dict[str, tuple[str, ...]] = {}
    for beneficiary in granted:
        items = ", ".join(beneficiary.items) or "(nothing)"
        print(f"{terminal_safe(beneficiary.kind):<12} {terminal_safe(items)}")
        units.update(beneficiary.responsible)
    if units:
        print("responsible units (责任单位):")
        for code, names in units.items():
            print(terminal_safe(f"  {code:<22} {'、'.join(names)}"))
