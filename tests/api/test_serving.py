"""``talentcard serve``'s uvicorn settings (api/serving.py): one worker serves the app
built from the registry in hand, several build their own from the factory, and the
access log is off unless asked for."""

from __future__ import annotations

import argparse
from typing import Any

import pytest
import uvicorn

from api.serving import serve, serve_arguments


def parsed(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    serve_arguments(parser)
    return parser.parse_args(argv)


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, dict[str, Any]]]:
    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    return calls


def test_one_worker_serves_the_app_object_without_an_access_log(runs):
    app = object()
    serve(app, parsed("--port", "9001"), factory="api.app:create_app")
    [(target, options)] = runs
    assert target is app
    assert options["workers"] == 1 and options["factory"] is False
    assert options["access_log"] is False and options["port"] == 9001


def test_several_workers_each_build_the_app_from_its_factory(runs):
    serve(None, parsed("--workers", "2", "--access-log"), factory="api.app:create_app")
    [(target, options)] = runs
    assert target == "api.app:create_app"
    assert options["workers"] == 2 and options["factory"] is True
    assert options["access_log"] is True


def test_several_workers_need_a_factory(runs):
    with pytest.raises(ValueError, match="factory"):
        serve(object(), parsed("--workers", "2"))
    assert runs == []


@pytest.mark.parametrize("workers", ["0", "17", "two"])
def test_a_worker_count_out_of_range_is_a_usage_error(workers, capsys):
    with pytest.raises(SystemExit):
        parsed("--workers", workers)
    assert "--workers" in capsys.readouterr().err
