"""The register of employers (用人单位名录): administrators register each employer's
unified social credit code at its level (county with its county, city, province), over
HTTP (``/employers``) or on the server host (``talentcard employers``); a 惠才卡 file's
review path then starts at the level registered for the employer it names
(shandong-provincial-service-standard 7.1 item 4, RD-2026-91). Existing employers are
not placed from their users: an administrator registers each one (RD-2026-92), and
``unregistered`` lists the credit codes employer users are bound to that are not yet
registered."""

from __future__ import annotations

import builtins
from datetime import date

import msgspec

from domain.clock import business_date
from domain.employer import RegisteredEmployer
from domain.errors import NotAuthorised
from domain.policy import filer_roles, level_rule
from domain.user import ORGANISATION_ROLES, Principal
from domain.vocabulary import EmployerLevel, Role, Scheme
from ledger.app import CardLedger
from services.users import host_administrator

# Who reads the register: the administrator who keeps it, and the auditor, who reads
# everything (who could file at which level is part of the audit).
_READERS = frozenset({Role.ADMINISTRATOR, Role.AUDITOR})


class EmployerRecord(msgspec.Struct, frozen=True, kw_only=True):
    """An employer as the register holds it."""

    credit_code: str
    name: str
    level: EmployerLevel
    city: str
    county: str
    registered_by: str


class EmployerRegistration(msgspec.Struct, frozen=True, kw_only=True):
    """The answer to a registration: the entry, and whether it recorded anything
    (registering an employer again at the level it has records nothing)."""

    employer: EmployerRecord
    recorded: bool


class EmployerService:
    """Use cases on the register of employers."""

    def __init__(self, ledger: CardLedger) -> None:
        self._ledger = ledger

    def register(
        self,
        by: Principal | None,
        *,
        credit_code: str,
        name: str,
        level: EmployerLevel,
        city: str = "",
        county: str = "",
        reason: str = "",
    ) -> EmployerRegistration:
        """Register an employer at its level, or change a registered one's level (with
        its reason). ``by``: the administrator acting, or None on the server host."""
        if by is not None and by.role is not Role.ADMINISTRATOR:
            raise NotAuthorised(
                f"only an administrator keeps the register of employers, not a {by.role}",
                rule="the register of employers is kept by the administrator (RD-2026-91)",
            )
        actor, role = (
            (host_administrator(), Role.ADMINISTRATOR) if by is None else (by.name, by.role)
        )
        entry, recorded = self._ledger.register_employer(
            by=actor,
            role=role,
            credit_code=credit_code,
            name=name,
            level=level,
            city=city,
            county=county,
            reason=reason,
        )
        return EmployerRegistration(employer=_record(entry), recorded=recorded)

    def list(self, by: Principal | None = None) -> list[EmployerRecord]:
        """Every registered employer, in the order registered."""
        _check_reads(by)
        return [_record(e) for e in self._ledger.employers()]

    def unregistered(self, by: Principal | None = None) -> builtins.list[str]:
        """The credit codes enabled organisation users are bound to that the register does
        not hold, sorted: the employers an administrator still has to register before they
        file (RD-2026-92). Only users of a role that files where a level rule reads the
        register today (the 惠才卡's commissioner, an employer user): a Weihai 2023
        enterprise files no such card and is never asked for."""
        _check_reads(by)
        registered = {e.credit_code for e in self._ledger.employers()}
        filers = _register_filers(business_date(self._ledger.clock()))
        bound = {
            u.employer.strip().upper()
            for u in self._ledger.users()
            if u.role in filers and not u.disabled and u.employer
        }
        return sorted(bound - registered)


def _register_filers(day: date) -> frozenset[Role]:
    """The organisation roles that file, on ``day``, a scheme whose level rule reads the
    register of employers."""
    found: set[Role] = set()
    for scheme in Scheme:
        rule = level_rule(scheme, day)
        if rule is not None and rule.from_register:
            roles = filer_roles(scheme, day)
            found |= ORGANISATION_ROLES if roles is None else roles & ORGANISATION_ROLES
    return frozenset(found)


def _check_reads(by: Principal | None) -> None:
    if by is not None and by.role not in _READERS:
        raise NotAuthorised(
            "the register of employers is read by the administrator and the auditor, "
            f"not a {by.role}",
            rule="the register of employers is kept by the administrator (RD-2026-91)",
        )


def _record(entry: RegisteredEmployer) -> EmployerRecord:
    return EmployerRecord(
        credit_code=entry.credit_code,
        name=entry.name,
        level=entry.level,
        city=entry.city,
        county=entry.county,
        registered_by=entry.registered_by,
    )
