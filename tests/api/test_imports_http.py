"""POST /imports over HTTP: an administrator migrates cards from JSON Lines, each card
all or nothing; every other role is refused; a line that cannot be read is refused by
its number and nothing of it is written."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from tests import factories as f
from tests.api.http_users import Users

JSON_LINES = {"Content-Type": "application/jsonl"}


def command(name: str, at: str, body: Any) -> dict[str, Any]:
    fields = msgspec.to_builtins(body)
    fields.pop("effective_at", None)
    return {"command": name, "effective_at": at, "body": fields}


def liaocheng_card(ref: str, *, reviewed: bool = True) -> bytes:
    """A Liaocheng card of 2023: filed, reviewed by city HRSS and (unless told not) the
    talent office, issued."""
    steps = [
        command("apply", "2023-05-04T10:00:00+08:00", f.apply_body()),
        command("review", "2023-05-10T10:00:00+08:00", f.review("city_hrss")),
    ]
    if reviewed:
        steps.append(command("review", "2023-05-20T10:00:00+08:00", f.review("talent_office")))
    steps.append(command("issue", "2023-05-22T10:00:00+08:00", f.issue()))
    return msgspec.json.encode({"ref": ref, "commands": steps})


def post_import(
    users: Users, lines: list[bytes], role: str = "administrator", authority: str = "province"
) -> Any:
    who = users(role, authority)
    body = b"\n".join(lines) + b"\n"
    return who.client.post("/imports", content=body, headers={**who.headers, **JSON_LINES})


def cards(users: Users) -> list[dict[str, Any]]:
    return users("auditor", "province").get("/cards").json()["rows"]  # type: ignore[no-any-return]


def test_an_administrator_imports_every_card_of_a_json_lines_body(users: Users):
    response = post_import(users, [liaocheng_card("LC-1"), liaocheng_card("LC-2")])
    assert response.status_code == 200
    report = response.json()
    assert [(c["line"], c["ref"]) for c in report["imported"]] == [(1, "LC-1"), (2, "LC-2")]
    assert report["refused"] == []
    assert len(cards(users)) == 2


def test_the_imported_card_is_active_under_its_source_s_history(users: Users):
    report = post_import(users, [liaocheng_card("LC-1")]).json()
    card_id = report["imported"][0]["card_id"]
    view = users("auditor", "province").get(f"/cards/{card_id}").json()
    assert (view["status"], view["valid_from"]) == ("active", "2023-05-22")


@pytest.mark.parametrize(
    ("role", "authority"),
    [
        ("auditor", "province"),
        ("provincial_window", "province"),
        ("city_hrss", "liaocheng"),
        ("venue", "liaocheng"),
    ],
)
def test_any_other_role_is_refused_with_a_403_problem_and_imports_nothing(
    users: Users, role: str, authority: str
):
    response = post_import(users, [liaocheng_card("LC-1")], role=role, authority=authority)
    assert response.status_code == 403
    assert response.json()["rule"] == "card import is the administrator's"
    assert cards(users) == []


def test_a_line_that_is_not_json_is_refused_by_its_number_and_the_others_import(users: Users):
    report = post_import(users, [liaocheng_card("LC-1"), b'{"ref": "LC-2", "comm']).json()
    ((refused),) = report["refused"]
    assert (refused["line"], refused["command_index"]) == (2, -1)
    assert refused["message"]
    assert [c["ref"] for c in report["imported"]] == ["LC-1"]


def test_a_card_refused_halfway_leaves_nothing_of_itself(users: Users):
    # The issue comes before the talent office's review: the card is refused at its third
    # command, and neither its filing nor its first review is kept.
    report = post_import(users, [liaocheng_card("LC-1", reviewed=False)]).json()
    ((refused),) = report["refused"]
    assert (refused["line"], refused["command_index"], refused["code"]) == (
        1,
        2,
        "review_incomplete",
    )
    assert report["imported"] == []
    assert cards(users) == []


def test_an_empty_import_is_a_report_of_nothing(users: Users):
    response = post_import(users, [])
    assert (response.status_code, response.json()) == (200, {"imported": [], "refused": []})
