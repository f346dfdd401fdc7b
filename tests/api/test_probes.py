"""The probes: /health (liveness: the store answers) and /ready (every read model caught
up with the event log within TALENTCARD_READY_LAG seconds, else a 503 problem naming
each read model that lags)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

import ledger.card_commands as cc
from api.app import create_app
from ledger.app import CardLedger
from projections.engine import NAMES
from services.bootstrap import Registry
from services.readiness import ready_lag_seconds
from tests import factories as f
from tests.conftest import FakeClock

PROBLEM_JSON = "application/problem+json"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def client(registry: Registry) -> Iterator[TestClient]:  # type: ignore[type-arg]
    with TestClient(app=create_app(registry)) as c:
        yield c


def store_of(ledger: CardLedger) -> str:
    return "postgres" if "postgres" in str(ledger.env.get("PERSISTENCE_MODULE")) else "sqlite"


def test_health_names_the_store(client: TestClient, ledger: CardLedger):  # type: ignore[type-arg]
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "store": store_of(ledger)}
    assert response.headers["cache-control"] == "no-store"


def test_ready_on_an_empty_log(client: TestClient, ledger: CardLedger):  # type: ignore[type-arg]
    response = client.get("/ready")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready"
    assert body["store"] == store_of(ledger)
    assert [p["name"] for p in body["projections"]] == list(NAMES)
    assert {p["lag"] for p in body["projections"]} == {0}


def test_ready_once_the_projections_have_caught_up(
    client: TestClient,  # type: ignore[type-arg]
    ledger: CardLedger,
    registry: Registry,
    clock: FakeClock,
):
    card_id, _ = ledger.apply(f.apply_body())
    ledger.run(cc.REVIEW, card_id, f.review("city_hrss"))
    registry.read_models.catch_up()
    clock.advance(hours=1)  # an idle log: however long ago, caught up is ready
    response = client.get("/ready")
    assert response.status_code == 200, response.text
    head = ledger.recorder.max_notification_id()
    assert {(p["position"], p["head"], p["lag"]) for p in response.json()["projections"]} == {
        (head, head, 0)
    }


def test_not_ready_naming_every_projection_when_the_projector_is_behind(
    client: TestClient,  # type: ignore[type-arg]
    ledger: CardLedger,
    clock: FakeClock,
):
    ledger.apply(f.apply_body())  # appended (the card and its holder's reservation), unprojected
    clock.advance(minutes=5)  # longer ago than the default bound of 30 s
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert response.headers["retry-after"]
    body = response.json()
    assert (body["status"], body["title"]) == (503, "not_ready")
    assert body["lagging"] == list(NAMES)
    for name in NAMES:
        assert f"read model {name} is" in body["detail"]
    assert "TALENTCARD_READY_LAG" in body["detail"]
    assert {p["behind_seconds"] for p in body["projections"]} == {300.0}


def test_not_ready_names_only_the_projection_that_lags(
    client: TestClient,  # type: ignore[type-arg]
    ledger: CardLedger,
    registry: Registry,
    clock: FakeClock,
):
    ledger.apply(f.apply_body())
    caught_up = [n for n in NAMES if n != "statistics"]
    registry.read_models.catch_up(caught_up)
    clock.advance(minutes=5)
    body = client.get("/ready").json()
    assert body["lagging"] == ["statistics"]
    head = ledger.recorder.max_notification_id()
    assert f"read model statistics is {head} events behind" in body["detail"]
    assert "card_current" not in body["detail"]


def test_a_projector_a_few_seconds_behind_is_still_ready(
    client: TestClient,  # type: ignore[type-arg]
    ledger: CardLedger,
    clock: FakeClock,
):
    ledger.apply(f.apply_body())
    clock.advance(seconds=5)  # within the bound: the projector is working on it
    response = client.get("/ready")
    assert response.status_code == 200, response.text
    head = ledger.recorder.max_notification_id()
    assert {p["lag"] for p in response.json()["projections"]} == {head}
    assert {p["behind_seconds"] for p in response.json()["projections"]} == {5.0}


def test_a_bound_of_zero_is_ready_only_when_fully_caught_up(
    ledger: CardLedger, registry: Registry, clock: FakeClock, tmp_path: Path
):
    environ = {**registry.environ, "TALENTCARD_READY_LAG": "0"}
    with (
        Registry(environ, clock=clock, ledger=ledger) as strict,
        TestClient(app=create_app(strict)) as client,
    ):
        ledger.apply(f.apply_body())
        clock.advance(seconds=1)
        assert client.get("/ready").status_code == 503
        strict.read_models.catch_up()
        assert client.get("/ready").status_code == 200


@pytest.mark.parametrize("raw", ["-1", "nan", "soon", "3601"])
def test_a_malformed_bound_is_refused_naming_the_setting(raw: str):
    with pytest.raises(Exception, match="TALENTCARD_READY_LAG"):
        ready_lag_seconds({"TALENTCARD_READY_LAG": raw})


def test_a_malformed_bound_makes_the_process_not_ready_naming_the_setting(
    ledger: CardLedger, registry: Registry, clock: FakeClock
):
    environ = {**registry.environ, "TALENTCARD_READY_LAG": "soon"}
    with (
        Registry(environ, clock=clock, ledger=ledger) as bad,
        TestClient(app=create_app(bad)) as client,
    ):
        response = client.get("/ready")
    assert response.status_code == 503
    assert "TALENTCARD_READY_LAG" in response.json()["detail"]


def test_the_probes_need_no_key(client: TestClient):  # type: ignore[type-arg]
    for path in ("/health", "/ready"):
        assert client.get(path).status_code == 200


def test_the_command_line_check_exits_0_when_ready_and_1_naming_the_lag(tmp_path: Path):
    """``python -m api.probes``: compose.yaml's health check of the projector."""
    env = {
        "PATH": "/usr/bin:/bin",
        "TALENTCARD_DATA_DIR": str(tmp_path),
        "TALENTCARD_READY_LAG": "0",
    }

    def python(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )

    done = python("-m", "api.probes")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ready: sqlite")
    filed = python("-c", _APPLY_ONE)
    assert filed.returncode == 0, filed.stderr
    done = python("-m", "api.probes")
    assert done.returncode == 1
    # the card, its holder's reservation, their event signature's record and, with this
    # first signed save of the store, where signing started
    assert done.stderr.startswith("not ready: read model card_current is 4 events behind")
    assert len(done.stderr.strip().splitlines()) == 1


_APPLY_ONE = """
from services.bootstrap import Registry
from tests import factories as f
with Registry() as registry:
    registry.ledger.apply(f.apply_body())
"""


# ---- the issuer keys (issue 23, finding 7: both probes answered ok with a wrong passphrase)


WRONG_PASSPHRASE = "not the issuer passphrase"


def with_keys_of(registry: Registry, ledger: CardLedger, clock: FakeClock, **env: str) -> Registry:
    """Another process over the same store and keys folder, with settings of its own."""
    return Registry({**registry.environ, **env}, clock=clock, ledger=ledger)


def test_health_and_ready_answer_503_when_the_passphrase_does_not_open_the_keys(
    ledger: CardLedger, registry: Registry, clock: FakeClock
):
    registry.keys.init()
    with (
        with_keys_of(registry, ledger, clock, TALENTCARD_KEY_PASSPHRASE=WRONG_PASSPHRASE) as wrong,
        TestClient(app=create_app(wrong)) as client,
    ):
        health, ready = client.get("/health"), client.get("/ready")
    assert (health.status_code, ready.status_code) == (503, 503)
    assert health.headers["content-type"].startswith(PROBLEM_JSON)
    assert (health.json()["title"], health.json()["keys"]) == ("keys_unavailable", "unavailable")
    assert (ready.json()["title"], ready.json()["keys"]) == ("not_ready", "unavailable")
    for response in (health, ready):
        assert "the issuer keys cannot be opened" in response.json()["detail"]
        assert "wrong passphrase" in response.json()["detail"]
        assert WRONG_PASSPHRASE not in response.text
        assert "issuer passphrase" not in response.text


def test_health_answers_503_when_keys_exist_and_no_passphrase_is_set(
    ledger: CardLedger, registry: Registry, clock: FakeClock
):
    registry.keys.init()
    environ = {k: v for k, v in registry.environ.items() if k != "TALENTCARD_KEY_PASSPHRASE"}
    with (
        Registry(environ, clock=clock, ledger=ledger) as bare,
        TestClient(app=create_app(bare)) as client,
    ):
        response = client.get("/health")
    assert response.status_code == 503
    assert "set TALENTCARD_KEY_PASSPHRASE" in response.json()["detail"]


def test_health_answers_503_naming_a_key_file_others_may_read_and_200_once_fixed(
    registry: Registry,
    client: TestClient,  # type: ignore[type-arg]
):
    registry.keys.init()
    assert client.get("/health").status_code == 200
    path = next(registry.keystore.folder.glob("*.key.json"))
    path.chmod(0o644)
    response = client.get("/health")
    assert response.status_code == 503
    assert "is mode 0644" in response.json()["detail"]
    assert "chmod 600" in response.json()["detail"]
    assert client.get("/ready").status_code == 503
    path.chmod(0o600)
    assert client.get("/health").status_code == 200


def test_health_answers_503_when_a_current_keys_file_is_missing(
    registry: Registry,
    client: TestClient,  # type: ignore[type-arg]
):
    registry.keys.init()
    record = next(r for r in registry.keystore.records() if r.authority == "weihai")
    (registry.keystore.folder / f"{record.kid}.key.json").unlink()
    response = client.get("/health")
    assert response.status_code == 503
    assert f"the weihai key {record.kid} has no file" in response.json()["detail"]


def test_the_probes_prove_the_passphrase_once_not_on_every_call(
    registry: Registry,
    client: TestClient,  # type: ignore[type-arg]
    monkeypatch: pytest.MonkeyPatch,
):
    import signing.keys

    registry.keys.init()
    derived: list[object] = []
    real = signing.keys._derive
    monkeypatch.setattr(
        signing.keys,
        "_derive",
        lambda *a: derived.append(a) or real(*a),  # type: ignore[func-returns-value]
    )
    for _ in range(3):
        assert client.get("/health").status_code == 200
        assert client.get("/ready").status_code == 200
    assert len(derived) <= 1  # none if init's own keys were still in memory


def test_each_probes_503_is_declared_in_the_openapi_document(
    client: TestClient,  # type: ignore[type-arg]
):
    paths = client.get("/schema/openapi.json").json()["paths"]
    for path in ("/health", "/ready"):
        responses = paths[path]["get"]["responses"]
        assert {"200", "503"} <= set(responses), (path, sorted(responses))
        assert PROBLEM_JSON in responses["503"]["content"]
