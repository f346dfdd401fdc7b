"""Every benchmark under ``bench/`` runs at a tiny size (issue 24: two of them had crashed
unseen since the HTTP issue changed what they call). Seconds, not figures: a bench that
no longer runs fails the suite, and so CI. ``bench.seed`` and ``bench.api`` have tests of
their own; ``bench.mutation_report`` runs in the mutation gate."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

TINY: dict[str, list[str]] = {
    "transcoder": ["--rounds", "2", "--runs", "1"],
    "base45": ["--decodes", "10", "--runs", "1"],
    "verify": ["--tokens", "5", "--runs", "1"],
    "keys": ["--runs", "1"],
    "ledger": ["--cards", "3", "--runs", "1", "--stores", "sqlite"],
    "versus": ["--base", str(ROOT), "--rounds", "1", "--cards", "3", "--stores", "sqlite"],
    "startup": ["--base", str(ROOT), "--runs", "1"],
    "projections": ["--small", "5", "--large", "10", "--runs", "1", "--stores", "sqlite"],
    "audit": ["--cards", "10", "--runs", "1", "--stores", "sqlite", "--workers", "1"],
    # 40 and 60 cards: the seed's smallest histories with two ended cards to erase
    "erasure": ["--small", "40", "--large", "60", "--erasures", "1", "--stores", "sqlite",
                "--workers", "1"],
    "listing": ["--base", str(ROOT), "--cards", "10", "--rounds", "1", "--runs", "1",
                "--stores", "sqlite", "--workers", "1"],
}
TINY["amendments"] = ["--cards", "3", "--changed", "1", "--runs", "1"]
TINY["recheck"] = ["--cards", "3", "--runs", "1"]
TINY["console"] = ["--small", "5", "--large", "10", "--runs", "1", "--open-files", "20"]
NEEDS_WORKDIR = {"projections", "audit", "erasure", "listing", "console"}


@pytest.mark.parametrize("bench", TINY)
def test_the_bench_runs_at_a_tiny_size(bench: str, tmp_path: Path) -> None:
    argv = [sys.executable, "-m", f"bench.{bench}", *TINY[bench]]
    if bench in NEEDS_WORKDIR:
        argv += ["--workdir", str(tmp_path)]
    env = {**os.environ, "TALENTCARD_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip(), "it printed no figures"
