"""Card import (迁移): one card with its history, every command decided by the same rules
as a live one at its effective instant, all saved in one transaction or none."""

from __future__ import annotations

from uuid import UUID

from domain.errors import DomainError, InvalidInput
from ledger.app_filing import Filing
from ledger.card_commands import APPLY, CHANGES, ImportRecord
from ledger.commands import ApplyBody, acting_of
from ledger.errors import ConcurrencyConflict


class Importing(Filing):
    """The ledger's import of one card."""

    def import_card(self, record: ImportRecord, *, importer: str) -> tuple[UUID, int]:
        """Import one card with its history (``card import``): every command decided by
        the same rules as a live one, at its effective instant (the administrator
        ``importer`` may back-date; each command acts in its body's role, the body's actor
        kept as ``original_actor``), the card, its reservation and its quota place built
        in memory and saved in one transaction. Any refused command writes nothing:
        ImportRefused names the command's index and the domain error."""
        importer = importer.strip()
        if not importer:
            raise InvalidInput("the importing administrator's user name must not be empty")
        first = record.commands[0]
        try:
            if first.command is not APPLY:
                raise InvalidInput(
                    f"an imported card's first command is apply, not {first.command.name!r}",
                    code="import_must_start_with_apply",
                )
            apply_body = first.acting()
            if getattr(apply_body, "credentials", ()) or getattr(
                apply_body, "evidence_credential", ""
            ):
                # What a credential showed is read by the registry at a live filing only.
                raise InvalidInput(
                    "an imported application cannot carry a credential as evidence",
                    code="evidence_not_importable",
                )
            assert isinstance(apply_body, ApplyBody)
            card, reservation, quota = self._file(apply_body, importer)
        except DomainError as e:
            raise ImportRefused(0, e) from None
        for index, command in enumerate(record.commands[1:], start=1):
            try:
                if command.command is APPLY:
                    raise InvalidInput(
                        "command 'apply' cannot follow apply "
                        f"(one of: {', '.join(c.name for c in CHANGES)})",
                        code="unknown_command",
                    )
                body = command.acting()
                if getattr(body, "credentials", ()) or getattr(body, "evidence_credential", ""):
                    # Evidence is what the registry read from a credential it verified at a
                    # live issue; an import line could only claim it.
                    raise InvalidInput(
                        "an imported issue cannot carry a credential as evidence",
                        code="evidence_not_importable",
                    )
                ctx = self._context(
                    acting_of(body),
                    card.application.scheme,
                    card.last_effective_at,
                    importer=importer,
                )
                command.command.run(card, ctx, body)
                quota = self._release_quota_of_closed(card, ctx, quota) or quota
            except DomainError as e:
                raise ImportRefused(index, e) from None
        try:
            self._save(card, reservation, quota)
        except ConcurrencyConflict as e:
            raise ImportRefused(len(record.commands) - 1, e) from None
        return card.id, card.version


class ImportRefused(DomainError):
    """A command of an imported card was refused: nothing of the card was written.
    ``command_index`` is the command's 0-based position; ``error`` the domain's refusal."""

    def __init__(self, command_index: int, error: DomainError) -> None:
        super().__init__(error.message, code=error.code, rule=error.rule)
        self.command_index = command_index
        self.error = error
