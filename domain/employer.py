"""The register of employers (用人单位名录): each employer's unified social credit code and
its level — a county's (with its county), a city's, or the province's — kept by
administrators as events.

The level decides where an employer's file starts (shandong-provincial-service-standard
7.1 item 4: 提交至同级高层次人才服务窗口审核), so from the rectified version the filing reads
it from here rather than from what the filer types (RD-2026-91). One aggregate per
employer, keyed by its credit code, so registering the same code twice is one entry.
"""

from __future__ import annotations

import re
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidInput, NotAuthorised
from domain.text import check_text, normalise_name
from domain.user import CITIES
from domain.values import Context
from domain.vocabulary import EmployerLevel, Role

_NAMESPACE = UUID("0c6f1f0e-52a7-4a8e-9c1b-3d7e2b5a9f40")

# GB 32100-2015: 18 characters of digits and capital letters without I, O, Z, S, V.
_CREDIT_CODE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")
# GB/T 2260: a Shandong county-level division is six digits beginning 37, not a city's
# own code (ending 00).
_COUNTY_CODE = re.compile(r"37\d{2}(?!00)\d{2}")
# A reason kept with a level change, as long as any note kept with an event.
REASON_MAX_CHARS = 2_000


def employer_id(credit_code: str) -> UUID:
    """The register entry's id: one per credit code."""
    return uuid5(_NAMESPACE, credit_code)


def check_credit_code(credit_code: str) -> str:
    """The credit code as registered (trimmed, upper case), or a refusal naming it."""
    code = credit_code.strip().upper()
    if not _CREDIT_CODE.fullmatch(code):
        raise InvalidInput(
            "credit code must be a unified social credit code: 18 digits or capital "
            "letters (GB 32100-2015, no I, O, Z, S or V)",
            code="bad_credit_code",
        )
    return code


def check_level(level: EmployerLevel, city: str, county: str) -> tuple[str, str]:
    """The city and county a level names: a county employer names its county (six-digit
    GB/T 2260 code) and city, a city employer its city, a provincial employer neither."""
    city, county = city.strip(), county.strip()
    if level is EmployerLevel.PROVINCE:
        if city or county:
            raise InvalidInput(
                "a provincial employer names no city or county", code="employer_place"
            )
        return "", ""
    if city not in CITIES:
        raise InvalidInput(
            f"a {level} employer names its city, one of {', '.join(CITIES)}",
            code="employer_place",
        )
    if level is EmployerLevel.CITY:
        if county:
            raise InvalidInput("a city employer names no county", code="employer_place")
        return city, ""
    if not _COUNTY_CODE.fullmatch(county):
        raise InvalidInput(
            "a county employer names its county: the six-digit GB/T 2260 code of a "
            "Shandong county or district, e.g. 371502",
            code="employer_place",
        )
    return city, county


class RegisteredEmployer(Aggregate):
    """One employer in the register and its current level."""

    @staticmethod
    def create_id(credit_code: str) -> UUID:
        return employer_id(credit_code)

    @classmethod
    def register(
        cls,
        ctx: Context,
        *,
        credit_code: str,
        name: str,
        level: EmployerLevel,
        city: str,
        county: str,
    ) -> RegisteredEmployer:
        """Register an employer at its level (an administrator's act)."""
        _check_administrator(ctx)
        code = check_credit_code(credit_code)
        clean = normalise_name("name", name)
        if not clean:
            raise InvalidInput("name must not be empty", code="employer_name")
        city, county = check_level(level, city, county)
        return cls(ctx=ctx, credit_code=code, name=clean, level=level, city=city, county=county)

    class Registered(Aggregate.Created):
        """An employer was entered in the register at its level."""

        ctx: Context
        credit_code: str
        name: str
        level: EmployerLevel
        city: str
        county: str

    @event(Registered)
    def __init__(
        self,
        ctx: Context,
        credit_code: str,
        name: str,
        level: EmployerLevel,
        city: str,
        county: str,
    ) -> None:
        self.credit_code = credit_code
        self.name = name
        self.level = level
        self.city = city
        self.county = county
        self.registered_by = ctx.actor

    def same_place(self, level: EmployerLevel, city: str, county: str) -> bool:
        """Whether the entry already has this level, city and county."""
        return (self.level, self.city, self.county) == (level, city.strip(), county.strip())

    def change_level(
        self, ctx: Context, *, level: EmployerLevel, city: str, county: str, reason: str
    ) -> None:
        """Move the employer to another level or place (it was promoted, moved or entered
        wrongly): files filed from now on start at the new level; files already filed
        keep the level they were decided with."""
        _check_administrator(ctx)
        city, county = check_level(level, city, county)
        if not reason.strip():
            raise InvalidInput(
                f"employer {self.credit_code} is registered as a {self.level} employer; "
                "changing its level needs --reason",
                code="level_change_reason",
            )
        check_text("reason", reason, multiline=True)
        if len(reason) > REASON_MAX_CHARS:
            raise InvalidInput(f"reason is longer than {REASON_MAX_CHARS} characters")
        self._level_changed(ctx=ctx, level=level, city=city, county=county, reason=reason)

    class LevelChanged(Aggregate.Event):
        """The employer's level (or its city or county) was changed."""

        ctx: Context
        level: EmployerLevel
        city: str
        county: str
        reason: str

    @event(LevelChanged)
    def _level_changed(
        self, ctx: Context, level: EmployerLevel, city: str, county: str, reason: str
    ) -> None:
        self.level = level
        self.city = city
        self.county = county


def _check_administrator(ctx: Context) -> None:
    if ctx.role is not Role.ADMINISTRATOR:
        raise NotAuthorised(
            f"only an administrator keeps the register of employers, not a {ctx.role}",
            rule="the register of employers is kept by the administrator (RD-2026-91)",
        )
