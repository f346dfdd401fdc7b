"""Producing what venues need: a card's signed credential and the verifier's bundle.

The composition of the ledger (card state), the status projection (the card's status
entry), the policy engine (which items the card grants to whom) and the issuer keys.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from pathlib import Path
from uuid import UUID

from cryptography.hazmat.primitives import serialization

from domain import policy
from domain.card import Card
from domain.clock import business_date
from domain.errors import DomainError, IllegalTransition
from domain.policy import Beneficiary, BeneficiaryKind
from domain.vocabulary import CardStatus
from ledger import settings
from ledger.app import CardLedger
from projections.status import StatusProjection, authority_of
from signing.credential import CardClaims, StatusReference, expiry_instant, sign_credential
from signing.keys import AUTHORITY_SCHEMES, ROOT, Keystore
from signing.status_list import sign_status_list
from signing.trust import sign_trust_list

KEYS_DIR = "TALENTCARD_KEYS_DIR"
KEY_PASSPHRASE = "TALENTCARD_KEY_PASSPHRASE"  # noqa: S105 - the variable's name


def keystore(environ: dict[str, str] | None = None) -> Keystore:
    """The keystore the environment names (default ``<data dir>/keys``)."""
    source = dict(os.environ if environ is None else environ)
    folder = Path(source.get(KEYS_DIR) or settings.data_dir(source) / "keys")
    passphrase = source.get(KEY_PASSPHRASE)
    # surrogateescape: bytes that are not UTF-8 in the environment are kept as they came.
    return Keystore(folder, passphrase.encode("utf-8", "surrogateescape") if passphrase else None)


class Issuer:
    """Signs credentials and bundles from the ledger's current state."""

    def __init__(self, ledger: CardLedger, keys: Keystore) -> None:
        self.ledger = ledger
        self.keys = keys
        # Seeds derived from the registry key: outsiders cannot predict a card's index,
        # and every rebuild hands out the same ones.
        self.status = StatusProjection(
            lambda authority: ledger.derived_secret(f"status-list:{authority}")
        )

    def claims(self, card_id: UUID, at: datetime) -> CardClaims:
        """The claims a credential for the card carries at ``at``."""
        card = self.ledger.get_card(card_id)
        day = business_date(at)
        status = card.status_on(day)
        if status is not CardStatus.ACTIVE or card.term is None or card.tier is None:
            raise IllegalTransition(
                f"only an active card gets a credential; this one is {status}",
                code="card_not_active",
            )
        self.status.follow(self.ledger)
        reference = self.status.reference(card_id)
        assert reference is not None  # an issued card has a status entry
        uri, ref = reference
        snapshot = card.snapshot(day)
        holder = card.application.holder
        return CardClaims(
            card_id=card.id,
            issuer=authority_of(card.application.scheme),
            scheme=card.application.scheme,
            tier=card.tier,
            holder_name=holder.name,
            binding_salt=holder.identity.binding_salt,
            binding=self.ledger.venue_binding(card),
            valid_from=card.term.valid_from,
            valid_until=card.term.valid_until,
            items=_granted(card, snapshot, BeneficiaryKind.HOLDER, day),
            family_items=_granted(card, snapshot, BeneficiaryKind.SPOUSE, day),
            companion_items=_granted(card, snapshot, BeneficiaryKind.COMPANION, day),
            status=StatusReference(uri=uri, index=ref.index),
            issued_at=int(at.timestamp()),
            expires_at=_seconds(expiry_instant(card.term.valid_until)),
        )

    def credential(self, card_id: UUID, at: datetime) -> tuple[CardClaims, bytes]:
        """The card's claims and its signed credential (COSE bytes)."""
        claims = self.claims(card_id, at)
        record, key = self.keys.signing_key(claims.issuer, at)
        return claims, sign_credential(claims, key, record.kid_bytes)

    def write_bundle(
        self, folder: Path, at: datetime, *, trust_days: int = 7, ttl: timedelta
    ) -> list[Path]:
        """Write root.pub, the trust list and every authority's status lists."""
        self.status.follow(self.ledger)
        root_record, root_key = self.keys.signing_key(ROOT, at)
        written = []
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "status").mkdir(exist_ok=True)
        for old in (folder / "status").glob("*.cwt"):
            old.unlink()  # a list no longer issued must not linger in the bundle
        root_pub = root_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        written.append(_write(folder / "root.pub", root_pub.hex().encode()))
        trust = sign_trust_list(
            self.keys.records(),
            root_key=root_key,
            root_kid=root_record.kid_bytes,
            issued_at=at,
            expires_at=at + timedelta(days=trust_days),
        )
        written.append(_write(folder / "trust-list.cwt", trust))
        for authority in AUTHORITY_SCHEMES:
            lists = self.status.lists(authority, at)
            if not lists:
                continue
            record, key = self.keys.signing_key(authority, at)
            for uri, status_list in sorted(lists.items()):
                token = sign_status_list(
                    uri,
                    status_list,
                    key=key,
                    kid=record.kid_bytes,
                    issued_at=int(at.timestamp()),
                    expires_at=int((at + 2 * ttl).timestamp()),
                    ttl=int(ttl.total_seconds()),
                )
                written.append(_write(folder / "status" / f"{uri.replace(':', '_')}.cwt", token))
        return written


def _granted(
    card: Card, snapshot: policy.CardSnapshot, kind: BeneficiaryKind, day: date
) -> frozenset[int]:
    """The item numbers the card grants to a beneficiary of ``kind`` (an item with parts
    counts when any part is granted)."""
    numbers = set()
    for item in policy.service_items(card.application.scheme):
        codes = [p.code for p in item.parts] or [item.code]
        for code in codes:
            try:
                decision = policy.decide_entitlement(snapshot, code, Beneficiary(kind=kind), day)
            except DomainError:
                continue
            if decision.granted:
                numbers.add(item.number)
                break
    return frozenset(numbers)


def _seconds(instant: datetime | None) -> int | None:
    return None if instant is None else int(instant.timestamp())


def _write(path: Path, data: bytes) -> Path:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)
    return path
