"""Offline verification cost and sizes.

    python -m bench.verify [--tokens 10000] [--runs 5]

In one run: bare ``Ed25519PublicKey.verify`` per second against the full ``verify()``
pipeline (text decode, inflate, COSE parse, trust-list lookup, signature, claims, status
list, entitlement) on the same distinct tokens; token sizes for a typical card of each
scheme; status-list bytes for 1,000,000 cards at 0.01 %, 0.1 % and 1 % revoked.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta
from uuid import uuid4

import segno

from domain.vocabulary import Scheme
from signing.cose import _to_be_signed, parse_sign1
from signing.credential import encode_claims, from_text
from signing.status_list import compressed_size
from signing.verify import verify
from tests.signing.support import T0, World

TIERS = {Scheme.SHANDONG: "direct", Scheme.WEIHAI: "4", Scheme.LIAOCHENG: "A", Scheme.JINAN: "C"}


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

    def bare() -> None:
        for signature, data in signed:
            key.verify(signature, data)

    def pipeline() -> None:
        for token in tokens:
            if verify(token, bundle, at=at, service="weihai.14").reason != "ok":
                raise AssertionError("a benchmark token failed to verify")

    timings: dict[str, list[float]] = {"bare": [], "pipeline": []}
    for i in range(args.runs):
        order = [("bare", bare), ("pipeline", pipeline)]
        for name, work in order if i % 2 == 0 else reversed(order):
            started = time.perf_counter()
            work()
            timings[name].append(args.tokens / (time.perf_counter() - started))
    b, p = statistics.median(timings["bare"]), statistics.median(timings["pipeline"])
    print(f"{args.tokens} distinct tokens, median of {args.runs} runs")
    print(f"bare Ed25519 verify:   {b:>9,.0f} /s  ({1e6 / b:6.1f} us)")
    print(f"full verify() + entitlement: {p:>9,.0f} /s  ({1e6 / p:6.1f} us)")
    print(f"pipeline cost / bare cost: {b / p:.2f}x  (goal <= 1.3x)")
    print()
    print("typical card: CBOR claims / signed COSE bytes / TC1 text chars / QR version (ECC M)")
    for scheme in Scheme:
        claims = world.claims(scheme, tier=TIERS[scheme])
        text = world.token(claims)
        cose = from_text(text)
        qr = segno.make(text, error="m", mode="alphanumeric")
        print(
            f"  {scheme:<10} {len(encode_claims(claims)):>4} / {len(cose):>4} / "
            f"{len(text):>4} / {qr.version}"
        )
    print()
    print("status lists, 1,000,000 cards, 2 bits, zlib level 9 (goal at 1 %: <= 14 KB)")
    for fraction in (0.0001, 0.001, 0.01):
        size = compressed_size(1_000_000, fraction, seed=1)
        print(f"  {fraction:>7.2%} revoked: {size:>7,} bytes")


if __name__ == "__main__":
    main()
