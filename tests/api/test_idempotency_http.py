"""Idempotent retries and concurrent writers over HTTP: a POST retried with the same
Idempotency-Key answers as the first did and files or records nothing twice, also after
a restart; two writers on one card with the same If-Match: one wins, the other is 409."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from api.app import create_app
from ledger.app import CardLedger
from services.bootstrap import Registry
from tests import factories as f
from tests.api.http_users import Users, request_of
from tests.conftest import KEY_KDF_COST, KEY_PASSPHRASE, FakeClock
from tests.racing import gather, hold_first_calls

EMPLOYER = {"kind": "employer", "name": "聊城大学", "credit_code": f.CREDIT_CODE}
FILM = {"item": "liaocheng.21.films", "beneficiary": "holder"}


def application() -> dict[str, Any]:
    return request_of(f.apply_body(sponsor=EMPLOYER))


def card_count(users: Users) -> int:
    page = users("auditor", "province").get("/cards").json()
    return len(page["rows"])


def issued_card(users: Users) -> str:
    done = users("employer").post("/applications", application()).json()
    card_id = str(done["card_id"])
    for stage in ("city_hrss", "talent_office"):
        review = {"stage": stage, "decision": "approved"}
        assert users(stage).post(f"/cards/{card_id}/reviews", review).status_code == 200
    assert users("city_hrss").post(f"/cards/{card_id}/issue", {}).status_code == 200
    return card_id


def films_left(users: Users, card_id: str) -> int:
    benefits = users("city_hrss").get(f"/cards/{card_id}/benefits").json()
    films = next(b for b in benefits if b["item"] == "liaocheng.21.films")
    return int(films["balances"][0]["left_this_year"])


# ---- retries -------------------------------------------------------------------------------


def test_a_retried_application_answers_as_the_first_and_files_one_card(users: Users):
    body, once = application(), {"Idempotency-Key": "file-1"}
    first = users("employer").post("/applications", body, **once)
    again = users("employer").post("/applications", body, **once)
    assert first.status_code == 201
    assert (again.status_code, again.json()) == (201, first.json())
    assert card_count(users) == 1


def test_an_application_sent_twice_without_a_key_is_two_filings(users: Users):
    # The control for the test above: without the key, the second is a filing of its own
    # (for another person: one person holds one live card per scheme).
    users("employer").post("/applications", application())
    users("employer").post("/applications", application())
    assert card_count(users) == 2


def test_a_retried_use_answers_with_the_first_use_and_records_one(users: Users):
    card_id = issued_card(users)
    cinema, once = users("venue", name="东昌影城"), {"Idempotency-Key": "ticket-7"}
    first = cinema.post(f"/cards/{card_id}/redemptions", FILM, **once)
    again = cinema.post(f"/cards/{card_id}/redemptions", FILM, **once)
    assert first.status_code == 201
    assert again.json()["redemption_id"] == first.json()["redemption_id"]
    assert films_left(users, card_id) == 11


def test_the_same_key_with_another_body_is_a_422_problem_and_files_nothing(users: Users):
    once = {"Idempotency-Key": "file-2"}
    users("employer").post("/applications", application(), **once)
    refused = users("employer").post("/applications", application(), **once)
    assert refused.status_code == 422
    assert refused.json()["title"] == "idempotency_key_reused"
    assert card_count(users) == 1


def test_the_same_key_from_another_user_is_that_user_s_own(users: Users):
    once = {"Idempotency-Key": "file-3"}
    body = application()
    users("employer", name="wang").post("/applications", body, **once)
    other = users("employer", name="li").post("/applications", application(), **once)
    assert other.status_code == 201
    assert card_count(users) == 2


def test_a_retry_after_a_restart_answers_as_the_first(
    users: Users, database_url: str, tmp_path: Path, clock: FakeClock
):
    headers = users("employer").headers
    body, once = application(), {"Idempotency-Key": "file-4"}
    first = users("employer").post("/applications", body, **once)
    environ = {
        "TALENTCARD_DATABASE_URL": database_url,
        "TALENTCARD_DATA_DIR": str(tmp_path),
        "TALENTCARD_KEY_PASSPHRASE": KEY_PASSPHRASE,
        "TALENTCARD_KEY_KDF_COST": KEY_KDF_COST,
    }
    with Registry(environ, clock=clock) as restarted, TestClient(create_app(restarted)) as c:
        again = c.post("/applications", json=body, headers={**headers, **once})
        rows = c.get("/cards", headers=users("auditor", "province").headers).json()["rows"]
    assert (again.status_code, again.json()) == (201, first.json())
    assert len(rows) == 1


# ---- If-Match ------------------------------------------------------------------------------


def test_a_command_with_a_stale_if_match_is_a_409_and_changes_nothing(users: Users):
    card_id = issued_card(users)
    version = users("city_hrss").get(f"/cards/{card_id}").headers["etag"]
    suspension = {"reason": "under investigation", "decision_ref": "LC-1"}
    hrss = users("city_hrss")
    hrss.post(f"/cards/{card_id}/suspend", suspension)
    stale = hrss.post(f"/cards/{card_id}/reinstate", suspension, **{"If-Match": version})
    assert stale.status_code == 409
    assert stale.json()["title"] == "conflict"
    assert users("city_hrss").get(f"/cards/{card_id}").json()["status"] == "suspended"


def test_a_command_answers_the_card_s_new_version_as_its_etag(users: Users):
    card_id = issued_card(users)
    version = users("city_hrss").get(f"/cards/{card_id}").headers["etag"]
    suspension = {"reason": "under investigation", "decision_ref": "LC-1"}
    done = users("city_hrss").post(f"/cards/{card_id}/suspend", suspension, **{"If-Match": version})
    assert done.status_code == 200
    assert done.headers["etag"] == f'"{done.json()["version"]}"' != version


def test_of_two_concurrent_writers_with_the_same_if_match_one_wins_and_one_gets_409(
    users: Users,
):
    card_id = issued_card(users)
    version = users("city_hrss").get(f"/cards/{card_id}").headers["etag"]
    hrss, employer = users("city_hrss"), users("employer")
    writes = [
        lambda: hrss.post(
            f"/cards/{card_id}/suspend",
            {"reason": "under investigation", "decision_ref": "LC-1"},
            **{"If-Match": version},
        ),
        lambda: employer.post(
            f"/cards/{card_id}/revocation",
            {"reason": "left the city", "ground": "misconduct"},
            **{"If-Match": version},
        ),
    ]
    start = threading.Barrier(len(writes))
    statuses: list[int] = []

    def write(i: int) -> None:
        start.wait()
        statuses.append(writes[i]().status_code)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(len(writes))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(statuses) == [200, 409]
    history = users("auditor", "province").get(f"/cards/{card_id}/history").json()
    events = [e["event"] for e in history]
    assert events.count("Suspended") + events.count("RevocationProposed") == 1


# ---- concurrent retries (issue 23, finding 4) ------------------------------------------------

RACERS = 6


def test_concurrent_retries_of_an_application_with_one_key_all_answer_as_the_first(
    users: Users, ledger: CardLedger, monkeypatch: pytest.MonkeyPatch
):
    body, once = application(), {"Idempotency-Key": "file-race"}
    employer = users("employer")
    # Every request loads the person's (not yet existing) reservation before any saves: all
    # but one lose at the store and are decided again on the state the winner left, where
    # the person's reservation is held (by the winner's card).
    held = hold_first_calls(RACERS, ledger._claim_reservation)
    monkeypatch.setattr(ledger, "_claim_reservation", held)
    answers = gather(RACERS, lambda _: employer.post("/applications", body, **once))
    first = answers[0]
    assert [(a.status_code, a.content) for a in answers] == [(201, first.content)] * RACERS
    assert card_count(users) == 1
