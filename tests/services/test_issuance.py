"""The issuance service: a credential from the ledger verifies offline and binds
the holder's ID document."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from ledger.app import CardLedger
from services.bootstrap import Registry
from services.settings import DEFAULT_PUBLIC_BASE_URL
from signing.bundle import BundleError, load_bundle
from signing.credential import to_text
from signing.status_list import LIST_SIZE, StatusList, sign_status_list, status_uri
from signing.verify import holder_matches, verify
from tests import factories as f
from tests.conftest import FakeClock


def test_a_credential_binds_the_holder_s_id_card_without_carrying_the_number(
    ledger: CardLedger, registry: Registry, clock: FakeClock, tmp_path: Path
):
    registry.keys.init()
    card_id, _ = ledger.apply(f.jinan_body("B", holder=f.holder()))
    ledger.issue(card_id, f.issue())
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
    ledger.issue(jinan, f.issue())
    liaocheng, _ = ledger.apply(f.apply_body())
    ledger.record_review(liaocheng, f.review("city_hrss"))
    ledger.record_review(liaocheng, f.review("talent_office"))
    ledger.issue(liaocheng, f.issue())
    registry.issuance.write_bundle(tmp_path / "b", ttl=timedelta(hours=1))
    bundle = load_bundle(tmp_path / "b")
    assert set(bundle.status_lists) == {("jinan", "sl-0000"), ("liaocheng", "sl-0000")}


def test_a_status_list_signed_by_another_authority_s_key_is_refused(
    ledger: CardLedger, registry: Registry, clock: FakeClock, tmp_path: Path
):
    registry.keys.init()
    keys = registry.keystore
    card_id, _ = ledger.apply(f.jinan_body("C"))
    ledger.issue(card_id, f.issue())
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
    ledger.issue(card_id, f.issue())
    token = registry.issuance.credential(card_id).text
    registry.issuance.write_bundle(tmp_path / "before", ttl=timedelta(hours=1))
    assert verify(token, load_bundle(tmp_path / "before"), at=clock.now).reason == "ok"
    f.revoke(ledger, card_id)  # Jinan: the window, city HRSS, the talent office
    registry.issuance.write_bundle(tmp_path / "after", ttl=timedelta(hours=1))
    assert verify(token, load_bundle(tmp_path / "after"), at=clock.now).reason == "revoked"
