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

from domain.clock import Clock, business_date
from domain.errors import InvalidInput
from ledger import commands as c
from ledger.app import CardLedger
from ledger.importing import ImportReport, import_lines
from ledger.limits import MAX_INPUT_BYTES
from ledger.views import CardView, PublicCardView, card_view, public_card_view

if TYPE_CHECKING:
    from projections.card_current import CardPage
    from projections.engine import ReadModels
    from projections.entitlements import Entitlement

_CURRENT = ("card_current",)
_ENTITLEMENTS = ("entitlements",)


class CardService:
    """Use cases on cards."""

    def __init__(
        self, ledger: CardLedger, read_models: Callable[[], ReadModels], clock: Clock
    ) -> None:
        self._ledger = ledger
        self._read_models = read_models  # built on first use: commands need none
        self._clock = clock

    def today(self) -> date:
        """Today's business date (Asia/Shanghai)."""
        return business_date(self._clock())

    # ---- commands -------------------------------------------------------------------

    def apply(self, body: c.ApplyBody) -> tuple[UUID, int]:
        """File an application; the new card's id and version."""
        return self._ledger.apply(body)

    def review(self, card_id: UUID, body: c.ReviewBody, expected: int | None = None) -> int:
        """Record a review decision."""
        return self._ledger.record_review(card_id, body, expected_version=expected)

    def issue(self, card_id: UUID, body: c.IssueBody, expected: int | None = None) -> int:
        """Issue the card."""
        return self._ledger.issue(card_id, body, expected_version=expected)

    def upgrade(self, card_id: UUID, body: c.UpgradeBody, expected: int | None = None) -> int:
        """Upgrade the card's tier."""
        return self._ledger.upgrade(card_id, body, expected_version=expected)

    def request_upgrade(
        self, card_id: UUID, body: c.UpgradeRequestBody, expected: int | None = None
    ) -> int:
        """Ask for a higher category on the card; its route's reviews follow."""
        return self._ledger.request_upgrade(card_id, body, expected_version=expected)

    def extend(self, card_id: UUID, body: c.ExtendBody, expected: int | None = None) -> int:
        """Extend the card's term."""
        return self._ledger.extend(card_id, body, expected_version=expected)

    def suspend(self, card_id: UUID, body: c.StatusBody, expected: int | None = None) -> int:
        """Suspend the card."""
        return self._ledger.suspend(card_id, body, expected_version=expected)

    def reinstate(self, card_id: UUID, body: c.StatusBody, expected: int | None = None) -> int:
        """Reinstate a suspended card."""
        return self._ledger.reinstate(card_id, body, expected_version=expected)

    def propose_revocation(
        self, card_id: UUID, body: c.RevocationProposeBody, expected: int | None = None
    ) -> int:
        """Propose revoking the card."""
        return self._ledger.propose_revocation(card_id, body, expected_version=expected)

    def approve_revocation(
        self, card_id: UUID, body: c.RevocationApproveBody, expected: int | None = None
    ) -> int:
        """Approve the open revocation proposal's next step."""
        return self._ledger.approve_revocation(card_id, body, expected_version=expected)

    def decline_revocation(
        self, card_id: UUID, body: c.RevocationDeclineBody, expected: int | None = None
    ) -> int:
        """Decline the open revocation proposal."""
        return self._ledger.decline_revocation(card_id, body, expected_version=expected)

    def receive(self, card_id: UUID, body: c.ReceiveBody, expected: int | None = None) -> int:
        """A window records that it has the file (its issuance clock may start)."""
        return self._ledger.receive(card_id, body, expected_version=expected)

    def confirm_contract(
        self, card_id: UUID, body: c.ContractBody, expected: int | None = None
    ) -> int:
        """Record the employment contract's confirmation (its clock may start)."""
        return self._ledger.confirm_contract(card_id, body, expected_version=expected)

    def import_file(self, path: Path, *, importer: str) -> ImportReport:
        """Migrate cards with their history from a JSON Lines file, each card all or
        nothing, as the administrator ``importer``; the report says what was refused."""
        try:
            with path.open("rb") as f:
                return import_lines(self._ledger, _capped_lines(f), importer=importer)
        except OSError as e:
            raise InvalidInput(f"cannot read {path}: {e.strerror}") from None

    def withdraw(self, card_id: UUID, body: c.WithdrawBody, expected: int | None = None) -> int:
        """Withdraw an application."""
        return self._ledger.withdraw(card_id, body, expected_version=expected)

    # ---- queries --------------------------------------------------------------------

    def show(self, card_id: UUID, version: int | None = None) -> CardView:
        """The card as of today (or as it was at ``version``) with its history, read from
        its own events: never behind the log."""
        card = self._ledger.get_card(card_id, version=version)
        if version is not None and card.version != version:
            raise InvalidInput(f"card {card_id} has versions 1 to {card.version}, not {version}")
        events = self._ledger.history(card_id)[: card.version]
        return card_view(card, self.today(), events)

    def list_cards(
        self,
        *,
        scheme: str | None = None,
        authority: str | None = None,
        status: str | None = None,
        tier: str | None = None,
        sponsor: str | None = None,
        limit: int = 50,
        after: str | None = None,
    ) -> CardPage:
        """One page of cards (ordered by id) from the ``card_current`` read model, caught
        up with the log first; ``status`` ``expired``/``active`` as of today."""
        from projections.card_current import MAX_LIMIT, CardFilter

        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
        if after is not None:
            after = str(card_uuid(after, "after"))
        read_models = self._read_models()
        read_models.catch_up(_CURRENT)
        where = CardFilter(
            scheme=scheme, authority=authority, status=status, tier=tier, sponsor_name=sponsor
        )
        return read_models.card_current.list_cards(
            where, as_of=self.today(), limit=limit, after=after
        )

    def entitlements(self, card_id: UUID, on: date | None = None) -> list[Entitlement]:
        """What the card grants to each of its beneficiaries on a day (default today)."""
        read_models = self._read_models()
        read_models.catch_up(_ENTITLEMENTS)
        self._ledger.get_card(card_id)  # a clear "no such card" before an empty answer
        return read_models.entitlements.entitlements(card_id, on or self.today())

    def public_view(self, card_id: UUID) -> PublicCardView:
        """What the card's QR code already shows, as of today."""
        return public_card_view(self._ledger.get_card(card_id), self.today())


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
