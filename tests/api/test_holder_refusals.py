"""Over HTTP, the one-card-per-person refusal (409 ``already_holds_card``) comes to a filer
allowed to file the application at most ``HOLDER_REFUSALS_DEFAULT`` times an hour; then
every filing of that filer is 429 with Retry-After, the holder's and anyone else's alike,
until the hour has passed (issue 23)."""

from __future__ import annotations

from typing import Any

from services.settings import HOLDER_REFUSALS_DEFAULT
from tests import factories as f
from tests.api.http_users import User, Users, request_of
from tests.conftest import FakeClock

PERSON = f.resident_id(6161)


def jinan(id_number: str) -> dict[str, Any]:
    return request_of(f.jinan_body("C", holder=f.holder(id_number)))


def used_up(talent: User) -> None:
    """The filer's refusals for this hour, all spent on the holder of PERSON's card."""
    for _ in range(HOLDER_REFUSALS_DEFAULT):
        refused = talent.post("/applications", jinan(PERSON))
        assert (refused.status_code, refused.json()["title"]) == (409, "already_holds_card")


def test_past_its_share_of_refusals_a_filer_gets_429_for_a_holder_and_anyone_else(
    users: Users,
):
    assert (
        users("applicant", "jinan", name="holder").post("/applications", jinan(PERSON)).status_code
        == 201
    )
    talent = users("applicant", "jinan")
    used_up(talent)
    holders = talent.post("/applications", jinan(PERSON))
    anyones = talent.post("/applications", jinan(f.resident_id(6262)))
    assert holders.status_code == anyones.status_code == 429
    assert holders.json() == anyones.json()
    assert holders.json()["title"] == "too_many_refusals"
    assert holders.headers["retry-after"] == "3600"


def test_an_hour_after_its_first_refusal_a_filer_files_again(users: Users, clock: FakeClock):
    users("applicant", "jinan", name="holder").post("/applications", jinan(PERSON))
    talent = users("applicant", "jinan")
    used_up(talent)
    clock.advance(hours=1)
    assert talent.post("/applications", jinan(f.resident_id(6262))).status_code == 201


def test_one_filer_past_its_share_does_not_stop_another(users: Users):
    users("applicant", "jinan", name="holder").post("/applications", jinan(PERSON))
    used_up(users("applicant", "jinan"))
    other = users("applicant", "jinan", name="wang.talent")
    assert other.post("/applications", jinan(f.resident_id(6262))).status_code == 201
