"""The console's security as a user or an attacker meets it (issue 28): the session
cookie's flags, the headers every page carries, forms posted from another site or
without the session's token, a signed-out session, a refused action that keeps what was
typed, and a holder's name that is markup or a template shown as text on every page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from uuid import UUID

import pytest
from litestar import Litestar

import ledger.card_commands as cc
from api.app import create_app
from services.bootstrap import Registry
from tests import factories as f
from tests.api.console.staff import Staff, add_user
from tests.conftest import FakeClock

MARKUP = "<img src=x onerror=alert(1)>"
TEMPLATE = "{{7*7}}"


@pytest.fixture
def app(registry: Registry) -> Litestar:
    registry.keys.init()
    return create_app(registry)


@pytest.fixture
def hrss(app: Litestar, registry: Registry) -> Iterator[Staff]:
    staff = Staff(app, "wang", add_user(registry, "wang", "city_hrss"))
    assert staff.sign_in().status_code == 303
    yield staff
    staff.close()


def _pending(registry: Registry, name: str = "李雷") -> UUID:
    """A Liaocheng art. 5(3) file waiting for the city HRSS's review."""
    card_id, _ = registry.ledger.apply(
        f.apply_body(holder=f.holder(f.resident_id(next(f._people)), name=name))
    )
    return card_id


def test_the_session_cookie_is_http_only_strict_and_scoped_to_the_console(
    app: Litestar, registry: Registry
):
    staff = Staff(app, "wang", add_user(registry, "wang", "city_hrss"))
    answer = staff.sign_in()
    cookie = answer.headers["set-cookie"].lower()
    assert "tc_console=" in cookie
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/console" in cookie
    assert "secure" not in cookie.split("tc_console=")[1].split(",")[0]  # plain http here
    staff.close()


def test_behind_the_https_proxy_the_session_cookie_is_secure(app: Litestar, registry: Registry):
    staff = Staff(app, "wang", add_user(registry, "wang", "city_hrss"))
    answer = staff.sign_in(**{"x-forwarded-proto": "https"})
    session_cookie = [c for c in answer.headers.get_list("set-cookie") if "tc_console=" in c]
    assert session_cookie and "secure" in session_cookie[0].lower()
    staff.close()


def test_the_key_is_not_in_the_cookie_nor_on_any_page(app: Litestar, registry: Registry):
    key = add_user(registry, "wang", "city_hrss")
    staff = Staff(app, "wang", key)
    answer = staff.sign_in()
    assert key not in answer.headers["set-cookie"]
    assert key not in staff.get("/console/work").text


def test_every_page_forbids_scripts_and_framing(hrss: Staff):
    for path in ("/console/work", "/console/sign-in", "/console/file", "/console/cards"):
        answer = hrss.get(path)
        csp = answer.headers["content-security-policy"]
        assert "script-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["cache-control"] == "no-store"
        assert "<script" not in answer.text


def test_a_form_posted_from_another_site_with_the_session_cookie_is_refused(
    hrss: Staff, registry: Registry
):
    card_id = _pending(registry)
    before = registry.ledger.get_card(card_id).version
    form = {"stage": "city_hrss", "decision": "approved"}
    for headers in ({"origin": "https://evil.example"}, {"sec-fetch-site": "cross-site"}):
        answer = hrss.post(f"/console/cards/{card_id}/review", form, **headers)
        assert answer.status_code == 403
        assert "csrf_failed" in answer.text
    assert registry.ledger.get_card(card_id).version == before


def test_a_form_without_the_session_token_is_refused(hrss: Staff, registry: Registry):
    card_id = _pending(registry)
    hrss.csrf = "not-the-token"
    answer = hrss.post(
        f"/console/cards/{card_id}/review", {"stage": "city_hrss", "decision": "approved"}
    )
    assert answer.status_code == 403
    assert registry.ledger.get_card(card_id).version == 1


def test_a_signed_out_session_cannot_act(hrss: Staff, registry: Registry):
    card_id = _pending(registry)
    hrss.get("/console/work")
    token = hrss.csrf
    cookie = hrss.client.cookies.get("tc_console")
    assert hrss.post("/console/sign-out", {}).status_code == 303
    hrss.client.cookies.set("tc_console", cookie, path="/console")  # a copy kept
    hrss.csrf = token
    answer = hrss.post(
        f"/console/cards/{card_id}/review", {"stage": "city_hrss", "decision": "approved"}
    )
    assert answer.status_code == 303 and answer.headers["location"].endswith("/console/sign-in")
    assert registry.ledger.get_card(card_id).version == 1


def test_an_action_is_taken_as_the_signed_in_user(hrss: Staff, registry: Registry):
    card_id = _pending(registry)
    hrss.get(f"/console/cards/{card_id}")
    answer = hrss.post(
        f"/console/cards/{card_id}/review",
        {"stage": "city_hrss", "decision": "approved", "actor": "someone", "role": "administrator"},
    )
    assert answer.status_code == 303
    last = registry.ledger.history(card_id)[-1]
    assert (last.ctx.actor, str(last.ctx.role)) == ("wang", "city_hrss")


def test_a_refused_action_shows_code_message_and_rule_and_keeps_what_was_typed(
    hrss: Staff, registry: Registry
):
    card_id = _pending(registry)
    hrss.get(f"/console/cards/{card_id}")
    answer = hrss.post(
        f"/console/cards/{card_id}/review",
        {"stage": "talent_office", "decision": "approved", "note": "typed by wang 123"},
    )
    assert answer.status_code == 409
    assert 'role="alert"' in answer.text
    assert "typed by wang 123" in answer.text
    assert "the next review stage is city_hrss, not talent_office" in answer.text
    assert "review_out_of_order · 依据 Rule: liaocheng.category.art5.3" in answer.text


@pytest.mark.parametrize("name", [MARKUP, TEMPLATE])
def test_a_holder_named_in_markup_or_template_shows_as_text_on_every_page(
    hrss: Staff, registry: Registry, name: str
):
    card_id = _pending(registry, name)
    pages = [hrss.get("/console/work").text, hrss.get(f"/console/cards/{card_id}").text]
    # The check-your-answers page and the form shown again echo what was typed.
    form = {
        "holder.name": name,
        "holder.id_number": f.resident_id(next(f._people)),
        "holder.date_of_birth": "1980-01-01",
        "note": name,
        "fact.certified_excellent": "true",
    }
    hrss.get("/console/file/liaocheng/art5.3")
    pages.append(hrss.post("/console/file/liaocheng/art5.3", {"step": "check", **form}).text)
    pages.append(hrss.post("/console/file/liaocheng/art5.3", {"step": "edit", **form}).text)
    escaped = name.replace("<", "&lt;").replace(">", "&gt;")
    for html in pages:
        assert "<img src=x" not in html
        assert "onerror=alert(1)>" not in html.replace(escaped, "")
    assert all(escaped in html for html in pages[:2])
    if name == TEMPLATE:
        assert TEMPLATE in pages[0]
        assert f"<h1>{TEMPLATE} " in pages[1]  # the card's heading: the name, not 49


def test_a_card_of_another_city_is_the_page_of_no_card(app: Litestar, registry: Registry):
    card_id = _pending(registry)
    other = Staff(app, "zhao", add_user(registry, "zhao", "city_hrss", "weihai"))
    other.sign_in()
    hidden = other.get(f"/console/cards/{card_id}")
    missing = other.get("/console/cards/00000000-0000-4000-8000-000000000000")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    other.close()


def test_my_work_lists_the_file_at_my_stage_and_not_another_stages(
    app: Litestar, registry: Registry, hrss: Staff
):
    card_id = _pending(registry)
    assert str(card_id) in hrss.get("/console/work").text
    office = Staff(app, "zhou", add_user(registry, "zhou", "talent_office"))
    office.sign_in()
    assert str(card_id) not in office.get("/console/work").text
    registry.ledger.run(cc.REVIEW, card_id, f.review("city_hrss"))
    assert str(card_id) in office.get("/console/work").text
    assert str(card_id) not in hrss.get("/console/work").text
    office.close()


def test_each_signed_in_clerk_has_a_write_budget_of_its_own(write_limited: Registry):
    from tests.conftest import WRITE_RATE

    write_limited.keys.init()
    app = create_app(write_limited)
    wang = Staff(app, "wang", add_user(write_limited, "wang", "city_hrss"))
    li = Staff(app, "li", add_user(write_limited, "li", "city_hrss"))
    wang.sign_in()
    li.sign_in()
    cards = [_pending(write_limited) for _ in range(WRITE_RATE + 1)]
    form = {"stage": "city_hrss", "decision": "returned", "note": "evidence missing"}
    answers = [wang.post(f"/console/cards/{card}/review", form).status_code for card in cards]
    assert answers == [303] * WRITE_RATE + [429]  # one clerk's budget spent …
    assert li.post(f"/console/cards/{cards[-1]}/review", form).status_code == 303  # … not li's
    wang.close()
    li.close()


def test_a_value_of_the_wrong_shape_is_named_and_linked_from_the_error_summary(
    hrss: Staff, registry: Registry
):
    hrss.get("/console/file/liaocheng/art5.3")
    answer = hrss.post(
        "/console/file/liaocheng/art5.3",
        {
            "step": "check",
            "holder.name": "李雷",
            "holder.id_number": "12345",
            "holder.date_of_birth": "1980-13-45",
        },
    )
    assert answer.status_code == 422
    assert 'href="#holder.date_of_birth"' in answer.text
    assert 'id="holder.date_of_birth"' in answer.text  # the link lands on the field


def test_a_suspended_card_waits_on_the_approvals_page(hrss: Staff, registry: Registry):
    card_id = f.liaocheng_card(registry.ledger)
    assert str(card_id) not in hrss.get("/console/approvals").text
    hrss.get(f"/console/cards/{card_id}")
    form = {"reason": "under investigation", "decision_ref": "聊人社〔2026〕9号"}
    assert hrss.post(f"/console/cards/{card_id}/suspend", form).status_code == 303
    assert str(card_id) in hrss.get("/console/approvals").text


def test_the_filing_form_offers_every_relation_the_api_takes(hrss: Staff, registry: Registry):
    form = hrss.get("/console/file/liaocheng/art5.3").text
    for relation in ("spouse", "child", "parent", "spouse_parent"):
        assert f'<option value="{relation}"' in form
    answer = hrss.post(
        "/console/file/liaocheng/art5.3",
        {
            "step": "check",
            "holder.name": "李雷",
            "holder.id_number": f.resident_id(next(f._people)),
            "holder.date_of_birth": "1980-01-01",
            "family.0.relation": "spouse_parent",
            "family.0.name": "韩母",
            "family.0.date_of_birth": "1950-02-02",
            "fact.certified_excellent": "true",
        },
    )
    assert answer.status_code == 200
    assert "spouse_parent · 韩母" in answer.text


def test_my_work_filters_by_scheme_and_route_and_pages_on(hrss: Staff, registry: Registry):
    cards = {str(_pending(registry)) for _ in range(27)}
    first = hrss.get("/console/work").text
    shown = {c for c in cards if c in first}
    assert len(shown) == 25
    link = re.search(r'<a rel="next" href="([^"]+)"', first)
    assert link
    second = hrss.get("/console/work" + link.group(1).replace("&amp;", "&")).text
    assert {c for c in cards if c in second} == cards - shown
    assert not any(c in hrss.get("/console/work?scheme=weihai").text for c in cards)
    assert not any(c in hrss.get("/console/work?route=direct").text for c in cards)
    assert len({c for c in cards if c in hrss.get("/console/work?route=reviewed").text}) == 25


def test_only_the_city_hrss_is_offered_a_back_dated_entry_and_it_lands(
    app: Litestar, hrss: Staff, registry: Registry, clock: FakeClock
):
    card_id = _pending(registry)
    assert 'name="effective_at"' in hrss.get(f"/console/cards/{card_id}").text
    registry.ledger.run(cc.REVIEW, card_id, f.review("city_hrss"))
    office = Staff(app, "zhou", add_user(registry, "zhou", "talent_office"))
    office.sign_in()
    assert 'name="effective_at"' not in office.get(f"/console/cards/{card_id}").text
    other = _pending(registry)
    clock.advance(days=2)
    hrss.sign_in()  # two days on: the session has ended
    hrss.get(f"/console/cards/{other}")
    answer = hrss.post(
        f"/console/cards/{other}/review",
        {"stage": "city_hrss", "decision": "approved", "effective_at": "2026-03-03T10:30"},
    )
    assert answer.status_code == 303
    assert answer.headers["location"].endswith("#timeline")
    last = registry.ledger.history(other)[-1]
    assert last.ctx.effective_at.isoformat().startswith("2026-03-03T02:30")  # 10:30 Shanghai


def test_no_link_or_form_address_carries_personal_data(hrss: Staff, registry: Registry):
    id_number = f.resident_id(next(f._people))
    card_id, _ = registry.ledger.apply(f.apply_body(holder=f.holder(id_number, name="韩梅梅")))
    for path in ("/console/work", f"/console/cards/{card_id}", "/console/approvals"):
        html = hrss.get(path).text
        addresses = re.findall(r'(?:href|action|src)="([^"]*)"', html)
        assert addresses
        for address in addresses:
            assert "韩梅梅" not in address and id_number not in address
            assert "%E9%9F%A9" not in address  # nor the name percent-encoded
