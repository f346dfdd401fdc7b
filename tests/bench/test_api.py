"""bench.api in a quick mode: the setup serves a registry on Postgres and a bare app, and
every load is answered 2xx, so the benchmark's figures stand for real answers. The load
tool runs on Node.js: without it this test is skipped on a developer's machine and fails
under CI=true."""

from __future__ import annotations

import shutil

import pytest

from bench import api
from tests.conftest import IN_CI

pytestmark = pytest.mark.postgres


def test_a_quick_run_answers_every_load_and_prints_the_table(
    postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if shutil.which("node") is None:
        message = "bench.api's load tool needs Node.js (node is not on PATH)"
        if IN_CI:
            pytest.fail(message + " (CI=true: this test may not be skipped)")
        pytest.skip(message)
    quick = ["--runs", "1", "--seconds", "0.5", "--warmup", "0.2", "--cards", "3",
             "--connections", "2", "--verify-rate", "40", "--status-rate", "40",
             "--applications-rate", "5", "--postgres", postgres_url]
    assert api.main(quick) == 0
    out = capsys.readouterr().out
    for row in ("| verify @ 40/s ", "| bare top ", "| status list @ 40/s ",
                "| applications @ 5/s "):
        assert row in out
    assert "verify top / bare top: median" in out


def test_the_application_bodies_are_each_for_a_person_of_their_own() -> None:
    world = api.World({}, "", [], "")
    bodies = world.application_bodies(50) + world.application_bodies(50)
    assert len(set(bodies)) == 100
    assert all('"actor"' not in b and '"role"' not in b for b in bodies)
