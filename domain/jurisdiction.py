"""Jurisdiction (管辖): which card files a user may see and act on, and which of them with
the holder's personal data.

A file belongs to its scheme together with its city and level: a Weihai, Liaocheng or
Jinan card to that city; a 惠才卡 file to the city whose windows it passes through on its
way up (shandong-provincial-service-standard 7.1, 逐级提报: filed at the county or city
window of the employer's city, or at the provincial window for a provincial employer)
and to the province, which reviews and issues every one of them. A file outside a user's
jurisdiction is, to that user, a file that does not exist.

What a role may do on a file it sees is the domain's own business (each command checks
the acting role against the stage, step or article that allows it); this module decides
only what a user can reach.
"""

from __future__ import annotations

from domain.card import Card
from domain.errors import NotAuthorised
from domain.user import PROVINCE, Principal
from domain.values import Value
from domain.vocabulary import Role, Scheme, SponsorKind

# Roles that see a file's public face only: what the card's credential already shows to
# whoever holds it (issue 12: a venue "sees no personal data beyond what the credential
# shows"); they decide from the credential and record use, never read the filing.
PUBLIC_FACE_ROLES = frozenset({Role.VENUE, Role.PAYING_OFFICE})
# Roles that reach no card file at all: the administrator runs users, keys and imports.
NO_FILE_ROLES = frozenset({Role.ADMINISTRATOR})

RULE_NO_FILES = "the administrator manages users, keys and imports, not card files"


class FileScope(Value, frozen=True):
    """What jurisdiction reads of a file: its scheme, the city it passes through (for a
    惠才卡 file; empty for a provincial employer's), its sponsor and who filed it."""

    scheme: Scheme
    city: str
    sponsor_kind: SponsorKind
    sponsor_code: str
    filed_by: str


def scope_of(card: Card) -> FileScope:
    """The card's file as jurisdiction reads it."""
    application = card.application
    return FileScope(
        scheme=application.scheme,
        city=file_city(application.scheme, application.city),
        sponsor_kind=application.sponsor.kind,
        sponsor_code=application.sponsor.credit_code,
        filed_by=card.filed_by,
    )


def file_city(scheme: Scheme, filed_city: str) -> str:
    """The city a file belongs to: a city scheme's own city, or the city a 惠才卡 file was
    filed in (empty: filed at the province)."""
    return filed_city if scheme is Scheme.SHANDONG else str(scheme)


def filing_city(principal: Principal) -> str:
    """The city a new 惠才卡 file filed by ``principal`` passes through: the filer's city,
    or none for a filer at the province (a provincial employer files at the provincial
    window directly, 7.1)."""
    return "" if principal.authority == PROVINCE else principal.authority


def sees(principal: Principal, file: FileScope) -> bool:
    """Whether the file exists for ``principal``."""
    role = principal.role
    if role in NO_FILE_ROLES:
        return False
    if role is Role.APPLICANT:
        return file.filed_by == principal.name
    if role in (Role.EMPLOYER, Role.ENTERPRISE):
        return bool(principal.employer) and file.sponsor_code == principal.employer
    if role in PUBLIC_FACE_ROLES:
        # A venue honours its own city's cards and the 惠才卡 wherever the provincial
        # stacking rule carries it (rule shandong.stacking, policy/data/stacking.toml);
        # whether an item is granted there the domain decides from the card.
        return file.scheme is Scheme.SHANDONG or file.city == principal.authority
    if principal.authority == PROVINCE:
        return role is Role.AUDITOR or file.scheme is Scheme.SHANDONG
    in_city = file.city == principal.authority
    if role is Role.INVESTMENT_DEPARTMENT:
        return in_city and file.sponsor_kind is SponsorKind.INVESTMENT_DEPARTMENT
    return in_city


def sees_personal_data(principal: Principal) -> bool:
    """Whether ``principal`` may read the holder's name, birth date, identity digest and
    family on the files it sees."""
    return principal.role not in PUBLIC_FACE_ROLES and principal.role not in NO_FILE_ROLES


def check_reads_files(principal: Principal) -> None:
    """Refuse a role that reaches no card file at all (403, not 404: the refusal is of
    the role's action, not of one file)."""
    if principal.role in NO_FILE_ROLES:
        raise NotAuthorised(f"a {principal.role} reads no card files", rule=RULE_NO_FILES)


def check_files(principal: Principal, file: FileScope) -> None:
    """Refuse a new filing outside the filer's own jurisdiction: a Jinan employer files
    Jinan and 惠才卡 files, not Weihai ones; an organisation files for itself only."""
    check_reads_files(principal)
    if principal.role in (Role.EMPLOYER, Role.ENTERPRISE) and (
        file.sponsor_code != principal.employer
    ):
        raise NotAuthorised(
            f"a {principal.role} files for its own organisation ({principal.employer}), "
            f"not for {file.sponsor_code or 'no organisation'}: name it as the sponsor's "
            "credit_code",
            rule="an organisation's commissioner files its own applicants (单位专员)",
        )
    city_ok = file.scheme is Scheme.SHANDONG or principal.authority in (PROVINCE, file.city)
    if not city_ok or not sees(principal, file):
        raise NotAuthorised(
            f"a {principal.role} of {principal.authority} cannot file a {file.scheme} card",
            rule="a file belongs to its scheme, city and level (jurisdiction)",
        )


class ListScope(Value, frozen=True):
    """The files a user may list, as conditions every listed file meets (None: any):
    ``sees`` written as a filter a read model can apply to a table."""

    scheme: Scheme | None = None
    city: str | None = None
    sponsor_kind: SponsorKind | None = None
    sponsor_code: str | None = None
    filed_by: str | None = None


def list_scope(principal: Principal) -> ListScope:
    """The filter of the files ``principal`` sees; refused for a role that lists none
    (the administrator) or sees only a card's public face (venues, paying offices: a list
    names the holders)."""
    check_reads_files(principal)
    role = principal.role
    if role in PUBLIC_FACE_ROLES:
        raise NotAuthorised(
            f"a {role} checks one card at a time from its credential and lists no files",
            rule="a venue sees no personal data beyond what the credential shows",
        )
    if role is Role.APPLICANT:
        return ListScope(filed_by=principal.name)
    if role in (Role.EMPLOYER, Role.ENTERPRISE):
        return ListScope(sponsor_code=principal.employer or "\x00")
    if principal.authority == PROVINCE:
        return ListScope() if role is Role.AUDITOR else ListScope(scheme=Scheme.SHANDONG)
    if role is Role.INVESTMENT_DEPARTMENT:
        return ListScope(city=principal.authority, sponsor_kind=SponsorKind.INVESTMENT_DEPARTMENT)
    return ListScope(city=principal.authority)


def in_scope(scope: ListScope, file: FileScope) -> bool:
    """Whether the file meets the list filter (what the read model's query computes)."""
    return (
        (scope.scheme is None or file.scheme is scope.scheme)
        and (scope.city is None or file.city == scope.city)
        and (scope.sponsor_kind is None or file.sponsor_kind is scope.sponsor_kind)
        and (scope.sponsor_code is None or file.sponsor_code == scope.sponsor_code)
        and (scope.filed_by is None or file.filed_by == scope.filed_by)
    )


# Roles that read the registry's reports (counts, the issuance deadline report, the audit
# trail): its officials. Filers, holders, venues and the administrator do not.
REPORT_ROLES = frozenset(
    {
        Role.COUNTY_WINDOW,
        Role.CITY_WINDOW,
        Role.DISTRICT,
        Role.TALENT_INSTITUTE,
        Role.CITY_HRSS,
        Role.TALENT_OFFICE,
        Role.EXPERT_PANEL,
        Role.PROVINCIAL_WINDOW,
        Role.PROGRAMME_AUTHORITY,
        Role.AUDITOR,
    }
)


def check_reads_reports(principal: Principal, *, audit: bool = False) -> None:
    """Refuse a role that reads no reports; the audit trail is the auditor's alone."""
    allowed = principal.role is Role.AUDITOR if audit else principal.role in REPORT_ROLES
    if not allowed:
        what = "the audit trail" if audit else "the registry's reports"
        raise NotAuthorised(
            f"a {principal.role} does not read {what}",
            rule="the auditor reads the audit trail"
            if audit
            else "reports are for the registry's officials",
        )


def report_authority(principal: Principal) -> str | None:
    """The issuing authority whose files a report shows ``principal`` (None: every
    authority's, for the provincial auditor): the province's officials see the 惠才卡
    files, a city's see the city's own cards."""
    if principal.authority == PROVINCE:
        return None if principal.role is Role.AUDITOR else str(Scheme.SHANDONG)
    return principal.authority


RULE_LOG_EXPORT = (
    "the whole log is exported by the provincial auditor or the administrator (issue 13): "
    "it spans every authority's files"
)


def check_exports_log(principal: Principal) -> None:
    """Refuse anyone but the provincial auditor and the administrator an export of the
    whole log (every authority's files, and with the personal part unless redacted)."""
    if principal.role is Role.ADMINISTRATOR:
        return
    if principal.role is Role.AUDITOR and principal.authority == PROVINCE:
        return
    raise NotAuthorised(
        f"a {principal.role} of {principal.authority} does not export the whole log",
        rule=RULE_LOG_EXPORT,
    )
