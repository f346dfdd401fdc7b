"""The shared test vectors of the venue page: one file (``vectors.json``) holding a bundle
and the tokens a venue may meet, each with the verdict the Python verifier gives and, for
the cards that verify, what each item of the venue's catalogue answers for each person.
``tests/venue/test_vectors.py`` holds ``signing.verify`` to them; the browser test holds
the page to the same file.

Made from a registry on a fresh SQLite store with a fake clock, as a venue would meet
them: cards issued, one revoked, one suspended, and one whose family changed after its
credential was handed out (issue 26: the child removed through the amendment commands, so
that credential's status index reads SUPERSEDED and the card has a new credential), then
the bundle signed (so all of that is in it). Each vector's ``superseded`` is
``signing.verify``'s flag (the status list reads SUPERSEDED); the page says so on a card it
admits. Regenerate with ``python -m tests.venue.vectors`` (the keys are new each time).
"""

from __future__ import annotations

import base64
import json
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import ledger.card_commands as cc
from domain.clock import business_date
from ledger.app import CardLedger
from services.bootstrap import Registry
from signing import base45
from signing.bundle import pack, read_bundle, unpack
from signing.cose import parse_sign1
from signing.credential import PREFIX, decode_claims, from_text, sign_credential, to_text
from signing.keys import key_id
from signing.verify import holder_matches, verify
from tests import factories as f
from tests.conftest import KEY_KDF_COST, KEY_PASSPHRASE, FakeClock, runtime_ledger

FILE = Path(__file__).with_name("vectors.json")
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
HOLDER_ID = f.resident_id(900)
# What staff may type from an ID card: the holder's number (as typed on a Chinese keyboard,
# fullwidth with a lowercase x, too), someone else's, and one that is no ID number.
ID_NUMBERS = (
    HOLDER_ID,
    HOLDER_ID.translate({ord(c): 0xFF10 + int(c) for c in "0123456789"}).lower(),
    f.resident_id(902),
    HOLDER_ID[:-1] + ("0" if HOLDER_ID[-1] != "0" else "1"),
)
FAMILY = (
    {"relation": "spouse", "name": "韩梅梅", "date_of_birth": "1952-04-01"},
    {"relation": "child", "name": "李小雷", "date_of_birth": "2015-09-30"},
    {"relation": "parent", "name": "李大山", "date_of_birth": "1930-01-15"},
)
# The family of the card that changes: the child (member 1) is removed after issuance.
CHANGING_FAMILY = (
    {"relation": "child", "name": "王小明", "date_of_birth": "2012-05-20"},
    {"relation": "spouse", "name": "赵丽", "date_of_birth": "1985-11-11"},
)


def tampered(text: str) -> str:
    """The token with the last byte of its signature flipped."""
    cose = bytearray(from_text(text))
    cose[-1] ^= 0x01
    return to_text(bytes(cose))


def foreign(text: str) -> str:
    """The token's claims signed by a key on no trust list (with its own key id)."""
    key = Ed25519PrivateKey.generate()
    claims = decode_claims(parse_sign1(from_text(text)).payload)
    return to_text(sign_credential(claims, key, key_id(key.public_key())))


def bomb() -> str:
    """A token that inflates far past the 2,000-byte cap."""
    return PREFIX + base45.b45encode(zlib.compress(b"\0" * 1_000_000, 9))


def padded(text: str) -> str:
    """The token with bytes after its zlib stream."""
    return PREFIX + base45.b45encode(zlib.compress(from_text(text), 9) + b"\0\0")


def id_checks(token: str, files: dict[str, bytes], at: datetime) -> list[dict[str, Any]]:
    """Whether each of ID_NUMBERS is the holder's, as ``signing.verify.holder_matches``
    answers."""
    result = verify(token, read_bundle(files), at=at)
    return [{"number": n, "matches": holder_matches(result, n)} for n in ID_NUMBERS]


def vector(
    name: str,
    token: str,
    at: datetime,
    expected: str,
    files: dict[str, bytes],
    *,
    service: str | None = None,
    beneficiary: str = "holder",
    venue_city: str | None = None,
) -> dict[str, Any]:
    """One vector: what the verifier answers for ``token`` at ``at`` (with ``service``,
    for ``beneficiary`` at a venue of ``venue_city``), and for a card that verifies every
    item of the venue city's catalogue for every person the credential names."""
    bundle = read_bundle(files)
    result = verify(token, bundle, at=at)
    entry: dict[str, Any] = {
        "name": name,
        "token": token,
        "at": int(at.timestamp()),
        "expected": expected,
        "verdict": result.reason,
        "superseded": result.superseded,
        "holder_name": result.holder_name,
        "tier": result.tier,
        "valid_until": None if result.valid_until is None else result.valid_until.isoformat(),
        "venue_city": venue_city,
    }
    if service is not None:
        asked = verify(
            token, bundle, at=at, service=service, beneficiary=beneficiary, venue_city=venue_city
        )
        alone = verify(
            token,
            bundle,
            at=at,
            service=service,
            beneficiary=beneficiary,
            venue_city=venue_city,
            holder_present=False,
        )
        entry["service"] = {
            "item": service,
            "beneficiary": beneficiary,
            "expected": "ok",
            "verdict": asked.reason,
            # The same item when the venue says the holder is not there.
            "holder_absent": alone.reason,
        }
    if result.valid:
        entry["grants"] = grants(token, files, at, venue_city or str(result.scheme))
    return entry


def grants(token: str, files: dict[str, bytes], at: datetime, city: str) -> list[dict[str, Any]]:
    """Every item of ``city``'s catalogue asked for the holder, each family member and a
    companion, as ``signing.verify`` answers it: granted or not, the code of the answer
    (``ok``, ``service_not_granted``, or ``superseded`` for a family member of a superseded
    credential), the rules that decided, and what the venue must still see."""
    bundle = read_bundle(files)
    claims = decode_claims(parse_sign1(from_text(token)).payload)
    people = ["holder", *(f"family:{n}" for n in range(1, len(claims.family) + 1)), "companion"]
    answers = []
    for person in people:
        for item in bundle.venue_rules.cities[city].items:
            result = verify(token, bundle, at=at, service=item, beneficiary=person, venue_city=city)
            answers.append(
                {
                    "item": item,
                    "person": person,
                    "granted": result.valid,
                    "code": result.reason,
                    "rules": result.rule.split(", ") if result.rule else [],
                    "requires": list(result.requires),
                }
            )
    return answers


def add_spouse(ledger: CardLedger, card: UUID, on: str) -> None:
    """Add a spouse married after issuance to Liaocheng ``card`` from business day ``on``:
    filed by the employer (art. 33), approved by city HRSS."""
    spouse = {"relation": "spouse", "name": "陈静", "date_of_birth": "1988-09-02"}
    f.amend_and_approve(ledger, card, change="add_member", takes_effect_on=on, **spouse)


def remove_member(ledger: CardLedger, card: UUID, member: int, on: str) -> None:
    """Remove family member ``member`` of Liaocheng ``card`` from business day ``on``: filed
    by the employer, approved by city HRSS (the body that decides a Liaocheng change)."""
    f.amend_and_approve(
        ledger,
        card,
        change="remove_member",
        member=member,
        takes_effect_on=on,
        evidence=["doc://household-register/1"],
        reason="the child moved to the other parent's household",
    )


@contextmanager
def registry_in(folder: Path, clock: FakeClock) -> Iterator[tuple[Registry, CardLedger]]:
    """A registry on a SQLite store in ``folder``, on ``clock``, with its keys made."""
    ledger = runtime_ledger(
        database_url=f"sqlite:///{folder / 'ledger.sqlite3'}",
        data_dir=folder,
        clock=clock,
        environ={},
    )
    environ = {
        "TALENTCARD_DATA_DIR": str(folder),
        "TALENTCARD_KEY_PASSPHRASE": KEY_PASSPHRASE,
        "TALENTCARD_KEY_KDF_COST": KEY_KDF_COST,
    }
    with Registry(environ, clock=clock, ledger=ledger) as registry:
        registry.keys.init()
        yield registry, ledger


def make_vectors(folder: Path) -> dict[str, Any]:
    """Issue the cards, revoke one, suspend one, change one's family, sign the bundle, and
    describe each token."""
    clock = FakeClock(START)
    with registry_in(folder, clock) as (registry, ledger):
        person = {**f.holder(HOLDER_ID), "family": list(FAMILY)}
        family, _ = ledger.apply(f.apply_body(holder=person))  # a Liaocheng tier-B card
        f.approve_all(ledger, family)
        ledger.run(cc.ISSUE, family, f.issue())
        weihai, _ = ledger.apply(f.business_elite_body())
        f.approve_all(ledger, weihai)
        ledger.run(cc.ISSUE, weihai, f.issue())
        revoked, _ = ledger.apply(f.jinan_body("C"))
        ledger.run(cc.ISSUE, revoked, f.issue())
        suspended, _ = ledger.apply(f.jinan_body("C"))
        ledger.run(cc.ISSUE, suspended, f.issue())
        person = {**f.holder(f.resident_id(901)), "family": list(FAMILY[:2])}
        jinan, _ = ledger.apply(f.jinan_body("A", holder=person))
        ledger.run(cc.ISSUE, jinan, f.issue())
        provincial, _ = ledger.apply(f.shandong_body())
        f.approve_all(ledger, provincial)
        ledger.run(cc.ISSUE, provincial, f.issue())
        changing = f.liaocheng_card(ledger, CHANGING_FAMILY, id_number=f.resident_id(903))
        married = f.liaocheng_card(ledger, (), id_number=f.resident_id(904))

        def credential(card: UUID) -> str:
            return to_text(registry.issuance.credential(card).cose)

        cards = (family, weihai, revoked, suspended, provincial, jinan)
        text = {card: credential(card) for card in cards}
        superseded = credential(changing)  # handed out before the change
        clock.advance(minutes=1)
        # In force from today (Shanghai), the day the card was issued: a change may take
        # effect no earlier than the issue day and no later than today.
        remove_member(ledger, changing, 1, business_date(clock.now).isoformat())
        current = credential(changing)  # the new credential: a new status index
        add_spouse(ledger, married, business_date(clock.now).isoformat())
        with_spouse = credential(married)  # names the spouse; nothing superseded
        assert current != superseded
        f.revoke(ledger, revoked)  # after their credentials were handed out
        ledger.run(
            cc.SUSPEND, suspended, f.status(role="talent_office", decision_ref="济人社〔2026〕1号")
        )
        clock.advance(minutes=5)
        files = registry.issuance.bundle_files()
        at = clock.now + timedelta(minutes=10)
        # A Weihai business elite's card runs a year (a Liaocheng card has no end date).
        last_day = registry.issuance.credential(weihai).claims.valid_until
        assert last_day is not None
        after = datetime(last_day.year, last_day.month, last_day.day, tzinfo=UTC) + timedelta(
            days=2
        )
        vectors = [
            {
                **vector("valid", text[family], at, "ok", files),
                "id_checks": id_checks(text[family], files, at),
            },
            vector("revoked", text[revoked], at, "revoked", files),
            vector("tampered", tampered(text[family]), at, "bad_signature", files),
            vector("expired", text[weihai], after, "expired", files),
            vector(
                "companion",
                text[weihai],
                at,
                "ok",
                files,
                service="weihai.14",
                beneficiary="companion",
            ),
            vector("suspended", text[suspended], at, "suspended", files),
            vector("jinan", text[jinan], at, "ok", files),
            # The 惠才卡 at a Weihai venue: honoured by stacking (叠加), decided by the
            # provincial coverage of the item it matches.
            vector(
                "stacking",
                text[provincial],
                at,
                "ok",
                files,
                service="weihai.14",
                venue_city="weihai",
            ),
            vector("not_a_card", "TC1:NOT A CARD", at, "bad_format", files),
            vector(
                "not_yet_valid", text[family], START - timedelta(days=3), "not_yet_valid", files
            ),
            # A day and a half on, past the status lists' ttl of 24 h: refresh the bundle.
            vector("stale", text[family], at + timedelta(hours=36), "status_list_stale", files),
            vector("unknown_key", foreign(text[family]), at, "unknown_key", files),
            vector("too_long", "TC1:" + "0" * 2_100, at, "too_large", files),
            vector("zip_bomb", bomb(), at, "too_large", files),
            vector("zlib_trailing", padded(text[family]), at, "bad_format", files),
            vector("bad_base45", "TC1:GGW", at, "bad_format", files),
            # The credential handed out before the child was removed: still the holder's
            # (and a companion's), nothing for the family it names.
            vector("superseded", superseded, at, "ok", files),
            vector("current_after_change", current, at, "ok", files),
            # A spouse married after issuance, on the card's credential from then on.
            vector("spouse_added_after_issue", with_spouse, at, "ok", files),
            # Past the status list's ttl a superseded credential is stale first, like any.
            vector(
                "superseded_stale", superseded, at + timedelta(hours=36), "status_list_stale", files
            ),
        ]
    ledger.close()
    return {
        "about": "tests/venue/vectors.py: the shared vectors of the venue page and signing.verify",
        "bundle": base64.b64encode(pack(files)).decode("ascii"),
        "vectors": vectors,
    }


def load() -> dict[str, Any]:
    """The committed vectors."""
    data: dict[str, Any] = json.loads(FILE.read_text(encoding="utf-8"))
    return data


def bundle_files(data: dict[str, Any]) -> dict[str, bytes]:
    """The vectors' bundle, unpacked."""
    return unpack(base64.b64decode(data["bundle"]))


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        made = make_vectors(Path(tmp))
    FILE.write_text(json.dumps(made, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for v in made["vectors"]:
        print(v["name"], v["verdict"], v.get("service", {}).get("verdict", ""))
