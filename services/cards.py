"""Card commands and queries (申领, 审核, 颁发, 升级, 延期, 暂停, 收回 …).

Commands go to the ledger, which loads the card, lets the domain decide and saves; the
views read the card's own events (``show``, never stale) or the ``card_current`` read
model (``list``, caught up with the log first).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO
from uuid import UUID

import msgspec

from domain.clock import Clock, business_date
from domain.errors import InvalidInput, NotAuthorised
from domain.jurisdiction import (
    FileScope,
    check_files,
    filing_city,
    list_scope,
    scope_of,
    sees_personal_data,
)
from domain.policy import check_filer
from domain.receipt import Outcome
from domain.reservation import AlreadyHoldsCard
from domain.user import Principal
from domain.vocabulary import Role
from ledger import commands as c
from ledger.app import CardLedger
from ledger.card_commands import CardCommand, open_to
from ledger.commands import R
from ledger.filing import filing_scope
from ledger.importing import ImportReport, import_lines
from ledger.limits import MAX_INPUT_BYTES
from ledger.scope import CommandScope
from ledger.views import CardView, PublicCardView, card_view, public_card_view
from services.access import Access, Idempotency, acting
from services.personal_data import record_read
from services.refusals import RefusalLimit
from services.settings import HOLDER_REFUSALS_DEFAULT

if TYPE_CHECKING:
    from projections.card_current import CardPage
    from projections.engine import ReadModels
    from projections.entitlements import Entitlement
    from services.evidence import EvidenceReader

_CURRENT = ("card_current",)
_ENTITLEMENTS = ("entitlements",)


class CardService:
    """Use cases on cards, each on behalf of an authenticated user (``Principal``): the
    user acts in its own role, within its jurisdiction (``services.access``), once per
    idempotency key."""

    def __init__(
        self,
        ledger: CardLedger,
        read_models: Callable[[], ReadModels],
        clock: Clock,
        *,
        holder_refusals_per_hour: int = HOLDER_REFUSALS_DEFAULT,
        evidence: Callable[[], EvidenceReader] | None = None,
    ) -> None:
        self._ledger = ledger
        self._evidence = evidence  # built on first use: only a credential passed needs keys
        self._read_models = read_models  # built on first use: commands need none
        self._clock = clock
        self._access = Access(ledger)
        self._refusals = RefusalLimit(holder_refusals_per_hour, clock)

    def today(self) -> date:
        """Today's business date (Asia/Shanghai)."""
        return business_date(self._clock())

    # ---- commands -------------------------------------------------------------------

    def apply(
        self, who: Principal, request: c.ApplyRequest, *, idempotency: Idempotency | None = None
    ) -> Outcome:
        """File an application as ``who``, within its jurisdiction (a 惠才卡 file passes
        through the filer's city); the new card's id and version."""
        body = acting(request, c.ApplyBody, who, city=filing_city(who))

        def run(scope: CommandScope) -> Outcome:
            # The credential is verified here, after a retry's receipt was looked for: a
            # retry answers as the first did even if the card it showed changed since.
            filed = self._filed_with_evidence(who, body) if request.evidence_credential else body
            card_id, version = self._ledger.apply(filed, scope=scope)
            return Outcome(card_id=card_id, version=version)

        def may_file(file: FileScope) -> None:
            # Decided before the ledger looks up anything the filing names (issue 23):
            # the filer's jurisdiction over the file, then its share of refusals that
            # say a person holds a card (after which every filing of its is a 429).
            check_files(who, file)
            self._refusals.check(who)

        bounds = CommandScope(
            files=may_file,
            guard=lambda card: check_files(who, scope_of(card)),
            reads=lambda card: self._access.reads(who, card),
        )
        try:
            return self._access.run(who, idempotency, run, bounds=bounds)
        except AlreadyHoldsCard:
            self._refusals.record(who)
            raise

    def import_file(self, who: Principal, path: Path) -> ImportReport:
        """Migrate cards with their history from a JSON Lines file, each card all or
        nothing, as the administrator ``who``; the report says what was refused."""
        _check_importer(who)
        try:
            with path.open("rb") as f:
                return import_lines(self._ledger, _capped_lines(f), importer=who.name)
        except OSError as e:
            raise InvalidInput(f"cannot read {path}: {e.strerror}") from None

    def run(
        self,
        who: Principal,
        command: CardCommand[R],
        card_id: UUID,
        request: R,
        *,
        expected: int | None = None,
        idempotency: Idempotency | None = None,
    ) -> Outcome:
        """Run a card command (``ledger.card_commands``) as ``who``: in its own role,
        within its jurisdiction, at most once per idempotency key; ``expected`` makes it
        conditional on the card's version."""
        body = acting(request, command.body, who)
        evidence = bool(getattr(request, "evidence_credential", ""))

        def run(scope: CommandScope) -> Outcome:
            # Verified after a retry's receipt was looked for, as for a filing.
            done = self._with_evidence(who, command, card_id, body) if evidence else body
            version = self._ledger.run(
                command, card_id, done, expected_version=expected, scope=scope
            )
            return Outcome(card_id=card_id, version=version)

        return self._access.run(who, idempotency, run)

    def _filed_with_evidence(self, who: Principal, body: c.ApplyBody) -> c.ApplyBody:
        """The filing with what the registry read from the credential it carries, verified
        offline for the holder filed. Who may file comes first (issue 23): the filer's
        jurisdiction over the file and its role, before the credential is looked at."""
        check_files(who, filing_scope(body))
        day = business_date(self._clock())
        check_filer(body.scheme, body.category.strip(), who.role, body.sponsor.kind, day)
        if self._evidence is None:
            raise InvalidInput("this registry verifies no evidence credential", code="no_keys")
        holder = body.holder
        read = self._evidence().read_for(body.evidence_credential, holder.id_number, holder.id_kind)
        return msgspec.structs.replace(body, credentials=(read,), evidence_credential="")

    def _with_evidence(self, who: Principal, command: CardCommand[R], card_id: UUID, body: R) -> R:
        """The body with what the registry read from the evidence credential it carries,
        verified offline for the card's holder (``services.evidence``); the token and the
        ID number go no further. A card the caller may not see is not found, as always,
        and a role the command refuses is refused by it, before the credential is looked
        at."""
        card = self._access.card(who, card_id)
        if not command.may(card, who.role, self.today()):
            return msgspec.structs.replace(body, evidence_credential="", evidence_holder_id="")
        if self._evidence is None:
            raise InvalidInput("this registry verifies no evidence credential", code="no_keys")
        token = str(getattr(body, "evidence_credential", ""))
        holder_id = str(getattr(body, "evidence_holder_id", ""))
        read = self._evidence().read(card, token, holder_id)
        return msgspec.structs.replace(
            body, credentials=(read,), evidence_credential="", evidence_holder_id=""
        )

    # ---- queries --------------------------------------------------------------------

    def show(self, who: Principal, card_id: UUID, version: int | None = None) -> CardView:
        """The card as of today (or as it was at ``version``) with its history, read from
        its own events (never behind the log), for a user who may read personal data."""
        _check_personal_data(who)
        card = self._access.card(who, card_id)
        if version is not None:
            if not 1 <= version <= card.version:
                raise InvalidInput(
                    f"card {card_id} has versions 1 to {card.version}, not {version}"
                )
            card = self._ledger.get_card(card_id, version=version)
        events = self._ledger.history(card_id)[: card.version]
        record_read(self._ledger, self._clock, who, "card show", [card_id])
        return card_view(card, self.today(), events)

    def view(self, who: Principal, card_id: UUID) -> CardView | PublicCardView:
        """The card as ``who`` may see it: whole, or its public face for a venue."""
        if sees_personal_data(who):
            return self.show(who, card_id)
        return public_card_view(self._access.card(who, card_id), self.today())

    def actions(self, who: Principal, card_id: UUID) -> list[str]:
        """The card commands ``who``'s role may take on the card today, by name
        (``ledger.card_commands``: the role rules), if ``who`` may see the card."""
        card = self._access.card(who, card_id)
        return [command.name for command in open_to(card, who.role, self.today())]

    def actions_now(self, who: Principal, card_id: UUID) -> list[str]:
        """``actions``, less those the card's state does not allow now (an issued card
        is not issued again): what a page offers (``domain.work.applies_now``)."""
        from domain.work import applies_now

        card = self._access.card(who, card_id)
        return [
            command.name
            for command in open_to(card, who.role, self.today())
            if applies_now(card, command.name)
        ]

    def version(self, who: Principal, card_id: UUID) -> int:
        """The card's current version (for ``If-Match``), if ``who`` may see it."""
        return self._access.card(who, card_id).version

    def list_cards(
        self,
        who: Principal,
        *,
        scheme: str | None = None,
        authority: str | None = None,
        status: str | None = None,
        tier: str | None = None,
        sponsor: str | None = None,
        limit: int = 50,
        after: str | None = None,
    ) -> CardPage:
        """One page of the cards ``who`` sees (ordered by id) from the ``card_current``
        read model, caught up with the log first; ``status`` ``expired``/``active`` as of
        today."""
        from projections.card_current import MAX_LIMIT, CardFilter

        within = list_scope(who)
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
        if after is not None:
            after = str(card_uuid(after, "after"))
        read_models = self._read_models()
        read_models.catch_up(_CURRENT)
        where = CardFilter(
            scheme=scheme,
            authority=authority,
            status=status,
            tier=tier,
            sponsor_name=sponsor,
            within=within,
        )
        page = read_models.card_current.list_cards(
            where, as_of=self.today(), limit=limit, after=after
        )
        named = [UUID(r.card_id) for r in page.rows if r.holder_name is not None]
        record_read(self._ledger, self._clock, who, "card list", named)
        return page

    def entitlements(
        self, who: Principal, card_id: UUID, on: date | None = None
    ) -> list[Entitlement]:
        """What the card grants to each of its beneficiaries on a day (default today)."""
        _check_personal_data(who)
        self._access.card(who, card_id)  # a clear "no such card" before an empty answer
        read_models = self._read_models()
        read_models.catch_up(_ENTITLEMENTS)
        answer = read_models.entitlements.entitlements(card_id, on or self.today())
        record_read(self._ledger, self._clock, who, "card entitlements", [card_id])
        return answer

    def check_holder_data(self, who: Principal, card_id: UUID) -> None:
        """Refuse unless ``who`` may read the card's personal data (its credential names
        the holder and the family)."""
        _check_personal_data(who)
        self._access.card(who, card_id)
        record_read(self._ledger, self._clock, who, "card credential", [card_id])

    def import_lines(self, who: Principal, lines: list[bytes]) -> ImportReport:
        """``import_file`` for lines already read (an HTTP body)."""
        _check_importer(who)
        return import_lines(self._ledger, iter(lines), importer=who.name)


def _check_importer(who: Principal) -> None:
    if who.role is not Role.ADMINISTRATOR:
        raise NotAuthorised(
            f"only an administrator imports cards, not a {who.role}",
            rule="card import is the administrator's",
        )


def _check_personal_data(who: Principal) -> None:
    if not sees_personal_data(who):
        raise NotAuthorised(
            f"a {who.role} sees no personal data beyond what the credential shows",
            rule="a venue sees no personal data beyond what the credential shows",
        )


def card_uuid(text: str, field: str) -> UUID:
    """A card id typed by a caller, or InvalidInput naming ``field``."""
    try:
        return UUID(text)
    except ValueError:
        raise InvalidInput(f"{field} {text[:40]!r} is not a card id (a UUID)") from None


def _capped_lines(stream: BinaryIO) -> Iterator[bytes]:
    """The file's lines, each read at most one byte past the input limit: a longer line
    comes out over the limit (and is refused by size, unread) and its rest is skipped, so
    a file with no newlines cannot fill the memory."""
    while line := stream.readline(MAX_INPUT_BYTES + 1):
        if len(line) > MAX_INPUT_BYTES and not line.endswith(b"\n"):
            while (rest := stream.readline(MAX_INPUT_BYTES)) and not rest.endswith(b"\n"):
                pass
        yield line
