"""The venue page's shared test vectors give, in the Python verifier, the verdicts the file
records: the browser test holds the page to the same file, so the two agree."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from signing.bundle import read_bundle
from signing.verify import holder_matches, verify
from tests.venue import vectors as v

DATA = v.load()
BUNDLE = read_bundle(v.bundle_files(DATA))
VECTORS = {vector["name"]: vector for vector in DATA["vectors"]}


def at(vector: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(vector["at"], UTC)


def test_the_vectors_cover_every_case_the_issue_names():
    assert {"valid", "revoked", "tampered", "expired", "companion"} <= set(VECTORS)
    assert VECTORS["stacking"]["venue_city"] == "weihai"  # a card of another scheme


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_each_vector_gets_its_expected_verdict_from_signing_verify(name: str):
    vector = VECTORS[name]
    result = verify(vector["token"], BUNDLE, at=at(vector))
    assert result.reason == vector["expected"] == vector["verdict"]
    assert (result.holder_name, result.tier) == (vector["holder_name"], vector["tier"])


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
