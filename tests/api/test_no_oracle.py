"""No answer of POST /applications tells a caller anything of a card or a person outside
its jurisdiction (issue 23, finding 1: a Jinan venue learned a Liaocheng holder's ID
number from which refusal came back). Over generated callers (every role in every
authority of the authorization matrix's world), the world's cards and filings of each
scheme: a filing naming a card the caller may not read is answered byte for byte as one
naming a card that does not exist, and a filing for a holder of a card as one for a
person who holds none, but for the one-card-per-person refusal (409, naming no card) to a
caller allowed to file the application, whose limit ``tests/api/test_holder_refusals.py``
tests.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from domain.vocabulary import Role
from tests.api.authz_world import (
    CODES,
    OWN_CODE,
    WEIHAI,
    Caller,
    CardFacts,
    World,
    callers_wanted,
    open_world,
    reads_personal_data,
)
from tests.factories import SHANDONG_DIRECT


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    # The one-card-per-person refusals are limited per filer (test_holder_refusals.py);
    # here a filer's many examples must not turn into 429s that would hide a difference.
    yield from open_world(request, tmp_path_factory, TALENTCARD_HOLDER_REFUSALS_PER_HOUR="1000")


CALLERS = [f"{role}@{authority}" for role, authority in callers_wanted()]
CARDS = ("lc-issued", "lc-pending", "wh-elite", "jn-issued", "sd-own", "sd-other", "sd-weihai")
NAMING_FACTS = ("other_city_card_id", "huicai_card_id")
# Headers that differ from one request to the next whatever was asked: the write rate
# limiter's count of what is left.
PER_REQUEST = ("ratelimit-", "date")


def sponsor(caller: Caller, kind: str, name: str, own: bool) -> dict[str, str]:
    """The caller's own organisation (as a filer names it) or the own city's employer."""
    code = caller.code if own and caller.code else OWN_CODE
    return {"kind": kind, "name": name, "credit_code": code}


def body_of(scheme: str, caller: Caller, own: bool, facts: dict[str, Any]) -> dict[str, Any]:
    """A filing of ``scheme`` as a caller would send it, with ``facts`` added."""
    if scheme == "liaocheng":
        return {
            "scheme": "liaocheng",
            "category": "art5.3",
            "facts": {"certified_excellent": True, **facts},
            "sponsor": sponsor(caller, "employer", "聊城大学", own),
            "evidence": ["doc://platform-certificate/1"],
        }
    if scheme == "jinan":
        return {
            "scheme": "jinan",
            "category": "C",
            "facts": {"certified_class_c": True, **facts},
            "sponsor": {"kind": "none", "name": ""},
        }
    if scheme == "weihai":
        code = caller.code if own and caller.code else CODES[(Role.ENTERPRISE, WEIHAI)]
        return {
            "scheme": "weihai",
            "category": "enterprise_talent",
            "enterprise_id": f"E-{uuid.uuid4().hex[:8]}",
            "facts": {"planned_hire_of_target_enterprise": True, **facts},
            "sponsor": {"kind": "enterprise", "name": "威海新材料有限公司", "credit_code": code},
        }
    return {
        "scheme": "shandong",
        "category": "direct",
        "facts": {**SHANDONG_DIRECT, **facts},
        "sponsor": sponsor(caller, "employer", "山东大学", own),
    }


def holder_of(card: CardFacts) -> dict[str, str]:
    return {
        "name": card.holder_name,
        "id_number": card.id_number,
        "date_of_birth": card.date_of_birth,
    }


def answer(world: World, caller: Caller, body: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    response = world.client.post("/applications", json=body, headers=world.headers(caller))
    headers = {
        k.lower(): v for k, v in response.headers.items() if not k.lower().startswith(PER_REQUEST)
    }
    return response.status_code, headers, response.content


SCHEMES = ("liaocheng", "jinan", "weihai", "shandong")
EXAMPLES = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
    database=None,
)


@EXAMPLES
@given(
    who=st.sampled_from(CALLERS),
    named=st.sampled_from(CARDS),
    fact=st.sampled_from(NAMING_FACTS),
    scheme=st.sampled_from(SCHEMES),
    own_sponsor=st.booleans(),
    holders_own=st.booleans(),
)
def test_a_filing_naming_a_card_the_caller_may_not_read_is_answered_as_naming_none(
    world: World,
    who: str,
    named: str,
    fact: str,
    scheme: str,
    own_sponsor: bool,
    holders_own: bool,
):
    caller, card = world.callers[who], world.cards[world.named[named]]
    assume(not reads_personal_data(caller, card))
    holder = holder_of(card) if holders_own else world.new_holder()

    def naming(card_id: str) -> dict[str, Any]:
        return {**body_of(scheme, caller, own_sponsor, {fact: card_id}), "holder": holder}

    seen = answer(world, caller, naming(str(card.card_id)))
    missing = answer(world, caller, naming(str(uuid.uuid4())))
    assert seen == missing, f"{who} naming {named} in a {scheme} filing"


@EXAMPLES
@given(
    who=st.sampled_from(CALLERS),
    held=st.sampled_from(CARDS),
    own_sponsor=st.booleans(),
)
def test_a_filing_for_a_holder_is_answered_as_one_for_anyone_else_but_to_its_filer(
    world: World, who: str, held: str, own_sponsor: bool
):
    caller, card = world.callers[who], world.cards[world.named[held]]
    assume(not reads_personal_data(caller, card))
    body = body_of(card.scheme, caller, own_sponsor, {})
    holders = answer(world, caller, {**body, "holder": holder_of(card)})
    anyones = answer(world, caller, {**body, "holder": world.new_holder()})
    if holders[0] == 409 and b'"already_holds_card"' in holders[2]:
        # The carve-out: the person holds a card in the scheme, told only to a caller
        # allowed to file the very application (it filed one for someone else).
        assert anyones[0] == 201, f"{who} was told of a holder it may not file for"
        assert str(card.card_id).encode() not in holders[2]
        return
    assert holders == anyones, f"{who} filing for the holder of {held}"
