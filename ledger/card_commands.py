"""Every card command, declared once (issue 24): its one name, the request callers send, the
aggregate method it runs and the role rule that allows it, with the spellings users already
have beside it. The ledger (``CardLedger.run``), the services (``CardService.run``), the HTTP
routes (``api.routes_cards``), the CLI sub-commands (``api.card_cli``), the OpenAPI
examples and ``card import`` (a tagged union on ``command``) all derive from this table.

Adding a command: its entry here, its aggregate method (``domain.card``), its role rule
(``domain.card_roles``), its tests, and its row in docs/developers.md (a test holds the
page to this table). No route, service method, CLI handler or import decoder names it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar, Union, cast

import msgspec

from domain import card_roles as roles
from domain.card import Card
from domain.card_amendment import PersonChange
from domain.card_roles import RoleRule
from domain.card_transfer import records_transfer
from domain.values import Context, Review, StatusChange
from domain.vocabulary import AmendmentVerdict, Role
from ledger.commands import (
    AmendmentDecisionRequest,
    AmendRequest,
    ApplyBody,
    ApplyRequest,
    ContractRequest,
    ExtendRequest,
    Instant,
    IssueBody,
    IssueRequest,
    ReceiveRequest,
    Request,
    ReviewRequest,
    RevocationApproveRequest,
    RevocationDeclineRequest,
    RevocationProposeRequest,
    SpouseTransferRequest,
    StatusRequest,
    UpgradeCategoryRequest,
    UpgradeTierRequest,
    WithdrawRequest,
    acting_type,
    marital_of,
)

R = TypeVar("R", bound=Request)


@dataclass(frozen=True, kw_only=True)
class CardCommand(Generic[R]):
    """One card command.

    ``name`` is its one canonical name, the tag of its lines in ``card import``;
    ``request`` what a caller sends (an HTTP body, a ``--json`` file); ``run`` what it does
    to the card, with the body (the request with who acts); ``may`` the role rule
    (``domain.card_roles``). The rest are the spellings users already have: ``path`` after
    ``POST /cards/{id}/``, ``operation`` the HTTP handler's name (the OpenAPI operation id
    is made from it), ``cli`` the words after ``talentcard card``, ``done`` what the CLI
    reports, ``events`` the events it may record. ``summary`` says what it does, once.
    ``example`` is a valid request for the OpenAPI document.
    """

    name: str
    request: type[R]
    run: Callable[[Card, Context, R], None]
    may: RoleRule
    summary: str
    path: str
    operation: str
    cli: tuple[str, ...]
    done: str
    events: tuple[str, ...]
    example: dict[str, Any]
    acting: type[R] | None = None  # the body's type, where it is more than the request's

    @property
    def body(self) -> type[R]:
        """The ledger's body: the request with who acts (``ledger.commands.acting_type``)."""
        return self.acting or acting_type(self.request)


def _reviewed(card: Card, ctx: Context, body: ReviewRequest) -> None:
    # The reviewer defaults to whoever acts (the source system's actor, on import).
    review = Review(
        stage=body.stage,
        decision=body.decision,
        reviewer=body.reviewer or ctx.original_actor or ctx.actor,
        joint_with=tuple(d.strip() for d in body.joint_with if d.strip()),
    )
    card.record_review(ctx, review)


def _status_change(body: StatusRequest) -> StatusChange:
    return StatusChange(reason=body.reason, decision_ref=body.decision_ref)


def _amend(card: Card, ctx: Context, body: AmendRequest) -> None:
    asked = PersonChange(
        change=body.change,
        member=body.member,
        relation=body.relation,
        name=body.name,
        date_of_birth=body.date_of_birth,
        sex=body.sex,
        marital=marital_of(body.married, body.married_as_of),
    )
    card.request_amendment(
        ctx,
        asked,
        takes_effect_on=body.takes_effect_on,
        evidence=body.evidence,
        reason=body.reason,
    )


def _issue(card: Card, ctx: Context, body: IssueRequest) -> None:
    # The body is an IssueBody (the command's ``acting``): what the registry read from a
    # verified credential travels there, never in the request a caller sends.
    credentials = body.credentials if isinstance(body, IssueBody) else ()
    card.issue(ctx, valid_from=body.valid_from, bases=body.bases, credentials=credentials)


def _not_a_change(card: Card, ctx: Context, body: ApplyRequest) -> None:
    raise AssertionError("apply files a new card: CardLedger.apply, not run")


APPLY = CardCommand(
    name="apply",
    request=ApplyRequest,
    acting=ApplyBody,
    run=_not_a_change,
    may=roles.files,
    summary="File an application (申领) as the caller; 201 with the new card's id.",
    path="",
    operation="file_application",
    cli=("apply",),
    done="applied",
    events=("Applied",),
    example={
        "scheme": "liaocheng",
        "category": "art5.3",
        "facts": {"certified_excellent": True},
        "holder": {
            "name": "张明远",
            "id_number": "37424219860517001X",
            "date_of_birth": "1986-05-17",
            "family": [{"relation": "spouse", "name": "陈静", "date_of_birth": "1988-09-02"}],
        },
        "sponsor": {"kind": "employer", "name": "聊城大学", "credit_code": "12371500MB2853621X"},
        "evidence": ["doc://platform-certificate/1"],
    },
)
REVIEW = CardCommand(
    name="review",
    request=ReviewRequest,
    run=_reviewed,
    may=roles.reviews,
    summary="Record the caller's review decision at its stage (审核).",
    path="reviews",
    operation="record_review",
    cli=("review",),
    done="reviewed",
    events=("ReviewRecorded", "Rejected", "DeadlineStarted", "UpgradeReviewed"),
    example={"stage": "city_hrss", "decision": "approved", "note": "materials complete"},
)
RECEIVE = CardCommand(
    name="receive",
    request=ReceiveRequest,
    run=lambda card, ctx, body: card.receive(ctx, body.window),
    may=roles.receives,
    summary="Record that the caller's window has the file (受理).",
    path="receipt",
    operation="receive_file",
    cli=("receive",),
    done="received",
    events=("FileReceived", "DeadlineStarted"),
    example={"window": "city_window"},
)
CONFIRM_CONTRACT = CardCommand(
    name="confirm_contract",
    request=ContractRequest,
    run=lambda card, ctx, body: card.confirm_contract(ctx, body.confirmed_on),
    may=roles.confirms_contract,
    summary="Record the employment contract's confirmation.",
    path="contract",
    operation="confirm_contract",
    cli=("confirm-contract",),
    done="contract confirmed",
    events=("ContractConfirmed", "DeadlineStarted"),
    example={"confirmed_on": "2026-11-02"},
)
def records_spouse_transfer(card: Card, role: Role, day: date) -> bool:
    """The roles the spouse-transfer rule in force names (Liaocheng art. 13)."""
    return records_transfer(card.application.scheme, role, day)


SPOUSE_TRANSFER = CardCommand(
    name="spouse_transfer",
    request=SpouseTransferRequest,
    run=lambda card, ctx, body: card.record_spouse_transfer(ctx, body.step, body.facts),
    may=records_spouse_transfer,
    summary="Record the request for the spouse's transfer (its month starts) or the transfer done.",
    path="spouse-transfer",
    operation="record_spouse_transfer",
    cli=("spouse-transfer",),
    done="spouse transfer recorded",
    events=("SpouseTransferRecorded",),
    example={"step": "requested", "facts": {"spouse_public_payroll_transferable": True}},
)
ISSUE = CardCommand(
    name="issue",
    request=IssueRequest,
    acting=IssueBody,
    run=lambda card, ctx, body: _issue(card, ctx, body),
    may=roles.issues,
    summary="Issue the card (颁发) with the term the scheme's rules give.",
    path="issue",
    operation="issue_card",
    cli=("issue",),
    done="issued",
    events=("Issued",),
    example={"valid_from": "2026-12-01"},
)
UPGRADE_REQUEST = CardCommand(
    name="upgrade_request",
    request=UpgradeCategoryRequest,
    run=lambda card, ctx, body: card.request_upgrade(ctx, body.category.strip(), body.facts),
    may=roles.requests_upgrade,
    summary="Ask for a higher category (Liaocheng art. 32); its reviews follow.",
    path="upgrade-request",
    operation="request_upgrade",
    cli=("upgrade-request",),
    done="upgrade requested",
    events=("UpgradeRequested",),
    example={"category": "art5.2", "facts": {"certified_leading": True}},
)
UPGRADE = CardCommand(
    name="upgrade",
    request=UpgradeTierRequest,
    run=lambda card, ctx, body: card.upgrade(ctx, body.tier, body.facts),
    may=roles.upgrades,
    summary="Upgrade the card's tier (升级).",
    path="upgrade",
    operation="upgrade_card",
    cli=("upgrade",),
    done="upgraded",
    events=("Upgraded",),
    example={"tier": "A", "facts": {"certified_top": True}},
)
EXTEND = CardCommand(
    name="extend",
    request=ExtendRequest,
    run=lambda card, ctx, body: card.extend(
        ctx, event_on=body.event_on, evidence=body.evidence, shows=body.shows
    ),
    may=roles.extends,
    summary="Extend the card's term (延期).",
    path="extend",
    operation="extend_card",
    cli=("extend",),
    done="extended",
    events=("Extended",),
    example={
        "event_on": "2026-11-20",
        "evidence": ["doc://project-landing/7"],
        "shows": ["project_landed"],
    },
)
SUSPEND = CardCommand(
    name="suspend",
    request=StatusRequest,
    run=lambda card, ctx, body: card.suspend(ctx, _status_change(body)),
    may=roles.interim_authority,
    summary="Suspend the card (暂停).",
    path="suspend",
    operation="suspend_card",
    cli=("suspend",),
    done="suspended",
    events=("Suspended",),
    example={"reason": "under investigation", "decision_ref": "LC-HRSS-2026-031"},
)
REINSTATE = CardCommand(
    name="reinstate",
    request=StatusRequest,
    run=lambda card, ctx, body: card.reinstate(ctx, _status_change(body)),
    may=roles.interim_authority,
    summary="Reinstate a suspended card.",
    path="reinstate",
    operation="reinstate_card",
    cli=("reinstate",),
    done="reinstated",
    events=("Reinstated",),
    example={"reason": "under investigation", "decision_ref": "LC-HRSS-2026-031"},
)
PROPOSE_REVOCATION = CardCommand(
    name="propose_revocation",
    request=RevocationProposeRequest,
    run=lambda card, ctx, body: card.propose_revocation(
        ctx, reason=body.reason, ground=body.ground
    ),
    may=roles.proposes_revocation,
    summary="Propose revoking the card (收回), as the caller; approvals follow.",
    path="revocation",
    operation="propose_revocation",
    cli=("revoke", "propose"),
    done="revocation proposed",
    events=("RevocationProposed",),
    example={"reason": "left the city for good", "ground": "left_liaocheng"},
)
APPROVE_REVOCATION = CardCommand(
    name="approve_revocation",
    request=RevocationApproveRequest,
    run=lambda card, ctx, body: card.approve_revocation(ctx),
    may=roles.approves_revocation,
    summary="Approve the open proposal's next step as the caller; the last approval revokes.",
    path="revocation/approvals",
    operation="approve_revocation",
    cli=("revoke", "approve"),
    done="revocation approved",
    events=("RevocationApproved", "Revoked"),
    example={"note": "approved at the bureau meeting"},
)
DECLINE_REVOCATION = CardCommand(
    name="decline_revocation",
    request=RevocationDeclineRequest,
    run=lambda card, ctx, body: card.decline_revocation(ctx, reason=body.reason),
    may=roles.declines_revocation,
    summary="Decline the open revocation proposal.",
    path="revocation/declines",
    operation="decline_revocation",
    cli=("revoke", "decline"),
    done="revocation declined",
    events=("RevocationDeclined",),
    example={"reason": "the ground is not proven"},
)
WITHDRAW = CardCommand(
    name="withdraw",
    request=WithdrawRequest,
    run=lambda card, ctx, body: card.withdraw(ctx),
    may=roles.withdraws,
    summary="Withdraw an application.",
    path="withdraw",
    operation="withdraw_application",
    cli=("withdraw",),
    done="withdrawn",
    events=("Withdrawn",),
    example={"note": "the applicant withdrew"},
)

AMEND = CardCommand(
    name="amend",
    request=AmendRequest,
    run=_amend,
    may=roles.files_amendment,
    summary=(
        "Ask for a change to the card's people (信息变更): add, correct or remove a family "
        "member, or correct the holder, from the day it takes effect; the issuing body decides."
    ),
    path="amendment",
    operation="request_amendment",
    cli=("amend", "request"),
    done="amendment requested",
    events=("AmendmentRequested",),
    example={
        "change": "add_member",
        "relation": "spouse",
        "name": "陈静",
        "date_of_birth": "1988-09-02",
        "takes_effect_on": "2026-09-01",
        "evidence": ["doc://marriage-certificate/2026-0901"],
        "reason": "married on 2026-09-01",
    },
)
DECIDE_AMENDMENT = CardCommand(
    name="decide_amendment",
    request=AmendmentDecisionRequest,
    run=lambda card, ctx, body: card.decide_amendment(
        ctx, approved=body.decision is AmendmentVerdict.APPROVED, reason=body.reason
    ),
    may=roles.decides_amendment,
    summary="Approve the open change to the card's people, or refuse it saying why.",
    path="amendment/decision",
    operation="decide_amendment",
    cli=("amend", "decide"),
    done="amendment decided",
    events=("AmendmentDecided",),
    example={"decision": "approved", "note": "marriage certificate seen"},
)

# The commands that change a card that exists, in the order the HTTP routes and the CLI
# list them (``apply`` files a new one and is declared apart).
CHANGES: tuple[CardCommand[Any], ...] = (
    REVIEW,
    RECEIVE,
    CONFIRM_CONTRACT,
    ISSUE,
    UPGRADE_REQUEST,
    UPGRADE,
    EXTEND,
    AMEND,
    DECIDE_AMENDMENT,
    SPOUSE_TRANSFER,
    SUSPEND,
    REINSTATE,
    WITHDRAW,
    PROPOSE_REVOCATION,
    APPROVE_REVOCATION,
    DECLINE_REVOCATION,
)
COMMANDS: dict[str, CardCommand[Any]] = {c.name: c for c in (APPLY, *CHANGES)}


def open_to(card: Card, role: Role, day: date) -> list[CardCommand[Any]]:
    """The changes whose role rule lets ``role`` act on ``card`` on ``day`` (what a page
    may offer a user; whether the card's state allows each is the command's to say)."""
    return [command for command in CHANGES if command.may(card, role, day)]


# ---- card import (talentcard card import FILE) ------------------------------------------

# One imported card's history may hold at most this many commands: a real card has a
# dozen; more is a broken export or an attack on the importer's memory.
IMPORT_MAX_COMMANDS = 200
IMPORT_REF_MAX = 200  # the source system's own id, e.g. LC-2023-0042


class ImportCommand(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One command of an imported card's history, as the source system recorded it: which
    command (the tag), when it took effect, and its body (the command's request with who
    acted), into which ``effective_at`` is put."""

    effective_at: Instant | None = None

    @property
    def command(self) -> CardCommand[Any]:
        """The command this line names."""
        return COMMANDS[str(type(self).__struct_config__.tag)]

    def acting(self) -> Request:
        """The body, with the command's effective instant in it."""
        body: Request = getattr(self, "body")  # noqa: B009  # each tagged variant declares it
        if self.effective_at is None:
            return body
        return msgspec.structs.replace(body, effective_at=self.effective_at)


def _import_variant(command: CardCommand[Any]) -> type[ImportCommand]:
    variant = msgspec.defstruct(
        f"Import{command.body.__name__}",
        [("body", command.body)],
        bases=(ImportCommand,),
        module=__name__,
        tag_field="command",
        tag=command.name,
        frozen=True,
        kw_only=True,
        forbid_unknown_fields=True,
    )
    return cast(type[ImportCommand], variant)


_IMPORT_VARIANTS = tuple(_import_variant(c) for c in COMMANDS.values())
if TYPE_CHECKING:
    TaggedCommand = ImportCommand
else:  # one variant per command, chosen by the line's "command" tag
    TaggedCommand = Union[_IMPORT_VARIANTS]  # noqa: UP007  # a union built at run time


class ImportRecord(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One card to import (one JSON line): the source system's ``ref`` and the card's
    commands in order, the first an ``apply``."""

    ref: Annotated[str, msgspec.Meta(max_length=IMPORT_REF_MAX)] = ""
    commands: Annotated[
        tuple[TaggedCommand, ...],
        msgspec.Meta(min_length=1, max_length=IMPORT_MAX_COMMANDS),
    ]
