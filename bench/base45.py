"""Base45 decoding of a card's TC1 text: ours against the packages we could have used.

    python -m bench.base45 [--decodes 20000] [--runs 7]

The text is a typical Weihai card's credential (the one bench.verify verifies). Each run
times ``--decodes`` decodes per implementation, the implementations in a rotating order;
the table gives the median and the fastest run per decode, and whether the
implementation refuses ``GGW`` (a group worth 65,536, which RFC 9285 makes invalid).
The ``base45`` package comes with the test extra; ``b45`` (numpy-based) only if someone
installed it for the comparison, since nothing of ours depends on it.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import time
from collections.abc import Callable

from signing.base45 import b45decode
from signing.credential import PREFIX
from tests.signing.support import World

Decoder = Callable[[str], bytes]


def candidates() -> dict[str, Decoder]:
    """Ours, and each installed package's decoder."""
    found: dict[str, Decoder] = {"signing.base45 (ours)": b45decode}
    for module, function in (("base45", "b45decode"), ("b45", "decode")):
        try:
            found[f"{module}.{function}"] = getattr(importlib.import_module(module), function)
        except ImportError:
            print(f"({module} is not installed: left out)")
    return found


def refuses_overflow(decode: Decoder) -> bool:
    try:
        decode("GGW")
    except ValueError:
        return True
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decodes", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    text = World().token()[len(PREFIX) :]
    decoders = candidates()
    expected = b45decode(text)
    for name, decode in decoders.items():
        if bytes(decode(text)) != expected:
            raise AssertionError(f"{name} decodes the benchmark text differently")
    timings: dict[str, list[float]] = {name: [] for name in decoders}
    names = list(decoders)
    for run in range(args.runs):
        for name in names[run % len(names) :] + names[: run % len(names)]:
            decode = decoders[name]
            started = time.perf_counter()
            for _ in range(args.decodes):
                decode(text)
            timings[name].append((time.perf_counter() - started) / args.decodes * 1e6)
    ours = statistics.median(timings[names[0]])
    print(f"{len(text)} base45 characters -> {len(expected)} bytes; {args.decodes} decodes,")
    print(f"median (and fastest) of {args.runs} runs")
    print()
    header = ("decoder", "median µs", "fastest µs", "× ours", "GGW refused")
    print(f"| {header[0]:<22} | {header[1]:>9} | {header[2]:>10} | {header[3]:>6} | {header[4]} |")
    print(f"|{'-' * 24}|{'-' * 10}:|{'-' * 11}:|{'-' * 7}:|:-----------:|")
    for name in names:
        median = statistics.median(timings[name])
        refused = "yes" if refuses_overflow(decoders[name]) else "**no**"
        print(
            f"| {name:<22} | {median:>9.2f} | {min(timings[name]):>10.2f} | "
            f"{median / ours:>6.2f} | {refused:^11} |"
        )


if __name__ == "__main__":
    main()
