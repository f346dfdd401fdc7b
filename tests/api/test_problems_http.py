"""Every error over HTTP is an RFC 9457 problem (application/problem+json with type,
title, status and a one-line detail, and the rule when a rule refused): a missing or bad
key, an unknown card, a body too large, malformed or unknown JSON, a refusal. Never a
traceback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from api.app import REQUEST_MAX_BODY_BYTES, create_app
from services.bootstrap import Registry
from tests import factories as f
from tests.api.document import SCHEMA_PATH, numeric_parameters
from tests.api.http_users import Client, Users, request_of

UNKNOWN = "6f1c2a4e-8d2b-4a5e-9f7c-0b1d2e3f4a5b"
REVIEW = {"stage": "city_hrss", "decision": "approved"}
EMPLOYER = {"kind": "employer", "name": "聊城大学", "credit_code": f.CREDIT_CODE}


@pytest.fixture
def client(registry: Registry) -> Iterator[Client]:
    registry.keys.init()
    with TestClient(app=create_app(registry), raise_server_exceptions=False) as c:
        yield c


def problem(response: Any, status: int) -> dict[str, Any]:
    """The problem document, checked for its shape: one line, no traceback."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert set(body) >= {"type", "title", "status", "detail"}
    assert body["type"] == f"urn:talentcard:error:{body['title']}"
    assert body["status"] == status
    assert "\n" not in body["detail"] and body["detail"]
    assert "Traceback" not in response.text and 'File "' not in response.text
    return body


def raw_post(users: Users, path: str, content: bytes) -> Any:
    employer = users("employer")
    headers = {**employer.headers, "Content-Type": "application/json"}
    return employer.client.post(path, content=content, headers=headers)


# ---- authentication ----------------------------------------------------------------------


def test_a_request_without_a_key_is_a_401_problem_saying_how_to_send_one(client: Client):
    body = problem(client.get("/cards"), 401)
    assert (body["title"], body["detail"]) == (
        "not_authenticated",
        "send the API key as Authorization: Bearer KEY",
    )


def test_a_401_names_the_bearer_scheme_in_www_authenticate(client: Client):
    assert client.get("/cards").headers["www-authenticate"].startswith("Bearer")


def test_an_unknown_key_is_a_401_problem_that_does_not_say_why(client: Client):
    response = client.get("/cards", headers={"Authorization": "Bearer tck1.nobody.secret"})
    assert problem(response, 401)["detail"] == (
        "the API key is missing, unknown, replaced or disabled"
    )


def test_a_disabled_user_s_key_is_a_401_problem(users: Users, registry: Registry):
    auditor = users("auditor", "province")
    registry.users.disable(None, "auditor.province", "left")
    assert problem(auditor.get("/cards"), 401)["title"] == "not_authenticated"


# ---- not found -----------------------------------------------------------------------------


def test_an_unknown_card_is_a_404_problem_naming_it(users: Users):
    body = problem(users("city_hrss").get(f"/cards/{UNKNOWN}"), 404)
    assert (body["title"], body["detail"]) == ("card_not_found", f"no card with id {UNKNOWN}")


def test_a_card_of_another_city_answers_exactly_as_an_unknown_one(users: Users):
    filed = users("employer").post("/applications", request_of(f.apply_body(sponsor=EMPLOYER)))
    card_id = filed.json()["card_id"]
    hidden = problem(users("city_hrss", "weihai").get(f"/cards/{card_id}"), 404)
    unknown = problem(users("city_hrss", "weihai").get(f"/cards/{UNKNOWN}"), 404)
    assert hidden["detail"].replace(card_id, UNKNOWN) == unknown["detail"]


def test_an_unknown_route_is_a_404_problem(users: Users):
    assert problem(users("auditor", "province").get("/no-such-route"), 404)["title"] == (
        "not_found"
    )


def test_a_method_a_route_does_not_take_is_a_405_problem(users: Users):
    auditor = users("auditor", "province")
    response = auditor.client.delete("/cards", headers=auditor.headers)
    assert problem(response, 405)["title"] == "method_not_allowed"


# ---- bodies --------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_a_413_problem(users: Users):
    big = b'{"note": "' + b"x" * REQUEST_MAX_BODY_BYTES + b'"}'
    assert problem(raw_post(users, "/applications", big), 413)["title"] == "body_too_large"


def test_a_body_that_is_not_json_is_a_400_problem_saying_so(users: Users):
    body = problem(raw_post(users, "/applications", b'{"scheme": '), 400)
    assert body["detail"].startswith("the body is not valid JSON")


def test_a_missing_body_is_a_400_problem_saying_what_to_send(users: Users):
    body = problem(raw_post(users, f"/cards/{UNKNOWN}/reviews", b""), 400)
    assert body["detail"] == "the request has no body: send the command as a JSON object"


def test_a_deeply_nested_body_is_a_400_problem_not_a_crash(users: Users):
    deep = b"[" * 50_000 + b"]" * 50_000
    body = problem(raw_post(users, "/applications", deep), 400)
    assert body["detail"] == "the JSON body is nested deeper than 16 levels"


def test_a_deeply_nested_body_sent_to_verify_is_a_400_problem_too(client: Client):
    deep = b"[" * 3_000 + b"]" * 3_000  # under verify's own body limit
    response = client.post("/verify", content=deep, headers={"Content-Type": "application/json"})
    assert problem(response, 400)["title"] == "invalid_input"


def test_an_unknown_field_is_a_400_problem_naming_it(users: Users):
    body = problem(users("employer").post(f"/cards/{UNKNOWN}/reviews", {**REVIEW, "x": 1}), 400)
    assert body["detail"] == "Object contains unknown field `x`"


def test_a_field_of_the_wrong_type_is_a_400_problem_naming_the_field(users: Users):
    review = {"stage": 3, "decision": "approved"}
    body = problem(users("employer").post(f"/cards/{UNKNOWN}/reviews", review), 400)
    assert body["detail"] == "stage: Expected `str`, got `int`"


def test_a_wrong_type_deep_in_the_body_is_a_400_problem_naming_its_path(users: Users):
    body = request_of(f.apply_body(sponsor=EMPLOYER))
    body["holder"]["name"] = 3
    response = users("employer").post("/applications", body)
    assert problem(response, 400)["detail"] == "holder.name: Expected `str`, got `int`"


def test_a_missing_required_field_is_a_400_problem_naming_it(users: Users):
    missing = {"stage": "city_hrss"}
    body = problem(users("employer").post(f"/cards/{UNKNOWN}/reviews", missing), 400)
    assert "`decision`" in body["detail"]


def test_a_json_array_where_a_command_belongs_is_a_400_problem(users: Users):
    body = problem(raw_post(users, f"/cards/{UNKNOWN}/reviews", b"[1, 2]"), 400)
    assert body["detail"] == "Expected `object`, got `array`"


def test_an_invalid_value_the_domain_refuses_is_a_422_problem(users: Users):
    body = request_of(f.apply_body(sponsor=EMPLOYER))
    body["holder"]["id_number"] = "37000019491231000X"  # a wrong check character
    assert problem(users("employer").post("/applications", body), 422)["title"] == (
        "invalid_input"
    )


def test_an_if_match_that_is_no_version_is_a_422_problem(users: Users):
    response = users("city_hrss").post(f"/cards/{UNKNOWN}/reviews", REVIEW, **{"If-Match": "x"})
    assert problem(response, 422)["detail"].startswith("If-Match must be a card version ETag")


# ---- numeric parameters --------------------------------------------------------------------

# Every numeric parameter of the API: its route's path, its name and the other parameters
# its route needs. A number past what the store holds ended in a 500 (OverflowError on
# SQLite, issue 23 finding 5).
NUMERIC_PARAMETERS = [
    ("/cards", "limit", ""),
    ("/audit-trail", "limit", ""),
    ("/audit-trail", "after", ""),
    ("/checkpoints/{size}", "size", ""),
    ("/proofs/inclusion", "size", "position=0"),
    ("/proofs/inclusion", "position", "size=1"),
    ("/proofs/consistency", "old", "new=1"),
    ("/proofs/consistency", "new", "old=0"),
]


def url_with(path: str, name: str, others: str, value: str) -> str:
    if f"{{{name}}}" in path:
        return path.replace(f"{{{name}}}", value)
    return f"{path}?{name}={value}" + (f"&{others}" if others else "")


@pytest.mark.parametrize(("path", "name", "others"), NUMERIC_PARAMETERS)
@pytest.mark.parametrize("value", ["99999999999999999999", "9223372036854775808", "-1"])
def test_a_number_out_of_range_is_a_400_problem_naming_the_parameter(
    users: Users, path: str, name: str, others: str, value: str
):
    response = users("auditor", "province").get(url_with(path, name, others, value))
    assert problem(response, 400)["detail"].startswith(f"{name}: Expected `int`")


def test_the_numeric_parameters_above_are_every_one_the_api_has(client: Client):
    document = client.get(SCHEMA_PATH).json()
    found = {(path, name) for path, name, _ in numeric_parameters(document)}
    assert found == {(path, name) for path, name, _ in NUMERIC_PARAMETERS}


# ---- refusals ------------------------------------------------------------------------------


def test_a_role_that_may_not_act_is_a_403_problem_naming_the_rule(users: Users):
    filed = users("employer").post("/applications", request_of(f.apply_body(sponsor=EMPLOYER)))
    card_id = filed.json()["card_id"]
    refused = users("talent_office").post(f"/cards/{card_id}/reviews", REVIEW)
    body = problem(refused, 403)
    assert "liaocheng.path.reviewed" in body["rule"]


def test_a_problem_with_no_rule_carries_no_rule_member(users: Users):
    assert "rule" not in problem(users("city_hrss").get(f"/cards/{UNKNOWN}"), 404)


def test_an_unexpected_failure_is_a_500_problem_without_its_traceback(
    users: Users, registry: Registry, monkeypatch: pytest.MonkeyPatch
):
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals at /srv/talentcard/ledger.py line 7")

    monkeypatch.setattr(registry.cards, "view", broken)
    response = users("city_hrss").get(f"/cards/{UNKNOWN}")
    body = problem(response, 500)
    assert body["title"] == "internal_error"
    assert "secret internals" not in response.text
