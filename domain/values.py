"""Value objects carried by the Card's events. Every one is a frozen msgspec Struct,
so event payloads are typed at the storage boundary and decode back to the same types.
"""

from __future__ import annotations

from datetime import date, datetime

import msgspec

from domain.policy.results import (
    CredentialEvidence,
    ProcedureStep,
    Sex,
    StepTaken,
    TermBasis,
)
from domain.vocabulary import (
    AmendmentChange,
    IdDocumentKind,
    Relation,
    ReviewDecision,
    ReviewStage,
    Role,
    Scheme,
    SponsorKind,
)


class Value(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base for the domain's value objects."""


class Context(Value, frozen=True):
    """Who did it, as which role, when it takes effect (``effective_at``, UTC), when the
    ledger recorded it (``recorded_at``, UTC, from the ledger's injected clock), and why.
    The two differ only for a back-dated command (see ``domain.backdating``)."""

    actor: str
    role: Role
    effective_at: datetime
    recorded_at: datetime
    note: str = ""
    # A command imported from another system (``card import``): ``actor`` is the importing
    # administrator, and this names the user the source system recorded.
    original_actor: str = ""


class IdentityRef(Value, frozen=True):
    """A holder's identity document, never stored in clear (证件号码只存加盐摘要).

    ``digest`` is HMAC-SHA256 over ``salt`` and the normalised number, keyed by a
    registry secret kept outside the event store; ``last4`` lets staff match a person.
    ``binding_sealed`` holds the scrypt binding a credential carries for venues
    (``domain.identity.binding_hash``), encrypted so that a copy of the events alone
    offers nothing to test guesses against.
    """

    kind: IdDocumentKind
    digest: str
    salt: str
    last4: str
    binding_salt: bytes = b""
    binding_sealed: bytes = b""  # the venue binding hash, AES-GCM sealed under the registry key


class MaritalStatus(Value, frozen=True):
    """Whether a family member is married (婚姻状况), as a document showed it on ``as_of``
    (a marriage certificate, a household register page, a declaration). It says nothing
    of the days before ``as_of``: a child unmarried today may have married and divorced
    before, so a decision for an earlier day finds the status unknown (RD-2026-89)."""

    married: bool
    as_of: date


class FamilyMember(Value, frozen=True, omit_defaults=True):
    """A family member who may share the holder's benefits (家属).

    ``erased``: the member's personal data was erased (个人信息删除, PIPL art. 47); the
    name and date of birth are then placeholders that decide nothing, and the member
    shares no benefit. Never stored: the ledger reads an erased member back so.

    ``removed``: the member left the family by an amendment (``domain.card_amendment``);
    they keep their place, so every member's number (their place in the list, 1 the
    first filed) stays theirs for the card's life, and they share no benefit from the
    day the amendment took effect.

    ``sex`` and ``marital``: what the articles on a child's household registration ask
    (未到法定结婚年龄子女: the legal marriage age differs for a son and a daughter; 未婚子女:
    unmarried), filed or amended like the rest; None where never filed (a member filed
    before issue 27 has neither). Personal data: sealed with the member, never in clear."""

    relation: Relation
    name: str
    date_of_birth: date
    erased: bool = False
    removed: bool = False
    sex: Sex | None = None
    marital: MaritalStatus | None = None


class Holder(Value, frozen=True, omit_defaults=True):
    """The talent the card is for (持卡人).

    ``erased``: as for a family member; the card's status, dates and history stay, but
    nothing about the person does, and no command may act on the card again."""

    name: str
    identity: IdentityRef
    date_of_birth: date
    family: tuple[FamilyMember, ...] = ()
    erased: bool = False


class Sponsor(Value, frozen=True):
    """Who files or sponsors the application (employer, investment department, enterprise)."""

    kind: SponsorKind
    name: str = ""
    credit_code: str = ""  # 统一社会信用代码, where the sponsor is an organisation


class Basis(Value, frozen=True):
    """What the application rests on: the scheme's category and the facts behind it.

    ``category`` uses the scheme's own numbering, e.g. weihai ``"3"``, liaocheng
    ``"art5.3"``, jinan ``"C"``, weihai ``"business_elite"``. ``facts`` carries what the
    eligibility rules read (contract years, programme names, salary …).
    """

    category: str
    programme: str = ""
    project_id: str = ""  # Weihai 2023 business_elite: the investment project
    enterprise_id: str = ""  # Weihai 2023 enterprise_talent: the target enterprise
    facts: dict[str, str | int | float | bool] = {}


class Application(Value, frozen=True):
    """Everything filed with an application (申领材料). The route is not filed: the policy
    engine decides it from the category (see ``Admission``)."""

    scheme: Scheme
    basis: Basis
    holder: Holder
    sponsor: Sponsor
    evidence: tuple[str, ...] = ()
    # The city whose windows a 惠才卡 file passes through (the filer's; empty for a file
    # filed at the province), which places it in that city's jurisdiction
    # (``domain.jurisdiction``). A city scheme's files belong to the scheme's city.
    city: str = ""
    # What was read from another card's verified credential that facts were set from
    # (Weihai enterprise_talent ①: another city's card): the facts, never the token.
    credentials: tuple[CredentialEvidence, ...] = ()


class Review(Value, frozen=True):
    """One reviewer's decision at one stage (审核意见). ``joint_with`` names the
    departments that decided with the stage's own authority where the path makes the stage
    a joint one (Weihai 2023 part 3: 市人社局会同市委组织部、市商务局共同研究确定)."""

    stage: ReviewStage
    decision: ReviewDecision
    reviewer: str
    joint_with: tuple[str, ...] = ()


class StageReached(Value, frozen=True):
    """Where a review stood when it was recorded: the stage's ``position`` (0-based) among
    the ``required_stages`` decided at filing, and the rules and policy version that set
    that order (the admission's), so a replay can check the order again."""

    position: int
    required_stages: tuple[ReviewStage, ...]
    rules: tuple[str, ...]
    policy_version: str


class Term(Value, frozen=True):
    """A card's validity, in Asia/Shanghai business dates (inclusive), and what set it:
    ``basis`` in words, ``rules`` and ``policy_version`` as the engine decided them.
    ``valid_until`` None: the card runs until revoked (Liaocheng sets no term)."""

    valid_from: date
    valid_until: date | None
    basis: str
    rules: tuple[str, ...] = ()
    policy_version: str = ""
    # A lapsed gap inside the term (inclusive): an extension decided after the first term
    # ran out keeps the days before its event lapsed, where its rule says so.
    lapsed_from: date | None = None
    lapsed_until: date | None = None


class Issuance(Value, frozen=True):
    """What the issuing authority granted (颁发), and what the term was decided from: the
    ``valid_from`` asked for (None: the issue date), the term ``bases`` given (none: the
    scheme's standard term) and what was read from verified ``credentials``, so that a
    replay can ask the engine again and compare."""

    tier: str
    term: Term
    valid_from_asked: date | None = None
    bases: tuple[TermBasis, ...] = ()
    # What was read from another card's verified credential the term rests on (the 惠才卡
    # of a Weihai category 1 card): the facts, not the token, which names the holder.
    credentials: tuple[CredentialEvidence, ...] = ()


class Upgrade(Value, frozen=True):
    """A move to a higher tier, with the term recalculated where the scheme says so, and
    the card as the rule saw it: the tier and term it had before."""

    tier: str
    term: Term
    from_tier: str = ""
    previous_term: Term | None = None
    facts: dict[str, str | int | float | bool] = {}  # the certification it was decided on
    category: str = ""  # the higher category it rests on, where the scheme upgrades by one


class UpgradeRequest(Value, frozen=True):
    """A request to move the card to a higher category (升级申请, Liaocheng art. 32): the
    category and its facts, the tier it gives, the review stages its route sets, and the
    rules and policy version that decided them."""

    category: str
    tier: str
    facts: dict[str, str | int | float | bool]
    stages: tuple[ReviewStage, ...]
    rules: tuple[str, ...]
    policy_version: str


class Extension(Value, frozen=True):
    """A longer term granted on new evidence (e.g. Weihai 2023: the project landed on
    ``event_on``), with the term the rule gives."""

    term: Term
    event_on: date
    evidence: tuple[str, ...]
    previous_term: Term | None = None  # the term the rule extended
    shows: tuple[str, ...] = ()  # what the evidence shows (the rule's evidence set)


class StatusChange(Value, frozen=True):
    """A suspension or reinstatement (暂停/恢复), the registry's own interim measure: why,
    and the decision it carries out (e.g. the file number, 文号). Who did it is the
    event's context; ``rules`` and ``policy_version`` name the rule that gave that role
    the power (see ``domain.policy.interim_authority``)."""

    reason: str
    decision_ref: str
    rules: tuple[str, ...] = ()
    policy_version: str = ""


class RevocationProposal(Value, frozen=True):
    """A proposal to revoke a card (收回意见): the grounds, who proposed it (acting user and
    role), and the steps it must take, fixed from the rule in force on the day it was
    proposed so that a proposal finishes under the procedure it started under."""

    reason: str
    proposed_by: StepTaken
    steps: tuple[ProcedureStep, ...]
    rules: tuple[str, ...]
    policy_version: str
    ground: str = ""  # the code of the source's ground it rests on (closed list)


class RevocationApproval(Value, frozen=True):
    """One authority's agreement to an open proposal (同意), by the acting user: ``step``
    is its index in the proposal's steps (the proposal is step 0)."""

    step: int
    approved_by: StepTaken
    rules: tuple[str, ...]
    policy_version: str


class RevocationDecline(Value, frozen=True):
    """An authority's refusal of an open proposal (不同意): the proposal closes, the card
    stays in force, and a new proposal may follow."""

    step: int
    declined_by: StepTaken
    reason: str
    rules: tuple[str, ...]
    policy_version: str


class Revocation(Value, frozen=True):
    """A revocation (收回): the grounds, every step's acting user and role in order (the
    proposal first, the last approval last), and the rule that required them."""

    reason: str
    steps: tuple[StepTaken, ...]
    rules: tuple[str, ...] = ()
    policy_version: str = ""


class FileReceipt(Value, frozen=True):
    """The file received by a service window (受理) on a business date: for Shandong the
    provincial window's receipt starts the issuance deadline (7.1)."""

    window: Role
    received_on: date
    # False for an intake that takes the file in and passes it on (a higher window the
    # file rises through, 逐级提报): its receipt starts no deadline clock.
    counts: bool = True


class ContractConfirmation(Value, frozen=True):
    """The talent's employment contract confirmed (确认引进人才工作合同) on a business date:
    for a reviewed Shandong card the 14-working-day deadline runs from the later of this
    and the window's receipt (7.1)."""

    confirmed_on: date


class Deadline(Value, frozen=True):
    """An issuance deadline's clock started (办理时限): which ``clock`` ("file_received",
    "contract_confirmed" or "expert_review"), from which day, when it is due (None where
    the rule sets no count), in how many working days, whether a day counted had to be
    estimated, why, and the rules and policy version in force when it started. The
    statistics read model reads exactly these fields."""

    clock: str
    starts_on: date
    due_on: date | None
    working_days: int | None
    estimated: bool
    reason: str
    rules: tuple[str, ...]
    policy_version: str


class Amendment(Value, frozen=True):
    """A change to the card's people asked for (信息变更): which ``change``, to which
    ``member`` (0 the holder; a family member's number, which an added member is given),
    from which business day it ``takes_effect_on``, the evidence and why, and ``holder``:
    the holder and the whole family as they stand from that day if it is approved (a
    removed member stays in the list, marked). ``supersedes``: the change removes or
    corrects someone a credential already handed out names, so those credentials stop
    granting them (``signing.status_list`` SUPERSEDED). ``rules`` and ``policy_version``:
    the amendment rule in force, which names who files and who decides."""

    change: AmendmentChange
    member: int
    takes_effect_on: date
    evidence: tuple[str, ...]
    reason: str
    holder: Holder
    supersedes: bool
    rules: tuple[str, ...]
    policy_version: str


class AmendmentDecision(Value, frozen=True):
    """The issuing body's decision on the open amendment: ``approved`` or not, why, and,
    when approved, what the card's people are from ``takes_effect_on`` (``holder``,
    repeated from the request so that a reader of this event alone knows the change)."""

    approved: bool
    reason: str
    change: AmendmentChange
    member: int
    takes_effect_on: date
    supersedes: bool
    holder: Holder | None
    rules: tuple[str, ...]
    policy_version: str
