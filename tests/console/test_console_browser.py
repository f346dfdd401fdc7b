"""The staff console end to end in headless Chromium, as its users work it (issue 28).

The API is served over a registry of its own; tests/console/browser.mjs signs each user
in in a browser context of their own and drives the pages by what they show (links,
buttons and labelled fields), never by posting a form itself:

- A: a Liaocheng card's whole life: filed by the employer, reviewed by the city HRSS and
  by the talent office (that review with the keyboard alone; the reviewed route has no
  window's receipt), issued by another city HRSS user, who then sees its QR code, a use
  recorded by a cinema, and its revocation proposed by the employer, forwarded by the
  city window and approved by the city HRSS.
- B: a Shandong 惠才卡 level by level: the city window's review, the provincial window's
  receipt and review, the issue by another provincial window user.

Screenshots (desktop, a phone's width, forced colours) go to tests/console/artifacts/.
Needs Debian's ``chromium`` and Node with ``npm ci`` run (playwright-core); without them
the tests are skipped, saying what to install; under CI=true they fail instead.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from api.app import create_app
from domain.vocabulary import EmployerLevel, Role
from ledger.app import CardLedger
from services.bootstrap import Registry
from tests import factories as f
from tests.conftest import (
    IN_CI,
    KEY_KDF_COST,
    KEY_PASSPHRASE,
    drop_schema,
    init_as_owner,
    runtime_ledger,
    with_schema,
)
from tests.venue.test_venue_page import CHROMIUM, missing

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).with_name("artifacts")
# Tuesday 2026-12-08, 10:00 in Shanghai: a working day under the rules in force since
# 2026-12-07 (the Shandong employer's level read from the register, its provincial
# window's receipt a required step; Liaocheng issued by the city HRSS).
START = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)

# Who works the cards: name, role, authority (employers: bound to CREDIT_CODE).
USERS = {
    "employer": ("wang.employer", Role.EMPLOYER, "liaocheng"),
    "window": ("qian.window", Role.CITY_WINDOW, "liaocheng"),
    "hrss": ("liu.hrss", Role.CITY_HRSS, "liaocheng"),
    "office": ("zhao.office", Role.TALENT_OFFICE, "liaocheng"),
    "issuer": ("chen.hrss", Role.CITY_HRSS, "liaocheng"),
    "venue": ("zhang.cinema", Role.VENUE, "liaocheng"),
    "province": ("sun.province", Role.PROVINCIAL_WINDOW, "province"),
    "province_issuer": ("zhou.province", Role.PROVINCIAL_WINDOW, "province"),
}
LIAOCHENG_HOLDER = {"name": "李雷", "id_number": f.resident_id(801), "date_of_birth": "1949-12-31"}
SHANDONG_HOLDER = {"name": "韩梅梅", "id_number": f.resident_id(802), "date_of_birth": "1949-12-31"}


class TickingClock:
    """START, then moving on with the wall clock: each event its own instant, as in a
    running registry, on the day the test needs."""

    def __init__(self, start: datetime) -> None:
        self.start, self.began = start, time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.began)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def store_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """A fresh store of each kind for the console's run, and its data folder."""
    folder = tmp_path_factory.mktemp("console")
    if request.param == "sqlite":
        yield f"sqlite:///{folder / 'ledger.sqlite3'}", folder
        return
    base: str = request.getfixturevalue("postgres_url")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    url = with_schema(base, schema, pool_size=4, max_overflow=8)
    init_as_owner(database_url=url, data_dir=folder)
    try:
        yield url, folder
    finally:
        drop_schema(base, schema)


@contextmanager
def registry_on(url: str, folder: Path) -> Iterator[tuple[Registry, CardLedger]]:
    """A registry on the store at ``url``, on the ticking clock, with its keys made."""
    ledger = runtime_ledger(
        database_url=url, data_dir=folder, clock=TickingClock(START), environ={}
    )
    environ = {
        "TALENTCARD_DATA_DIR": str(folder),
        "TALENTCARD_KEY_PASSPHRASE": KEY_PASSPHRASE,
        "TALENTCARD_KEY_KDF_COST": KEY_KDF_COST,
    }
    try:
        with Registry(environ, clock=ledger.clock, ledger=ledger) as registry:
            registry.keys.init()
            yield registry, ledger
    finally:
        ledger.close()


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # a thread of the test run, not the main one
        pass


@contextmanager
def served(registry: Registry) -> Iterator[str]:
    """The API on a free loopback port; its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = _Server(uvicorn.Config(create_app(registry), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the API did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def recorded_uses(ledger: CardLedger) -> list[dict[str, str]]:
    """Every use recorded in the store: its card, item and who recorded it."""
    uses, start = [], 1
    while True:
        section = list(ledger.notification_log.select(start=start, limit=10))
        if not section:
            return uses
        start = section[-1].id + 1
        for notification in section:
            if notification.topic.endswith("BenefitUse.BenefitRedeemed"):
                event = ledger.mapper.to_domain_event(notification)
                uses.append(
                    {
                        "card_id": str(event.redemption.card_id),
                        "item": event.redemption.item,
                        "actor": event.ctx.actor,
                        "role": str(event.ctx.role),
                    }
                )


@pytest.fixture(scope="module")
def run(store_url: tuple[str, Path]) -> dict[str, Any]:
    """Serve the console, run tests/console/browser.mjs once, and return what the pages
    showed with what the store then held for each card."""
    lacking = missing()
    if lacking:
        message = f"the console's browser tests need {lacking}"
        if IN_CI:
            pytest.fail(message + " (CI=true: the browser tests may not be skipped)")
        pytest.skip(message)
    url, folder = store_url
    ARTIFACTS.mkdir(exist_ok=True)
    with registry_on(url, folder) as (registry, ledger):
        registry.employers.register(
            None,
            credit_code=f.CREDIT_CODE,
            name="聊城大学",
            level=EmployerLevel.CITY,
            city="liaocheng",
            reason="the Shandong file's employer level is read from the register",
        )
        users = {}
        for who, (name, role, authority) in USERS.items():
            employer = f.CREDIT_CODE if role is Role.EMPLOYER else ""
            key = registry.users.add(
                None, name=name, role=role, authority=authority, employer=employer
            ).key
            users[who] = {"name": name, "key": key}
        auditor = registry.users.authenticate(
            registry.users.add(None, name="audit.all", role=Role.AUDITOR, authority="province").key
        )
        with served(registry) as base:
            completed = subprocess.run(
                ["node", str(ROOT / "tests" / "console" / "browser.mjs")],
                env={
                    **os.environ,
                    "CONSOLE_URL": base,
                    "USERS": json.dumps(users),
                    "LIAOCHENG_HOLDER": json.dumps(LIAOCHENG_HOLDER),
                    "SHANDONG_HOLDER": json.dumps(SHANDONG_HOLDER),
                    "CREDIT_CODE": f.CREDIT_CODE,
                    "ARTIFACTS": str(ARTIFACTS),
                    "CHROMIUM": CHROMIUM,
                },
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
        assert completed.returncode == 0, completed.stderr[-6000:]
        result: dict[str, Any] = json.loads(completed.stdout)
        result["history"] = {
            card: [
                (e.event, e.actor, str(e.role))
                for e in registry.cards.show(auditor, uuid.UUID(result[card]["card_id"])).history
            ]
            for card in ("liaocheng", "shandong")
        }
        result["uses"] = recorded_uses(ledger)
    return result


def names(*who: str) -> list[str]:
    return [USERS[w][0] for w in who]


# ---- A: a Liaocheng card's life -----------------------------------------------------------


def test_a_liaocheng_card_is_filed_reviewed_issued_used_and_revoked_by_six_people(run):
    assert [(event, actor) for event, actor, _ in run["history"]["liaocheng"]] == [
        ("Applied", "wang.employer"),
        ("ReviewRecorded", "liu.hrss"),
        ("ReviewRecorded", "zhao.office"),
        ("Issued", "chen.hrss"),
        ("RevocationProposed", "wang.employer"),
        ("RevocationApproved", "qian.window"),
        ("RevocationApproved", "liu.hrss"),
        ("Revoked", "liu.hrss"),
    ]
    assert run["liaocheng"]["final_status"] == "revoked"


def test_the_card_page_s_timeline_names_each_person_who_acted(run):
    timeline = run["liaocheng"]["timeline"]
    actors = {actor for _, actor in timeline}
    assert set(names("employer", "window", "hrss", "office", "issuer")) <= actors
    assert [event for event, _ in timeline][-1] == "Revoked"


def test_the_filer_checks_the_answers_before_the_card_is_filed(run):
    check = run["liaocheng"]["check_page"]
    assert LIAOCHENG_HOLDER["id_number"] in check and LIAOCHENG_HOLDER["name"] in check
    assert "certified_excellent" in check
    assert run["liaocheng"]["filed_status"] == "under_review"


def test_each_reviewer_finds_the_card_in_their_work(run):
    assert run["liaocheng"]["in_work"] == {"hrss": True, "office": True, "issuer": True}


def test_the_issuing_user_sees_the_qr_code_and_the_credential_text(run):
    issued = run["liaocheng"]["issued"]
    assert issued["qr_svg"]
    assert issued["credential"].startswith("TC1:")
    assert issued["status"] == "active"


def test_a_cinema_records_a_use_and_the_balance_counts_it(run):
    assert run["liaocheng"]["redeem"]["refusal"] is None
    card = run["liaocheng"]["card_id"]
    assert [u for u in run["uses"] if u["card_id"] == card] == [
        {"card_id": card, "item": "liaocheng.21.films", "actor": "zhang.cinema", "role": "venue"}
    ]
    assert re.search(r"left this year\s*11\s*/\s*12", run["liaocheng"]["balance_after_use"])


def test_the_revocation_takes_two_other_people_and_each_sees_who_went_before(run):
    revocation = run["liaocheng"]["revocation"]
    assert "wang.employer" in revocation["window_sees"]
    assert "qian.window" in revocation["hrss_sees"]
    assert revocation["in_approvals"] == {"window": True, "hrss": True}


# ---- B: a Shandong card level by level ---------------------------------------------------


def test_a_shandong_card_passes_each_level_by_its_own_user_and_is_issued(run):
    assert [(event, actor) for event, actor, _ in run["history"]["shandong"]] == [
        ("Applied", "wang.employer"),
        ("ReviewRecorded", "qian.window"),
        ("FileReceived", "sun.province"),
        ("DeadlineStarted", "sun.province"),  # 7.1's seven working days from the receipt
        ("ReviewRecorded", "sun.province"),
        ("Issued", "zhou.province"),
    ]
    shandong = run["shandong"]
    assert shandong["final_status"] == "active"
    assert shandong["issued"]["credential"].startswith("TC1:") and shandong["issued"]["qr_svg"]
    assert [stage for stage, _ in shandong["stages"]] == ["city_window", "provincial_window"]


# ---- keyboard, phone, forced colours -------------------------------------------------------


def test_sign_in_and_a_review_with_the_keyboard_alone_with_focus_always_visible(run):
    keyboard = run["keyboard"]
    assert keyboard["signed_in"] and keyboard["reviewed"]
    assert keyboard["stops"], "no focus stop was recorded"
    hidden = [s for s in keyboard["stops"] if not s["visible"]]
    assert hidden == []
    assert keyboard["shift_tab_went_back"]
    assert ("ReviewRecorded", "zhao.office") in {
        (event, actor) for event, actor, _ in run["history"]["liaocheng"]
    }


def test_every_console_control_on_the_pages_seen_is_labelled(run):
    assert run["unlabelled"] == {}


@pytest.mark.parametrize(
    "shot",
    [
        "sign-in",
        "work-desktop",
        "file-form",
        "file-check",
        "card-issued-desktop",
        "card-review-desktop",
        "approvals-desktop",
        "work-phone",
        "card-phone",
        "work-forced-colours",
        "card-forced-colours",
        "keyboard-focus",
    ],
)
def test_the_screenshots_are_kept(run, shot):
    assert (ARTIFACTS / f"{shot}.png").stat().st_size > 0


def test_at_a_phone_s_width_no_page_scrolls_sideways(run):
    assert run["phone"]["overflow"] == {}
