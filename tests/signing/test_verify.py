"""The offline verifier: one test per reason code, tampering, rotation, staleness."""

from __future__ import annotations

from datetime import timedelta

import base45
import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.vocabulary import Scheme
from signing.credential import MAX_COSE_BYTES, from_text, to_text
from signing.status_list import StatusCode
from signing.verify import holder_matches, verify
from tests.signing.support import ID_NUMBER, T0, World, make_key

WORLD = World()
TOKEN = WORLD.token()
BUNDLE = WORLD.bundle()


def test_a_genuine_token_with_a_fresh_bundle_is_ok():
    result = verify(TOKEN, BUNDLE, at=T0 + timedelta(hours=1))
    assert (result.valid, result.reason) == (True, "ok")
    assert (result.scheme, result.tier, str(result.valid_until)) == ("weihai", "4", "2031-03-01")
    assert result.bundle_age_seconds == 3600


def test_every_scheme_round_trips():
    for scheme in Scheme:
        claims = WORLD.claims(
            scheme, tier="A" if scheme in (Scheme.JINAN, Scheme.LIAOCHENG) else "direct"
        )
        assert verify(WORLD.token(claims), BUNDLE, at=T0).reason == "ok"


def test_the_id_card_presented_is_matched_against_the_binding():
    result = verify(TOKEN, BUNDLE, at=T0)
    assert holder_matches(result, ID_NUMBER.lower())
    assert not holder_matches(result, "110105194912310039")


@pytest.mark.parametrize("token", ["", "HC1:ABC", "TC1:", "TC1:%%%%", "TC1:" + "A" * 30])
def test_garbage_is_bad_format(token: str):
    assert verify(token, BUNDLE, at=T0).reason == "bad_format"


def test_an_oversized_token_is_too_large_before_parsing():
    assert verify("TC1:" + "0" * 5000, BUNDLE, at=T0).reason == "too_large"


def test_a_zip_bomb_is_too_large():
    import zlib

    bomb = "TC1:" + base45.b45encode(zlib.compress(b"\0" * 1_000_000, 9)).decode()
    assert verify(bomb, BUNDLE, at=T0).reason == "too_large"


def test_a_token_signed_by_a_key_not_on_the_trust_list_is_unknown_key():
    stranger = make_key("weihai")
    assert verify(WORLD.token(signer=stranger), BUNDLE, at=T0).reason == "unknown_key"


def test_a_token_whose_signature_was_made_by_another_key_is_bad_signature():
    impostor = make_key("weihai")
    forged = WORLD.keys["weihai"]
    forged_token = to_text(_resign(from_text(TOKEN), impostor.key, forged.record.kid_bytes))
    assert verify(forged_token, BUNDLE, at=T0).reason == "bad_signature"


def test_a_city_key_signing_another_scheme_s_card_is_refused():
    claims = WORLD.claims(Scheme.WEIHAI)
    token = WORLD.token(claims, signer=WORLD.keys["jinan"])
    assert verify(token, BUNDLE, at=T0).reason == "key_not_valid_for_scheme"


def test_a_card_before_its_first_day_is_not_yet_valid_beyond_the_skew():
    claims = WORLD.claims(valid_from=T0.date() + timedelta(days=2))
    assert verify(WORLD.token(claims), BUNDLE, at=T0).reason == "not_yet_valid"


def test_a_card_after_its_last_day_is_expired():
    claims = WORLD.claims(expires_at=int((T0 - timedelta(minutes=6)).timestamp()))
    assert verify(WORLD.token(claims), BUNDLE, at=T0).reason == "expired"


def test_the_clock_skew_allowance_accepts_a_venue_clock_slightly_behind():
    claims = WORLD.claims(expires_at=int((T0 - timedelta(minutes=4)).timestamp()))
    assert verify(WORLD.token(claims), BUNDLE, at=T0).reason == "ok"
    assert verify(WORLD.token(claims), BUNDLE, at=T0, skew=timedelta(0)).reason == "expired"


def test_a_revoked_card_passes_against_an_older_list_and_fails_against_a_newer_one():
    world = World()
    token = world.token()
    before = world.bundle(T0)
    world.statuses[("weihai", 4242)] = StatusCode.REVOKED
    after = world.bundle(T0 + timedelta(hours=2))
    assert verify(token, before, at=T0 + timedelta(hours=3)).reason == "ok"
    assert verify(token, after, at=T0 + timedelta(hours=3)).reason == "revoked"


def test_a_suspended_card_is_suspended():
    world = World()
    world.statuses[("weihai", 4242)] = StatusCode.SUSPENDED
    assert verify(world.token(), world.bundle(), at=T0).reason == "suspended"


def test_a_status_list_past_its_ttl_is_stale_never_ok():
    bundle = WORLD.bundle(T0, ttl=3600)
    assert verify(TOKEN, bundle, at=T0 + timedelta(minutes=59)).reason == "ok"
    result = verify(TOKEN, bundle, at=T0 + timedelta(minutes=61))
    assert (result.valid, result.reason) == (False, "status_list_stale")


def test_a_card_whose_status_list_is_missing_is_stale():
    claims = WORLD.claims(
        status=msgspec.structs.replace(WORLD.claims().status, uri="sl:weihai:sl-0009")
    )
    assert verify(WORLD.token(claims), BUNDLE, at=T0).reason == "status_list_stale"


def test_an_expired_trust_list_is_reported_as_such():
    bundle = WORLD.bundle(T0, trust_days=1, ttl=10 * 86_400)
    assert verify(TOKEN, bundle, at=T0 + timedelta(days=2)).reason == "trust_list_expired"


def test_a_service_the_card_does_not_grant_is_refused_with_the_rule():
    result = verify(TOKEN, BUNDLE, at=T0, service="weihai.14", beneficiary="spouse")
    assert (result.valid, result.reason) == (False, "service_not_granted")


def test_a_companion_is_admitted_where_the_scheme_allows_one():
    result = verify(TOKEN, BUNDLE, at=T0, service="weihai.14", beneficiary="companion")
    assert result.reason == "ok", result.detail
    assert result.rule


def test_a_weihai_venue_honours_a_valid_huicai_card_for_its_matching_items():
    claims = WORLD.claims(Scheme.SHANDONG, tier="direct", items=frozenset(range(1, 31)))
    result = verify(WORLD.token(claims), BUNDLE, at=T0, service="weihai.14", venue_city="weihai")
    assert result.reason == "ok", result.detail
    other_city = WORLD.claims(Scheme.JINAN, tier="A")
    refused = verify(
        WORLD.token(other_city), BUNDLE, at=T0, service="weihai.14", venue_city="weihai"
    )
    assert refused.reason == "service_not_granted"


def test_after_rotation_the_old_key_s_credential_still_verifies_and_a_retired_key_is_refused():
    world = World()
    old = world.keys["weihai"]
    old_token = world.token()
    rotated_at = T0 + timedelta(days=1)
    old_record = msgspec.structs.replace(old.record, signs_until=rotated_at)
    new = make_key("weihai", created_at=rotated_at)
    records = [old_record, new.record, *(a.record for k, a in world.keys.items() if k != "weihai")]
    world.keys["weihai"] = new
    later = rotated_at + timedelta(hours=1)
    bundle = world.bundle(later, records=records)
    assert verify(old_token, bundle, at=later).reason == "ok"
    new_token = world.token(world.claims(issued_at=int(later.timestamp())))
    assert verify(new_token, bundle, at=later).reason == "ok"
    late_signature = world.token(world.claims(issued_at=int(later.timestamp())), signer=old)
    assert verify(late_signature, bundle, at=later).reason == "bad_signature"
    retired = [msgspec.structs.replace(old_record, retired_at=later), *records[1:]]
    assert (
        verify(
            old_token, world.bundle(later, records=retired), at=later + timedelta(minutes=1)
        ).reason
        == "unknown_key"
    )


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_changing_any_single_byte_of_the_signed_credential_is_rejected(data: st.DataObject):
    cose = from_text(TOKEN)
    position = data.draw(st.integers(0, len(cose) - 1))
    value = data.draw(st.integers(0, 255).filter(lambda v: v != cose[position]))
    tampered = cose[:position] + bytes([value]) + cose[position + 1 :]
    assert not verify(to_text(tampered), BUNDLE, at=T0).valid


def test_changing_each_byte_of_the_signed_credential_is_rejected_everywhere():
    cose = from_text(TOKEN)
    for position in range(len(cose)):
        tampered = cose[:position] + bytes([cose[position] ^ 0x01]) + cose[position + 1 :]
        result = verify(to_text(tampered), BUNDLE, at=T0)
        assert not result.valid, position


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=600).map(lambda b: "TC1:" + base45.b45encode(b).decode()),
        st.text(max_size=300),
        st.binary(max_size=400).map(lambda b: to_text(b)),
        st.integers(1, len(TOKEN) - 1).map(lambda n: TOKEN[:n]),
    )
)
def test_the_decoder_never_raises_whatever_it_is_given(token: str):
    result = verify(token, BUNDLE, at=T0)
    assert not result.valid
    assert result.reason in {"bad_format", "too_large", "unknown_key", "bad_signature"}


def test_the_decompressed_cap_is_far_above_a_real_credential():
    assert len(from_text(TOKEN)) < MAX_COSE_BYTES / 3


def _resign(cose: bytes, key, kid: bytes) -> bytes:  # type: ignore[no-untyped-def]
    from signing.cose import parse_sign1, sign1

    message = parse_sign1(cose)
    return sign1(message.payload, key, kid)
