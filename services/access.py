"""Who may reach a card, and commands done once: the bounds every application service puts
around a command on behalf of an authenticated user.

- Jurisdiction (``domain.jurisdiction``): a card outside the caller's is answered exactly
  as a card that does not exist; a role that reads no files is refused as a role.
- Idempotency: a command sent with an idempotency key saves a receipt in the same
  transaction as its events (``domain.receipt``); the same key again returns the first
  outcome without deciding anything, whether it comes after a restart, to another worker,
  or while the first is still being saved (the store lets one of the two receipts in, and
  whatever refusal the other meets, the first outcome is its answer).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar
from uuid import UUID

import msgspec

from domain.card import Card
from domain.errors import DomainError, InvalidInput
from domain.jurisdiction import check_reads_files, scope_of, sees, sees_personal_data
from domain.receipt import CommandReceipt, Outcome, receipt_id
from domain.user import Principal
from domain.values import Context
from ledger import commands as c
from ledger.app import CardLedger
from ledger.errors import CardNotFound
from ledger.scope import CommandScope

__all__ = [
    "Access",
    "Idempotency",
    "IdempotencyKeyReused",
    "Outcome",
    "Principal",
    "acting",
    "not_found",
]

IDEMPOTENCY_KEY_MAX = 200  # characters; a UUID is 36

B = TypeVar("B", bound=msgspec.Struct)


class IdempotencyKeyReused(DomainError):
    """The key was used before for a different request (422)."""

    code = "idempotency_key_reused"


class Idempotency(msgspec.Struct, frozen=True, kw_only=True):
    """A caller's idempotency key and the fingerprint of the request it was sent with
    (what was asked of what: a retry must ask the same)."""

    key: str
    fingerprint: str

    @classmethod
    def of(cls, key: str, *parts: bytes | str) -> Idempotency:
        """The key with the fingerprint of the request's parts (method, path, body)."""
        if not 1 <= len(key) <= IDEMPOTENCY_KEY_MAX or not key.isprintable():
            raise InvalidInput(
                f"Idempotency-Key must be 1 to {IDEMPOTENCY_KEY_MAX} printable characters"
            )
        digest = hashlib.sha256()
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big") + data)
        return cls(key=key, fingerprint=digest.hexdigest())


def acting(request: c.Request, body_type: type[B], who: Principal, **extra: object) -> B:
    """The ledger's command: the caller's request with the authenticated user acting."""
    fields: dict[str, object] = {f: getattr(request, f) for f in request.__struct_fields__}
    fields.update(extra, actor=who.name, role=who.role)
    return body_type(**fields)


def not_found(card_id: UUID) -> CardNotFound:
    """The answer for a card the caller may not see: the same as for no card at all."""
    return CardNotFound(f"no card with id {card_id}")


class Access:
    """Jurisdiction checks and idempotent command runs over one ledger."""

    def __init__(self, ledger: CardLedger) -> None:
        self._ledger = ledger

    def check_sees(self, who: Principal, card: Card) -> None:
        """Refuse a role that reads no files (403); hide a card outside the caller's
        jurisdiction (404)."""
        check_reads_files(who)
        if not sees(who, scope_of(card)):
            raise not_found(card.id)

    def card(self, who: Principal, card_id: UUID, version: int | None = None) -> Card:
        """The card, if the caller may see it."""
        check_reads_files(who)
        card = self._ledger.get_card(card_id, version=version)
        self.check_sees(who, card)
        return card

    def reads(self, who: Principal, card: Card) -> bool:
        """Whether a card a command names but does not act on exists for ``who``: one in
        its jurisdiction whose file it may read (a venue, which sees a card's public face
        only, may not learn whose it is)."""
        return sees_personal_data(who) and sees(who, scope_of(card))

    def run(
        self,
        who: Principal,
        idempotency: Idempotency | None,
        command: Callable[[CommandScope], Outcome],
        *,
        bounds: CommandScope | None = None,
    ) -> Outcome:
        """Run ``command`` within the caller's jurisdiction (``bounds``' checks, default:
        the caller must see the card), once per idempotency key."""
        check_reads_files(who)
        if idempotency is not None:
            idempotency = self._keyed(idempotency)
        if idempotency is not None and (done := self._receipt(who, idempotency)) is not None:
            return done

        def receipt(ctx: Context, outcome: Outcome) -> CommandReceipt:
            assert idempotency is not None
            return CommandReceipt(
                ctx=ctx,
                user_id=who.user_id,
                key=idempotency.key,
                fingerprint=idempotency.fingerprint,
                outcome=outcome,
            )

        scope = replace(
            bounds or CommandScope(guard=lambda card: self.check_sees(who, card)),
            receipt=receipt if idempotency is not None else None,
        )
        try:
            return command(scope)
        except DomainError:
            # The same request, sent twice at once, may have lost to itself: at the store
            # (a conflict), or by being decided on the state the winner left (a card
            # already suspended, a person whose reservation the winner's card now holds,
            # issue 23). Either way the winner's receipt is there, and it is the answer.
            if idempotency is not None and (done := self._receipt(who, idempotency)):
                return done
            raise

    def _keyed(self, idempotency: Idempotency) -> Idempotency:
        """The fingerprint as stored: keyed with a secret derived from the registry key.
        A bare SHA-256 of a request would let a copy of the database test guesses of what
        the request held (the ID number passed with a credential, beside a token any venue
        has scanned); keyed, the stored value offers nothing to test them against."""
        keyed = hmac.new(
            self._ledger.derived_secret("idempotency-fingerprint"),
            idempotency.fingerprint.encode(),
            hashlib.sha256,
        ).hexdigest()
        return msgspec.structs.replace(idempotency, fingerprint=keyed)

    def _receipt(self, who: Principal, idempotency: Idempotency) -> Outcome | None:
        found = self._ledger.get_receipt(receipt_id(who.user_id, idempotency.key))
        if found is None:
            return None
        if found.fingerprint != idempotency.fingerprint:
            raise IdempotencyKeyReused(
                f"Idempotency-Key {idempotency.key!r} was used for a different request; "
                "use a new key for a new request"
            )
        return found.outcome
