"""What venues need: a card's signed credential (text and QR) and the verifier's bundle.

Combines the ledger (the card's state), the ``status_lists`` read model (the card's
status entry, caught up with the log first so a revocation a moment ago is listed), the
policy data compiled into venue rules, and the issuer keys. A bundle can be built as the
registry would have issued it at any recorded instant (``write_bundle(at=...)``): the keys
it then had, the status lists as then recorded, signed with the keys that signed then.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID

import msgspec
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.authority import AUTHORITIES, authority_of
from domain.card_amendment import present_family
from domain.clock import Clock, business_date
from domain.errors import IllegalTransition
from domain.vocabulary import CardStatus
from ledger.app import CardLedger
from ledger.event_keys import EventKeyRecord, EventKeys
from projections.engine import ReadModels
from services.venue_rules import compile_venue_rules, family_entry, min_ages
from signing.bundle import pack, status_file_name
from signing.credential import CardClaims, StatusReference, sign_credential, to_text
from signing.keys import ROOT, KeyRecord, Keystore, KeystoreError
from signing.root import EVENTS
from signing.status_list import sign_status_list, status_uri
from signing.trust import sign_trust_list
from signing.venue_rules import sign_venue_rules

_STATUS = ("status_lists",)

TRUST_LIST_DAYS = 7
"""How long a trust list and the venue rules are valid from their signing, in days."""
STATUS_LIST_TTL = timedelta(hours=24)
"""How long venues may rely on a status list (its ``ttl`` claim; it expires at twice
that): the default of ``talentcard bundle`` and of the public endpoints."""


class Credential:
    """A signed credential: its claims, COSE bytes, the text form, its QR code and its
    generation (which of the card's credentials it is)."""

    def __init__(self, claims: CardClaims, cose: bytes, generation: int = 1) -> None:
        # The QR writer is imported by the one use that draws a code: segno's writers pull
        # in urllib.request, http.client and email, which `talentcard bundle` does without.
        import segno

        self.claims = claims
        self.cose = cose
        # Which of the card's credentials this is (1 from issuance; a change that removed
        # or corrected someone named starts the next, and the earlier ones are superseded).
        self.generation = generation
        self.text = to_text(cose)
        self.qr = segno.make(self.text, error="m", mode="alphanumeric")


class IssuanceService:
    """Signs credentials and bundles from the ledger and the status read model."""

    def __init__(
        self,
        ledger: CardLedger,
        read_models: Callable[[], ReadModels],
        keys: Keystore,
        clock: Clock,
        *,
        public_base_url: str,
        event_keys: EventKeys | None = None,
    ) -> None:
        self._ledger = ledger
        self._read_models = read_models
        self._keys = keys
        self._event_keys = event_keys
        self._clock = clock
        self._base_url = public_base_url

    def claims(self, card_id: UUID, at: datetime) -> CardClaims:
        """The claims a credential for the card carries at ``at``."""
        return self._claims(card_id, at)[0]

    def _claims(self, card_id: UUID, at: datetime) -> tuple[CardClaims, int]:
        """The claims and the credential's generation (status read once)."""
        card = self._ledger.get_card(card_id)
        day = business_date(at)
        status = card.status_on(day)
        if status is not CardStatus.ACTIVE or card.term is None or card.tier is None:
            raise IllegalTransition(
                f"only an active card gets a credential; this one is {status}",
                code="card_not_active",
            )
        models = self._read_models()
        models.catch_up(_STATUS)
        current = models.status_lists.current(card_id)
        if current is None:  # the read model has the card's issue: caught up just now
            raise AssertionError(f"issued card {card_id} has no status entry")
        # The current credential's own entry: after a change that removed or corrected
        # someone named, a new one, the earlier credentials' entries reading SUPERSEDED.
        authority, ref, generation = current
        snapshot = card.snapshot(day)
        # The card's people on the credential's day (after every change in effect then).
        holder = card.holder_on(day)
        ages = min_ages()
        claims = CardClaims(
            card_id=card.id,
            issuer=authority_of(card.application.scheme),
            scheme=card.application.scheme,
            tier=card.tier,
            holder_name=holder.name,
            binding_salt=holder.identity.binding_salt,
            binding=self._ledger.venue_binding(card),
            category=snapshot.category,
            valid_from=card.term.valid_from,
            valid_until=card.term.valid_until,
            issued_on=snapshot.issued_on,
            # An erased member (PIPL art. 47) shares no benefit and is named nowhere: their
            # placeholder date of birth must not reach a venue as an age. A member removed
            # by an amendment is left out too.
            family=tuple(
                family_entry(m.relation, m.name, m.date_of_birth, ages)
                for _, m in present_family(holder)
            ),
            status=StatusReference(
                uri=status_uri(self._base_url, authority, ref.list_id), index=ref.index
            ),
            issued_at=int(at.timestamp()),
        )
        return claims, generation

    def credential(self, card_id: UUID, at: datetime | None = None) -> Credential:
        """The card's signed credential now (or at ``at``), of its current generation."""
        instant = at or self._clock()
        claims, generation = self._claims(card_id, instant)
        record, key = self._keys.signing_key(claims.issuer, instant)
        return Credential(claims, sign_credential(claims, key, record.kid_bytes), generation)

    def bundle_files(
        self,
        *,
        trust_days: int = TRUST_LIST_DAYS,
        ttl: timedelta = STATUS_LIST_TTL,
        at: datetime | None = None,
    ) -> dict[str, bytes]:
        """The bundle's files by relative path, signed in memory: root.pub, the trust
        list, the venue rules and every authority's status lists, as of now or as the
        registry would have issued them at the recorded instant ``at``. The trust list and
        the venue rules expire ``trust_days`` after ``at``; venues may rely on a status
        list for ``ttl`` (it expires at twice that)."""
        now = self._clock()
        at = at or now
        if at > now:
            raise IllegalTransition(
                f"a bundle as of {at.isoformat()} is in the future", code="bundle_in_future"
            )
        models = self._read_models()
        models.catch_up(_STATUS)
        files = self.trust_files(trust_days=trust_days, at=at)
        root_record, root_key = self._signing_key(ROOT, at)
        files["venue-rules.cwt"] = sign_venue_rules(
            compile_venue_rules(),
            root_key=root_key,
            root_kid=root_record.kid_bytes,
            issued_at=at,
            expires_at=at + timedelta(days=trust_days),
        )
        for authority in AUTHORITIES:
            lists = models.status_lists.lists(authority, at)
            if not lists:
                continue
            record, key = self._signing_key(authority, at)
            for list_id, status_list in sorted(lists.items()):
                files[status_file_name(authority, list_id)] = sign_status_list(
                    status_uri(self._base_url, authority, list_id),
                    status_list,
                    key=key,
                    kid=record.kid_bytes,
                    issued_at=int(at.timestamp()),
                    expires_at=int((at + 2 * ttl).timestamp()),
                    ttl=int(ttl.total_seconds()),
                )
        return files

    def trust_files(
        self, *, trust_days: int = TRUST_LIST_DAYS, at: datetime | None = None
    ) -> dict[str, bytes]:
        """``root.pub`` and the trust list, signed now (or as of ``at``): what checks a
        checkpoint, read from the keystore alone (no read model)."""
        at = at or self._clock()
        root_record, root_key = self._signing_key(ROOT, at)
        root_pub = root_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return {
            "root.pub": root_pub.hex().encode(),
            "trust-list.cwt": sign_trust_list(
                _known_at(self.published_keys(), at),
                root_key=root_key,
                root_kid=root_record.kid_bytes,
                issued_at=at,
                expires_at=at + timedelta(days=trust_days),
            ),
        }

    def write_bundle(
        self,
        folder: Path,
        *,
        trust_days: int = TRUST_LIST_DAYS,
        ttl: timedelta = STATUS_LIST_TTL,
        at: datetime | None = None,
    ) -> list[Path]:
        """Write :meth:`bundle_files` into ``folder``, removing status lists no longer
        issued."""
        # Everything is signed in memory first: a key missing at ``at`` (an instant before
        # the keys were made) fails the command before a single file of the folder changes.
        files = self.bundle_files(trust_days=trust_days, ttl=ttl, at=at)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "status").mkdir(exist_ok=True)
        for old in [*(folder / "status").glob("*.cwt"), *(folder / "status").glob("*/*.cwt")]:
            if old.relative_to(folder).as_posix() not in files:
                old.unlink()  # a list no longer issued must not linger in the bundle
        written = []
        for name, data in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            written.append(_write(folder / name, data))
        return written

    def write_bundle_file(
        self,
        path: Path,
        *,
        trust_days: int = TRUST_LIST_DAYS,
        ttl: timedelta = STATUS_LIST_TTL,
        at: datetime | None = None,
    ) -> int:
        """Write :meth:`bundle_files` as one file (``signing.bundle.pack``), replacing
        ``path`` whole; returns how many files it packs."""
        files = self.bundle_files(trust_days=trust_days, ttl=ttl, at=at)
        _write(path, pack(files))
        return len(files)

    def status_version(self) -> tuple[int, int]:
        """Where the status read model stands, as far as the lists' content goes (caught
        up with the log first): it moves when a status change is recorded for a card ever
        suspended or revoked, or when a list is opened, and not on an ordinary issue."""
        models = self._read_models()
        models.catch_up(_STATUS)
        return models.status_lists.version()

    def key_version(self) -> tuple[tuple[str, object, object], ...]:
        """The keys' public facts that a trust list carries: it moves on a new key, a
        rotation or a retirement."""
        return tuple((r.kid, r.signs_until, r.retired_at) for r in self.published_keys())

    def published_keys(self) -> list[KeyRecord]:
        """The keys the trust list names: the keystore's and the event-signing keys."""
        events = self._event_keys.records() if self._event_keys is not None else []
        return [*self._keys.records(), *(event_key_record(r) for r in events)]

    def _signing_key(self, authority: str, at: datetime) -> tuple[KeyRecord, Ed25519PrivateKey]:
        """The key that signed for ``authority`` at ``at``; for an instant before any key was
        made, an error that says so rather than advising ``keys init``."""
        made = [r.created_at for r in self._keys.records() if r.authority == authority]
        if made and at < min(made):
            raise KeystoreError(
                f"{at.isoformat()} is before the first {authority} key was made "
                f"({min(made).isoformat()}): no bundle can be signed as of then"
            )
        return self._keys.signing_key(authority, at)


def event_key_record(record: EventKeyRecord) -> KeyRecord:
    """An event key as the trust list names it: authority ``events``, no schemes."""
    return KeyRecord(
        kid=record.kid,
        authority=EVENTS,
        schemes=(),
        public_key=record.public_key,
        created_at=record.created_at,
        signs_until=record.signs_until,
    )


def _known_at(records: list[KeyRecord], at: datetime) -> list[KeyRecord]:
    """The keys as the registry knew them at ``at``: made by then, and a rotation or a
    retirement only once it had happened."""
    known = []
    for record in records:
        if record.created_at > at:
            continue
        rotated, retired = record.signs_until, record.retired_at
        known.append(
            msgspec.structs.replace(
                record,
                signs_until=rotated if rotated and rotated <= at else None,
                retired_at=retired if retired and retired <= at else None,
            )
        )
    return known


def _write(path: Path, data: bytes) -> Path:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)
    return path
