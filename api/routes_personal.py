"""A person's rights over their data, over HTTP (PIPL arts. 45, 47, 54): the erasures an
administrator proposes and a second approves, the cards due for erasure, a person's copy
and the record of who read a file. The CLI's ``holder`` commands, the same services."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Body, FromPath, FromQuery

from api.http_support import registry_of
from api.problems import READ_ERRORS, WRITE_ERRORS, problem_responses
from domain.vocabulary import ErasureGround
from ledger.limits import FamilyNumber
from services.access import Principal

_READ: dict[str, Any] = {
    "sync_to_thread": True,
    "tags": ["personal data"],
    "responses": problem_responses(*READ_ERRORS),
}
_WRITE: dict[str, Any] = {**_READ, "responses": problem_responses(*WRITE_ERRORS)}


class ErasureIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An erasure to propose: the card, one family member (1: the first filed) or none
    for the holder with the family, the ground of PIPL art. 47 and the decision."""

    card_id: UUID
    family: FamilyNumber | None = None
    ground: ErasureGround
    decision: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class ErasureOut(msgspec.Struct, frozen=True, kw_only=True):
    """An erasure as recorded (no personal data: places in the filing)."""

    erasure_id: UUID
    card_id: UUID
    positions: list[int]  # 0 the holder, then the family in filing order
    ground: str
    decision: str
    proposed_by: str
    approved_by: str | None


class DueOut(msgspec.Struct, frozen=True, kw_only=True):
    card_id: UUID
    status: str
    ended_on: date
    due_on: date
    rule: str
    source: str


class ReadOut(msgspec.Struct, frozen=True, kw_only=True):
    at: str
    actor: str
    role: str
    route: str


def _out(erasure: Any) -> ErasureOut:
    return ErasureOut(
        erasure_id=erasure.id,
        card_id=erasure.card_id,
        positions=list(erasure.positions),
        ground=str(erasure.order.ground),
        decision=erasure.order.decision,
        proposed_by=erasure.proposed_by,
        approved_by=erasure.approved_by,
    )


@post("/erasures", status_code=201, **_WRITE)
def propose_erasure(
    state: State,
    who: NamedDependency[Principal],
    data: Annotated[
        ErasureIn,
        Body(
            examples=[
                Example(
                    summary="a withdrawn applicant's request to erase their data",
                    value={
                        "card_id": "6f1c2a4e-8d2b-4a5e-9f7c-0b1d2e3f4a5b",
                        "ground": "consent_withdrawn",
                        "decision": "聊人社个保〔2026〕17号",
                    },
                )
            ]
        ),
    ],
) -> ErasureOut:
    """Propose erasing a card's holder (with the family) or one family member; nothing
    is erased until another administrator approves."""
    erasure = registry_of(state).personal_data.propose_erasure(
        who, data.card_id, family=data.family, ground=str(data.ground), decision=data.decision
    )
    return _out(erasure)


@post("/erasures/{erasure_id:uuid}/approval", status_code=200, **_WRITE)
def approve_erasure(
    state: State, who: NamedDependency[Principal], erasure_id: FromPath[UUID]
) -> ErasureOut:
    """Approve another administrator's erasure: the people's keys are destroyed."""
    return _out(registry_of(state).personal_data.approve_erasure(who, erasure_id))


@get("/erasures/due", **_READ)
def due_for_erasure(
    state: State, who: NamedDependency[Principal], on: FromQuery[date | None] = None
) -> list[DueOut]:
    """The ended cards whose retention period (the policy data's) has run out."""
    due = registry_of(state).personal_data.due_for_erasure(who, on)
    return [DueOut(**msgspec.structs.asdict(d)) for d in due]


@get("/cards/{card_id:uuid}/personal-data", **_READ)
def personal_data_export(
    state: State, who: NamedDependency[Principal], card_id: FromPath[UUID]
) -> dict[str, Any]:
    """Everything held on the card's people: their file, the card's events, who changed
    them and who read them (a role that reads the file, within its jurisdiction)."""
    return registry_of(state).personal_data.export(who, card_id)


@get("/cards/{card_id:uuid}/personal-reads", **_READ)
def personal_reads(
    state: State, who: NamedDependency[Principal], card_id: FromPath[UUID]
) -> list[ReadOut]:
    """Who read the card's personal data, when and by which route (the auditor's)."""
    reads = registry_of(state).personal_data.reads_of(who, card_id)
    return [ReadOut(at=r.at.isoformat(), actor=r.actor, role=r.role, route=r.route) for r in reads]


PERSONAL_ROUTES = [
    propose_erasure,
    approve_erasure,
    due_for_erasure,
    personal_data_export,
    personal_reads,
]
