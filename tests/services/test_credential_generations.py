"""Old credentials after a change to a card's people (issue 26): once venues hold a status
list newer than the change, a credential handed out before it grants the holder only; the
new credential names the family as it now stands; both stores."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from ledger.app import CardLedger
from services.bootstrap import Registry
from signing.bundle import load_bundle
from signing.verify import verify
from tests import factories as f
from tests.conftest import FakeClock

CHILD = {"relation": "child", "name": "李小雷", "date_of_birth": "2015-09-30"}
SPOUSE = {"relation": "spouse", "name": "陈静", "date_of_birth": "1988-09-02"}


def changed(ledger: CardLedger, card_id: UUID, **fields: Any) -> None:
    f.amend_and_approve(ledger, card_id, **fields)


def bundle(registry: Registry, folder: Path) -> Any:
    registry.issuance.write_bundle(folder, ttl=timedelta(hours=24))
    return load_bundle(folder)


def test_a_credential_from_before_a_child_s_removal_grants_the_child_nothing_any_more(
    ledger: CardLedger, registry: Registry, clock: FakeClock, tmp_path: Path
):
    registry.keys.init()
    card_id = f.liaocheng_card(ledger, (CHILD,))
    old = registry.issuance.credential(card_id)
    before = bundle(registry, tmp_path / "before")
    clock.advance(hours=1)
    changed(ledger, card_id, change="remove_member", member=1)
    after = bundle(registry, tmp_path / "after")
    park = {"service": "liaocheng.19", "at": clock.now}
    # A venue whose status list is older than the removal still sees the child.
    assert verify(old.text, before, beneficiary="child", **park).valid
    refused = verify(old.text, after, beneficiary="child", **park)
    assert (refused.valid, refused.reason) == (False, "superseded")
    holder = verify(old.text, after, **park)
    assert (holder.valid, holder.superseded) == (True, True)
    new = registry.issuance.credential(card_id)
    assert (old.generation, new.generation) == (1, 2)
    assert new.claims.family == ()
    assert new.claims.status != old.claims.status
    current = verify(new.text, after, **park)
    assert (current.valid, current.superseded) == (True, False)


def test_adding_a_spouse_keeps_the_old_credential_as_it_was_and_the_new_one_names_them(
    ledger: CardLedger, registry: Registry, clock: FakeClock, tmp_path: Path
):
    registry.keys.init()
    card_id = f.liaocheng_card(ledger, (CHILD,))
    old = registry.issuance.credential(card_id)
    clock.advance(hours=1)
    changed(ledger, card_id, change="add_member", **SPOUSE)
    after = bundle(registry, tmp_path / "after")
    kept = verify(old.text, after, beneficiary="child", service="liaocheng.19", at=clock.now)
    assert (kept.valid, kept.superseded) == (True, False)
    new = registry.issuance.credential(card_id)
    assert new.generation == 1
    assert [m.relation for m in new.claims.family] == ["child", "spouse"]
    spouse = verify(new.text, after, beneficiary="spouse", service="liaocheng.19", at=clock.now)
    assert spouse.valid and spouse.beneficiary_name == "陈静"


def test_a_revoked_card_s_superseded_credential_reads_revoked(
    ledger: CardLedger, registry: Registry, clock: FakeClock, tmp_path: Path
):
    registry.keys.init()
    card_id = f.liaocheng_card(ledger, (CHILD,))
    old = registry.issuance.credential(card_id)
    clock.advance(hours=1)
    changed(ledger, card_id, change="correct_member", member=1, name="李晓雷")
    f.revoke(ledger, card_id)
    after = bundle(registry, tmp_path / "after")
    assert verify(old.text, after, at=clock.now).reason == "revoked"


def test_a_child_s_sex_and_marriage_stay_out_of_the_credential_which_keeps_verifying(
    ledger: CardLedger, registry: Registry, clock: FakeClock, tmp_path: Path
):
    # RD-2026-89: a venue registers no households, so the credential keeps format 2 and
    # names the child as before; correcting the sex alone supersedes nothing.
    registry.keys.init()
    son = {**CHILD, "sex": "male", "married": False, "married_as_of": "2026-03-01"}
    filed = registry.issuance.credential(f.liaocheng_card(ledger, (CHILD,)))
    card_id = f.liaocheng_card(ledger, (son,))
    with_record = registry.issuance.credential(card_id)
    assert with_record.claims.family == filed.claims.family
    clock.advance(hours=1)
    changed(ledger, card_id, change="correct_member", member=1, sex="female")
    park = {"service": "liaocheng.19", "at": clock.now, "beneficiary": "child"}
    still = verify(with_record.text, bundle(registry, tmp_path / "after"), **park)
    assert (still.valid, still.superseded) == (True, False)
    assert registry.issuance.credential(card_id).generation == 1
