"""What one guess at a key file's passphrase costs: the key files' Argon2id derivation at
its production cost against the PBKDF2-SHA256 at 2,048 iterations of earlier releases
(cryptography's BestAvailableEncryption), the baseline, in the same run.

    python -m bench.keys [--runs 7]

Prints the median and fastest seconds of each and their ratio.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import time
from collections.abc import Callable

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from signing.keys import KDF_COST

PASSPHRASE = b"a passphrase of some length"


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def argon2id() -> bytes:
    cost = KDF_COST
    kdf = Argon2id(
        salt=os.urandom(16),
        length=32,
        iterations=cost.iterations,
        lanes=cost.lanes,
        memory_cost=cost.memory_kib,
    )
    return kdf.derive(PASSPHRASE)


def pbkdf2() -> bytes:
    return hashlib.pbkdf2_hmac("sha256", PASSPHRASE, os.urandom(16), 2_048)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    seen: dict[str, list[float]] = {"argon2id": [], "pbkdf2": []}
    for _ in range(args.runs):  # interleaved, so both see the same machine
        seen["pbkdf2"].append(timed(pbkdf2))
        seen["argon2id"].append(timed(argon2id))
    cost = KDF_COST
    for name, values in seen.items():
        print(f"{name:<9} median {statistics.median(values):.4f} s, fastest {min(values):.4f} s "
              f"({', '.join(f'{v:.4f}' for v in values)})")
    ratio = statistics.median(seen["argon2id"]) / statistics.median(seen["pbkdf2"])
    print(f"Argon2id m={cost.memory_kib} KiB t={cost.iterations} p={cost.lanes}: "
          f"{ratio:,.0f}x the PBKDF2 baseline per guess")


if __name__ == "__main__":
    main()
