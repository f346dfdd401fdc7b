"""Offline verification cost and sizes.

    python -m bench.verify [--tokens 10000] [--runs 5]

In one run: bare ``Ed25519PublicKey.verify`` per second against the full ``verify()``
pipeline (text → base45 → zlib → COSE → signature → claims → status → service decision
from the bundle's venue rules) on the same distinct tokens; the pipeline's cost by stage;
credential sizes for a card of each scheme without family and with a family of four, at
the default base URL and at a long production one; status-list bytes for 1,000,000 cards
at 0.01 %, 0.1 % and 1 % revoked.
"""

from __future__ import annotations

import argparse
import statistics
import time
import timeit
import zlib
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import msgspec
import segno

from domain.clock import SHANGHAI
from domain.vocabulary import Relation, Scheme
from services.settings import DEFAULT_PUBLIC_BASE_URL
from services.venue_rules import family_entry, min_ages
from signing import base45
from signing.cose import _to_be_signed, parse_sign1
from signing.credential import decode_claims, encode_claims, from_text
from signing.status_list import compressed_size, status_uri
from signing.venue_decision import decide
from signing.verify import _person, verify
from tests.signing.support import T0, World

LONG_BASE_URL = "https://talentcard.hrss.shandong.gov.cn"
FAMILY_OF_FOUR = (  # the holder, a spouse and two children: three members on the card
    (Relation.SPOUSE, "韩梅梅", date(1988, 4, 2)),
    (Relation.CHILD, "李小雷", date(2015, 9, 30)),
    (Relation.CHILD, "李小梅", date(2019, 1, 15)),
)

TIERS = {Scheme.SHANDONG: "direct", Scheme.WEIHAI: "4", Scheme.LIAOCHENG: "A", Scheme.JINAN: "C"}
CATEGORIES = {
    Scheme.SHANDONG: "direct",
    Scheme.WEIHAI: "4",
    Scheme.LIAOCHENG: "art5.1",
    Scheme.JINAN: "C",
}


def prefixes(world: World, tokens: list[str], bundle: Any, at: Any, *, runs: int) -> None:
    """The pipeline grown a stage at a time over distinct tokens, median of ``runs``: what
    each stage costs in sequence with the signature, not alone in a hot loop."""
    key = world.keys["weihai"].key.public_key()
    day = at.astimezone(SHANGHAI).date()

    def upto(stage: int) -> None:
        for token in tokens:
            message = parse_sign1(from_text(token))
            message.verify(key)
            if stage < 1:
                continue
            claims = decode_claims(message.payload)
            if stage < 2:
                continue
            bundle.status_list(claims.status.uri).status(claims.status.index)
            if stage < 3:
                continue
            person, _ = _person(claims, "holder", None)
            decide(bundle.venue_index, claims, "weihai.14", person, day, "weihai")

    steps = [
        ("text -> COSE -> signature", lambda: upto(0)),
        ("+ claims decode", lambda: upto(1)),
        ("+ status lookup", lambda: upto(2)),
        ("+ service decision", lambda: upto(3)),
        (
            "verify(..., service=...)",
            lambda: [verify(t, bundle, at=at, service="weihai.14") for t in tokens],
        ),
    ]
    spent: dict[str, list[float]] = {name: [] for name, _ in steps}
    for _ in range(runs):
        for name, work in steps:
            started = time.perf_counter()
            work()
            spent[name].append((time.perf_counter() - started) / len(tokens) * 1e6)
    print(f"pipeline grown a stage at a time, {len(tokens)} distinct tokens, median us")
    for name, _ in steps:
        print(f"  {name:<28} {statistics.median(spent[name]):7.1f}")


def stages(world: World, token: str, bundle: Any, at: Any) -> None:
    """Each stage of one verify, timed alone (best of 5 x 2,000)."""
    body = token[4:]
    compressed = base45.b45decode(body)
    cose = from_text(token)
    message = parse_sign1(cose)
    key = world.keys["weihai"].key.public_key()
    claims = decode_claims(message.payload)
    person, _ = _person(claims, "holder", None)
    facts = claims
    day = at.astimezone(SHANGHAI).date()
    status = bundle.status_list(claims.status.uri)
    signature, signed = message.signature, _to_be_signed(message.protected, message.payload)
    work = {
        "base45 decode": lambda: base45.b45decode(body),
        "zlib inflate": lambda: zlib.decompressobj().decompress(compressed, 2_000),
        "COSE parse": lambda: parse_sign1(cose),
        "Sig_structure": lambda: _to_be_signed(message.protected, message.payload),
        "Ed25519 verify (bare)": lambda: key.verify(signature, signed),
        "claims decode": lambda: decode_claims(message.payload),
        "status lookup": lambda: status.status(claims.status.index),
        "service decision": lambda: decide(
            bundle.venue_index, facts, "weihai.14", person, day, "weihai"
        ),
        "whole verify()": lambda: verify(token, bundle, at=at, service="weihai.14"),
    }
    print("stage                      us (best of 5 x 2,000)")
    for name, call in work.items():
        best = min(timeit.repeat(call, number=2_000, repeat=5)) / 2_000
        print(f"  {name:<24} {best * 1e6:7.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    world = World()
    tokens = [
        world.token(world.claims(Scheme.WEIHAI, card_id=uuid4(), holder_name=f"持卡人{i}"))
        for i in range(args.tokens)
    ]
    bundle = world.bundle(T0)
    at = T0 + timedelta(hours=1)
    key = world.keys["weihai"].key.public_key()
    signed = []
    for token in tokens:
        message = parse_sign1(from_text(token))
        signed.append((message.signature, _to_be_signed(message.protected, message.payload)))

    def bare(chunk: slice) -> None:
        for signature, data in signed[chunk]:
            key.verify(signature, data)

    def signature_only(chunk: slice) -> None:
        for token in tokens[chunk]:
            message = parse_sign1(from_text(token))
            if not message.verify(key):
                raise AssertionError("a benchmark token failed to verify")

    def pipeline(chunk: slice) -> None:
        for token in tokens[chunk]:
            if verify(token, bundle, at=at, service="weihai.14").reason != "ok":
                raise AssertionError("a benchmark token failed to verify")

    # Bare and full alternate chunk by chunk (500 tokens), the order flipping each time,
    # so that a shift in the machine's speed during a run (this one is shared and noisy)
    # falls on both sides alike; each run's ratio is taken within the run.
    size = 500
    chunks = [slice(i, i + size) for i in range(0, args.tokens, size)]
    timings: dict[str, list[float]] = {"bare": [], "pipeline": [], "signature": []}
    ratios, signature_ratios = [], []
    for _ in range(args.runs):
        spent = {"bare": 0.0, "pipeline": 0.0, "signature": 0.0}
        for n, chunk in enumerate(chunks):
            order = [("bare", bare), ("pipeline", pipeline), ("signature", signature_only)]
            for name, work in order if n % 2 == 0 else reversed(order):
                started = time.perf_counter()
                work(chunk)
                spent[name] += time.perf_counter() - started
        timings["bare"].append(args.tokens / spent["bare"])
        timings["pipeline"].append(args.tokens / spent["pipeline"])
        timings["signature"].append(args.tokens / spent["signature"])
        ratios.append(spent["pipeline"] / spent["bare"])
        signature_ratios.append(spent["signature"] / spent["bare"])
    b, p = statistics.median(timings["bare"]), statistics.median(timings["pipeline"])
    print(f"{args.tokens} distinct tokens, median of {args.runs} runs")
    print(f"bare Ed25519 verify:   {b:>9,.0f} /s  ({1e6 / b:6.1f} us)")
    print(f"full verify() + service: {p:>9,.0f} /s  ({1e6 / p:6.1f} us)")
    sig = statistics.median(timings["signature"])
    print(
        f"text -> COSE -> signature only: {sig:>9,.0f} /s  ({1e6 / sig:6.1f} us), "
        f"{statistics.median(signature_ratios):.2f}x bare"
    )
    print(
        f"pipeline cost / bare cost: median {statistics.median(ratios):.2f}x of runs "
        f"{', '.join(f'{r:.2f}' for r in sorted(ratios))}  (goal <= 1.3x)"
    )
    print()
    stages(world, tokens[0], bundle, at)
    print()
    prefixes(world, tokens[:2_000], bundle, at, runs=args.runs)
    print()
    print("credential: CBOR claims / signed COSE bytes / TC1 text chars / QR version (ECC M)")
    ages = min_ages()
    family = tuple(family_entry(r, n, born, ages) for r, n, born in FAMILY_OF_FOUR)
    for base in (DEFAULT_PUBLIC_BASE_URL, LONG_BASE_URL):
        print(f"  status URLs under {base} ({len(base)} chars)")
        for scheme in Scheme:
            for label, members in (("no family", ()), ("family of four", family)):
                claims = world.claims(
                    scheme,
                    tier=TIERS[scheme],
                    category=CATEGORIES[scheme],
                    family=members,
                    status=msgspec.structs.replace(
                        world.claims().status,
                        uri=status_uri(base, scheme.value, "sl-0000"),
                        index=92_071,  # above 65,535, as half of all indexes are
                    ),
                )
                text = world.token(claims)
                cose = from_text(text)
                qr = segno.make(text, error="m", mode="alphanumeric")
                print(
                    f"    {scheme:<10} {label:<15} {len(encode_claims(claims)):>4} / "
                    f"{len(cose):>4} / {len(text):>4} / {qr.version}"
                )
    print()
    print("status lists, 1,000,000 cards, 2 bits, zlib level 9 (goal at 1 %: <= 14 KB)")
    for fraction in (0.0001, 0.001, 0.01):
        size = compressed_size(1_000_000, fraction, seed=1)
        print(f"  {fraction:>7.2%} revoked: {size:>7,} bytes")


if __name__ == "__main__":
    main()
