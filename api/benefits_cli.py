"""``talentcard card redeem``, ``card reverse-redemption`` and ``card benefits``: the
record of use of service items (issue 11, "Recorded use") on the command line.

A venue or paying office (the key's user: its name is the venue's, its authority the
venue's city) records a use; it is refused (exit 1) when it would pass the item's limit,
naming the rule and its source.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from api.cli_caller import add_key_option, caller
from api.cli_errors import json_safe, terminal_safe
from api.cli_input import add_command_options, iso_date

if TYPE_CHECKING:
    from services.bootstrap import Registry

# Who may use an item, as the command body names them (the body checks the value again).
_BENEFICIARIES = ("holder", "spouse", "child", "parent", "spouse_parent", "companion")


def _redeem(args: argparse.Namespace, registry: Registry) -> None:
    # The bodies and msgspec are imported when a command runs: building the parser
    # needs neither.
    import msgspec

    from api.cli_input import card_id, common, fact, request_of
    from ledger import commands as c

    fields = common(args)
    fields.update(
        item=args.item,
        beneficiary=args.beneficiary,
        family_member=args.family_member,
        quantity=args.quantity,
        holder_present=True if args.holder_present else None,
        in_city_care_home=True if args.in_care_home else None,
        facts=dict(fact(s) for s in args.fact) or None,
    )
    who, request = request_of(args, registry, fields, c.RedeemRequest)
    receipt = registry.benefits.redeem(who, card_id(args.card_id), request)
    if args.output_json:
        sys.stdout.buffer.write(json_safe(msgspec.json.encode(receipt)) + b"\n")
        return
    whom = _beneficiary(receipt.beneficiary, receipt.family_member)
    months = f" (months {', '.join(receipt.months)})" if receipt.months else ""
    print(
        f"redeemed: use {receipt.redemption_id}: {receipt.quantity} x {receipt.item} for the "
        f"{whom} of card {receipt.card_id} on {receipt.used_on}{months} "
        f"(record version {receipt.version})"
    )
    for line in _balance_lines(receipt.balances):
        print(f"  {terminal_safe(line)}")
    for requirement in receipt.requires:
        print(f"  seen at the venue: {terminal_safe(requirement)}")


def _reverse(args: argparse.Namespace, registry: Registry) -> None:
    import msgspec

    from api.cli_input import card_id, common, request_of
    from ledger import commands as c

    fields = common(args)
    fields.update(
        redemption_id=args.redemption_id,
        reason=args.reason,
    )
    who, request = request_of(args, registry, fields, c.ReverseRedemptionRequest)
    receipt = registry.benefits.reverse(who, card_id(args.card_id), request)
    if args.output_json:
        sys.stdout.buffer.write(json_safe(msgspec.json.encode(receipt)) + b"\n")
        return
    print(
        f"reversed: use {receipt.redemption_id} of {receipt.item} on card {receipt.card_id} "
        f"(record version {receipt.version})"
    )
    for line in _balance_lines(receipt.balances):
        print(f"  {terminal_safe(line)}")


def _benefits(args: argparse.Namespace, registry: Registry) -> None:
    import msgspec

    from api.cli_input import card_id

    as_of = date.fromisoformat(args.as_of) if args.as_of else None
    balances = registry.benefits.balances(caller(args, registry), card_id(args.card_id), as_of)
    if args.json:
        sys.stdout.buffer.write(json_safe(msgspec.json.encode(balances)) + b"\n")
        return
    if not balances:
        print("no item of this card is counted", file=sys.stderr)
    for entry in balances:
        whom = _beneficiary(entry.kind, entry.family_member)
        for line in _balance_lines(entry.balances):
            print(terminal_safe(f"{whom:<18} {entry.item:<20} {line}"))


def _beneficiary(kind: str, family_member: int) -> str:
    return f"{kind} (family {family_member})" if family_member else kind


def _balance_lines(balances: Iterable[Any]) -> list[str]:
    """One line per counted limit: what is left of it, and the rule."""
    lines = []
    for b in balances:
        parts = []
        if b.per_year is not None:
            parts.append(f"{b.year}: {b.left_this_year} of {b.per_year} left")
        if b.in_all is not None:
            parts.append(f"in all: {b.left_in_all} of {b.in_all} left, until {b.until}")
        if b.max_months is not None:
            parts.append(f"{b.months_left} of {b.max_months} months left")
        lines.append(f"{'; '.join(parts)}  [{b.rule}]")
    return lines


RECEIPT = "print the receipt as JSON"
OFFLINE_USE = (
    "when the use took place, if before now (recorded after an offline check): "
    "YYYY-MM-DD (00:00 Asia/Shanghai) or an ISO date-time with its zone"
)


def add_benefit_commands(card: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add card redeem, card reverse-redemption and card benefits."""

    p = card.add_parser(
        "redeem", help="record the use of a service item (a venue or paying office)"
    )
    p.add_argument("card_id", help="the card id (UUID)")
    add_command_options(p, takes_id=False, effective=OFFLINE_USE, output=RECEIPT)
    p.add_argument("--item", help="the item code of the venue's city, e.g. liaocheng.21.films")
    p.add_argument(
        "--beneficiary",
        choices=_BENEFICIARIES,
        help="who used it (default holder)",
    )
    p.add_argument(
        "--family-member",
        metavar="N|NAME",
        help="which family member: the place in the filing (1 the first) or the name",
    )
    p.add_argument("--quantity", type=int, help="uses, or months of a monthly subsidy (default 1)")
    p.add_argument(
        "--holder-present", action="store_true", help="the holder is there in person (同步享受)"
    )
    p.add_argument(
        "--in-care-home", action="store_true", help="the parent lives in a city care home"
    )
    p.add_argument("--fact", action="append", default=[], metavar="KEY=VALUE")
    p.set_defaults(run=_redeem)

    p = card.add_parser("reverse-redemption", help="reverse a use the venue recorded")
    p.add_argument("card_id", help="the card id (UUID)")
    p.add_argument("redemption_id", help="the use's id, as `card redeem` printed it")
    add_command_options(p, takes_id=False, effective=None, output=RECEIPT)
    p.add_argument("--reason", help="why the use is reversed")
    p.set_defaults(run=_reverse)

    p = card.add_parser("benefits", help="what is left of each counted item, per beneficiary")
    p.add_argument("card_id")
    add_key_option(p)
    p.add_argument("--as-of", metavar="YYYY-MM-DD", type=iso_date, help="default: today")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=_benefits)
