"""The offline verifier (离线核验): a token, a downloaded bundle and the time are all it
needs. No database, no network; importable on its own.

Every outcome is a result with a reason code, never an exception: ``ok``, ``bad_format``,
``too_large``, ``bad_signature``, ``unknown_key``, ``key_not_valid_for_scheme``,
``not_yet_valid``, ``expired``, ``revoked``, ``suspended``, ``status_list_stale``,
``status_list_unavailable`` (the bundle has no usable list for this card: missing, or set
aside as broken when the bundle was loaded), ``trust_list_expired``,
``service_not_granted``. Caps on the token's size and on its decompressed size are checked
before anything is parsed.

The clock-skew allowance (``skew``, default five minutes) is given to the venue's clock in
the holder's favour at every time edge: the card's first day and its expiry instant, the
status list's ``iat + ttl`` and ``exp``, and the trust list's expiry. Exactly at the
allowance is still accepted; one second beyond is refused. Key retirement has no allowance:
a retired key verifies nothing from its retirement second on.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import msgspec

from domain import policy
from domain.clock import SHANGHAI, business_date
from domain.errors import DomainError
from domain.identity import binding_hash, normalise_id_number
from domain.policy import Beneficiary, BeneficiaryKind, CardSnapshot
from domain.vocabulary import CardStatus, IdDocumentKind, Scheme
from signing.bundle import Bundle, status_file_name
from signing.cose import CoseError, parse_sign1
from signing.credential import CardClaims, CredentialError, decode_claims, from_text
from signing.status_list import StatusCode, StatusListError

DEFAULT_SKEW = timedelta(minutes=5)


class VerificationResult(msgspec.Struct, frozen=True, kw_only=True):
    """What a venue learns: valid or not, why (a stable reason code and words), the card's
    scheme, tier and expiry, how old the bundle's data is, and the rule behind a service
    decision."""

    valid: bool
    reason: str
    detail: str = ""
    card_id: str | None = None
    scheme: str | None = None
    tier: str | None = None
    holder_name: str | None = None
    valid_until: date | None = None
    bundle_age_seconds: int | None = None
    rule: str | None = None
    binding_salt: bytes | None = None
    binding: bytes | None = None


def verify(
    token: str,
    bundle: Bundle,
    *,
    at: datetime,
    service: str | None = None,
    beneficiary: str = "holder",
    venue_city: str | None = None,
    skew: timedelta = DEFAULT_SKEW,
) -> VerificationResult:
    """Check a ``TC1:`` token offline at instant ``at``; with ``service``, also whether it
    grants that item to ``beneficiary`` (at a venue of ``venue_city``, which honours its
    own city's card and, by stacking, a valid 惠才卡)."""
    now = int(at.timestamp())
    slack = int(skew.total_seconds())
    age = now - bundle.trust_list.issued_at

    def refuse(
        reason: str, detail: str, claims: CardClaims | None = None, rule: str | None = None
    ) -> VerificationResult:
        return _result(False, reason, detail, claims, age, rule)

    if now - slack > bundle.trust_list.expires_at:
        return refuse(
            "trust_list_expired",
            f"the trust list expired {now - bundle.trust_list.expires_at} s ago",
        )
    try:
        message = parse_sign1(from_text(token))
    except CredentialError as e:
        return refuse(e.reason, str(e))
    except CoseError as e:
        return refuse("bad_format", str(e))
    trusted = bundle.public_keys.get(message.kid or b"")
    if trusted is None:
        return refuse("unknown_key", "the signing key is not on the trust list")
    key, public_key = trusted
    if key.retired_at is not None and now >= key.retired_at:
        return refuse("unknown_key", f"the signing key {key.kid.hex()} is retired")
    if not message.verify(public_key):
        return refuse("bad_signature", "the signature does not verify")
    try:
        claims = decode_claims(message.payload)
    except CredentialError as e:
        return refuse(e.reason, str(e))
    if claims.scheme not in key.schemes:
        return refuse(
            "key_not_valid_for_scheme",
            f"{key.authority}'s key may not issue {claims.scheme} cards",
            claims,
        )
    if claims.issued_at < key.not_before or (
        key.signs_until is not None and claims.issued_at >= key.signs_until
    ):
        return refuse("bad_signature", "signed outside the key's signing window", claims)
    valid_from = _start_of(claims.valid_from)
    if now + slack < valid_from:
        return refuse("not_yet_valid", f"valid from {claims.valid_from}", claims)
    if claims.expires_at is not None and now - slack >= claims.expires_at:
        return refuse("expired", f"expired after {claims.valid_until}", claims)
    status_list = bundle.status_lists.get(claims.status.uri)
    if status_list is None:
        problem = bundle.problem_with(claims.status.uri)
        detail = (
            f"status list {claims.status.uri} (status/{problem.file}) is unusable: "
            f"{problem.problem}"
            if problem
            else f"the bundle has no status list {claims.status.uri} "
            f"(status/{status_file_name(claims.status.uri)})"
        )
        return refuse("status_list_unavailable", detail, claims)
    age = max(age, now - status_list.issued_at)
    if (
        now - slack > status_list.issued_at + status_list.ttl
        or now - slack > status_list.expires_at
    ):
        return refuse(
            "status_list_stale",
            f"status list {status_list.uri} is {now - status_list.issued_at} s old, "
            f"past its ttl of {status_list.ttl} s: refresh the bundle",
            claims,
        )
    try:
        code = status_list.status(claims.status.index)
    except StatusListError as e:
        return refuse("bad_format", f"status list {status_list.uri}: {e}", claims)
    if code == StatusCode.REVOKED:
        return refuse("revoked", "the card was revoked", claims)
    if code == StatusCode.SUSPENDED:
        return refuse("suspended", "the card is suspended", claims)
    if service is None:
        return _result(True, "ok", "genuine, in force, not revoked", claims, age)
    granted, detail, rule = _service(claims, service, beneficiary, venue_city, business_date(at))
    if not granted:
        return refuse("service_not_granted", detail, claims, rule)
    return _result(True, "ok", detail, claims, age, rule)


def holder_matches(
    result: VerificationResult, id_number: str, kind: IdDocumentKind = IdDocumentKind.RESIDENT_ID
) -> bool:
    """Whether the ID card presented is the holder's: its number hashes to the binding
    the verified token carries (the token never holds the number itself)."""
    if not result.valid or result.binding_salt is None or result.binding is None:
        return False
    salt, expected = result.binding_salt, result.binding
    try:
        canonical = normalise_id_number(kind, id_number)
    except DomainError:
        return False
    return binding_hash(canonical, salt) == expected


def _start_of(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=SHANGHAI).timestamp())


def _service(
    claims: CardClaims, service: str, beneficiary: str, venue_city: str | None, day: date
) -> tuple[bool, str, str | None]:
    snapshot = CardSnapshot(
        scheme=claims.scheme,
        tier=claims.tier,
        status=CardStatus.ACTIVE.value,
        valid_from=claims.valid_from,
        valid_until=claims.valid_until,
        issued_on=claims.valid_from,
    )
    try:
        kind = BeneficiaryKind(beneficiary)
        venue = Scheme(venue_city) if venue_city else claims.scheme
        if venue is not claims.scheme:
            decision = policy.decide_entitlement(
                snapshot, service, Beneficiary(kind=kind), day, venue=venue
            )
            return decision.granted, _said(decision), ", ".join(decision.rules) or None
        number = int(service.split(".")[1])
        carried = {
            BeneficiaryKind.HOLDER: claims.items,
            BeneficiaryKind.COMPANION: claims.companion_items,
        }.get(kind, claims.family_items)
        if number not in carried:
            return False, f"the credential does not grant item {number} to the {kind}", None
        entitlement = policy.decide_entitlement(snapshot, service, Beneficiary(kind=kind), day)
        return entitlement.granted, _said(entitlement), ", ".join(entitlement.rules) or None
    except (ValueError, IndexError, DomainError) as e:
        return False, f"cannot decide {service!r} for {beneficiary!r}: {e}", None


def _said(decision: policy.EntitlementDecision) -> str:
    """The engine's answer for the venue: why, what exactly, and what it must still see
    (the holder's own ID and a same-day ticket on travel items, for instance)."""
    text = decision.reason + (f" ({decision.detail})" if decision.detail else "")
    if decision.granted and decision.requires:
        text += "; the venue must still see: " + "; ".join(decision.requires)
    return text


def _result(
    valid: bool,
    reason: str,
    detail: str,
    claims: CardClaims | None,
    age: int,
    rule: str | None = None,
) -> VerificationResult:
    return VerificationResult(
        valid=valid,
        reason=reason,
        detail=detail,
        card_id=str(claims.card_id) if claims else None,
        scheme=str(claims.scheme) if claims else None,
        tier=claims.tier if claims else None,
        holder_name=claims.holder_name if claims else None,
        valid_until=claims.valid_until if claims else None,
        bundle_age_seconds=age,
        rule=rule,
        binding_salt=claims.binding_salt if claims else None,
        binding=claims.binding if claims else None,
    )
