"""``talentcard keys …``, ``card credential``, ``bundle`` and ``verify``: the signing side
of the command line. Cryptography and msgspec are imported by the handlers that use them,
so that adding these commands to the parser costs ``talentcard --help`` nothing."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from api.cli_caller import add_key_option, caller
from api.cli_errors import UsageError, json_safe, terminal_safe
from domain.authority import AUTHORITIES
from signing.root import LOG, ROOT

if TYPE_CHECKING:
    from services.bootstrap import Registry

MAX_SKEW_SECONDS = 3600
"""The largest clock-skew allowance a venue may ask for: an hour. More would let a stale
status list (a revocation not yet seen) or an expired card pass for longer than the
issuer's ``ttl`` means."""


def _instant(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--at {text!r} is not an ISO date-time") from None
    if instant.tzinfo is None:
        raise UsageError(f"--at {text!r} needs a time zone, e.g. +08:00 or Z")
    return instant


_PEOPLE = ("holder", "companion", "spouse", "child", "parent", "spouse_parent")


def _beneficiary(text: str) -> str:
    number = text.removeprefix("family:")
    if text in _PEOPLE or (text.startswith("family:") and number.isdigit() and len(number) < 3):
        return text
    raise argparse.ArgumentTypeError(f"{text!r} is not one of {', '.join(_PEOPLE)} or family:N")


# ---- keys ---------------------------------------------------------------------------------


def _keys_init(args: argparse.Namespace, registry: Registry) -> None:
    made = registry.keys.init()
    for record in made:
        print(f"made {record.authority} key {record.kid}")
    if not made:
        print("every authority already has a signing key")


def _keys_rotate(args: argparse.Namespace, registry: Registry) -> None:
    record = registry.keys.rotate(args.authority)
    print(f"made {record.authority} key {record.kid}; the previous key now only verifies")


def _keys_retire(args: argparse.Namespace, registry: Registry) -> None:
    record = registry.keys.retire(args.kid)
    print(f"retired {record.authority} key {record.kid}: it verifies nothing from now on")


def _keys_list(args: argparse.Namespace, registry: Registry) -> None:
    import msgspec

    records = registry.keys.records()
    if args.json:
        sys.stdout.buffer.write(msgspec.json.encode(records) + b"\n")
        return
    now = registry.keys.now()
    for r in records:
        state = "retired" if r.retired_at else "signing" if r.signs_at(now) else "verifying"
        print(f"{r.kid}  {r.authority:<10} {state:<9} since {r.created_at:%Y-%m-%d %H:%M}Z")


# ---- credentials, bundles, verification ---------------------------------------------------


def _credential(args: argparse.Namespace, registry: Registry) -> None:
    from uuid import UUID

    import msgspec

    try:
        card_id = UUID(args.card_id)
    except ValueError:
        raise UsageError(f"{args.card_id!r} is not a card id (a UUID)") from None
    # The credential names the holder and the family: only for who may read them.
    registry.cards.check_holder_data(caller(args, registry), card_id)
    credential = registry.issuance.credential(card_id)
    claims, cose, text, qr = credential.claims, credential.cose, credential.text, credential.qr
    if args.png:
        qr.save(args.png, scale=4)
    if args.svg:
        qr.save(args.svg, scale=4)
    if args.json:
        decoded = msgspec.to_builtins(claims)
        info = {
            "claims": decoded,
            # The current credential: those of earlier generations grant the holder only.
            "generation": credential.generation,
            "cbor_bytes": len(cose),
            "text_chars": len(text),
            "qr_version": qr.version,
            "token": text,
        }
        sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(info)) + b"\n")
    else:
        print(text)
        # Which credential this is and what it carries, on stderr: stdout stays the token.
        until = claims.valid_until or "no end"
        earlier = (
            "; the card's earlier credentials grant the holder only, once venues have a newer "
            "status list"
            if credential.generation > 1
            else ""
        )
        print(
            f"current credential: generation {credential.generation} (tier {claims.tier}, "
            f"valid {claims.valid_from}..{until}, {len(claims.family)} family member(s))"
            f"{earlier}",
            file=sys.stderr,
        )


def _bundle(args: argparse.Namespace, registry: Registry) -> None:
    at = _instant(args.at)
    ttl = timedelta(hours=args.ttl_hours)
    as_of = f" as of {at.isoformat()}" if at else ""
    if args.file:
        packed = registry.issuance.write_bundle_file(Path(args.file), ttl=ttl, at=at)
        print(f"wrote {packed} files into {args.file}{as_of}")
        return
    if not args.folder:
        raise UsageError("bundle needs a FOLDER or --file FILE")
    folder = Path(args.folder)
    written = registry.issuance.write_bundle(folder, ttl=ttl, at=at)
    print(f"wrote {len(written)} files to {folder}{as_of}")


def _verify(args: argparse.Namespace, registry: Registry) -> int:
    import msgspec
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from signing.bundle import BundleError

    token: str = args.token
    if not token.startswith("TC1:"):  # a file holding the token
        try:
            token = Path(token).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError) as e:
            raise UsageError(
                f"{args.token!r} is neither a TC1: token nor a readable file: {e}"
            ) from None
    skew = args.skew_seconds
    if not 0 <= skew <= MAX_SKEW_SECONDS:  # also refuses nan
        raise UsageError(f"--skew-seconds must be between 0 and {MAX_SKEW_SECONDS}")
    root = None
    if args.root_key:
        try:
            root = Ed25519PublicKey.from_public_bytes(bytes.fromhex(args.root_key))
        except ValueError:
            raise UsageError("--root-key must be 64 hex characters") from None
    try:
        result = registry.verification.verify(
            token,
            Path(args.bundle),
            root=root,
            at=_instant(args.at),
            service=args.service,
            beneficiary=args.beneficiary,
            holder_present=args.holder_present,
            venue_city=args.venue_city,
            skew=timedelta(seconds=skew),
        )
    except BundleError as e:
        raise UsageError(str(e)) from None
    # A token is untrusted input until verified, and even a signed one is printed with
    # its text escaped: nothing a card carries may drive the venue operator's terminal.
    if args.json:
        encoded = msgspec.json.format(msgspec.json.encode(result))
        sys.stdout.buffer.write(json_safe(encoded) + b"\n")
    else:
        verdict = "VALID" if result.valid else "INVALID"
        print(terminal_safe(f"{verdict}: {result.reason} - {result.detail}"))
        if result.scheme:
            print(
                terminal_safe(
                    f"  {result.scheme} card, tier {result.tier}, holder {result.holder_name}, "
                    f"valid until {result.valid_until or 'no end date'}"
                )
            )
        if result.beneficiary_name:
            print(terminal_safe(f"  for: {args.beneficiary} {result.beneficiary_name}"))
        if result.rule:
            print(terminal_safe(f"  rule: {result.rule}"))
        if result.responsible:
            print(terminal_safe(f"  responsible units (责任单位): {'、'.join(result.responsible)}"))
        print(f"  bundle data age: {result.bundle_age_seconds} s")
    return 0 if result.valid else 1


def add_signing_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    card: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """Add keys, bundle, verify (top level) and card credential."""
    keys = sub.add_parser("keys", help="issuer keys").add_subparsers(title="keys")
    keys.add_parser("init", help="make the root and one key per authority").set_defaults(
        run=_keys_init
    )
    p = keys.add_parser("rotate", help="make a new key for an authority")
    p.add_argument("authority", choices=[ROOT, LOG, *AUTHORITIES])
    p.set_defaults(run=_keys_rotate)
    p = keys.add_parser("retire", help="stop a key from verifying anything")
    p.add_argument("kid")
    p.set_defaults(run=_keys_retire)
    p = keys.add_parser("list", help="every key and its state")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_keys_list)

    p = card.add_parser("credential", help="the card's signed credential (TC1: text, QR)")
    p.add_argument("card_id")
    add_key_option(p)
    p.add_argument("--png", metavar="FILE")
    p.add_argument("--svg", metavar="FILE")
    p.add_argument("--json", action="store_true", help="the decoded claims and sizes")
    p.set_defaults(run=_credential)

    p = sub.add_parser("bundle", help="write the offline verifier's bundle")
    where = p.add_mutually_exclusive_group()
    where.add_argument("folder", nargs="?", help="a folder of files")
    where.add_argument(
        "--file", metavar="FILE", help="one file instead (CBOR, what GET /bundle serves)"
    )
    p.add_argument(
        "--ttl-hours",
        type=float,
        default=24.0,
        help="how long venues may rely on the status lists (default 24)",
    )
    p.add_argument(
        "--at",
        metavar="INSTANT",
        help="build it as the registry would have at this recorded ISO instant (an audit "
        "reproducing what a venue saw); default now",
    )
    p.set_defaults(run=_bundle)
    _add_verify(sub)


def _add_verify(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``verify``: a card token checked offline against a bundle."""
    p = sub.add_parser("verify", help="check a card token offline")
    p.add_argument("token", help="the TC1: text, or a file holding it")
    p.add_argument("--bundle", required=True, help="the bundle: a folder or one file")
    p.add_argument("--root-key", help="pinned root public key (hex); default: bundle root.pub")
    p.add_argument("--at", help="ISO instant to check at (default now)")
    p.add_argument("--service", help="a service item code, e.g. weihai.14")
    p.add_argument(
        "--beneficiary",
        default="holder",
        type=_beneficiary,
        help="holder (default), companion, a relation the credential names once (spouse, "
        "child, parent, spouse_parent), or family:N for its Nth family member",
    )
    present = p.add_mutually_exclusive_group()
    present.add_argument(
        "--holder-present",
        dest="holder_present",
        action="store_const",
        const=True,
        default=None,
        help="the holder is there too (for items the family use only with the holder)",
    )
    present.add_argument(
        "--holder-absent", dest="holder_present", action="store_const", const=False
    )
    p.add_argument("--venue-city", choices=["shandong", "weihai", "liaocheng", "jinan"])
    p.add_argument(
        "--skew-seconds",
        type=float,
        default=300.0,
        help="clock difference tolerated at validity and freshness edges, 0 to "
        f"{MAX_SKEW_SECONDS} (default 300)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_verify)
