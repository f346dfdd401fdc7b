"""The registry's public documents (no key needed): the trust list, each status list and
the whole venue bundle as one file, and the offline verifier run against them for venues
that are online.

Signing is costly and a fresh signature changes a document's bytes (and so its ETag), so
the documents are signed once and kept: :class:`PublicDocuments` holds one snapshot of
the bundle's files, shared by every request thread. A request at most every
``recheck`` (a second by default) looks whether the snapshot is still current: the status
read model caught up and asked whether any list's content could have moved
(``IssuanceService.status_version``), and the keys asked whether one was made, rotated or
retired. Either, or a snapshot past half its shortest ttl, signs a new one. Only one thread
checks or signs at a time; the others go on serving the snapshot they have, so a slow
catch-up never stalls the readers (only the very first snapshot is waited for).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Literal

import msgspec

from domain.authority import AUTHORITIES
from domain.clock import Clock
from domain.errors import DomainError
from services.issuance import STATUS_LIST_TTL, TRUST_LIST_DAYS, IssuanceService
from signing.bundle import BUNDLE_MEDIA_TYPE as BUNDLE_MEDIA_TYPE
from signing.bundle import Bundle, pack, read_bundle, status_file_name
from signing.keys import KeystoreError
from signing.status_list import STATUS_LIST_TYPE
from signing.verify import verify

TRUST_LIST_MEDIA_TYPE = "application/cwt"
"""A CWT (RFC 8392 §9.1); the COSE header's content type names it a trust list."""
STATUS_LIST_MEDIA_TYPE = STATUS_LIST_TYPE  # draft-ietf-oauth-status-list §8.1
TRUST_LIST_PATH = "trust-list.cwt"
DEFAULT_RECHECK = timedelta(seconds=1)
"""How often at most a request looks whether the snapshot is still current: a revocation
reaches ``GET /status-lists/…`` and ``POST /verify`` within this (plus the projector's lag)."""
MAX_CREDENTIAL_CHARS = 4_096
"""A credential's text is at most ``signing.credential.MAX_TEXT_CHARS`` (2,000); the body
may carry a little more so that the verifier, not the parser, says ``too_large``."""
MAX_SKEW_SECONDS = 3_600
MAX_VERIFY_BODY_BYTES = 8_192
"""The largest ``POST /verify`` body read: every field at its maximum fits."""

Beneficiary = Annotated[
    str,
    msgspec.Meta(
        max_length=16,
        pattern=r"^(holder|companion|spouse|child|parent|spouse_parent|family:[1-9][0-9]?)$",
        description="holder, companion, a relation the credential names once, or family:N",
    ),
]
ItemCode = Annotated[
    str,
    msgspec.Meta(
        min_length=3,
        max_length=64,
        pattern=r"^[a-z_]+\.[0-9A-Za-z_.\-]+$",
        description="a service item code, e.g. weihai.14 or liaocheng.21.films",
    ),
]
VenueCity = Literal["shandong", "weihai", "liaocheng", "jinan"]


class PublicDocumentUnavailable(DomainError):
    """The public documents cannot be signed (no issuer keys yet, or a key unusable)."""

    code = "public_documents_unavailable"


class StatusListNotFound(DomainError):
    """No authority of that name, or it has issued no list of that id."""

    code = "status_list_not_found"


class PublicDocument(msgspec.Struct, frozen=True, kw_only=True):
    """One document as served: its bytes, media type, strong ETag (quoted, from a hash of
    the bytes), how long a cache may keep it (its ttl, in seconds) and when it was signed."""

    body: bytes
    media_type: str
    etag: str
    max_age: int
    issued_at: datetime
    filename: str

    def age(self, now: datetime) -> int:
        """Whole seconds since it was signed (an HTTP ``Age``)."""
        return max(0, int((now - self.issued_at).total_seconds()))


class VerifyRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``POST /verify``: what ``talentcard verify`` takes, less the bundle (the server's
    current one), the root key (the server's) and ``--at`` (the server's clock)."""

    credential: Annotated[
        str,
        msgspec.Meta(
            min_length=1,
            max_length=MAX_CREDENTIAL_CHARS,
            description="the credential's TC1: text, as its QR code holds it",
        ),
    ]
    service: ItemCode | None = None
    beneficiary: Beneficiary = "holder"
    holder_present: bool | None = None
    venue_city: VenueCity | None = None
    skew_seconds: Annotated[int, msgspec.Meta(ge=0, le=MAX_SKEW_SECONDS)] = 300


class VerifyAnswer(msgspec.Struct, frozen=True, kw_only=True):
    """The verifier's decision. Beyond the decision it holds only what the credential
    itself shows (card id, scheme, tier, expiry, the holder's and the beneficiary's
    names); never the ID binding or a family member's dates."""

    verdict: Literal["valid", "invalid"]
    valid: bool
    reason: str
    detail: str
    card_id: str | None
    scheme: str | None
    tier: str | None
    holder_name: str | None
    valid_until: date | None
    service: str | None
    beneficiary: str
    beneficiary_name: str | None
    granted: bool | None
    rule: str | None
    requires: tuple[str, ...]
    checked_at: datetime
    bundle_age_seconds: int | None
    # A credential replaced after a change to the people it names: it grants the holder
    # (and a companion) only; ask for the current one (signing.verify).
    superseded: bool = False


@dataclass(frozen=True)
class _Snapshot:
    documents: dict[str, PublicDocument]  # by bundle path, and "bundle" for the whole
    bundle: Bundle
    version: tuple[object, ...]
    rebuild_at: datetime
    check_at: datetime


class PublicDocuments:
    """The signed public documents, kept and shared by every request thread."""

    def __init__(
        self,
        issuance: IssuanceService,
        clock: Clock,
        *,
        status_ttl: timedelta = STATUS_LIST_TTL,
        trust_days: int = TRUST_LIST_DAYS,
        recheck: timedelta = DEFAULT_RECHECK,
    ) -> None:
        self._issuance = issuance
        self._clock = clock
        self._status_ttl = status_ttl
        self._trust_days = trust_days
        self._recheck = recheck
        self._snapshot: _Snapshot | None = None
        self._building = threading.Lock()

    # ---- the documents ----------------------------------------------------------------

    def trust_list(self) -> PublicDocument:
        return self._current().documents[TRUST_LIST_PATH]

    def status_list(self, authority: str, list_id: str) -> PublicDocument:
        return _status_list(self._current(), authority, list_id)

    def status_list_if_current(self, authority: str, list_id: str) -> PublicDocument | None:
        """``status_list``, if the snapshot needs no look at the store now (see
        ``verify_if_current``); None when a check is due."""
        snapshot = self._fresh()
        return None if snapshot is None else _status_list(snapshot, authority, list_id)

    def bundle(self) -> PublicDocument:
        return self._current().documents["bundle"]

    def verify(self, request: VerifyRequest) -> VerifyAnswer:
        """The offline verifier's decision on the credential, with the current bundle on
        the registry's clock (which may first look whether the bundle is still current:
        a read of the store)."""
        return self._answer(request, self._current().bundle, self._clock())

    def verify_if_current(self, request: VerifyRequest) -> VerifyAnswer | None:
        """``verify``, if the snapshot needs no look at the store now (it was built or
        checked less than ``recheck`` ago): no I/O at all, only the verifier's own work,
        so an event loop may run it inline. None when a check is due: then ``verify``."""
        snapshot = self._fresh()
        return None if snapshot is None else self._answer(request, snapshot.bundle, self._clock())

    def _answer(self, request: VerifyRequest, bundle: Bundle, now: datetime) -> VerifyAnswer:
        result = verify(
            request.credential,
            bundle,
            at=now,
            service=request.service,
            beneficiary=request.beneficiary,
            holder_present=request.holder_present,
            venue_city=request.venue_city,
            skew=timedelta(seconds=request.skew_seconds),
        )
        # A superseded credential's family member is a decided refusal too (issue 26).
        decided = request.service is not None and result.reason in (
            "ok",
            "service_not_granted",
            "superseded",
        )
        return VerifyAnswer(
            verdict="valid" if result.valid else "invalid",
            valid=result.valid,
            reason=result.reason,
            detail=result.detail,
            card_id=result.card_id,
            scheme=result.scheme,
            tier=result.tier,
            holder_name=result.holder_name,
            valid_until=result.valid_until,
            service=request.service,
            beneficiary=request.beneficiary,
            beneficiary_name=result.beneficiary_name,
            granted=result.valid if decided else None,
            rule=result.rule,
            requires=result.requires,
            checked_at=now,
            bundle_age_seconds=result.bundle_age_seconds,
            superseded=result.superseded,
        )

    # ---- the snapshot -----------------------------------------------------------------

    def _fresh(self) -> _Snapshot | None:
        """The snapshot, if it was built or checked less than ``recheck`` ago."""
        snapshot = self._snapshot
        if snapshot is None or self._clock() >= snapshot.check_at:
            return None
        return snapshot

    def _current(self) -> _Snapshot:
        snapshot = self._snapshot
        if snapshot is None:
            with self._building:  # the first one is waited for by everyone
                if self._snapshot is None:
                    self._snapshot = self._build(self._version())
                return self._snapshot
        if self._clock() < snapshot.check_at:
            return snapshot
        if not self._building.acquire(blocking=False):
            return snapshot  # another thread is checking: serve what we have meanwhile
        try:
            snapshot = self._snapshot or snapshot
            now = self._clock()
            if now < snapshot.check_at:
                return snapshot
            version = self._version()
            if version == snapshot.version and now < snapshot.rebuild_at:
                self._snapshot = _replace_check(snapshot, now + self._recheck)
            else:
                self._snapshot = self._build(version)
            return self._snapshot
        finally:
            self._building.release()

    def _version(self) -> tuple[object, ...]:
        return (self._issuance.status_version(), self._issuance.key_version())

    def _build(self, version: tuple[object, ...]) -> _Snapshot:
        at = self._clock()
        try:
            files = self._issuance.bundle_files(
                trust_days=self._trust_days, ttl=self._status_ttl, at=at
            )
        except KeystoreError as e:
            raise PublicDocumentUnavailable(
                f"the registry cannot sign its public documents: {e}"
            ) from None
        trust_ttl = int(timedelta(days=self._trust_days).total_seconds())
        status_ttl = int(self._status_ttl.total_seconds())
        documents = {
            TRUST_LIST_PATH: _document(
                files[TRUST_LIST_PATH], TRUST_LIST_MEDIA_TYPE, trust_ttl, at, TRUST_LIST_PATH
            )
        }
        for name, data in files.items():
            if name.startswith("status/"):
                _, authority, file = name.split("/")
                documents[name] = _document(
                    data, STATUS_LIST_MEDIA_TYPE, status_ttl, at, f"{authority}-{file}"
                )
        has_lists = any(n.startswith("status/") for n in files)
        shortest = min(trust_ttl, status_ttl) if has_lists else trust_ttl
        documents["bundle"] = _document(
            pack(files), BUNDLE_MEDIA_TYPE, shortest, at, "talentcard-bundle.cbor"
        )
        return _Snapshot(
            documents=documents,
            bundle=read_bundle(files, where="the registry's current bundle"),
            version=version,
            rebuild_at=at + timedelta(seconds=shortest / 2),
            check_at=at + self._recheck,
        )


def _status_list(snapshot: _Snapshot, authority: str, list_id: str) -> PublicDocument:
    if authority not in AUTHORITIES:
        raise StatusListNotFound(f"no authority {authority[:40]!r} issues status lists")
    found = snapshot.documents.get(status_file_name(authority, list_id))
    if found is None:
        raise StatusListNotFound(f"{authority} has issued no status list {list_id[:40]!r}")
    return found


def _document(
    body: bytes, media_type: str, max_age: int, at: datetime, filename: str
) -> PublicDocument:
    digest = hashlib.sha256(body).hexdigest()[:32]
    return PublicDocument(
        body=body,
        media_type=media_type,
        etag=f'"{digest}"',
        max_age=max_age,
        issued_at=at,
        filename=filename,
    )


def _replace_check(snapshot: _Snapshot, check_at: datetime) -> _Snapshot:
    return _Snapshot(
        documents=snapshot.documents,
        bundle=snapshot.bundle,
        version=snapshot.version,
        rebuild_at=snapshot.rebuild_at,
        check_at=check_at,
    )
