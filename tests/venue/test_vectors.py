"""The venue page's shared test vectors give, in the Python verifier, the verdicts the file
records: the browser test holds the page to the same file, so the two agree."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from signing.bundle import read_bundle
from signing.cose import parse_sign1
from signing.credential import decode_claims, from_text
from signing.verify import SUPERSEDED, holder_matches, verify
from tests.venue import vectors as v

DATA = v.load()
BUNDLE = read_bundle(v.bundle_files(DATA))
VECTORS = {vector["name"]: vector for vector in DATA["vectors"]}


def at(vector: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(vector["at"], UTC)


def test_the_vectors_cover_every_case_the_issue_names():
    assert {"valid", "revoked", "tampered", "expired", "companion"} <= set(VECTORS)
    assert VECTORS["stacking"]["venue_city"] == "weihai"  # a card of another scheme
    # Issue 26: a credential superseded by a change to the card's people, and its successor.
    assert {"superseded", "current_after_change"} <= set(VECTORS)


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_each_vector_gets_its_expected_verdict_from_signing_verify(name: str):
    vector = VECTORS[name]
    result = verify(vector["token"], BUNDLE, at=at(vector))
    assert result.reason == vector["expected"] == vector["verdict"]
    assert (result.holder_name, result.tier) == (vector["holder_name"], vector["tier"])
    assert result.superseded == vector["superseded"]


def test_only_the_credential_handed_out_before_the_change_reads_superseded():
    assert {n for n, x in VECTORS.items() if x["superseded"]} == {"superseded", "superseded_stale"}
    old = VECTORS["superseded"]
    result = verify(old["token"], BUNDLE, at=at(old))
    assert (result.valid, result.superseded) == (True, True)
    assert result.detail == f"genuine, in force, not revoked; {SUPERSEDED}"


def claims(name: str) -> Any:
    return decode_claims(parse_sign1(from_text(VECTORS[name]["token"])).payload)


def test_the_change_gave_the_card_a_new_credential_with_a_status_index_of_its_own():
    old, new = claims("superseded"), claims("current_after_change")
    assert old.card_id == new.card_id
    assert old.status.uri == new.status.uri and old.status.index != new.status.index
    # The child (family:1) was removed: the new credential names the spouse alone.
    assert [m.relation for m in old.family] == ["child", "spouse"]
    spouse = old.family[1]
    assert [(m.relation, m.name) for m in new.family] == [(spouse.relation, spouse.name)]


def test_a_superseded_credential_grants_the_holder_and_a_companion_and_no_family_member():
    grants = VECTORS["superseded"]["grants"]
    family = [g for g in grants if g["person"].startswith("family:")]
    assert {g["person"] for g in family} == {"family:1", "family:2"}
    assert all(not g["granted"] and g["code"] == "superseded" for g in family)
    assert any(g["granted"] for g in grants if g["person"] == "holder")
    assert any(g["granted"] for g in grants if g["person"] == "companion")
    # For the holder and a companion the old credential answers as the current one does.
    current = VECTORS["current_after_change"]["grants"]
    others = ("holder", "companion")
    assert [g for g in grants if g["person"] in others] == [
        g for g in current if g["person"] in others
    ]
    assert any(g["granted"] for g in current if g["person"] == "family:1")  # the spouse


@pytest.mark.parametrize("name", sorted(n for n, x in VECTORS.items() if "service" in x))
def test_each_service_item_a_vector_asks_for_is_answered_as_it_expects(name: str):
    vector = VECTORS[name]
    asked = vector["service"]
    result = verify(
        vector["token"],
        BUNDLE,
        at=at(vector),
        service=asked["item"],
        beneficiary=asked["beneficiary"],
        venue_city=vector["venue_city"],
    )
    assert result.reason == asked["expected"] == asked["verdict"]


def test_the_companion_vector_asks_for_an_item_granted_to_a_companion():
    asked = VECTORS["companion"]["service"]
    assert (asked["beneficiary"], asked["expected"]) == ("companion", "ok")


def test_the_companion_s_item_is_refused_when_the_holder_is_not_there():
    # weihai-2019 part 3(十四): the companion travels with the holder (同步享受).
    vector = VECTORS["companion"]
    result = verify(
        vector["token"],
        BUNDLE,
        at=at(vector),
        service="weihai.14",
        beneficiary="companion",
        holder_present=False,
    )
    assert result.reason == vector["service"]["holder_absent"] == "service_not_granted"
    assert "同步享受" in result.detail


@pytest.mark.parametrize("name", sorted(n for n, x in VECTORS.items() if "grants" in x))
def test_what_a_card_grants_to_whom_is_what_signing_verify_answers_today(name: str):
    # The file records every item of the venue's catalogue for every person; the page must
    # show the same. Regenerate the file (python -m tests.venue.vectors) if the rules moved.
    vector = VECTORS[name]
    city = vector["venue_city"] or str(verify(vector["token"], BUNDLE, at=at(vector)).scheme)
    assert v.grants(vector["token"], v.bundle_files(DATA), at(vector), city) == vector["grants"]


def test_the_holder_s_id_number_and_only_it_matches_the_binding():
    vector = VECTORS["valid"]
    result = verify(vector["token"], BUNDLE, at=at(vector))
    checks = [(c["number"], holder_matches(result, c["number"])) for c in vector["id_checks"]]
    assert checks == [(c["number"], c["matches"]) for c in vector["id_checks"]]
    assert [c["matches"] for c in vector["id_checks"]] == [True, True, False, False]


def test_a_spouse_married_after_issuance_uses_the_gym_on_the_card_s_next_credential():
    vector = VECTORS["spouse_added_after_issue"]
    assert [(m.relation, m.name) for m in claims("spouse_added_after_issue").family] == [
        ("spouse", "陈静")
    ]
    gym = [g for g in vector["grants"] if (g["item"], g["person"]) == ("liaocheng.20", "family:1")]
    assert [g["granted"] for g in gym] == [True]
