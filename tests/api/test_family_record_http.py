"""A child's sex and marital status over HTTP (issue 27): the same fields as the command
line (``sex``, ``married``, ``married_as_of``) in a filing's family and in a change to the
card's people; given wrongly, a 400 problem naming the field, and nothing written."""

from __future__ import annotations

from typing import Any

from tests import factories as f
from tests.api.http_users import Users, request_of
from tests.api.test_lifecycle_http import AMENDERS, TODAY, answer, issued, user

EMPLOYER = {"kind": "employer", "name": "聊城大学", "credit_code": f.CREDIT_CODE}


def child(**record: Any) -> dict[str, Any]:
    return {"relation": "child", "name": "李小雪", "date_of_birth": "1998-02-01", **record}


def test_jinan_art_5_registers_a_child_a_change_over_http_files_as_unmarried(users: Users):
    card_id = issued(users, "jinan")
    filer, issuer = AMENDERS["jinan"]
    change = {
        **child(sex="female", married=False, married_as_of=TODAY.isoformat()),
        "change": "add_member",
        "takes_effect_on": TODAY.isoformat(),
        "evidence": ["doc://hukou/1"],
        "reason": "户籍",
    }
    answer(user(users, filer).post(f"/cards/{card_id}/amendment", change))
    approve = {"decision": "approved"}
    answer(user(users, issuer).post(f"/cards/{card_id}/amendment/decision", approve))
    granted = answer(users("auditor", "province").get(f"/cards/{card_id}/entitlements"))
    assert "jinan.5" in next(e["items"] for e in granted if e["kind"] == "child")


def test_a_filed_marital_status_without_its_day_is_a_400_problem_naming_the_member(
    users: Users,
):
    body = request_of(f.apply_body(sponsor=EMPLOYER))
    body["holder"]["family"] = [child(married=False)]
    employer = users("employer")
    response = employer.post("/applications", body)
    assert response.status_code == 400, response.text
    detail = response.json()["detail"]
    assert detail.startswith("holder.family[0]") and "married_as_of" in detail
    assert answer(users("auditor", "province").get("/cards"))["rows"] == []


def test_a_sex_outside_the_two_the_article_names_is_a_400_problem(users: Users):
    body = request_of(f.apply_body(sponsor=EMPLOYER))
    body["holder"]["family"] = [child(sex="unknown")]
    response = users("employer").post("/applications", body)
    assert response.status_code == 400 and "holder.family[0].sex" in response.json()["detail"]
