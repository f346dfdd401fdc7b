"""The administrator's and the officials' routes: users and their keys, card import,
quotas, statistics and the issuance deadline report, the audit trail, the projections.
Every refusal is the services' (an administrator manages users; the auditor reads the
trail; officials read reports within their authority)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.openapi.spec import (
    Example,
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)
from litestar.params import Body, FromPath, FromQuery, Parameter, RawBody

from api.examples import example_body
from api.http_support import log_position, registry_of, text_query
from api.problems import READ_ERRORS, WRITE_ERRORS, problem_responses
from domain.errors import InvalidInput
from domain.vocabulary import EmployerLevel, Role, Scheme
from ledger import commands as c
from ledger.limits import CreditCode, Name, Note
from services.access import Principal
from services.answers import (
    AuditRow,
    EmployerRecord,
    EmployerRegistration,
    FileDeadline,
    ImportReport,
    IssuedKey,
    ProjectionStatus,
    QuotaState,
    UserRecord,
)

_ADMIN_READ: dict[str, Any] = {
    "sync_to_thread": True,
    "tags": ["administration"],
    "responses": problem_responses(*READ_ERRORS),
}
_ADMIN_WRITE: dict[str, Any] = {**_ADMIN_READ, "responses": problem_responses(*WRITE_ERRORS)}
_REPORTS_READ: dict[str, Any] = {**_ADMIN_READ, "tags": ["reports"]}
_REPORTS_WRITE: dict[str, Any] = {**_ADMIN_WRITE, "tags": ["reports"]}
# A card import may be large (its own limits cap each line and the number of lines).
IMPORT_MAX_BYTES = 16 * 1024 * 1024


class UserIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A user to add: its name, role, authority (``province`` or a city) and, for an
    employer's commissioner or an enterprise, its organisation's credit code."""

    name: Name
    role: Role
    authority: Annotated[str, msgspec.Meta(max_length=20)]
    employer: CreditCode = ""


class EmployerIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An employer to register at its level (RD-2026-91): its credit code and name, a
    county or city employer's city, a county employer's GB/T 2260 county code; a change
    of a registered employer's level gives its reason."""

    credit_code: CreditCode
    name: Name = ""
    level: EmployerLevel
    city: Annotated[str, msgspec.Meta(max_length=20)] = ""
    county: Annotated[str, msgspec.Meta(max_length=6)] = ""
    reason: Note = ""


class DisableIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Why the user is disabled."""

    reason: Note = ""


class TrailPage(msgspec.Struct, frozen=True, kw_only=True):
    """One page of the audit trail and the cursor of the next (None: no more)."""

    rows: list[AuditRow]
    next_after: int | None


@get("/users", **_ADMIN_READ)
def list_users(state: State, who: NamedDependency[Principal]) -> list[UserRecord]:
    """Every user (never a key or its hash): for the administrator and the provincial
    auditor; a city's auditor sees its own authority's users."""
    return registry_of(state).users.list(who)


@post("/users", status_code=201, **_ADMIN_WRITE)
def add_user(
    state: State,
    who: NamedDependency[Principal],
    data: Annotated[
        UserIn,
        Body(
            examples=[
                Example(
                    summary="a Weihai city HRSS clerk",
                    value={"name": "zhang.hrss", "role": "city_hrss", "authority": "weihai"},
                )
            ]
        ),
    ],
) -> IssuedKey:
    """Add a user; its API key is in this answer and nowhere else, ever."""
    return registry_of(state).users.add(
        who, name=data.name, role=data.role, authority=data.authority, employer=data.employer
    )


@get("/employers", **_ADMIN_READ)
def list_employers(state: State, who: NamedDependency[Principal]) -> list[EmployerRecord]:
    """Every registered employer and its level (the administrator and the auditor)."""
    return registry_of(state).employers.list(who)


@post("/employers", status_code=200, **_ADMIN_WRITE)
def register_employer(
    state: State,
    who: NamedDependency[Principal],
    data: Annotated[
        EmployerIn,
        Body(
            examples=[
                Example(
                    summary="a Liaocheng county employer",
                    value={
                        "credit_code": "91371500MA3C0000X1",
                        "name": "聊城某某科技有限公司",
                        "level": "county",
                        "city": "liaocheng",
                        "county": "371502",
                    },
                )
            ]
        ),
    ],
) -> EmployerRegistration:
    """Register an employer at its level, or change a registered one's level (with its
    reason); registering it again as it is records nothing (``recorded`` false)."""
    return registry_of(state).employers.register(
        who,
        credit_code=data.credit_code,
        name=data.name,
        level=data.level,
        city=data.city,
        county=data.county,
        reason=data.reason,
    )


@post("/users/{name:str}/disable", status_code=200, **_ADMIN_WRITE)
def disable_user(
    state: State,
    who: NamedDependency[Principal],
    name: FromPath[str],
    data: Annotated[
        DisableIn,
        Body(examples=[Example(summary="a clerk who left", value={"reason": "left the bureau"})]),
    ],
) -> UserRecord:
    """Disable a user for good; its key stops working at once."""
    return registry_of(state).users.disable(who, name, data.reason)


@post("/users/{name:str}/key", status_code=200, **_ADMIN_WRITE)
def rotate_key(state: State, who: NamedDependency[Principal], name: FromPath[str]) -> IssuedKey:
    """Give a user a new key (shown in this answer only); the old one stops working."""
    return registry_of(state).users.rotate_key(who, name)


# One card of a JSON Lines import: the source's ref and its commands, each with the
# instant it took effect and its body (the CLI's --json command, with the source's actor).
IMPORT_EXAMPLE = (
    msgspec.json.encode(
        {
            "ref": "WH-2020-0007",
            "commands": [
                {
                    "command": "apply",
                    "effective_at": "2020-06-01T09:00:00+08:00",
                    "body": {
                        "actor": "wang.employer",
                        "role": "employer",
                        "scheme": "weihai",
                        "category": "2",
                        "facts": {"selected_yingcai_programme": True},
                        "holder": {
                            "name": "孙立新",
                            "id_number": "371007198107230013",
                            "date_of_birth": "1981-07-23",
                        },
                        "sponsor": {"kind": "employer", "name": "威海市立医院"},
                        "evidence": ["doc://platform-certificate/1"],
                    },
                },
                {
                    "command": "issue",
                    "effective_at": "2020-06-03T09:00:00+08:00",
                    "body": {"actor": "liu.hrss", "role": "city_hrss"},
                },
            ],
        }
    ).decode()
    + "\n"
)
JSON_LINES = "application/jsonl"


@dataclass
class _JsonLinesBody(Operation):
    """The import's body is JSON Lines, read as raw bytes (``body``): litestar would
    decode a ``data`` body as one JSON document, which a file of several lines is not,
    so the document describes it here."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            description="one card per line: its ref and its commands in order",
            content={
                JSON_LINES: OpenAPIMediaType(
                    schema=Schema(type=OpenAPIType.STRING),
                    examples={
                        "one card": Example(summary="a Weihai card of 2020", value=IMPORT_EXAMPLE)
                    },
                )
            },
        )


@post(
    "/imports",
    media_type="application/json",
    request_max_body_size=IMPORT_MAX_BYTES,
    status_code=200,
    operation_class=_JsonLinesBody,
    **_ADMIN_WRITE,
)
def import_cards(state: State, who: NamedDependency[Principal], body: RawBody) -> ImportReport:
    """Migrate cards with their history from JSON Lines (``application/jsonl``, one card
    per line), each card all or nothing; the report says which were refused and why."""
    return registry_of(state).cards.import_lines(who, body.splitlines())


@get("/quotas", **_REPORTS_READ)
def show_quota(
    state: State,
    who: NamedDependency[Principal],
    scheme: FromQuery[Scheme],
    category: Annotated[str, text_query(40)],
    project_id: Annotated[str, text_query(80)] = "",
    enterprise_id: Annotated[str, text_query(80)] = "",
) -> QuotaState:
    """The quota a card of this category and project or enterprise is counted against."""
    return registry_of(state).quotas.show(who, scheme, category, project_id, enterprise_id)


@post("/quotas/raises", status_code=200, **_REPORTS_WRITE)
def raise_quota(
    state: State,
    who: NamedDependency[Principal],
    data: Annotated[c.QuotaRaiseRequest, example_body(c.QuotaRaiseRequest)],
) -> QuotaState:
    """Record the talent office's case-by-case decision raising a quota (一事一议)."""
    return registry_of(state).quotas.raise_limit(who, data)


@get("/statistics", **_REPORTS_READ)
def statistics(
    state: State,
    who: NamedDependency[Principal],
    by: Annotated[str, text_query(40)] = "scheme",
    as_of: FromQuery[date | None] = None,
) -> dict[str, int]:
    """How many files per value of ``by`` (scheme, authority, status, tier …)."""
    return registry_of(state).reports.counts(who, by, as_of)


@get("/statistics/deadlines", **_REPORTS_READ)
def deadline_report(
    state: State,
    who: NamedDependency[Principal],
    as_of: FromQuery[date | None] = None,
    overdue: FromQuery[bool] = False,
) -> list[FileDeadline]:
    """The issuance deadline (SLA) report of the caller's authority: every file whose
    clock has started, or only the overdue ones."""
    return registry_of(state).reports.deadlines(who, as_of, overdue_only=overdue)


@get("/audit-trail", **_REPORTS_READ)
def audit_trail(
    state: State,
    who: NamedDependency[Principal],
    card_id: Annotated[str | None, text_query(36)] = None,
    actor: Annotated[str | None, text_query(200)] = None,
    since: FromQuery[date | None] = None,
    until: FromQuery[date | None] = None,
    limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
    # 0, not None, for the first page (no event is at position 0): litestar leaves the
    # minimum of an optional number out of the document.
    after: Annotated[int, log_position("the previous page's next_after")] = 0,
) -> TrailPage:
    """One page of every event in log order (the auditor's, within its authority)."""
    if since and until and since > until:
        raise InvalidInput(f"since {since} is after until {until}")
    rows, next_after = registry_of(state).reports.trail(
        who, card_id=card_id, actor=actor, since=since, until=until, limit=limit, after=after
    )
    return TrailPage(rows=rows, next_after=next_after)


@get("/projections", **_ADMIN_READ)
def projection_status(state: State, who: NamedDependency[Principal]) -> list[ProjectionStatus]:
    """Each read model's position against the log's head."""
    return registry_of(state).projections.status(who)


ADMIN_ROUTES = [
    list_users,
    add_user,
    list_employers,
    register_employer,
    disable_user,
    rotate_key,
    import_cards,
    show_quota,
    raise_quota,
    statistics,
    deadline_report,
    audit_trail,
    projection_status,
]
