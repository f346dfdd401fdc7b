"""An independent CWT/COSE library (``cwt``) reads what we sign, with the keys a bundle
carries, and what it signs with one of our keys verifies in our verifier."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import cbor2
import cwt
from cryptography.hazmat.primitives import serialization
from cwt import COSE, COSEKey

from signing.bundle import Bundle
from signing.credential import decode_claims, encode_claims, from_text, to_text
from signing.status_list import CLAIM_STATUS_LIST, CLAIM_TTL
from signing.verify import verify
from tests.signing.support import Authority, World

# cwt checks nbf and exp against the real clock, so the documents here are current.
NOW = datetime.now(UTC).replace(microsecond=0)
WORLD = World()


def _raw(authority: Authority) -> bytes:
    return authority.key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def _verifying_key(authority: Authority, bundle: Bundle | None = None) -> COSEKey:
    """A COSE key (RFC 9052 §7) for ``authority``: from the bundle's trust list when given,
    so the library checks with what a venue holds."""
    raw = _raw(authority)
    if bundle is not None:
        trusted, _ = bundle.public_keys[authority.record.kid_bytes]
        raw = trusted.public_key
    # kty OKP (1), crv Ed25519 (6), x, alg Ed25519 (-19), kid
    return COSEKey.new({1: 1, -1: 6, -2: raw, 3: -19, 2: authority.record.kid_bytes})


def _claims(**overrides: object):  # type: ignore[no-untyped-def]
    return WORLD.claims(
        valid_from=date(2026, 1, 1),
        valid_until=None,
        issued_on=date(2026, 1, 1),
        issued_at=int(WORLD.keys["weihai"].record.created_at.timestamp()) + 60,
        **overrides,
    )


def test_a_generic_cwt_verifier_reads_our_credential_with_the_bundle_s_key():
    bundle = WORLD.bundle(NOW)
    claims = _claims()
    decoded = cwt.decode(
        from_text(WORLD.token(claims)), _verifying_key(WORLD.keys["weihai"], bundle)
    )
    assert decoded[1] == "weihai"  # iss
    assert decoded[5] == claims.not_before  # nbf, a registered claim
    assert decoded[7] == claims.card_id.bytes  # cti
    assert all(k > 255 or k < -65536 for k in decoded if k not in (1, 4, 5, 6, 7))


def test_a_credential_the_generic_library_signs_verifies_in_ours():
    weihai = WORLD.keys["weihai"]
    private = weihai.key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    key = COSEKey.new(
        {1: 1, -1: 6, -2: _raw(weihai), -4: private, 3: -19, 2: weihai.record.kid_bytes}
    )
    claims = _claims()
    signed = cwt.encode(cbor2.loads(encode_claims(claims)), key)
    result = verify(to_text(signed), WORLD.bundle(NOW), at=NOW + timedelta(minutes=1))
    assert (result.valid, result.card_id) == (True, str(claims.card_id))


def test_a_generic_cwt_verifier_reads_the_trust_list_s_issue_time_and_expiry():
    files = WORLD.bundle_files(NOW, trust_days=7)
    root = COSEKey.new({1: 1, -1: 6, -2: _raw(WORLD.root), 3: -19, 2: WORLD.root.record.kid_bytes})
    decoded = cwt.decode(files["trust-list.cwt"], root)
    assert (decoded[6], decoded[4]) == (
        int(NOW.timestamp()),
        int((NOW + timedelta(days=7)).timestamp()),
    )


def test_a_generic_cose_verifier_checks_the_status_list_with_the_trust_list_s_key():
    WORLD.statuses[("jinan", 7)] = 1
    files = WORLD.bundle_files(NOW)
    bundle = WORLD.bundle(NOW)
    payload = COSE.new().decode(
        files["status/jinan/sl-0000.cwt"], _verifying_key(WORLD.keys["jinan"], bundle)
    )
    claims = cbor2.loads(payload)
    assert claims[2] == bundle.status_lists["jinan", "sl-0000"].uri  # sub
    assert claims[CLAIM_TTL] == 86_400
    assert claims[CLAIM_STATUS_LIST]["bits"] == 2


def test_our_decoder_reads_back_what_the_generic_library_decoded():
    claims = _claims()
    decoded = cwt.decode(from_text(WORLD.token(claims)), _verifying_key(WORLD.keys["weihai"]))
    assert decode_claims(cbor2.dumps(decoded)) == claims
