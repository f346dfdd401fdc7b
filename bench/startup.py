"""Start-up time of the command line, a base checkout against this one, side by side.

    python -m bench.startup --base /path/to/base/checkout [--runs 15]

Each command is a fresh ``python -m api.cli …`` process (the ``talentcard`` script runs
the same ``main``) with its working directory and ``PYTHONPATH`` in the checkout, so each
side imports its own code; the interpreter and installed packages are this venv's. The
rows: the bare interpreter (the floor neither side can go under), ``import api.cli``,
``--help``, and ``verify`` of a genuine token against a bundle on disk, both made by that
checkout's own ``tests.signing.support`` so either side's formats fit. Runs are
interleaved (each round runs every command on both sides, the order rotating) and each
cell is the median whole-process wall time of ``--runs`` rounds, after one warm-up run
each (which also writes the bytecode caches).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Run in a checkout: a bundle and a token from its own test support, and the instant at
# which the token is valid and the bundle fresh (an hour after the world's T0).
_SETUP = """
import sys
from datetime import timedelta
from pathlib import Path
from tests.signing.support import T0, World
folder = Path(sys.argv[1])
world = World()
world.write_bundle(folder / "bundle")
(folder / "token.txt").write_text(world.token(), encoding="ascii")
print((T0 + timedelta(hours=1)).isoformat())
"""


def _environment(checkout: Path, data_dir: Path) -> dict[str, str]:
    # Nothing of the caller's environment (a database URL, a keys folder) leaks in.
    return {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(checkout),
        "TALENTCARD_DATA_DIR": str(data_dir),
    }


def commands(checkout: Path, scratch: Path) -> dict[str, list[str]]:
    """The command lines to time in ``checkout``, its verify files made in ``scratch``."""
    made = subprocess.run(
        [sys.executable, "-c", _SETUP, str(scratch)],
        cwd=checkout,
        env=_environment(checkout, scratch / "data"),
        capture_output=True,
        text=True,
        check=True,
    )
    at = made.stdout.strip()
    cli = [sys.executable, "-m", "api.cli"]
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "import api.cli": [sys.executable, "-c", "import api.cli"],
        "talentcard --help": [*cli, "--help"],
        "talentcard verify": [
            *cli,
            "verify",
            str(scratch / "token.txt"),
            "--bundle",
            str(scratch / "bundle"),
            "--at",
            at,
        ],
    }


def run_once(argv: list[str], checkout: Path, data_dir: Path) -> float:
    """Seconds the process took, start to exit; a failed command stops the benchmark."""
    started = time.perf_counter()
    done = subprocess.run(
        argv, cwd=checkout, env=_environment(checkout, data_dir), capture_output=True, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(
            f"{' '.join(argv[1:])} in {checkout} exited {done.returncode}: "
            f"{done.stderr.decode(errors='replace')[-500:]}"
        )
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True, help="the checkout to compare with")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    sides = {"base": args.base.resolve(), "this": ROOT}
    with tempfile.TemporaryDirectory() as tmp:
        scratch = {side: Path(tmp, side) for side in sides}
        lines = {side: commands(sides[side], scratch[side]) for side in sides}
        cells = [(side, name) for name in lines["this"] for side in sides]
        timings: dict[tuple[str, str], list[float]] = {cell: [] for cell in cells}
        for side, name in cells:  # warm-up: bytecode caches, the disk cache
            run_once(lines[side][name], sides[side], scratch[side] / "data")
        for round_ in range(args.runs):
            shift = round_ % len(cells)
            for side, name in cells[shift:] + cells[:shift]:
                elapsed = run_once(lines[side][name], sides[side], scratch[side] / "data")
                timings[side, name].append(elapsed)
    print(f"base: {sides['base']}\nthis: {sides['this']}")
    print(f"median whole-process wall time of {args.runs} interleaved runs, ms\n")
    print(f"| {'command':<18} | {'base':>7} | {'this':>7} | {'this/base':>9} |")
    print(f"|{'-' * 20}|{'-' * 8}:|{'-' * 8}:|{'-' * 10}:|")
    for name in lines["this"]:
        base = statistics.median(timings["base", name]) * 1e3
        this = statistics.median(timings["this", name]) * 1e3
        print(f"| {name:<18} | {base:>7.1f} | {this:>7.1f} | {this / base:>9.2f} |")


if __name__ == "__main__":
    main()
