"""The issuance service: a credential from the ledger verifies offline and binds
the holder's ID document."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import msgspec
import pytest

import ledger.card_commands as cc
from domain.errors import IllegalTransition
from ledger.app import CardLedger
from services.bootstrap import Registry
from services.settings import DEFAULT_PUBLIC_BASE_URL
from signing.bundle import BundleError, load_bundle
from signing.credential import to_text
from signing.keys import KeystoreError
from signing.status_list import LIST_SIZE, StatusList, sign_status_list, status_uri
from signing.verify import holder_matches, verify
from tests import factories as f
from tests.conftest import KEY_KDF_COST, KEY_PASSPHRASE, FakeClock


def test_a_credential_binds_the_holder_s_id_card_without_carrying_the_number(
    ledger: CardLedger, registry: Registry, clock: FakeClock, tmp_path: Path
):
    registry.keys.init()
    card_id, _ = ledger.apply(f.jinan_body("B", holder=f.holder()))
    ledger.run(cc.ISSUE, card_id, f.issue())
    issuer = registry.issuance
    cose = issuer.credential(card_id).cose
    assert f.RESIDENT_ID.encode() not in cose
    issuer.write_bundle(tmp_path / "bundle", ttl=timedelta(hours=24))
    result = verify(to_text(cose), load_bundle(tmp_path / "bundle"), at=clock.now)
    assert (result.reason, result.tier) == ("ok", "B")
    assert holder_matches(result, f.RESIDENT_ID)
    assert not holder_matches(result, "110105194912310039")


def test_cards_of_every_authority_get_their_own_signed_status_lists(
    ledger: CardLedger, registry: Registry, clock: FakeClock, tmp_path: Path
):
    registry.keys.init()
    jinan, _ = ledger.apply(f.jinan_body("C"))
    ledger.run(cc.ISSUE, jinan, f.issue())
    liaocheng, _ = ledger.apply(f.apply_body())
    ledger.run(cc.REVIEW, liaocheng, f.review("city_hrss"))
    ledger.run(cc.REVIEW, liaocheng, f.review("talent_office"))
    ledger.run(cc.ISSUE, liaocheng, f.issue())
    registry.issuance.write_bundle(tmp_path / "b", ttl=timedelta(hours=1))
    bundle = load_bundle(tmp_path / "b")
    assert set(bundle.status_lists) == {("jinan", "sl-0000"), ("liaocheng", "sl-0000")}


def test_a_status_list_signed_by_another_authority_s_key_is_refused(
    ledger: CardLedger, registry: Registry, clock: FakeClock, tmp_path: Path
):
    registry.keys.init()
    keys = registry.keystore
    card_id, _ = ledger.apply(f.jinan_body("C"))
    ledger.run(cc.ISSUE, card_id, f.issue())
    registry.issuance.write_bundle(tmp_path / "b", ttl=timedelta(hours=1))
    record, key = keys.signing_key("liaocheng", clock.now)
    forged = sign_status_list(
        status_uri(DEFAULT_PUBLIC_BASE_URL, "jinan", "sl-0000"),
        StatusList(size=LIST_SIZE),
        key=key,
        kid=record.kid_bytes,
        issued_at=int(clock.now.timestamp()),
        expires_at=int(clock.now.timestamp()) + 7200,
        ttl=3600,
    )
    (tmp_path / "b" / "status" / "jinan" / "sl-0000.cwt").write_bytes(forged)
    bundle = load_bundle(tmp_path / "b")
    assert ("jinan", "sl-0000") not in bundle.status_lists
    [problem] = bundle.problems
    assert (problem.file, problem.authority) == ("status/jinan/sl-0000.cwt", "jinan")
    assert "not signed by jinan's key" in problem.problem


def test_a_bundle_without_its_trust_list_is_refused_naming_the_file(tmp_path: Path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "root.pub").write_text("00" * 32)
    with pytest.raises(BundleError, match=r"lacks trust-list\.cwt"):
        load_bundle(tmp_path / "b")


def test_a_bundle_written_right_after_a_revocation_lists_it(
    ledger: CardLedger, registry: Registry, clock: FakeClock, tmp_path: Path
):
    registry.keys.init()
    card_id, _ = ledger.apply(f.jinan_body("C"))
    ledger.run(cc.ISSUE, card_id, f.issue())
    token = registry.issuance.credential(card_id).text
    registry.issuance.write_bundle(tmp_path / "before", ttl=timedelta(hours=1))
    assert verify(token, load_bundle(tmp_path / "before"), at=clock.now).reason == "ok"
    f.revoke(ledger, card_id)  # Jinan: the window, city HRSS, the talent office
    registry.issuance.write_bundle(tmp_path / "after", ttl=timedelta(hours=1))
    assert verify(token, load_bundle(tmp_path / "after"), at=clock.now).reason == "revoked"


def test_a_bundle_as_of_an_instant_reproduces_what_a_venue_saw_before_and_after_a_revocation(
    ledger: CardLedger, registry: Registry, clock: FakeClock, tmp_path: Path
):
    registry.keys.init()
    card_id, _ = ledger.apply(f.jinan_body("C"))
    ledger.run(cc.ISSUE, card_id, f.issue())
    token = registry.issuance.credential(card_id).text
    clock.advance(hours=2)
    seen_before = clock.now
    clock.advance(days=3)
    f.revoke(ledger, card_id)
    clock.advance(hours=1)
    issuer = registry.issuance
    issuer.write_bundle(tmp_path / "then", ttl=timedelta(hours=24), at=seen_before)
    issuer.write_bundle(tmp_path / "now", ttl=timedelta(hours=24))
    then = verify(token, load_bundle(tmp_path / "then"), at=seen_before)
    now = verify(token, load_bundle(tmp_path / "now"), at=clock.now)
    assert (then.reason, now.reason) == ("ok", "revoked")


def test_a_back_dated_suspension_is_not_in_a_bundle_as_of_before_it_was_recorded(
    ledger: CardLedger, registry: Registry, clock: FakeClock, tmp_path: Path
):
    registry.keys.init()
    card_id, _ = ledger.apply(f.apply_body())
    ledger.run(cc.REVIEW, card_id, f.review("city_hrss"))
    ledger.run(cc.REVIEW, card_id, f.review("talent_office"))
    ledger.run(cc.ISSUE, card_id, f.issue())
    token = registry.issuance.credential(card_id).text
    clock.advance(hours=6)
    seen = clock.now
    clock.advance(hours=6)
    # Recorded now, in effect since before the venue looked.
    body = msgspec.structs.replace(f.status(), effective_at=seen - timedelta(hours=3))
    ledger.run(cc.SUSPEND, card_id, body)
    issuer = registry.issuance
    issuer.write_bundle(tmp_path / "then", ttl=timedelta(hours=24), at=seen)
    issuer.write_bundle(tmp_path / "now", ttl=timedelta(hours=24))
    assert verify(token, load_bundle(tmp_path / "then"), at=seen).reason == "ok"
    assert verify(token, load_bundle(tmp_path / "now"), at=clock.now).reason == "suspended"


def test_a_bundle_as_of_an_instant_leaves_out_a_key_made_after_it(
    ledger: CardLedger, registry: Registry, clock: FakeClock, tmp_path: Path
):
    registry.keys.init()
    card_id, _ = ledger.apply(f.jinan_body("C"))
    ledger.run(cc.ISSUE, card_id, f.issue())
    before = clock.now
    clock.advance(days=1)
    rotated = registry.keystore.rotate("jinan", clock.now)
    registry.issuance.write_bundle(tmp_path / "then", ttl=timedelta(hours=24), at=before)
    kids = {k.kid.hex() for k in load_bundle(tmp_path / "then").trust_list.keys}
    assert rotated.kid not in kids
    old = next(
        r for r in registry.keystore.records() if r.authority == "jinan" and r.kid != rotated.kid
    )
    listed = next(
        k for k in load_bundle(tmp_path / "then").trust_list.keys if k.kid.hex() == old.kid
    )
    assert listed.signs_until is None  # the rotation had not happened yet


def test_a_bundle_as_of_the_future_is_refused(registry: Registry, clock: FakeClock, tmp_path: Path):
    registry.keys.init()
    with pytest.raises(IllegalTransition, match="future"):
        registry.issuance.write_bundle(
            tmp_path / "b", ttl=timedelta(hours=1), at=clock.now + timedelta(seconds=1)
        )


def test_a_bundle_as_of_before_the_keys_were_made_fails_leaving_the_folder_as_it_was(
    ledger: CardLedger, registry: Registry, clock: FakeClock, tmp_path: Path
):
    registry.keys.init()
    card_id, _ = ledger.apply(f.jinan_body("C"))
    ledger.run(cc.ISSUE, card_id, f.issue())
    registry.issuance.write_bundle(tmp_path / "b", ttl=timedelta(hours=1))
    before = {p: p.read_bytes() for p in (tmp_path / "b").rglob("*") if p.is_file()}
    with pytest.raises(KeystoreError, match="before the first root key was made"):
        registry.issuance.write_bundle(
            tmp_path / "b", ttl=timedelta(hours=1), at=clock.now - timedelta(days=365)
        )
    assert {p: p.read_bytes() for p in (tmp_path / "b").rglob("*") if p.is_file()} == before


def test_a_credential_names_its_status_list_under_the_configured_public_base_url(
    ledger: CardLedger, clock: FakeClock, tmp_path: Path
):
    environ = {
        "TALENTCARD_DATA_DIR": str(tmp_path),
        "TALENTCARD_KEY_PASSPHRASE": KEY_PASSPHRASE,
        "TALENTCARD_KEY_KDF_COST": KEY_KDF_COST,
        "TALENTCARD_PUBLIC_BASE_URL": "https://card.hrss.example.cn/",
    }
    with Registry(environ, clock=clock, ledger=ledger) as registry:
        registry.keys.init()
        card_id, _ = ledger.apply(f.jinan_body("C"))
        ledger.run(cc.ISSUE, card_id, f.issue())
        uri = registry.issuance.credential(card_id).claims.status.uri
        registry.issuance.write_bundle(tmp_path / "b", ttl=timedelta(hours=1))
        listed = load_bundle(tmp_path / "b").status_lists["jinan", "sl-0000"].uri
    assert uri == listed == "https://card.hrss.example.cn/status-lists/jinan/sl-0000"
