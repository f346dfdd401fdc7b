"""``bench.ledger``'s b/a here against another checkout of the project, in one run.

    python -m bench.versus --base DIR [--rounds 7] [--stores sqlite,postgres] [--cards 300]

``DIR`` is a worktree of the commit to compare with (``git worktree add DIR REV``), with
its own ``.venv`` (``pip install -e '.[test]'`` there). Each round runs ``bench.ledger
--runs 1`` once in each tree, the order alternating, so both see the same machine at
nearly the same moment; b/a is a ratio measured within one process, which is what makes
two trees comparable on a shared machine. Prints the median b/a of each tree per store
and the ratio of the two (issue 23's goal: this tree ≥ 0.9 × the base).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def one(tree: Path, python: str, stores: str, cards: int) -> dict[str, float]:
    """b/a per store from one ``bench.ledger --runs 1`` in ``tree``."""
    out = subprocess.run(
        [python, "-m", "bench.ledger", "--runs", "1", "--stores", stores, "--cards", str(cards)],
        cwd=tree,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    ratios = {}
    for line in out.splitlines():
        words = line.split()
        if words and words[0] in stores.split(","):
            ratios[words[0]] = float(words[4])
    return ratios


def _python(tree: Path) -> str:
    """The tree's own venv's interpreter; for this tree, the running one if it has none."""
    own = tree / ".venv" / "bin" / "python"
    if own.exists():
        return str(own)
    if tree == HERE:
        return sys.executable
    raise SystemExit(f"bench.versus: {tree} has no .venv (pip install -e '.[test]' there)")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--base", required=True, type=Path)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--cards", type=int, default=300)
    args = parser.parse_args()
    trees = {"base": args.base.resolve(), "this": HERE}
    pythons = {name: _python(tree) for name, tree in trees.items()}
    seen: dict[str, dict[str, list[float]]] = {name: {} for name in trees}
    for round_ in range(args.rounds):
        order = ["base", "this"] if round_ % 2 == 0 else ["this", "base"]
        for name in order:
            for store, ratio in one(trees[name], pythons[name], args.stores, args.cards).items():
                seen[name].setdefault(store, []).append(ratio)
        print(f"round {round_ + 1}: " + "; ".join(
            f"{name} {store} {values[-1]:.2f}"
            for name in order for store, values in seen[name].items()
        ), file=sys.stderr)
    for store in args.stores.split(","):
        base = statistics.median(seen["base"][store])
        this = statistics.median(seen["this"][store])
        runs = ", ".join(f"{x:.2f}" for x in seen["this"][store])
        base_runs = ", ".join(f"{x:.2f}" for x in seen["base"][store])
        print(f"{store}: b/a this {this:.2f} (runs {runs}), base {base:.2f} "
              f"(runs {base_runs}); this/base {this / base:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
