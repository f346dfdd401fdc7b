"""The script that wrote the fixture still runs on today's code (a script that no longer
runs is a fixture nobody can write again when an event class is added)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("script", "fixture"),
    [
        ("tests.compat.make_fixture", "fixture"),
        # issue 25's second fixture: the first taken on, sealed, with erasures
        ("tests.compat.make_sealed_fixture", "fixture-sealed"),
        # issue 26's third fixture: the second taken on, with changes to cards' people
        ("tests.compat.make_amended_fixture", "fixture-amended"),
        # issue 27's fourth: the third taken on under the rectified rules, with the register
        ("tests.compat.make_rectified_fixture", "fixture-rectified"),
    ],
)
def test_the_fixture_script_still_writes_the_same_events_on_both_stores(
    postgres_url: str, tmp_path: Path, script: str, fixture: str
):
    out = tmp_path / fixture
    env = {**os.environ, "TALENTCARD_TEST_POSTGRES_URL": postgres_url}
    done = subprocess.run(
        [sys.executable, "-m", script, str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    expected = json.loads((out / "expected.json").read_text(encoding="utf-8"))
    committed = json.loads((ROOT / f"tests/compat/{fixture}/expected.json").read_text("utf-8"))
    for store in ("sqlite", "postgres"):
        assert expected[store]["topics"] == committed[store]["topics"], store
