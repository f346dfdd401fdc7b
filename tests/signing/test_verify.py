"""The offline verifier: one test per reason code, tampering, rotation, staleness."""

from __future__ import annotations

import dataclasses
import zlib
from datetime import UTC, date, datetime, timedelta

import base45
import cbor2
import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.identity import binding_hash
from domain.vocabulary import IdDocumentKind, Relation, Scheme
from signing.bundle import Bundle, ListProblem
from signing.credential import (
    MAX_COSE_BYTES,
    CardClaims,
    FamilyEntry,
    encode_claims,
    from_text,
    to_text,
)
from signing.status_list import LIST_SIZE, StatusCode
from signing.verify import (
    DEFAULT_SKEW,
    SUPERSEDED,
    SUPERSEDED_REFUSAL,
    VerificationResult,
    holder_matches,
    verify,
)
from tests.signing.support import CARD, ID_NUMBER, SALT, T0, VENUE_RULES, World, make_key, uri

WORLD = World()
TOKEN = WORLD.token()
BUNDLE = WORLD.bundle()
TOKEN_STATUS = WORLD.claims().status
# A card whose last day is 2026-03-01 expires at the midnight after it in Shanghai.
LAST_DAY = date(2026, 3, 1)
EXPIRY = int(datetime(2026, 3, 1, 16, 0, tzinfo=UTC).timestamp())


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
    claims = WORLD.claims(valid_from=date(2026, 1, 1), valid_until=LAST_DAY)
    assert verify(WORLD.token(claims), BUNDLE, at=_at(EXPIRY + 360)).reason == "expired"


def test_the_clock_skew_allowance_accepts_a_venue_clock_slightly_behind():
    token = WORLD.token(WORLD.claims(valid_from=date(2026, 1, 1), valid_until=LAST_DAY))
    assert verify(token, BUNDLE, at=_at(EXPIRY + 240)).reason == "ok"
    assert verify(token, BUNDLE, at=_at(EXPIRY + 240), skew=timedelta(0)).reason == "expired"


def test_the_credential_s_expiry_is_the_midnight_after_its_last_day_in_shanghai():
    claims = WORLD.claims(valid_until=LAST_DAY)
    assert (claims.expires_at, claims.not_before) == (
        EXPIRY,
        int(datetime(2026, 3, 1, 16, 0, tzinfo=UTC).timestamp()),
    )


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
    result = verify(TOKEN, bundle, at=T0 + timedelta(minutes=66))  # past ttl and skew
    assert (result.valid, result.reason) == (False, "status_list_stale")


def test_a_card_whose_status_list_is_missing_is_unavailable_naming_the_list():
    claims = WORLD.claims(
        status=msgspec.structs.replace(WORLD.claims().status, uri=uri("weihai", "sl-0009"))
    )
    result = verify(WORLD.token(claims), BUNDLE, at=T0)
    assert (result.valid, result.reason) == (False, "status_list_unavailable")
    assert uri("weihai", "sl-0009") in result.detail


def test_an_expired_trust_list_is_reported_as_such():
    bundle = WORLD.bundle(T0, trust_days=1, ttl=10 * 86_400)
    assert verify(TOKEN, bundle, at=T0 + timedelta(days=2)).reason == "trust_list_expired"


def test_a_card_long_expired_checked_with_stale_data_is_expired_not_stale():
    # What is wrong with the card comes before what is wrong with the venue's copy.
    token = WORLD.token(WORLD.claims(valid_from=date(2020, 1, 1), valid_until=date(2021, 1, 1)))
    stale = WORLD.bundle(T0, trust_days=1, ttl=3600)
    result = verify(token, stale, at=T0 + timedelta(days=30))
    assert result.reason == "expired"


def test_a_revoked_card_is_revoked_even_on_a_venue_s_stale_copy():
    world = World()
    world.statuses[("weihai", 4242)] = StatusCode.REVOKED
    stale = world.bundle(T0, trust_days=1, ttl=3600)
    assert verify(world.token(), stale, at=T0 + timedelta(days=3)).reason == "revoked"


def test_a_valid_card_on_a_stale_copy_is_stale_never_ok():
    stale = WORLD.bundle(T0, trust_days=1, ttl=3600)
    assert verify(TOKEN, stale, at=T0 + timedelta(hours=3)).reason == "status_list_stale"


def test_venue_rules_past_their_expiry_refuse_a_service_question_but_not_a_validity_check():
    bundle = WORLD.bundle(T0, trust_days=1, ttl=10 * 86_400)
    rules = msgspec.structs.replace(bundle.venue_rules, expires_at=int(T0.timestamp()))
    later = type(bundle)(
        trust_list=WORLD.bundle(T0 + timedelta(hours=2)).trust_list,
        venue_rules=rules,
        status_lists=bundle.status_lists,
    )
    at = T0 + timedelta(hours=3)
    assert verify(TOKEN, later, at=at).reason == "ok"
    assert verify(TOKEN, later, at=at, service="weihai.14").reason == "venue_rules_expired"


def test_a_credential_signed_with_the_deprecated_eddsa_algorithm_still_verifies():
    from signing.cose import ALG_EDDSA, HEADER_ALG, HEADER_KID

    signer = WORLD.keys["weihai"]
    payload = encode_claims(WORLD.claims())
    protected = cbor2.dumps({HEADER_ALG: ALG_EDDSA, HEADER_KID: signer.record.kid_bytes})
    signature = signer.key.sign(cbor2.dumps(["Signature1", protected, b"", payload]))
    cose = cbor2.dumps(cbor2.CBORTag(18, [protected, {}, payload, signature]))
    assert verify(to_text(cose), BUNDLE, at=T0).reason == "ok"


def test_our_credentials_are_signed_with_the_fully_specified_ed25519_algorithm():
    from signing.cose import ALG_ED25519, parse_sign1

    assert parse_sign1(from_text(TOKEN)).protected_headers[1] == ALG_ED25519 == -19


def test_a_service_the_card_does_not_grant_is_refused_with_the_rule():
    result = verify(TOKEN, BUNDLE, at=T0, service="weihai.14", beneficiary="spouse")
    assert (result.valid, result.reason) == (False, "service_not_granted")


def test_a_companion_is_admitted_where_the_scheme_allows_one():
    result = verify(TOKEN, BUNDLE, at=T0, service="weihai.14", beneficiary="companion")
    assert result.reason == "ok", result.detail
    assert result.rule


def test_a_weihai_venue_honours_a_valid_huicai_card_for_its_matching_items():
    claims = WORLD.claims(Scheme.SHANDONG, tier="direct")
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


# ---- the clock-skew allowance, pinned at each edge ----------------------------------------

SKEW = timedelta(seconds=300)


def _at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def test_a_card_is_accepted_exactly_the_allowance_before_its_first_day_and_not_a_second_earlier():
    claims = WORLD.claims(valid_from=date(2026, 3, 3))
    first_day = int(datetime(2026, 3, 2, 16, 0, tzinfo=UTC).timestamp())  # 00:00 Shanghai
    token = WORLD.token(claims)
    assert verify(token, BUNDLE, at=_at(first_day - 300), skew=SKEW).reason == "ok"
    assert verify(token, BUNDLE, at=_at(first_day - 301), skew=SKEW).reason == "not_yet_valid"


def test_without_an_allowance_a_card_is_valid_from_the_first_second_of_its_first_day():
    claims = WORLD.claims(valid_from=date(2026, 3, 3))
    first_day = int(datetime(2026, 3, 2, 16, 0, tzinfo=UTC).timestamp())
    token = WORLD.token(claims)
    no_skew = timedelta(0)
    assert verify(token, BUNDLE, at=_at(first_day), skew=no_skew).reason == "ok"
    assert verify(token, BUNDLE, at=_at(first_day - 1), skew=no_skew).reason == "not_yet_valid"


def test_a_card_is_expired_from_its_expiry_instant_without_an_allowance():
    token = WORLD.token(WORLD.claims(valid_from=date(2026, 1, 1), valid_until=LAST_DAY))
    no_skew = timedelta(0)
    assert verify(token, BUNDLE, at=_at(EXPIRY - 1), skew=no_skew).reason == "ok"
    assert verify(token, BUNDLE, at=_at(EXPIRY), skew=no_skew).reason == "expired"


def test_a_card_past_its_expiry_is_accepted_within_the_allowance_and_not_a_second_beyond():
    token = WORLD.token(WORLD.claims(valid_from=date(2026, 1, 1), valid_until=LAST_DAY))
    assert verify(token, BUNDLE, at=_at(EXPIRY + 299), skew=SKEW).reason == "ok"
    assert verify(token, BUNDLE, at=_at(EXPIRY + 300), skew=SKEW).reason == "expired"


def test_a_card_with_no_end_date_never_expires():
    token = WORLD.token(WORLD.claims(valid_until=None))
    result = verify(token, BUNDLE, at=T0 + timedelta(hours=1))
    assert (result.reason, result.valid_until) == ("ok", None)


def test_a_status_list_is_fresh_until_its_ttl_plus_the_allowance_and_stale_a_second_later():
    bundle = WORLD.bundle(T0, ttl=3600)
    end = int(T0.timestamp()) + 3600
    assert verify(TOKEN, bundle, at=_at(end + 300), skew=SKEW).reason == "ok"
    assert verify(TOKEN, bundle, at=_at(end + 301), skew=SKEW).reason == "status_list_stale"


def test_without_an_allowance_a_status_list_is_stale_one_second_after_its_ttl():
    bundle = WORLD.bundle(T0, ttl=3600)
    end = int(T0.timestamp()) + 3600
    assert verify(TOKEN, bundle, at=_at(end), skew=timedelta(0)).reason == "ok"
    stale = verify(TOKEN, bundle, at=_at(end + 1), skew=timedelta(0))
    assert stale.reason == "status_list_stale"


def test_a_status_list_is_usable_until_its_exp_plus_the_allowance_and_stale_a_second_later():
    bundle = WORLD.bundle(T0, ttl=86_400, list_lifetime=3600)
    exp = int(T0.timestamp()) + 3600
    assert verify(TOKEN, bundle, at=_at(exp + 300), skew=SKEW).reason == "ok"
    assert verify(TOKEN, bundle, at=_at(exp + 301), skew=SKEW).reason == "status_list_stale"


def test_a_trust_list_is_usable_until_its_expiry_plus_the_allowance_and_expired_a_second_later():
    bundle = WORLD.bundle(T0, trust_days=1, ttl=10 * 86_400)
    expiry = int(T0.timestamp()) + 86_400
    assert verify(TOKEN, bundle, at=_at(expiry + 300), skew=SKEW).reason == "ok"
    late = verify(TOKEN, bundle, at=_at(expiry + 301), skew=SKEW)
    assert (late.valid, late.reason) == (False, "trust_list_expired")


def test_without_an_allowance_a_trust_list_expires_one_second_after_its_expiry():
    bundle = WORLD.bundle(T0, trust_days=1, ttl=10 * 86_400)
    expiry = int(T0.timestamp()) + 86_400
    assert verify(TOKEN, bundle, at=_at(expiry), skew=timedelta(0)).reason == "ok"
    late = verify(TOKEN, bundle, at=_at(expiry + 1), skew=timedelta(0))
    assert late.reason == "trust_list_expired"


def test_the_default_allowance_is_five_minutes():
    bundle = WORLD.bundle(T0, ttl=3600)
    end = int(T0.timestamp()) + 3600
    assert verify(TOKEN, bundle, at=_at(end + 300)).reason == "ok"
    assert verify(TOKEN, bundle, at=_at(end + 301)).reason == "status_list_stale"


# ---- keys at their boundary seconds ------------------------------------------------------


def _rotated_world() -> tuple[World, list, datetime]:  # type: ignore[type-arg]
    world = World()
    rotated_at = T0 + timedelta(days=1)
    old = world.keys["weihai"]
    old_record = msgspec.structs.replace(old.record, signs_until=rotated_at)
    others = [a.record for k, a in world.keys.items() if k != "weihai"]
    return world, [old_record, *others], rotated_at


def test_a_retired_key_verifies_until_the_second_before_its_retirement_and_nothing_from_it():
    world = World()
    retired_at = T0 + timedelta(hours=2)
    old = world.keys["weihai"]
    records = [
        msgspec.structs.replace(old.record, signs_until=retired_at, retired_at=retired_at),
        *(a.record for k, a in world.keys.items() if k != "weihai"),
    ]
    bundle = world.bundle(T0, records=records)
    token = world.token()
    edge = int(retired_at.timestamp())
    assert verify(token, bundle, at=_at(edge - 1)).reason == "ok"
    result = verify(token, bundle, at=_at(edge))
    assert (result.valid, result.reason) == (False, "unknown_key")


def test_a_key_signs_from_its_first_second_and_not_before():
    world = World()
    key = world.keys["weihai"]
    born = int(key.record.created_at.timestamp())
    bundle = world.bundle(T0)
    assert verify(world.token(world.claims(issued_at=born)), bundle, at=T0).reason == "ok"
    early = verify(world.token(world.claims(issued_at=born - 1)), bundle, at=T0)
    assert early.reason == "bad_signature"


def test_a_rotated_key_signs_until_the_second_before_its_rotation_and_not_at_it():
    world, records, rotated_at = _rotated_world()
    bundle = world.bundle(rotated_at, records=records)
    edge = int(rotated_at.timestamp())
    before = world.token(world.claims(issued_at=edge - 1))
    assert verify(before, bundle, at=rotated_at).reason == "ok"
    at_edge = world.token(world.claims(issued_at=edge))
    assert verify(at_edge, bundle, at=rotated_at).reason == "bad_signature"


# ---- what a venue reads from the result ---------------------------------------------------


def test_a_valid_result_carries_the_card_s_public_facts_and_its_binding():
    result = verify(TOKEN, BUNDLE, at=T0 + timedelta(minutes=1))
    assert result == VerificationResult(
        valid=True,
        reason="ok",
        detail=result.detail,
        card_id=str(CARD),
        scheme="weihai",
        tier="4",
        holder_name="李雷",
        valid_until=date(2031, 3, 1),
        bundle_age_seconds=60,
        rule=None,
        binding_salt=SALT,
        binding=WORLD.claims().binding,
    )


def test_a_refusal_after_the_signature_still_names_the_card():
    expired = WORLD.token(WORLD.claims(valid_from=date(2026, 1, 1), valid_until=LAST_DAY))
    result = verify(expired, BUNDLE, at=T0)
    assert (result.valid, result.card_id, result.scheme, result.tier) == (
        False,
        str(CARD),
        "weihai",
        "4",
    )


def test_a_refusal_before_the_signature_names_no_card():
    result = verify("TC1:", BUNDLE, at=T0)
    assert (result.card_id, result.scheme, result.binding, result.bundle_age_seconds) == (
        None,
        None,
        None,
        0,
    )


def test_the_bundle_age_is_that_of_its_oldest_part():
    older = WORLD.bundle(T0)
    newer = WORLD.bundle(T0 + timedelta(hours=2))
    at = T0 + timedelta(hours=3)
    rules = BUNDLE.venue_rules
    old_lists = type(BUNDLE)(
        trust_list=newer.trust_list, venue_rules=rules, status_lists=older.status_lists
    )
    assert verify(TOKEN, old_lists, at=at).bundle_age_seconds == 3 * 3600
    old_trust = type(BUNDLE)(
        trust_list=older.trust_list, venue_rules=rules, status_lists=newer.status_lists
    )
    assert verify(TOKEN, old_trust, at=at).bundle_age_seconds == 3 * 3600


# ---- holder_matches answers only for a credential that verified ---------------------------


def test_holder_matches_is_false_for_a_refused_credential_even_when_the_number_matches():
    world = World()
    world.statuses[("weihai", 4242)] = StatusCode.REVOKED
    revoked = verify(world.token(), world.bundle(), at=T0)
    assert revoked.reason == "revoked"
    assert revoked.binding is not None
    assert not holder_matches(revoked, ID_NUMBER)


def test_holder_matches_is_false_for_a_result_without_a_binding():
    ok = verify(TOKEN, BUNDLE, at=T0)
    assert not holder_matches(msgspec.structs.replace(ok, binding=None), ID_NUMBER)
    assert not holder_matches(msgspec.structs.replace(ok, binding_salt=None), ID_NUMBER)


def test_holder_matches_is_false_for_a_number_that_is_not_an_id_number():
    ok = verify(TOKEN, BUNDLE, at=T0)
    assert not holder_matches(ok, "not a number")


# ---- a question that cannot be decided is a refusal, never "ok" ---------------------------


@pytest.mark.parametrize(
    ("service", "beneficiary", "venue_city"),
    [
        ("weihai.14", "cousin", None),  # unknown beneficiary
        ("weihai.999", "holder", None),  # unknown item
        ("weihai", "holder", None),  # no item number
        ("weihai.x", "holder", None),  # item number not a number
        ("weihai.14", "holder", "qingdao"),  # unknown venue city
        ("weihai.999", "holder", "jinan"),  # another city's unknown item
    ],
)
def test_a_service_question_that_cannot_be_decided_is_refused(
    service: str, beneficiary: str, venue_city: str | None
):
    result = verify(
        TOKEN, BUNDLE, at=T0, service=service, beneficiary=beneficiary, venue_city=venue_city
    )
    assert (result.valid, result.reason) == (False, "service_not_granted")


@pytest.mark.parametrize(
    ("beneficiary", "reason"),
    [
        ("spouse", "ok"),
        ("companion", "service_not_granted"),
        ("holder", "service_not_granted"),
    ],
)
def test_a_family_item_is_granted_to_the_family_the_article_names_and_no_one_else(
    beneficiary: str, reason: str
):
    # liaocheng-2022 art. 13: the spouse's employment; not the holder's, not a companion's.
    claims = WORLD.claims(Scheme.LIAOCHENG, tier="A", family=(_member("spouse"),))
    token = WORLD.token(claims)
    result = verify(token, BUNDLE, at=T0, service="liaocheng.13", beneficiary=beneficiary)
    assert result.reason == reason


@pytest.mark.parametrize(
    ("minor_until", "reason"),
    [(date(2026, 3, 2), "ok"), (date(2026, 3, 1), "service_not_granted")],
)
def test_a_child_is_a_minor_at_the_venue_until_the_last_day_the_credential_dates(
    minor_until: date, reason: str
):
    # liaocheng-2022 art. 6 (visas): the holder, the spouse and minor children (未成年子女).
    child = _member("child", minor_until=minor_until)
    token = WORLD.token(WORLD.claims(Scheme.LIAOCHENG, tier="A", family=(child,)))
    result = verify(token, BUNDLE, at=T0, service="liaocheng.6.visa", beneficiary="child")
    assert result.reason == reason


def test_a_child_without_an_age_date_is_not_taken_for_a_minor():
    token = WORLD.token(WORLD.claims(Scheme.LIAOCHENG, tier="A", family=(_member("child"),)))
    result = verify(token, BUNDLE, at=T0, service="liaocheng.6.visa", beneficiary="child")
    assert result.reason == "service_not_granted"


def test_of_two_children_the_venue_names_which_one():
    family = (_member("child", minor_until=date(2030, 1, 1)), _member("child"))
    token = WORLD.token(WORLD.claims(Scheme.LIAOCHENG, tier="A", family=family))
    ambiguous = verify(token, BUNDLE, at=T0, service="liaocheng.6.visa", beneficiary="child")
    assert "say family:N" in ambiguous.detail
    first = verify(token, BUNDLE, at=T0, service="liaocheng.6.visa", beneficiary="family:1")
    second = verify(token, BUNDLE, at=T0, service="liaocheng.6.visa", beneficiary="family:2")
    assert (first.reason, second.reason) == ("ok", "service_not_granted")


def test_a_family_member_the_credential_does_not_name_is_refused():
    result = verify(TOKEN, BUNDLE, at=T0, service="weihai.10", beneficiary="spouse")
    assert (result.valid, result.reason) == (False, "service_not_granted")
    assert "names none as 'spouse'" in result.detail


def test_a_granted_family_item_names_the_family_member_from_the_credential():
    claims = WORLD.claims(Scheme.LIAOCHENG, tier="A", family=(_member("spouse"),))
    token = WORLD.token(claims)
    result = verify(token, BUNDLE, at=T0, service="liaocheng.13", beneficiary="spouse")
    assert (result.valid, result.beneficiary_name) == (True, "韩梅梅")


def _member(relation: str, **dates: object) -> FamilyEntry:
    return FamilyEntry(relation=Relation(relation), name="韩梅梅", **dates)  # type: ignore[arg-type]


def test_a_venue_of_the_card_s_own_city_decides_by_the_card_s_own_rules():
    result = verify(TOKEN, BUNDLE, at=T0, service="weihai.14", venue_city="weihai")
    assert result.reason == "ok"
    assert result.rule is not None and result.rule.startswith("weihai.")


def test_another_city_s_venue_answers_with_its_stacking_rule():
    claims = WORLD.claims(Scheme.SHANDONG, tier="direct")
    result = verify(WORLD.token(claims), BUNDLE, at=T0, service="weihai.14", venue_city="weihai")
    assert result.reason == "ok"
    assert result.rule


# ---- every refusal after the signature names the card it refused --------------------------


def _names_the_card(result: VerificationResult, reason: str) -> None:
    assert (result.valid, result.reason) == (False, reason)
    assert (result.card_id, result.binding) == (str(CARD), WORLD.claims().binding)
    assert result.scheme is not None


def test_a_key_used_for_another_scheme_names_the_card():
    token = WORLD.token(WORLD.claims(Scheme.WEIHAI), signer=WORLD.keys["jinan"])
    _names_the_card(verify(token, BUNDLE, at=T0), "key_not_valid_for_scheme")


def test_a_credential_signed_outside_the_key_s_window_names_the_card():
    token = WORLD.token(WORLD.claims(issued_at=int(T0.timestamp()) - 90 * 86_400))
    _names_the_card(verify(token, BUNDLE, at=T0), "bad_signature")


def test_a_card_not_yet_valid_names_the_card():
    token = WORLD.token(WORLD.claims(valid_from=date(2026, 3, 9)))
    _names_the_card(verify(token, BUNDLE, at=T0), "not_yet_valid")


def test_a_card_without_a_usable_status_list_names_the_card():
    status = msgspec.structs.replace(WORLD.claims().status, uri=uri("weihai", "sl-0009"))
    token = WORLD.token(WORLD.claims(status=status))
    _names_the_card(verify(token, BUNDLE, at=T0), "status_list_unavailable")


def test_a_card_with_a_stale_status_list_names_the_card():
    bundle = WORLD.bundle(T0, ttl=60)
    _names_the_card(verify(TOKEN, bundle, at=T0 + timedelta(hours=1)), "status_list_stale")


def test_a_suspended_card_names_the_card():
    world = World()
    world.statuses[("weihai", 4242)] = StatusCode.SUSPENDED
    result = verify(world.token(), world.bundle(), at=T0)
    assert (result.reason, result.card_id, result.tier) == ("suspended", str(CARD), "4")


def test_a_status_index_outside_the_list_is_bad_format_naming_the_card():
    status = msgspec.structs.replace(WORLD.claims().status, index=LIST_SIZE)
    token = WORLD.token(WORLD.claims(status=status))
    _names_the_card(verify(token, BUNDLE, at=T0), "bad_format")


def test_a_genuinely_signed_payload_that_is_not_card_claims_is_bad_format():
    from signing.cose import sign1

    signer = WORLD.keys["weihai"]
    token = to_text(sign1(cbor2.dumps({"not": "claims"}), signer.key, signer.record.kid_bytes))
    result = verify(token, BUNDLE, at=T0)
    assert (result.valid, result.reason, result.card_id) == (False, "bad_format", None)
    assert result.detail.startswith("credential claims are malformed")


def test_a_refused_service_names_the_card_and_the_rule_that_refused():
    token = WORLD.token(WORLD.claims(family=(_member("spouse"),)))
    result = verify(token, BUNDLE, at=T0, service="weihai.14", beneficiary="spouse")
    _names_the_card(result, "service_not_granted")
    assert result.rule == "weihai.coverage.2019, weihai.beneficiary.travel_companion"


def test_a_granted_service_is_valid_with_the_card_its_age_and_every_rule_behind_it():
    at = T0 + timedelta(minutes=2)
    result = verify(TOKEN, BUNDLE, at=at, service="weihai.14", beneficiary="companion")
    assert (result.valid, result.reason, result.card_id, result.bundle_age_seconds) == (
        True,
        "ok",
        str(CARD),
        120,
    )
    assert result.rule == (
        "weihai.coverage.2019, weihai.beneficiary.travel_companion, weihai.condition.airport"
    )


def test_a_granted_travel_item_tells_the_venue_what_it_must_still_see():
    # weihai-2019 part 3(十四): 凭威海英才卡、本人有效身份证件和当日当次飞机票; the companion
    # travels with the holder.
    result = verify(TOKEN, BUNDLE, at=T0, service="weihai.14", beneficiary="companion")
    assert result.valid
    assert "the venue must still see" in result.detail
    assert "当日当次飞机票" in result.detail and "同步享受" in result.detail


def test_another_city_s_venue_names_every_rule_that_honoured_the_card():
    claims = WORLD.claims(Scheme.SHANDONG, tier="direct")
    result = verify(WORLD.token(claims), BUNDLE, at=T0, service="weihai.14", venue_city="weihai")
    assert result.valid
    assert result.rule == (
        "shandong.stacking, shandong.coverage.all, weihai.beneficiary.travel_companion,"
        " weihai.condition.airport"
    )


@pytest.mark.parametrize(
    ("valid_from", "reason"),
    [(date(2025, 1, 1), "ok"), (date(2022, 10, 1), "service_not_granted")],
)
def test_a_limit_counted_from_issue_runs_from_the_credential_s_first_day(
    valid_from: date, reason: str
):
    claims = WORLD.claims(Scheme.LIAOCHENG, tier="A", valid_from=valid_from, issued_on=valid_from)
    result = verify(WORLD.token(claims), BUNDLE, at=T0, service="liaocheng.21.films")
    assert result.reason == reason
    assert result.rule is not None and "liaocheng.limit.films" in result.rule


def _resign(cose: bytes, key, kid: bytes) -> bytes:  # type: ignore[no-untyped-def]
    from signing.cose import parse_sign1, sign1

    message = parse_sign1(cose)
    return sign1(message.payload, key, kid)


@given(st.binary(max_size=300), st.binary(max_size=70_000))
@settings(max_examples=200, deadline=None)
def test_the_signed_structure_is_the_deterministic_cbor_of_signature1(
    protected: bytes, payload: bytes
):
    from signing.cose import _to_be_signed

    assert _to_be_signed(protected, payload) == cbor2.dumps(["Signature1", protected, b"", payload])


@pytest.mark.parametrize("length", [0, 23, 24, 255, 256, 65_535, 65_536])
def test_the_signed_structure_is_right_at_every_cbor_length_boundary(length: int):
    from signing.cose import _to_be_signed

    payload = b"x" * length
    assert _to_be_signed(payload, payload) == cbor2.dumps(["Signature1", payload, b"", payload])


@given(st.dates(date(1992, 1, 1), date(2200, 12, 31)))
def test_the_fixed_offset_business_day_arithmetic_matches_the_shanghai_time_zone(day: date):
    from domain.clock import SHANGHAI

    claims = WORLD.claims(valid_from=day, valid_until=day, issued_on=day)
    start = datetime.combine(day, datetime.min.time(), SHANGHAI)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), SHANGHAI)
    assert (claims.not_before, claims.expires_at) == (int(start.timestamp()), int(end.timestamp()))


# ---- what a venue would notice if the verifier's edges moved (issue 23, mutation gate) ---


def _rules_expiring(at: datetime) -> Bundle:
    """A bundle whose venue rules expire at ``at``, before its other parts."""
    bundle = WORLD.bundle(T0, trust_days=10, ttl=10 * 86_400)
    rules = msgspec.structs.replace(bundle.venue_rules, expires_at=int(at.timestamp()))
    return dataclasses.replace(bundle, venue_rules=rules)


def test_venue_rules_answer_until_their_expiry_plus_the_allowance_and_expire_a_second_later():
    bundle = _rules_expiring(T0 + timedelta(days=1))
    edge = T0 + timedelta(days=1) + DEFAULT_SKEW
    assert verify(TOKEN, bundle, at=edge, service="weihai.14").reason == "ok"
    late = verify(TOKEN, bundle, at=edge + timedelta(seconds=1), service="weihai.14")
    _names_the_card(late, "venue_rules_expired")


def test_without_an_allowance_venue_rules_answer_at_their_expiry_second_and_not_after():
    bundle = _rules_expiring(T0 + timedelta(days=1))
    at = T0 + timedelta(days=1)
    none = timedelta(0)
    assert verify(TOKEN, bundle, at=at, service="weihai.14", skew=none).reason == "ok"
    late = verify(TOKEN, bundle, at=at + timedelta(seconds=1), service="weihai.14", skew=none)
    assert late.reason == "venue_rules_expired"


def test_an_expired_trust_list_names_the_card():
    bundle = WORLD.bundle(T0, trust_days=1, ttl=10 * 86_400)
    _names_the_card(verify(TOKEN, bundle, at=T0 + timedelta(days=2)), "trust_list_expired")


@pytest.mark.parametrize("beneficiary", ["family:4", "family:0", "family:x", "family:", "cousin"])
def test_a_beneficiary_the_credential_does_not_name_is_refused_as_unknown_beneficiary(
    beneficiary: str,
):
    family = (_member("spouse"), _member("child"), _member("child"))
    token = WORLD.token(WORLD.claims(family=family))
    result = verify(token, BUNDLE, at=T0, service="weihai.2", beneficiary=beneficiary)
    _names_the_card(result, "service_not_granted")
    assert result.detail.startswith("cannot decide 'weihai.2': unknown_beneficiary: ")
    assert result.rule is None


def test_a_relation_two_family_members_share_is_refused_as_unknown_beneficiary():
    family = (_member("child"), _member("child"))
    token = WORLD.token(WORLD.claims(family=family))
    result = verify(token, BUNDLE, at=T0, service="weihai.2", beneficiary="child")
    _names_the_card(result, "service_not_granted")
    assert result.detail.startswith("cannot decide 'weihai.2': unknown_beneficiary: ")


def test_an_item_the_venue_does_not_know_is_refused_with_its_code():
    result = verify(TOKEN, BUNDLE, at=T0, service="weihai.999")
    _names_the_card(result, "service_not_granted")
    assert result.detail.startswith("cannot decide 'weihai.999': unknown_item: ")


def test_the_last_family_member_by_number_is_the_one_decided_for():
    family = (_member("spouse"), _member("child", marriage_age_until=date(2030, 1, 1)))
    token = WORLD.token(WORLD.claims(family=family))
    result = verify(token, BUNDLE, at=T0, service="weihai.2", beneficiary="family:2")
    assert (result.valid, result.beneficiary_name) == (True, "韩梅梅")


@pytest.mark.parametrize(
    ("marriage_age_until", "reason"),
    [
        (date(2026, 3, 2), "ok"),
        (date(2026, 3, 1), "service_not_granted"),
        (None, "service_not_granted"),
    ],
)
def test_a_child_joins_the_household_registration_until_the_last_day_under_the_marriage_age(
    marriage_age_until: date | None, reason: str
):
    # weihai-2019 part 3(二): 配偶及未到法定结婚年龄子女 may register with the holder.
    child = _member("child", marriage_age_until=marriage_age_until)
    token = WORLD.token(WORLD.claims(family=(child,)))
    result = verify(token, BUNDLE, at=T0, service="weihai.2", beneficiary="child")
    assert result.reason == reason


@pytest.mark.parametrize(
    ("age_from", "refused_for"),
    [
        ({60: date(2020, 1, 1)}, "must live in a care home in the city"),
        ({60: date(2027, 1, 1)}, "is 60 only from 2027-01-01"),
        ({}, "age is not on the credential"),
    ],
)
def test_a_parent_s_age_on_the_credential_decides_why_the_elderly_care_subsidy_is_refused(
    age_from: dict[int, date], refused_for: str
):
    # liaocheng-2022 art. 22: a parent of 60 or more in a care home in the city; the venue
    # is told whether the age or the care home is what is missing.
    parent = _member("parent", age_from=age_from)
    claims = WORLD.claims(Scheme.LIAOCHENG, tier="A", family=(parent,))
    token = WORLD.token(claims)
    result = verify(token, BUNDLE, at=T0, service="liaocheng.22", beneficiary="parent")
    assert (result.valid, result.reason) == (False, "service_not_granted")
    assert refused_for in result.detail


@pytest.mark.parametrize(
    ("claims", "service", "beneficiary"),
    [
        # weihai-2019 part 3(十四) and liaocheng-2022 art. 19: together with the holder (同步享受).
        (WORLD.claims(), "weihai.14", "companion"),
        (
            WORLD.claims(Scheme.LIAOCHENG, tier="A", family=(_member("spouse"),)),
            "liaocheng.19",
            "spouse",
        ),
    ],
)
def test_whoever_must_come_with_the_holder_is_refused_alone_and_needs_no_word_once_seen_with_them(
    claims: CardClaims, service: str, beneficiary: str
):
    token = WORLD.token(claims)

    def ask(holder_present: bool | None) -> VerificationResult:
        return verify(
            token,
            BUNDLE,
            at=T0,
            service=service,
            beneficiary=beneficiary,
            holder_present=holder_present,
        )

    absent, present, unsaid = ask(False), ask(True), ask(None)
    assert (absent.valid, absent.reason) == (False, "service_not_granted")
    assert (present.valid, unsaid.valid) == (True, True)
    with_holder = VENUE_RULES.with_holder_requires
    assert with_holder not in present.requires and with_holder in unsaid.requires


def test_a_granted_answer_reads_its_reason_then_what_the_venue_must_still_see():
    result = verify(TOKEN, BUNDLE, at=T0, service="weihai.14")
    assert result.detail == (
        "airport granted to the holder subject to what it requires; on tier 4 of the weihai"
        " card; the venue must still see: " + "; ".join(result.requires)
    )


def test_a_granted_answer_tells_the_venue_the_coverage_it_grants():
    claims = WORLD.claims(Scheme.JINAN, tier="A")
    result = verify(WORLD.token(claims), BUNDLE, at=T0, service="jinan.12")
    assert result.valid, result.detail
    assert "(class-1 health care (一类医疗保健待遇))" in result.detail


def test_the_id_document_kind_matters_a_passport_number_is_no_resident_id_card():
    passport = "E12345678"
    token = WORLD.token(WORLD.claims(binding=binding_hash(passport, SALT)))
    result = verify(token, BUNDLE, at=T0)
    assert holder_matches(result, passport, IdDocumentKind.PASSPORT)
    assert not holder_matches(result, passport)


def test_a_card_whose_list_was_set_aside_is_told_the_list_s_problem_not_that_it_is_missing():
    sl = uri("weihai", "sl-0009")
    problem = ListProblem(file="status/weihai/sl-0009.cwt", problem="bad signature", uri=None)
    bundle = dataclasses.replace(BUNDLE, problems=(problem,))
    token = WORLD.token(WORLD.claims(status=msgspec.structs.replace(TOKEN_STATUS, uri=sl)))
    result = verify(token, bundle, at=T0)
    assert result.reason == "status_list_unavailable"
    file = "status/weihai/sl-0009.cwt"
    assert result.detail == f"status list {sl} ({file}) is unusable: bad signature"


def test_a_missing_list_is_named_with_the_file_the_bundle_would_hold_it_in():
    sl = uri("weihai", "sl-0009")
    token = WORLD.token(WORLD.claims(status=msgspec.structs.replace(TOKEN_STATUS, uri=sl)))
    result = verify(token, BUNDLE, at=T0)
    assert result.detail == f"the bundle has no status list {sl} (status/weihai/sl-0009.cwt)"


def test_a_list_url_not_of_the_registry_s_form_is_named_as_it_is():
    sl = "https://elsewhere.example/lists/one"
    token = WORLD.token(WORLD.claims(status=msgspec.structs.replace(TOKEN_STATUS, uri=sl)))
    result = verify(token, BUNDLE, at=T0)
    assert (result.reason, result.detail) == (
        "status_list_unavailable",
        f"the bundle has no status list {sl}",
    )


@pytest.mark.parametrize(
    ("token", "why"),
    [
        ("HC1:ABC", "token does not start with TC1:"),  # the text form
        ("TC1:%%%%", "token is not valid base45"),
        ("TC1:" + base45.b45encode(zlib.compress(b"\xa0")).decode(), "not a COSE_Sign1"),
    ],
)
def test_a_token_refused_before_its_signature_tells_the_venue_what_is_wrong(token: str, why: str):
    result = verify(token, BUNDLE, at=T0)
    assert result.reason == "bad_format"
    assert why in result.detail


# ---- a superseded credential: the holder's still, no family member's (issue 26) -----------

# An amended card has a new credential at a new index; its old index reads SUPERSEDED.
SUPERSEDED_WORLD = World(
    statuses={(city, 4242): StatusCode.SUPERSEDED for city in ("weihai", "liaocheng")}
)
OLD_BUNDLE = SUPERSEDED_WORLD.bundle()
OLD_TOKEN = SUPERSEDED_WORLD.token()


def _old_family_token(*family: FamilyEntry) -> str:
    """A superseded Liaocheng credential naming ``family`` (art. 13 grants a spouse)."""
    claims = SUPERSEDED_WORLD.claims(Scheme.LIAOCHENG, tier="A", family=family)
    return SUPERSEDED_WORLD.token(claims)


def test_a_superseded_credential_still_verifies_as_genuine_and_in_force_for_the_holder():
    result = verify(OLD_TOKEN, OLD_BUNDLE, at=T0)
    assert (result.valid, result.reason, result.superseded) == (True, "ok", True)
    assert (result.card_id, result.holder_name) == (str(CARD), "李雷")
    assert holder_matches(result, ID_NUMBER)


def test_a_superseded_credential_s_detail_says_it_grants_the_holder_only():
    result = verify(OLD_TOKEN, OLD_BUNDLE, at=T0)
    assert result.detail == f"genuine, in force, not revoked; {SUPERSEDED}"
    assert "superseded by a newer credential" in result.detail
    assert "no family member" in result.detail


def test_a_current_credential_is_not_superseded_and_its_detail_says_nothing_of_it():
    result = verify(TOKEN, BUNDLE, at=T0)
    assert (result.reason, result.superseded) == ("ok", False)
    assert result.detail == "genuine, in force, not revoked"


def test_a_superseded_credential_still_grants_the_holder_s_services_by_the_same_rules():
    current = verify(TOKEN, BUNDLE, at=T0, service="weihai.14")
    result = verify(OLD_TOKEN, OLD_BUNDLE, at=T0, service="weihai.14")
    assert (result.valid, result.reason, result.superseded) == (True, "ok", True)
    assert (result.rule, result.requires) == (current.rule, current.requires)
    assert result.detail == f"{current.detail}; {SUPERSEDED}"


def test_a_superseded_credential_still_grants_a_companion_where_the_rules_grant_one():
    result = verify(OLD_TOKEN, OLD_BUNDLE, at=T0, service="weihai.14", beneficiary="companion")
    assert (result.valid, result.reason, result.superseded) == (True, "ok", True)
    assert result.rule == (
        "weihai.coverage.2019, weihai.beneficiary.travel_companion, weihai.condition.airport"
    )


def test_a_service_the_rules_refuse_the_holder_is_refused_as_on_a_current_credential():
    # liaocheng-2022 art. 13 is the spouse's employment, never the holder's.
    token = _old_family_token(_member("spouse"))
    result = verify(token, OLD_BUNDLE, at=T0, service="liaocheng.13")
    assert (result.valid, result.reason, result.superseded) == (False, "service_not_granted", True)
    assert result.detail.endswith(f"; {SUPERSEDED}")


@pytest.mark.parametrize("beneficiary", ["spouse", "family:1"])
def test_a_superseded_credential_refuses_a_family_member_s_service_as_superseded(
    beneficiary: str,
):
    # On the current credential liaocheng.13 is granted to this spouse (see above).
    token = _old_family_token(_member("spouse"))
    result = verify(token, OLD_BUNDLE, at=T0, service="liaocheng.13", beneficiary=beneficiary)
    _names_the_card(result, "superseded")
    assert (result.superseded, result.rule, result.beneficiary_name) == (True, None, None)


def test_a_family_member_refused_on_a_superseded_credential_is_told_to_ask_for_the_current_one():
    token = _old_family_token(_member("spouse"))
    result = verify(token, OLD_BUNDLE, at=T0, service="liaocheng.13", beneficiary="spouse")
    assert result.detail == SUPERSEDED_REFUSAL
    assert "replaced by a newer one" in result.detail
    assert "the holder must present the current credential" in result.detail


@pytest.mark.parametrize("beneficiary", ["child", "family:2", "cousin"])
def test_a_superseded_credential_answers_superseded_for_anyone_it_might_have_named(
    beneficiary: str,
):
    # Its list of people is what is out of date: no answer about them comes from it.
    token = _old_family_token(_member("spouse"))
    result = verify(token, OLD_BUNDLE, at=T0, service="liaocheng.13", beneficiary=beneficiary)
    assert (result.valid, result.reason) == (False, "superseded")


def test_an_expired_superseded_credential_is_expired_first():
    claims = SUPERSEDED_WORLD.claims(valid_from=date(2026, 1, 1), valid_until=LAST_DAY)
    token = SUPERSEDED_WORLD.token(claims)
    result = verify(
        token, OLD_BUNDLE, at=_at(EXPIRY + 360), service="weihai.2", beneficiary="spouse"
    )
    assert (result.valid, result.reason, result.superseded) == (False, "expired", False)


def test_a_superseded_credential_on_a_stale_list_is_stale_never_ok():
    stale = SUPERSEDED_WORLD.bundle(T0, ttl=3600)
    result = verify(OLD_TOKEN, stale, at=T0 + timedelta(hours=2))
    assert (result.valid, result.reason, result.superseded) == (False, "status_list_stale", True)


def test_a_superseded_credential_on_an_expired_trust_list_is_trust_list_expired():
    bundle = SUPERSEDED_WORLD.bundle(T0, trust_days=1, ttl=10 * 86_400)
    result = verify(OLD_TOKEN, bundle, at=T0 + timedelta(days=2))
    assert (result.reason, result.superseded) == ("trust_list_expired", True)


def test_a_family_member_asked_for_with_expired_venue_rules_is_venue_rules_expired_first():
    bundle = SUPERSEDED_WORLD.bundle(T0, trust_days=10, ttl=10 * 86_400)
    rules = msgspec.structs.replace(bundle.venue_rules, expires_at=int(T0.timestamp()))
    late = dataclasses.replace(bundle, venue_rules=rules)
    token = _old_family_token(_member("spouse"))
    at = T0 + timedelta(days=1)
    result = verify(token, late, at=at, service="liaocheng.13", beneficiary="spouse")
    assert (result.reason, result.superseded) == ("venue_rules_expired", True)


@pytest.mark.parametrize(
    ("code", "reason"), [(StatusCode.SUSPENDED, "suspended"), (StatusCode.REVOKED, "revoked")]
)
def test_an_old_index_marked_suspended_or_revoked_keeps_its_meaning(code: StatusCode, reason: str):
    world = World(statuses={("weihai", 4242): code})
    result = verify(world.token(), world.bundle(), at=T0, service="weihai.14")
    assert (result.valid, result.reason, result.superseded) == (False, reason, False)
