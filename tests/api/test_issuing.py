"""The registry's issuing side: a credential from the ledger verifies offline and binds
the holder's ID document."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from api.issuing import Issuer
from ledger.app import CardLedger
from signing.bundle import load_bundle
from signing.credential import to_text
from signing.keys import Keystore
from signing.verify import holder_matches, verify
from tests import factories as f
from tests.conftest import FakeClock


def test_a_credential_binds_the_holder_s_id_card_without_carrying_the_number(
    ledger: CardLedger, clock: FakeClock, tmp_path: Path
):
    keys = Keystore(tmp_path / "keys", b"passphrase")
    keys.init(clock.now - timedelta(days=1))
    card_id, _ = ledger.apply(f.jinan_body("B"))
    ledger.issue(card_id, f.issue())
    issuer = Issuer(ledger, keys)
    _claims, cose = issuer.credential(card_id, clock.now)
    assert f.RESIDENT_ID.encode() not in cose
    issuer.write_bundle(tmp_path / "bundle", clock.now, ttl=timedelta(hours=24))
    result = verify(to_text(cose), load_bundle(tmp_path / "bundle"), at=clock.now)
    assert (result.reason, result.tier) == ("ok", "B")
    assert holder_matches(result, f.RESIDENT_ID)
    assert not holder_matches(result, "110105194912310039")


def test_cards_of_every_authority_get_their_own_signed_status_lists(
    ledger: CardLedger, clock: FakeClock, tmp_path: Path
):
    keys = Keystore(tmp_path / "keys", b"passphrase")
    keys.init(clock.now - timedelta(days=1))
    jinan, _ = ledger.apply(f.jinan_body("C"))
    ledger.issue(jinan, f.issue())
    liaocheng, _ = ledger.apply(f.apply_body())
    ledger.record_review(liaocheng, f.review("city_hrss"))
    ledger.record_review(liaocheng, f.review("talent_office"))
    ledger.issue(liaocheng, f.issue())
    Issuer(ledger, keys).write_bundle(tmp_path / "b", clock.now, ttl=timedelta(hours=1))
    bundle = load_bundle(tmp_path / "b")
    assert set(bundle.status_lists) == {"sl:jinan:sl-0000", "sl:liaocheng:sl-0000"}
