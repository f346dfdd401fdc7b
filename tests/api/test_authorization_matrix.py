"""The authorization matrix (issue 12): every route of the app, as every role in its own
authority and in others, and with no key, against an expected table written here from
the issue and the seeds, not from the app's own permission code, so that the app can
disagree with it. Each case asserts the status (401 without a key; 404 for a card
outside the caller's jurisdiction, exactly as for a missing one; 403 naming the rule for
an action the role may not take on a card it sees), that a refused command changed
nothing, and that no answer holds personal data of a card whose file the caller may not
read (markers planted in every card's holder, birth date, ID number and family).

The world is built once per store (``tests/api/authz_world.py``); a case whose command
may change its card takes a card of its own kind that no earlier case has changed.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest

from domain.vocabulary import Role
from tests.api.authz_world import (
    OTHER,
    OWN,
    PROVINCE,
    PUBLIC_FACE,
    WEIHAI,
    Caller,
    CardFacts,
    World,
    callers_wanted,
    open_world,
    reads_personal_data,
    sees,
)

# ---- who may act, on a card it sees (from the seeds; article in each comment) ---------------

# Who issues, upgrades and extends a card on the world's day (2026-03-02): the registry's
# one role set of issuing bodies, its practice until 2026-12-06 (decision RD-2026-80,
# rules <scheme>.issuers.registry_practice). From 2026-12-07 each seed's issuer decides
# (Liaocheng art. 32 and Weihai 2019 part 2(2): the city HRSS; Shandong 7.1 item 6: the
# provincial window): tests/api/test_issuers_http.py. An employer, a reviewer of one
# stage, a venue or the auditor never does.
ISSUERS = {
    Role.COUNTY_WINDOW,
    Role.CITY_WINDOW,
    Role.PROVINCIAL_WINDOW,
    Role.CITY_HRSS,
    Role.TALENT_OFFICE,
}


@dataclass(frozen=True)
class CardRoute:
    """A card route: the kind of card it is tried on, the body, who may do it (roles, on
    a card they see) and the status of success."""

    kind: str
    allowed: frozenset[Role]
    body: Callable[[World, Caller, Any], Any] | None = None
    ok: int = 200
    personal: bool = False  # a read of the holder's data: refused to the public face
    changes: bool = True  # a command (a refused one must change nothing)
    records_use: bool = False  # a use of a city's catalogue
    reverses_use: bool = False  # a reversal, which names no item (only the use's id)


CARD_ROUTES: dict[str, CardRoute] = {
    # Liaocheng art. 32(2): the city HRSS reviews first, then the talent office agrees.
    "POST /cards/{card_id:uuid}/reviews": CardRoute(
        "lc-pending",
        frozenset({Role.CITY_HRSS}),
        lambda w, c, t: {"stage": "city_hrss", "decision": "approved"},
    ),
    # A window records its own receipt of the file (受理, Shandong standard 8).
    "POST /cards/{card_id:uuid}/receipt": CardRoute(
        "lc-pending", frozenset({Role.CITY_WINDOW}), lambda w, c, t: {"window": "city_window"}
    ),
    # The employment contract is confirmed by the employer or the city HRSS (Shandong 8:
    # 确认引进人才工作合同).
    "POST /cards/{card_id:uuid}/contract": CardRoute(
        "lc-pending",
        frozenset({Role.EMPLOYER, Role.CITY_HRSS}),
        lambda w, c, t: {"confirmed_on": "2026-02-27"},
    ),
    "POST /cards/{card_id:uuid}/issue": CardRoute(
        "lc-reviewed", frozenset(ISSUERS), lambda w, c, t: {}
    ),
    # Liaocheng art. 32: a higher category is asked for as that category is filed; art5.2
    # is issued directly on the city HRSS's certified data, asked for by the talent or unit.
    "POST /cards/{card_id:uuid}/upgrade-request": CardRoute(
        "lc-issued-fresh",
        frozenset({Role.CITY_HRSS, Role.APPLICANT, Role.EMPLOYER}),
        lambda w, c, t: {"category": "art5.2", "facts": {"certified_top_or_leading": True}},
    ),
    "POST /cards/{card_id:uuid}/upgrade": CardRoute(
        "lc-upgrade", frozenset(ISSUERS), lambda w, c, t: {"tier": "A"}
    ),
    # Weihai 2023: the first one-year term is extended to five years when the project
    # lands, by the body that issued it.
    "POST /cards/{card_id:uuid}/extend": CardRoute(
        "wh-elite-fresh",
        frozenset(ISSUERS),
        lambda w, c, t: {
            "event_on": "2026-03-02",
            "evidence": ["doc://landing/1"],
            "shows": ["project_landed"],
        },
    ),
    # Suspension is the registry's interim measure, by the scheme's last revocation
    # approver (Liaocheng art. 34: 报市人社局同意后收回 → the city HRSS).
    "POST /cards/{card_id:uuid}/suspend": CardRoute(
        "lc-issued-fresh",
        frozenset({Role.CITY_HRSS}),
        lambda w, c, t: {"reason": "under investigation", "decision_ref": "聊人社〔2026〕2号"},
    ),
    "POST /cards/{card_id:uuid}/reinstate": CardRoute(
        "lc-suspended",
        frozenset({Role.CITY_HRSS}),
        lambda w, c, t: {"reason": "cleared", "decision_ref": "聊人社〔2026〕3号"},
    ),
    # The talent or the filing body withdraws its own application.
    "POST /cards/{card_id:uuid}/withdraw": CardRoute(
        "lc-pending", frozenset({Role.APPLICANT, Role.EMPLOYER}), lambda w, c, t: {}
    ),
    # Liaocheng art. 34: 所在（引进）单位向同级服务窗口提出意见 → the unit proposes; the
    # window of its level forwards; 报市人社局同意 → the city HRSS agrees.
    "POST /cards/{card_id:uuid}/revocation": CardRoute(
        "lc-issued-fresh",
        frozenset({Role.EMPLOYER}),
        lambda w, c, t: {"reason": "left the city", "ground": "misconduct"},
    ),
    "POST /cards/{card_id:uuid}/revocation/approvals": CardRoute(
        "lc-proposed", frozenset({Role.COUNTY_WINDOW, Role.CITY_WINDOW}), lambda w, c, t: {}
    ),
    # The window only forwards (decides = false): the city HRSS, which agrees or not,
    # declines a forwarded proposal.
    "POST /cards/{card_id:uuid}/revocation/declines": CardRoute(
        "lc-forwarded",
        frozenset({Role.CITY_HRSS}),
        lambda w, c, t: {"reason": "grounds not shown"},
    ),
    # Liaocheng art. 33: 个人信息变化的，用人单位应及时报送 (the employer reports; the talent
    # may ask, PIPL art. 46); the city HRSS, which issues the card (art. 32), decides.
    "POST /cards/{card_id:uuid}/amendment": CardRoute(
        "lc-issued-fresh",
        frozenset({Role.EMPLOYER, Role.APPLICANT}),
        lambda w, c, t: {
            "change": "add_member",
            "relation": "child",
            "name": "李小雷",
            "date_of_birth": "2015-09-30",
            "takes_effect_on": str(w.ledger.get_card(_card_id(t)).issued_on),
            "evidence": ["doc://birth/1"],
            "reason": "filed late",
        },
    ),
    "POST /cards/{card_id:uuid}/amendment/decision": CardRoute(
        "lc-amending",
        frozenset({Role.CITY_HRSS}),
        lambda w, c, t: {"decision": "approved"},
    ),
    # Liaocheng art. 13's month for a spouse's transfer is recorded by the employer or the
    # city HRSS from 2026-12-07 (RD-2026-112); on the world's day no rule names anyone.
    "POST /cards/{card_id:uuid}/spouse-transfer": CardRoute(
        "lc-issued-fresh", frozenset(), lambda w, c, t: {"step": "requested"}
    ),
    # Use is recorded by the venue (or paying office) where it happens (issue 11).
    "POST /cards/{card_id:uuid}/redemptions": CardRoute(
        "lc-issued-fresh",
        frozenset({Role.VENUE, Role.PAYING_OFFICE}),
        lambda w, c, t: {"item": "liaocheng.21.films"},
        ok=201,
        records_use=True,
    ),
    # … and reversed by the venue that recorded it, only (the world's Liaocheng venue).
    "POST /cards/{card_id:uuid}/redemptions/reversals": CardRoute(
        "lc-used",
        frozenset({Role.VENUE}),
        lambda w, c, t: {"redemption_id": str(t[1]), "reason": "recorded by mistake"},
        ok=200,
        records_use=True,
        reverses_use=True,
    ),
    # Reads: the card as the caller may see it (a venue its public face), what is left
    # of counted items (no names: a venue checks a limit with it); the history, what each
    # person may use, and the signed credential name the holder and family.
    "GET /cards/{card_id:uuid}": CardRoute("lc-issued", frozenset(Role), changes=False),
    "GET /cards/{card_id:uuid}/benefits": CardRoute("lc-issued", frozenset(Role), changes=False),
    "GET /cards/{card_id:uuid}/history": CardRoute(
        "lc-issued", frozenset(Role), personal=True, changes=False
    ),
    "GET /cards/{card_id:uuid}/entitlements": CardRoute(
        "lc-issued", frozenset(Role), personal=True, changes=False
    ),
    "GET /cards/{card_id:uuid}/credential": CardRoute(
        "lc-issued", frozenset(Role), personal=True, changes=False
    ),
    # PIPL art. 45: a person's copy comes to whoever may read their file; art. 54: the
    # record of who read it is the auditor's.
    "GET /cards/{card_id:uuid}/personal-data": CardRoute(
        "lc-issued", frozenset(Role), personal=True, changes=False
    ),
    "GET /cards/{card_id:uuid}/personal-reads": CardRoute(
        "lc-issued", frozenset({Role.AUDITOR}), personal=True, changes=False
    ),
}

# The 惠才卡 read through each city: the same reads on a provincial card, where venues of
# every city honour it (stacking) and the province's bodies handle it.
SHANDONG_READS = {
    route: CardRoute("sd-own", spec.allowed, personal=spec.personal, changes=False)
    for route, spec in CARD_ROUTES.items()
    if route.startswith("GET ")
}

# Routes that are no card's: who may call them at all.
OFFICIALS = {  # the registry's officials read its reports (counts, deadlines)
    Role.COUNTY_WINDOW,
    Role.CITY_WINDOW,
    Role.DISTRICT,
    Role.TALENT_INSTITUTE,
    Role.CITY_HRSS,
    Role.TALENT_OFFICE,
    Role.EXPERT_PANEL,
    Role.PROVINCIAL_WINDOW,
    Role.PROGRAMME_AUTHORITY,
    Role.AUDITOR,
}


def applications(caller: Caller) -> int:
    """POST /applications of a Liaocheng art. 5(3) file sponsored by the own employer:
    the talent or its unit files (art. 32(2)), in Liaocheng, and a talent registered at the
    province (the province stands above every city: a filer there files in any city, as
    the employer of a provincial body files at the provincial window, Shandong 7.1); an
    employer for its own applicants only; nobody else."""
    if caller.role is Role.APPLICANT and caller.authority in (OWN, PROVINCE):
        return 201
    if caller.role is Role.EMPLOYER and caller.authority == OWN:
        return 201
    return 403


def quotas(caller: Caller) -> int:
    """GET /quotas of a Weihai project: Weihai's officials and its proposing department
    (Weihai 2023: 3 per project, proposed by the investment department), and the provincial
    auditor. Not a filer: a quota names the cards counted against it, which are not the
    filer's to know of (a card outside one's jurisdiction does not exist)."""
    if caller.role not in OFFICIALS | {Role.INVESTMENT_DEPARTMENT}:
        return 403
    if caller.authority == WEIHAI or (caller.role is Role.AUDITOR and caller.authority == PROVINCE):
        return 200
    return 403


OTHER_ROUTES: dict[str, Callable[[Caller], int]] = {
    "POST /applications": applications,
    "GET /cards": lambda c: 403 if c.role in PUBLIC_FACE | {Role.ADMINISTRATOR} else 200,
    # Who could act is part of the audit: the auditor reads the user list (a city's auditor
    # its own city's users), read-only (issue 27).
    "GET /users": lambda c: 200 if c.role in (Role.ADMINISTRATOR, Role.AUDITOR) else 403,
    "POST /users": lambda c: 201 if c.role is Role.ADMINISTRATOR else 403,
    # 200: they change a user; only a new user is created (201).
    "POST /users/{name:str}/disable": lambda c: 200 if c.role is Role.ADMINISTRATOR else 403,
    "POST /users/{name:str}/key": lambda c: 200 if c.role is Role.ADMINISTRATOR else 403,
    "POST /imports": lambda c: 200 if c.role is Role.ADMINISTRATOR else 403,
    # The register of employers (RD-2026-91): the administrator keeps it, the auditor reads
    # it too (who could file at which level is part of the audit). 200: registering an
    # employer again at its level records nothing.
    "GET /employers": lambda c: 200 if c.role in (Role.ADMINISTRATOR, Role.AUDITOR) else 403,
    "POST /employers": lambda c: 200 if c.role is Role.ADMINISTRATOR else 403,
    "GET /quotas": quotas,
    # Weihai 2023 (一事一议): the talent office decides a larger quota (200: it changes
    # the quota, creates nothing).
    "POST /quotas/raises": lambda c: (
        200 if c.role is Role.TALENT_OFFICE and c.authority == WEIHAI else 403
    ),
    "GET /statistics": lambda c: 200 if c.role in OFFICIALS else 403,
    "GET /statistics/deadlines": lambda c: 200 if c.role in OFFICIALS else 403,
    "GET /audit-trail": lambda c: 200 if c.role is Role.AUDITOR else 403,
    "GET /projections": lambda c: 200 if c.role in (Role.ADMINISTRATOR, Role.AUDITOR) else 403,
    # PIPL art. 47: an administrator proposes and another approves (tried here on an id
    # that names nothing: 404 to an administrator, the role refused to anyone else).
    "POST /erasures": lambda c: 404 if c.role is Role.ADMINISTRATOR else 403,
    "POST /erasures/{erasure_id:uuid}/approval": lambda c: (
        404 if c.role is Role.ADMINISTRATOR else 403
    ),
    "GET /erasures/due": lambda c: 200 if c.role in (Role.ADMINISTRATOR, Role.AUDITOR) else 403,
}

# Public routes: the same answer with any key or none (issue 12, "Public, cacheable, no
# key needed"), and the probes and the OpenAPI documents.
PUBLIC_ROUTES: dict[str, int] = {
    "GET /health": 200,
    "GET /ready": 200,
    "GET /trust-list": 200,
    "GET /status-lists/{authority:str}/{list_id:str}": 200,
    "GET /bundle": 200,
    "POST /verify": 200,
    # The venue page (issue 14): static files, the same for everyone; the bare folder
    # name redirects to the folder (the client follows it to the page).
    "GET /venue": 200,
    "GET /venue/{file_path:path}": 200,
    "HEAD /venue/{file_path:path}": 200,
    # The tamper-evident log (issue 13): tree heads and proofs, public.
    "GET /checkpoints/latest": 200,
    "GET /checkpoints/{size:int}": 200,
    "GET /proofs/inclusion": 200,
    "GET /proofs/consistency": 200,
    "GET /schema": 200,
    "GET /schema/openapi.json": 200,
    "GET /schema/openapi.yaml": 200,
    "GET /schema/openapi.yml": 200,
    "GET /schema/swagger": 200,
    "GET /schema/redoc": 200,
    "GET /schema/rapidoc": 200,
    "GET /schema/elements": 200,
    "GET /schema/oauth2-redirect.html": 200,
    "GET /schema/{path:str}": 404,  # an unknown document under /schema
}

# The staff console (issue 28): its card pages and actions are asked of every caller with
# this table's expectations, through the console, in tests/api/console/test_console_matrix.py;
# sign-in and the stylesheet are public, every other page needs a session.
CONSOLE_ROUTES = {
    "GET /console",
    "GET /console/sign-in",
    "POST /console/sign-in",
    "POST /console/sign-out",
    "GET /console/work",
    "GET /console/approvals",
    "GET /console/cards",
    "GET /console/cards/{card_id:uuid}",
    "POST /console/cards/{card_id:uuid}/{action:str}",
    "GET /console/file",
    "GET /console/file/{scheme:str}/{category:str}",
    "POST /console/file/{scheme:str}/{category:str}",
    "GET /console/static/{file_path:path}",
    "HEAD /console/static/{file_path:path}",
}

EXPECTED_ROUTES = {*CARD_ROUTES, *OTHER_ROUTES, *PUBLIC_ROUTES, *CONSOLE_ROUTES}

# ---- the world, once per store --------------------------------------------------------


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    yield from open_world(request, tmp_path_factory)


# ---- the cases ------------------------------------------------------------------------

CALLER_IDS = [f"{role}@{authority}" for role, authority in callers_wanted()]
WHO = [*CALLER_IDS, "no-key"]


def card_expectation(spec: CardRoute, caller: Caller | None, card: CardFacts) -> int:
    if caller is None:
        return 401
    # Refusals of the caller whatever the card (the same answer for any id, so they tell
    # nothing of a card): the administrator reads no card file; a venue or paying office
    # reads no holder's data; a user at the province records no use (a use is decided by
    # a city's catalogue, issue 11).
    if caller.role is Role.ADMINISTRATOR:
        return 403
    if spec.personal and caller.role in PUBLIC_FACE:
        return 403
    if spec.records_use and caller.authority == PROVINCE and not spec.reverses_use:
        return 403
    # A reversal names no item: a user at the province may be a payer of a provincial
    # item (Shandong annex A.9, the employer), so its reversal is decided on the card it
    # sees, and refused as for any other role (404 unseen, else 403).
    if not sees(caller, card):
        return 404
    return spec.ok if caller.role in spec.allowed else 403


def _target(world: World, kind: str) -> Any:
    makers: dict[str, Callable[[], Any]] = {
        "lc-pending": world.liaocheng_pending,
        "lc-reviewed": world.liaocheng_reviewed,
        "lc-issued-fresh": world.liaocheng_issued,
        "lc-upgrade": world.liaocheng_upgrade_requested,
        "lc-proposed": world.liaocheng_proposed,
        "lc-forwarded": world.liaocheng_forwarded,
        "lc-suspended": world.liaocheng_suspended,
        "lc-amending": world.liaocheng_amending,
        "lc-used": world.liaocheng_used,
        "wh-elite-fresh": world.weihai_elite,
    }
    if kind in makers:
        return world.fresh(kind, makers[kind])
    return world.named[kind]


def _card_id(target: Any) -> UUID:
    return target[0] if isinstance(target, tuple) else target


_PATH_PARAM = re.compile(r"\{card_id:uuid\}")


def _call(world: World, method: str, path: str, caller: Caller | None, **kw: Any) -> Any:
    headers = {**world.headers(caller), **kw.pop("headers", {})}
    return world.client.request(method, path, headers=headers, **kw)


def check_refusal(response: Any, status: int) -> None:
    """A refusal is a problem document; a 403 names the rule that refused."""
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == status
    if status == 403:
        assert problem.get("rule"), f"a 403 without its rule: {problem}"


def check_no_foreign_data(
    world: World, caller: Caller | None, text: str, asked: UUID | None = None
) -> None:
    """No card's personal data unless the caller reads that file, and no card's id unless
    the card exists for the caller (or the caller named it: a 404 says which id it did
    not find); never a whole ID number."""
    for card in world.cards.values():
        assert card.id_number not in text, f"{card.label}'s ID number in an answer"
        allowed = caller is not None and reads_personal_data(caller, card)
        if not allowed:
            leaked = [m for m in card.markers if m in text]
            assert not leaked, (
                f"{card.label}'s personal data {leaked} reached {caller and caller.id}"
            )
        if card.card_id != asked and (caller is None or not sees(caller, card)):
            assert str(card.card_id) not in text, (
                f"{card.label}'s id reached {caller and caller.id}, who may not see it"
            )


def run_card_case(world: World, route: str, spec: CardRoute, who: str) -> None:
    caller = None if who == "no-key" else world.callers[who]
    target = _target(world, spec.kind)
    card_id = _card_id(target)
    card = world.cards[card_id]
    expected = card_expectation(spec, caller, card)
    method, template = route.split(" ", 1)
    path = _PATH_PARAM.sub(str(card_id), template)
    before = world.ledger.get_card(card_id).version
    body = spec.body(world, caller, target) if spec.body and caller else {}
    if method == "GET":
        response = _call(world, "GET", path, caller)
    else:
        response = _call(world, "POST", path, caller, json=body)
    if 200 <= response.status_code < 300 and spec.changes:
        world.spoil(spec.kind)
    assert response.status_code == expected, (
        f"{who} {route} on {card.label}: {response.status_code} {response.text[:300]}"
    )
    if expected >= 400:
        check_refusal(response, expected)
        if expected == 404:
            assert response.json()["title"] == "card_not_found"
        # Exactly the answer for a card that does not exist (asked of the other city's
        # callers, which every route has: one extra request per case is dear).
        if expected == 404 and caller is not None and caller.authority == OTHER:
            missing = uuid.uuid4()
            again = _call(
                world,
                method,
                path.replace(str(card_id), str(missing)),
                caller,
                **({} if method == "GET" else {"json": body}),
            )
            assert again.status_code == 404
            assert response.json() == {
                k: v.replace(str(missing), str(card_id)) if isinstance(v, str) else v
                for k, v in again.json().items()
            }
        if spec.changes:
            assert world.ledger.get_card(card_id).version == before, "a refused command wrote"
    check_no_foreign_data(world, caller, response.text, asked=card_id)


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("route", sorted(CARD_ROUTES))
def test_a_card_route_answers_each_caller_as_the_table_says(world: World, route: str, who: str):
    run_card_case(world, route, CARD_ROUTES[route], who)


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("route", sorted(SHANDONG_READS))
def test_a_read_of_a_huicai_card_answers_each_caller_as_the_table_says(
    world: World, route: str, who: str
):
    run_card_case(world, route, SHANDONG_READS[route], who)


# ---- routes that are no card's ----------------------------------------------------------


def _spare_user(world: World) -> str:
    """A user for the administrator's user routes to act on (disabled: a new one)."""

    def make() -> str:
        name = f"spare.{uuid.uuid4().hex[:8]}"
        world.registry.users.add(None, name=name, role=Role.VENUE, authority=OWN)
        return name

    spare: str = world.fresh("spare-user", make)
    return spare


def _other_request(world: World, route: str) -> tuple[str, str, dict[str, Any]]:
    """The method, path and request arguments of a route that is no card's."""
    method, path = route.split(" ", 1)
    if route == "POST /applications":
        body = {
            "scheme": "liaocheng",
            "category": "art5.3",
            "facts": {"certified_excellent": True},
            "holder": world.new_holder(),
            "sponsor": {"kind": "employer", "name": "聊城大学", "credit_code": world.own_code},
            "evidence": ["doc://platform-certificate/2"],
        }
        return method, path, {"json": body}
    if route == "GET /cards":
        return method, path, {"params": {"limit": 500}}
    if route == "POST /users":
        name = f"new.{uuid.uuid4().hex[:8]}"
        return method, path, {"json": {"name": name, "role": "venue", "authority": OWN}}
    if route.startswith("POST /users/{name:str}/"):
        return method, path.replace("{name:str}", _spare_user(world)), {"json": {}}
    if route == "POST /imports":
        return method, path, {"content": b"", "headers": {"Content-Type": "application/jsonl"}}
    if route == "POST /employers":
        body = {"credit_code": "91370000MA3C0000X1", "name": "山东某某集团", "level": "province"}
        return method, path, {"json": body}
    if route == "GET /quotas":
        params = {"scheme": "weihai", "category": "business_elite", "project_id": "P-AUTHZ"}
        return method, path, {"params": params}
    if route == "POST /quotas/raises":
        body = {
            "scheme": "weihai",
            "category": "business_elite",
            "project_id": f"P-{uuid.uuid4().hex[:8]}",
            "limit": 5,
            "decision_ref": "威人才办〔2026〕1号",
            "attests": ["major_project"],
        }
        return method, path, {"json": body}
    if route == "GET /audit-trail":
        return method, path, {"params": {"limit": 1000}}
    if route == "POST /erasures":
        body = {"card_id": str(uuid.uuid4()), "ground": "purpose_met", "decision": "D-1"}
        return method, path, {"json": body}
    if route == "POST /erasures/{erasure_id:uuid}/approval":
        return method, path.replace("{erasure_id:uuid}", str(uuid.uuid4())), {}
    return method, path, {}


OTHER_CASES = [pytest.param(route, who) for route in sorted(OTHER_ROUTES) for who in WHO]


@pytest.mark.parametrize(("route", "who"), OTHER_CASES)
def test_a_route_of_no_card_answers_each_caller_as_the_table_says(
    world: World, route: str, who: str
):
    caller = None if who == "no-key" else world.callers[who]
    expected = 401 if caller is None else OTHER_ROUTES[route](caller)
    method, path, kw = _other_request(world, route)
    response = _call(world, method, path, caller, **kw)
    if route == "POST /users/{name:str}/disable" and response.status_code < 300:
        world.spoil("spare-user")
    assert response.status_code == expected, (
        f"{who} {route}: {response.status_code} {response.text[:300]}"
    )
    if expected >= 400:
        check_refusal(response, expected)
    check_no_foreign_data(world, caller, response.text)
    if route.startswith("POST /users/") and expected == 403:
        # The same refusal for a user that does not exist: no key holder learns who the
        # users are by asking.
        missing = path.replace(path.split("/")[2], "no.such.user")
        again = _call(world, method, missing, caller, **kw)
        assert (again.status_code, again.json()["title"]) == (403, response.json()["title"])


# ---- public routes ----------------------------------------------------------------------


def _public_request(world: World, route: str) -> tuple[str, str, dict[str, Any]]:
    method, path = route.split(" ", 1)
    # Signing decrypts the issuer's key (scrypt): once for every case.
    credential = world.fresh(
        "sd-own-credential", lambda: world.registry.issuance.credential(world.named["sd-own"])
    )
    if route == "POST /verify":
        return method, path, {"json": {"credential": credential.text}}
    if "{authority:str}" in path:
        uri = credential.claims.status.uri
        return method, uri[uri.index("/status-lists/") :], {}
    if path.startswith(("/checkpoints", "/proofs")):
        log = world.registry.transparency
        size = world.fresh(
            "checkpoint", lambda: (log.checkpoint_if_grown("matrix@host") or log.latest()).size
        )
        if path == "/proofs/inclusion":
            return method, path, {"params": {"size": size, "position": 0}}
        if path == "/proofs/consistency":
            return method, path, {"params": {"old": size, "new": size}}
        return method, path.replace("{size:int}", str(size)), {}
    if "{file_path:path}" in path:
        return method, path.replace("{file_path:path}", "index.html"), {}
    return method, path.replace("{path:str}", "no-such-document"), {}


# The OpenAPI documents are the same for everyone and slow to render (about a second for
# the YAML): asked without a key and with one.
PUBLIC_CASES = [
    (route, who)
    for route in sorted(PUBLIC_ROUTES)
    for who in (("no-key", "applicant@liaocheng") if route.startswith("GET /schema") else WHO)
]


@pytest.mark.parametrize(("route", "who"), PUBLIC_CASES)
def test_a_public_route_answers_every_caller_alike(world: World, route: str, who: str):
    caller = None if who == "no-key" else world.callers[who]
    method, path, kw = _public_request(world, route)
    response = _call(world, method, path, caller, **kw)
    assert response.status_code == PUBLIC_ROUTES[route], (
        f"{who} {route}: {response.status_code} {response.text[:300]}"
    )
    text = response.text if "json" in response.headers.get("content-type", "") else ""
    shown = world.cards[world.named["sd-own"]] if route == "POST /verify" else None
    for card in world.cards.values():
        assert card.id_number not in text and card.date_of_birth not in text
        if card is not shown:
            assert not [m for m in card.markers if m in text]


# ---- the table covers the app -----------------------------------------------------------


def app_routes(world: World) -> set[str]:
    """Every route of the app, as "METHOD path" (litestar's own OPTIONS answers aside)."""
    found = set()
    for route in world.client.app.routes:
        for handler in route.route_handlers:
            for method in getattr(handler, "http_methods", ()):
                if method != "OPTIONS":
                    found.add(f"{method} {route.path}")
    return found


def test_the_expected_table_names_every_route_of_the_app_and_no_other(world: World):
    routes = app_routes(world)
    assert routes - EXPECTED_ROUTES == set(), "routes with no expectation in the matrix"
    assert EXPECTED_ROUTES - routes == set(), "expectations for routes the app does not have"


def test_the_world_has_a_user_for_every_role(world: World):
    assert {c.role for c in world.callers.values()} == set(Role)
