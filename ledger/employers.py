"""The register of employers' side of the event store: each employer an aggregate in the
same log as cards and users, so the audit trail shows who registered which employer at
which level, and who changed it, when (RD-2026-91)."""

from __future__ import annotations

from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from domain.clock import Clock, as_utc
from domain.employer import (
    REASON_MAX_CHARS,
    RegisteredEmployer,
    check_credit_code,
    employer_id,
)
from domain.errors import InvalidInput
from domain.text import check_text
from domain.values import Context
from domain.vocabulary import EmployerLevel, Role
from ledger.errors import ConcurrencyConflict
from ledger.signed_application import SignedApplication

# Employers are listed by scanning the log for their creation events, as users are: read
# by ``employers list`` now and then, never on a request's path (filing loads one entry).
_PAGE = 1000


class EmployerRegister(SignedApplication):
    """The register of employers' commands and queries over the event store."""

    clock: Clock

    def register_employer(
        self,
        *,
        by: str,
        role: Role,
        credit_code: str,
        name: str,
        level: EmployerLevel,
        city: str,
        county: str,
        reason: str,
    ) -> tuple[RegisteredEmployer, bool]:
        """Register an employer, or change a registered one's level; returns the entry and
        whether anything was recorded (registering it again as it is records nothing)."""
        ctx = self._register_context(by, role, reason)
        found = self.employer(credit_code)
        if found is None:
            entry = RegisteredEmployer.register(
                ctx, credit_code=credit_code, name=name, level=level, city=city, county=county
            )
        elif found.same_place(level, city, county):
            return found, False
        else:
            entry = found
            entry.change_level(ctx, level=level, city=city, county=county, reason=reason)
        self._save_employer(entry)
        return entry, True

    def employer(self, credit_code: str) -> RegisteredEmployer | None:
        """The register's entry for this credit code, if there is one (a malformed code is
        refused by name)."""
        return self.find(employer_id(check_credit_code(credit_code)), RegisteredEmployer)

    def employers(self) -> list[RegisteredEmployer]:
        """Every registered employer, in the order registered."""
        topic = get_topic(RegisteredEmployer.Registered)
        found: list[RegisteredEmployer] = []
        start: int | None = None
        while True:
            page = self.recorder.select_notifications(
                start, _PAGE, topics=[topic], inclusive_of_start=start is None
            )
            for notification in page:
                entry = self.find(notification.originator_id, RegisteredEmployer)  # type: ignore[arg-type]
                if entry is not None:
                    found.append(entry)
            if len(page) < _PAGE:
                return found
            start = page[-1].id

    def _register_context(self, by: str, role: Role, note: str) -> Context:
        # The note is kept with the event whichever command records it: checked as a
        # level change's reason is, so a first registration's is held to the same limits.
        if note:
            check_text("reason", note, multiline=True)
            if len(note) > REASON_MAX_CHARS:
                raise InvalidInput(f"reason is longer than {REASON_MAX_CHARS} characters")
        now = as_utc(self.clock())
        return Context(actor=by, role=role, effective_at=now, recorded_at=now, note=note)

    def _save_employer(self, entry: RegisteredEmployer) -> None:
        try:
            self.save(entry)
        except IntegrityError:
            raise ConcurrencyConflict(
                f"employer {entry.credit_code} changed by another command at the same time; "
                "nothing was written, try again"
            ) from None
