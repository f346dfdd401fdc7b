"""The offline verifier (离线核验): a token, a downloaded bundle and the time are all it
needs. No database, no network, no policy engine: the service decision reads the bundle's
venue rules (``signing.venue_decision``). Importable on its own.

Every outcome is a result with a reason code, never an exception. The checks run in this
order, and the first that fails is the reason:

1. format: ``too_large``, ``bad_format`` (caps on the token's size and on its decompressed
   size are checked before anything is parsed);
2. key: ``unknown_key`` (not on the trust list, or retired);
3. signature: ``bad_signature``;
4. the key's scope and window: ``key_not_valid_for_scheme``, ``bad_signature`` (signed
   outside the key's signing window);
5. the card's validity: ``not_yet_valid``, ``expired``;
6. status: ``status_list_unavailable`` (the bundle has no usable list for this card:
   missing, or set aside as broken when the bundle was loaded), ``suspended``, ``revoked``;
   an entry reading SUPERSEDED (0x03: the card was amended and this credential replaced by
   a newer one after a change to the people it names) is no refusal here: the credential
   stays genuine and in force for the holder, every later check still applies, and the
   result says ``superseded`` (the flag, and in its detail);
7. freshness of the venue's data: ``trust_list_expired``, ``status_list_stale``,
   ``venue_rules_expired`` (with a service asked);
8. service: ``superseded`` (a superseded credential asked for anyone but the holder or a
   companion: it grants no family member anything, whoever it names, and the holder must
   present the current credential); ``service_not_granted``; when the question cannot be
   decided at all, the detail gives the decision's code after the question (``cannot
   decide 'weihai.14': unknown_beneficiary: …``; also ``unknown_item``, ``unknown_city``,
   ``no_policy``, ``no_beneficiary_rule``).

A card that expired long ago is ``expired`` whatever the age of the venue's data: what is
wrong with the card comes before what is wrong with the venue's copy.

The clock-skew allowance (``skew``, default five minutes) is given to the venue's clock in
the holder's favour at every time edge: the card's first instant (``nbf``) and its expiry
(``exp``), the status list's ``iat + ttl`` and ``exp``, the trust list's and the venue
rules' expiry. Exactly at the allowance is still accepted; one second beyond is refused. Key
retirement has no allowance: a retired key verifies nothing from its retirement second on.

Offline a venue learns whether an item is granted; a limited item's balance is checked when
the venue records the use with the registry.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import msgspec

from domain.clock import business_date
from domain.errors import DomainError
from domain.identity import binding_hash, normalise_id_number
from domain.vocabulary import IdDocumentKind
from signing.bundle import Bundle, status_file_name
from signing.cose import CoseError, parse_sign1
from signing.credential import CardClaims, CredentialError, decode_claims, from_text
from signing.status_list import StatusCode, StatusListError, parse_status_uri
from signing.venue_decision import Answer, Person, ServiceError, decide

DEFAULT_SKEW = timedelta(minutes=5)

SUPERSEDED = (
    "superseded by a newer credential after a change to the people it names: it grants"
    " the holder (and a companion) only, no family member"
)
"""What a superseded credential's answers add to their detail."""

SUPERSEDED_REFUSAL = (
    "this credential was replaced by a newer one after a change to the people it names:"
    " it grants no family member anything; the holder must present the current credential"
)
"""The detail of a family member's service refused on a superseded credential."""


class VerificationResult(msgspec.Struct, frozen=True, kw_only=True):
    """What a venue learns: valid or not, why (a stable reason code and words), the card's
    scheme, tier and expiry, how old the bundle's data is, and for a service asked, who it
    was asked for (``beneficiary_name``, a family member's name from the credential), the
    rules that decided, what the venue must still see (``requires``) and the units that
    answer for the service (``responsible``). ``superseded``:
    the status list reads this credential SUPERSEDED (a newer one replaced it after a
    change to the people it names), set on every result from the status check on."""

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
    requires: tuple[str, ...] = ()
    beneficiary_name: str | None = None
    binding_salt: bytes | None = None
    binding: bytes | None = None
    superseded: bool = False
    # The units that answer for the service asked (责任单位), as its seed lists them; set
    # by the registry's verifier from the policy catalogue (none for the provincial annex).
    responsible: tuple[str, ...] = ()


def verify(
    token: str,
    bundle: Bundle,
    *,
    at: datetime,
    service: str | None = None,
    beneficiary: str = "holder",
    holder_present: bool | None = None,
    venue_city: str | None = None,
    skew: timedelta = DEFAULT_SKEW,
) -> VerificationResult:
    """Check a ``TC1:`` token offline at instant ``at``; with ``service``, also whether it
    grants that item to ``beneficiary`` (``holder``, ``companion``, a family member by
    relation when the credential names one such, or ``family:N``, the Nth member, from 1)
    at a venue of ``venue_city`` (default the card's own), which honours its own city's card
    and, by stacking, a valid 惠才卡. A superseded credential answers for the holder and a
    companion only; asked for anyone else it is refused as ``superseded``."""
    now = int(at.timestamp())
    slack = int(skew.total_seconds())
    age = now - bundle.trust_list.issued_at
    superseded = False  # known once the status is read; every later result carries it

    def refuse(reason: str, detail: str, claims: CardClaims | None = None) -> VerificationResult:
        return _result(False, reason, detail, claims, age, superseded=superseded)

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
    if not key.signed_within(claims.issued_at):
        return refuse("bad_signature", "signed outside the key's signing window", claims)
    if now + slack < claims.not_before:
        return refuse("not_yet_valid", f"valid from {claims.valid_from}", claims)
    expires = claims.expires_at
    if expires is not None and now - slack >= expires:
        return refuse("expired", f"expired after {claims.valid_until}", claims)
    status_list = bundle.status_list(claims.status.uri)
    if status_list is None:
        return refuse("status_list_unavailable", _unavailable(bundle, claims.status.uri), claims)
    try:
        code = status_list.status(claims.status.index)
    except StatusListError as e:
        return refuse("bad_format", f"status list {status_list.uri}: {e}", claims)
    if code == StatusCode.SUSPENDED:
        return refuse("suspended", "the card is suspended", claims)
    if code == StatusCode.REVOKED:
        return refuse("revoked", "the card was revoked", claims)
    superseded = code == StatusCode.SUPERSEDED
    if now - slack > bundle.trust_list.expires_at:
        return refuse(
            "trust_list_expired",
            f"the trust list expired {now - bundle.trust_list.expires_at} s ago",
            claims,
        )
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
    if service is None:
        detail = "genuine, in force, not revoked" + (f"; {SUPERSEDED}" if superseded else "")
        return _result(True, "ok", detail, claims, age, superseded=superseded)
    if now - slack > bundle.venue_rules.expires_at:
        return refuse(
            "venue_rules_expired",
            f"the venue rules expired {now - bundle.venue_rules.expires_at} s ago",
            claims,
        )
    if superseded and beneficiary not in ("holder", "companion"):
        return refuse("superseded", SUPERSEDED_REFUSAL, claims)
    try:
        person, name = _person(claims, beneficiary, holder_present)
        answer = decide(
            bundle.venue_index,
            claims,
            service,
            person,
            business_date(at),
            venue_city or str(claims.scheme),
        )
    except ServiceError as e:
        return refuse("service_not_granted", f"cannot decide {service!r}: {e.code}: {e}", claims)
    return _result(
        answer.granted,
        "ok" if answer.granted else "service_not_granted",
        _said(answer) + (f"; {SUPERSEDED}" if superseded else ""),
        claims,
        age,
        ", ".join(answer.rules) or None,
        requires=answer.requires,
        beneficiary_name=name,
        superseded=superseded,
    )


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


def _unavailable(bundle: Bundle, uri: str) -> str:
    problem = bundle.problem_with(uri)
    if problem:
        return f"status list {uri} ({problem.file}) is unusable: {problem.problem}"
    parsed = parse_status_uri(uri)
    where = f" ({status_file_name(*parsed)})" if parsed else ""
    return f"the bundle has no status list {uri}{where}"


def _person(
    claims: CardClaims, beneficiary: str, holder_present: bool | None
) -> tuple[Person, str | None]:
    """The person asked for, from the credential: the holder, a companion, or one of the
    family members it names (by relation when there is one such, else ``family:N``)."""
    if beneficiary in ("holder", "companion"):
        return Person(kind=beneficiary, holder_present=holder_present), None
    family = claims.family
    if beneficiary.startswith("family:"):
        number = beneficiary.removeprefix("family:")
        if not number.isdigit() or not 1 <= int(number) <= len(family):
            raise ServiceError(
                "unknown_beneficiary",
                f"the credential names {len(family)} family member(s); {beneficiary} is none",
            )
        member = family[int(number) - 1]
    else:
        matching = [m for m in family if m.relation == beneficiary]
        if len(matching) != 1:
            several = f"{len(matching)} of them: say family:N" if matching else "none"
            raise ServiceError(
                "unknown_beneficiary", f"the credential names {several} as {beneficiary!r}"
            )
        member = matching[0]
    person = Person(
        kind=str(member.relation),
        minor_until=member.minor_until,
        marriage_age_until=member.marriage_age_until,
        age_from=dict(member.age_from),
        holder_present=holder_present,
    )
    return person, member.name


def _said(answer: Answer) -> str:
    """The answer for the venue: why, what exactly, and what it must still see."""
    text = answer.reason + (f" ({answer.detail})" if answer.detail else "")
    if answer.granted and answer.requires:
        text += "; the venue must still see: " + "; ".join(answer.requires)
    return text


def _result(
    valid: bool,
    reason: str,
    detail: str,
    claims: CardClaims | None,
    age: int,
    rule: str | None = None,
    *,
    requires: tuple[str, ...] = (),
    beneficiary_name: str | None = None,
    superseded: bool,
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
        requires=requires,
        beneficiary_name=beneficiary_name,
        binding_salt=claims.binding_salt if claims else None,
        binding=claims.binding if claims else None,
        superseded=superseded,
    )
