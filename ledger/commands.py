"""The ledger's command bodies: what the CLI reads from options or ``--json FILE`` and what
the HTTP API will accept. Unknown fields are refused, so a typo is an error, not a no-op.

Every field has a maximum (``ledger.limits``), checked as the body is decoded; every piece
of text is checked for control, format and bidi characters (``domain.text``), and names
are stored NFC-normalised. Decode untrusted bytes with ``ledger.limits.decode_body``.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, Protocol, TypeVar, cast
from uuid import UUID

import msgspec

from domain.card_transfer import TransferStep
from domain.errors import InvalidInput
from domain.policy import BeneficiaryKind, CredentialEvidence, Sex, TermBasis
from domain.text import check_text, normalise_name
from domain.values import MaritalStatus, Sponsor
from domain.vocabulary import (
    AmendmentChange,
    AmendmentVerdict,
    IdDocumentKind,
    Relation,
    ReviewDecision,
    ReviewStage,
    Role,
    Scheme,
    SponsorKind,
)
from ledger.limits import (
    EVIDENCE_CREDENTIAL_MAX,
    EVIDENCE_MAX_COUNT,
    FAMILY_MAX_COUNT,
    FAMILY_MEMBER_MAX,
    JOINT_MAX_COUNT,
    PROGRAMME_MAX,
    TERM_BASES_MAX_COUNT,
    Code,
    CreditCode,
    DecisionRef,
    Evidence,
    Facts,
    IdNumber,
    Name,
    Note,
    Programme,
    QuotaLimit,
    SeenFacts,
    UseQuantity,
)

# An instant with its offset: a naive time would be read in whatever zone the machine has.
Instant = Annotated[datetime, msgspec.Meta(tz=True)]

# Fields holding a person's or body's name: NFC-normalised and trimmed as decoded.
NAME_FIELDS = frozenset({"name", "actor", "reviewer", "venue", "family_member"})
# Free text that may run over lines (a newline or a tab, no other control character).
MULTILINE_FIELDS = frozenset({"note", "reason"})


class Part(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base of every command body and of the structs inside one: after msgspec has checked
    types and limits, every text field is checked for control, format and bidi characters
    and every name is NFC-normalised. A refusal is a ValueError, which msgspec reports as
    a ValidationError at this struct's path."""

    def __post_init__(self) -> None:
        for field in self.__struct_fields__:
            value = getattr(self, field)
            try:
                cleaned = _clean_text(field, value)
            except InvalidInput as e:
                raise ValueError(e.message) from None
            if cleaned is not value:
                msgspec.structs.force_setattr(self, field, cleaned)


def _clean_text(field: str, value: Any) -> Any:
    if isinstance(value, str):
        if field in NAME_FIELDS:
            normalised = normalise_name(field, value)
            return value if normalised == value else normalised
        check_text(field, value, multiline=field in MULTILINE_FIELDS)
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            if isinstance(item, str):
                check_text(f"{field}[{i}]", item)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(f"{field} key", key)
            if isinstance(item, str):
                check_text(f"{field}[{key!r}]", item)
    return value


class Request(Part, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What a caller sends for a command (an HTTP body, a ``--json`` file): everything but
    who acts, which comes from the caller's key. It may carry a note; ``effective_at``
    (aware) back-dates it, where the role may (``domain.backdating``); None: it takes
    effect when the ledger records it."""

    note: Note = ""
    effective_at: Instant | None = None


class Body(Protocol):
    """A command as the ledger records it: a ``Request`` with the acting user and role
    (from the authenticated user, or from an imported history's source system)."""

    @property
    def actor(self) -> str: ...
    @property
    def role(self) -> Role: ...
    @property
    def note(self) -> str: ...
    @property
    def effective_at(self) -> datetime | None: ...


def marital_of(married: bool | None, as_of: date | None) -> MaritalStatus | None:
    """A marital status from its two fields, given together or not at all: a status is
    what a document showed on a day (``domain.values.MaritalStatus``)."""
    if married is None and as_of is None:
        return None
    if married is None or as_of is None:
        raise ValueError(
            "married and married_as_of go together: whether the member is married, and the "
            "day a document showed it"
        )
    return MaritalStatus(married=married, as_of=as_of)


class FamilyMemberIn(Part, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A family member as filed. ``sex`` and ``married`` (with the day ``married_as_of`` a
    document showed it) are what the household-registration articles ask of a child (a
    son or a daughter under the legal marriage age; an unmarried child); optional, but a
    child without them is refused those items (RD-2026-87)."""

    relation: Relation
    name: Name
    date_of_birth: date
    sex: Sex | None = None
    married: bool | None = None
    married_as_of: date | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        marital = marital_of(self.married, self.married_as_of)
        if marital is not None and marital.as_of < self.date_of_birth:
            raise ValueError(
                f"married_as_of {marital.as_of} is before the date of birth {self.date_of_birth}"
            )

    @property
    def marital(self) -> MaritalStatus | None:
        return marital_of(self.married, self.married_as_of)


class HolderIn(Part, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The holder as filed; ``id_number`` is checked, hashed and then forgotten."""

    name: Name
    id_number: IdNumber
    id_kind: IdDocumentKind = IdDocumentKind.RESIDENT_ID
    date_of_birth: date
    family: Annotated[tuple[FamilyMemberIn, ...], msgspec.Meta(max_length=FAMILY_MAX_COUNT)] = ()


class SponsorIn(Part, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The sponsor as filed (``domain.values.Sponsor`` with limits)."""

    kind: SponsorKind
    name: Name = ""
    credit_code: CreditCode = ""

    def to_sponsor(self) -> Sponsor:
        """The domain's value object."""
        return Sponsor(kind=self.kind, name=self.name, credit_code=self.credit_code.strip())


class ApplyRequest(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """File an application (申领)."""

    scheme: Scheme
    category: Code
    programme: Programme = ""
    project_id: Code = ""
    enterprise_id: Code = ""
    facts: Facts = {}
    holder: HolderIn
    sponsor: SponsorIn = SponsorIn(kind=SponsorKind.NONE)
    evidence: Evidence = ()
    # Another card's credential (TC1:…) a recognition rule reads (Weihai enterprise_talent
    # ①: another city's card), verified for the holder filed; never recorded itself.
    evidence_credential: Annotated[str, msgspec.Meta(max_length=EVIDENCE_CREDENTIAL_MAX)] = ""


class ApplyBody(
    ApplyRequest, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """``ApplyRequest`` with who acts, as the ledger records it. Encoded without its
    defaults, so that a body less who acts is its request (``credentials``, which only the
    registry fills in, is then absent)."""

    actor: Name
    role: Role
    # The city whose windows a 惠才卡 file passes through (the filer's authority;
    # empty at the province): ``domain.jurisdiction.filing_city``.
    city: Code = ""
    # What the registry read from ``evidence_credential`` once verified (services.evidence).
    credentials: tuple[CredentialEvidence, ...] = ()


class ReviewRequest(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Record a review decision; ``reviewer`` defaults to the actor. ``joint_with``: the
    departments that decided with the stage's authority where the scheme makes the stage a
    joint one (Weihai 2023: 市委组织部, 市商务局 …)."""

    stage: ReviewStage
    decision: ReviewDecision
    reviewer: Name = ""
    joint_with: Annotated[tuple[Name, ...], msgspec.Meta(max_length=JOINT_MAX_COUNT)] = ()


class IssueRequest(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Issue the card. The tier was decided at filing; the term is decided by the scheme's
    rules from ``bases`` (none: the scheme's standard term), starting on ``valid_from``
    (default: the issue date). ``evidence_credential``: another card's credential (the
    ``TC1:`` text venues scan) whose term a rule reads, e.g. the 惠才卡 of a Weihai
    category 1 card, with ``evidence_holder_id``, the number on the holder's ID document,
    which must be both this card's holder's and the one the credential binds. Neither is
    recorded: the registry records what it read from the verified credential."""

    valid_from: date | None = None
    bases: Annotated[tuple[TermBasis, ...], msgspec.Meta(max_length=TERM_BASES_MAX_COUNT)] = ()
    evidence_credential: Annotated[str, msgspec.Meta(max_length=EVIDENCE_CREDENTIAL_MAX)] = ""
    evidence_holder_id: IdNumber = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        # TermBasis is the policy engine's own value object, so its label is checked here
        # rather than by a limit on the domain type (see ledger.limits).
        for i, basis in enumerate(self.bases):
            if len(basis.label) > PROGRAMME_MAX:
                raise ValueError(f"bases[{i}].label is longer than {PROGRAMME_MAX} characters")
            if basis.years is not None and not 0 <= basis.years <= 100:
                raise ValueError(f"bases[{i}].years must be 0 to 100")
            try:
                check_text(f"bases[{i}].label", basis.label)
            except InvalidInput as e:
                raise ValueError(e.message) from None


class UpgradeTierRequest(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Upgrade to a higher tier; the scheme's rule recalculates the term and, where it
    says so, checks ``facts`` for the higher tier's certification."""

    tier: Code
    facts: Facts = {}


class UpgradeCategoryRequest(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Ask for the card to move to a higher category where the scheme upgrades by category
    and its route (Liaocheng art. 32): the category and the facts that meet it."""

    category: Code
    facts: Facts = {}


class ExtendRequest(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Extend the term because the scheme's trigger happened on ``event_on`` (Weihai 2023:
    the project landed or the hire was confirmed), with the evidence."""

    event_on: date
    evidence: Evidence
    # What the evidence shows, in the extension rule's words (e.g. project_landed;
    # full_time_hire and social_insurance; flexible_hire, work_contract and partner_pay).
    shows: Annotated[tuple[Code, ...], msgspec.Meta(max_length=EVIDENCE_MAX_COUNT)] = ()


class StatusRequest(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Suspend or reinstate (the registry's interim measure): why, and the reference of the
    decision it carries out. The acting user is the one who decided; there is no typed
    proposer or approver."""

    reason: Note
    decision_ref: DecisionRef


class RevocationProposeRequest(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Propose revoking a card, as the acting user in a proposing role: the ground it rests
    on (a code from the scheme's closed list, e.g. Weihai ``left_weihai``) and the facts."""

    reason: Note
    ground: Code = ""


class RevocationApproveRequest(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Approve the open revocation proposal at its next step, as the acting user in that
    step's role. Nothing else: whose approval it is comes from who acts."""


class RevocationDeclineRequest(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Decline the open revocation proposal at its next step, saying why."""

    reason: Note


class AmendRequest(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Ask for a change to the card's people (信息变更, Liaocheng art. 33): ``change`` one of
    add_member, correct_member, remove_member, correct_holder; ``member`` the family
    member's number (1 the first filed; none when adding or for the holder); the new
    ``relation``, ``name`` and ``date_of_birth`` (all three when adding; those corrected
    when correcting; none when removing), a family member's ``sex`` and ``married`` with
    the day ``married_as_of`` a document showed it (optional), the business day it
    ``takes_effect_on``, the ``evidence`` (at least one reference) and the ``reason``."""

    change: AmendmentChange
    member: Annotated[int, msgspec.Meta(ge=0, le=FAMILY_MEMBER_MAX)] = 0
    relation: Relation | None = None
    name: Name | None = None
    date_of_birth: date | None = None
    sex: Sex | None = None
    married: bool | None = None
    married_as_of: date | None = None
    takes_effect_on: date
    evidence: Evidence
    reason: Note

    def __post_init__(self) -> None:
        super().__post_init__()
        marital_of(self.married, self.married_as_of)


class AmendmentDecisionRequest(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The issuing body's decision on the open change: ``approved``, or ``refused`` with a
    ``reason``."""

    decision: AmendmentVerdict
    reason: Note = ""


class QuotaRaiseRequest(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The talent office's case-by-case decision (一事一议) raising a project's quota."""

    scheme: Scheme
    category: Code
    project_id: Code = ""
    enterprise_id: Code = ""
    limit: QuotaLimit
    decision_ref: DecisionRef
    # What the decision attests of the project, as the rule asks (major_project: 重大项目).
    attests: Annotated[tuple[Code, ...], msgspec.Meta(max_length=EVIDENCE_MAX_COUNT)] = ()


class QuotaRaiseBody(QuotaRaiseRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``QuotaRaiseRequest`` with who acts, as the ledger records it."""

    actor: Name
    role: Role


class WithdrawRequest(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Withdraw an application."""


class ReceiveRequest(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A window records that it has the file (受理); the acting role is that window."""

    window: Role


class ContractRequest(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The talent's employment contract was confirmed on ``confirmed_on`` (the employer or
    the city HRSS records it)."""

    confirmed_on: date


class SpouseTransferRequest(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Record the request for the spouse's transfer (``requested``: its month starts,
    Liaocheng art. 13) or the transfer done (``completed``), with the facts the article's
    conditions read (``spouse_public_payroll_transferable``)."""

    step: TransferStep
    facts: SeenFacts = {}


class RedeemRequest(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Record the use of a service item (服务使用) by a venue or paying office of ``city``
    named ``venue``: ``quantity`` uses (or months of a monthly subsidy) of ``item`` (a
    code of the city's catalogue, one part of an article with parts) by ``beneficiary``.
    A family member is named by ``family_member``: the place in the filing (``"1"``) or
    the name, needed only when the card names more than one of that kind. What the venue
    has seen: ``holder_present`` (items used together with the holder), a parent's
    ``in_city_care_home`` (elderly-care subsidies), ``facts`` an article's conditions read.
    ``effective_at``: when the use took place, if before it is recorded (offline)."""

    item: Code
    beneficiary: BeneficiaryKind = BeneficiaryKind.HOLDER
    family_member: Name = ""
    quantity: UseQuantity = 1
    holder_present: bool | None = None
    in_city_care_home: bool = False
    facts: SeenFacts = {}


class RedeemBody(RedeemRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``RedeemRequest`` with who acts, as the ledger records it."""

    actor: Name
    role: Role
    venue: Name  # the acting venue or paying office (its user's name)
    city: Scheme  # its city (its user's authority)


class ReverseRedemptionRequest(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Reverse a recorded use (冲销) by the venue or paying office that recorded it, saying
    why; the use counts no more."""

    redemption_id: UUID
    reason: Note


class ReverseRedemptionBody(
    ReverseRedemptionRequest, frozen=True, kw_only=True, forbid_unknown_fields=True
):
    """``ReverseRedemptionRequest`` with who acts, as the ledger records it."""

    actor: Name
    role: Role
    venue: Name  # the acting venue or paying office (its user's name)
    city: Scheme  # its city (its user's authority)


# ---- who acts -------------------------------------------------------------------------

R = TypeVar("R", bound=Request)


@cache
def acting_type(request: type[R]) -> type[R]:
    """The ledger's body of a card command: its request with who acts (``actor``, ``role``),
    as an import line or a service fills it in. Derived, never written out: a command's
    request is declared once (issue 24). One type per request, so ``suspend`` and
    ``reinstate`` share theirs."""
    stem = request.__name__.removesuffix("Request")
    body = msgspec.defstruct(
        f"{stem}Body",
        [("actor", Name), ("role", Role)],
        bases=(request,),
        module=__name__,
        frozen=True,
        kw_only=True,
        forbid_unknown_fields=True,
    )
    body.__doc__ = f"``{request.__name__}`` with who acts, as the ledger records it."
    return cast(type[R], body)


def acting_of(body: Request) -> Body:
    """The body as the ledger reads who acts from it; refused if it names no one (a
    request passed where its body was due: a programming error, not input)."""
    if not {"actor", "role"} <= set(body.__struct_fields__):
        raise TypeError(f"{type(body).__name__} does not say who acts (actor, role)")
    return cast(Body, body)


# The bodies by the names scripts and tests already use (the import format has no names:
# it is tagged by command, ledger.card_commands).
ReviewBody = acting_type(ReviewRequest)


class IssueBody(
    IssueRequest, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """``IssueRequest`` with who acts, and ``credentials``: what the registry read from the
    credential passed after verifying it (``services.evidence``), never from a caller.
    Encoded without its defaults, as ``ApplyBody``."""

    actor: Name
    role: Role
    credentials: tuple[CredentialEvidence, ...] = ()


UpgradeBody = acting_type(UpgradeTierRequest)
UpgradeRequestBody = acting_type(UpgradeCategoryRequest)
ExtendBody = acting_type(ExtendRequest)
StatusBody = acting_type(StatusRequest)
RevocationProposeBody = acting_type(RevocationProposeRequest)
RevocationApproveBody = acting_type(RevocationApproveRequest)
RevocationDeclineBody = acting_type(RevocationDeclineRequest)
WithdrawBody = acting_type(WithdrawRequest)
ReceiveBody = acting_type(ReceiveRequest)
ContractBody = acting_type(ContractRequest)
SpouseTransferBody = acting_type(SpouseTransferRequest)
AmendBody = acting_type(AmendRequest)
AmendmentDecisionBody = acting_type(AmendmentDecisionRequest)
