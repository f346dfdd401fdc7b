"""What the decision functions take and return. Every result names the rules that decided
(``rules``, ids from the data) and the policy ``version`` in force, so an event can record
exactly why, and a replay never has to re-decide.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from uuid import UUID

import msgspec

from domain.policy.model import JointStage, RevocationGround, TermBasisKind
from domain.vocabulary import ReviewStage, Role, Route, Scheme


class Value(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base of the engine's inputs and results."""


# ---- inputs ------------------------------------------------------------------------------


class BeneficiaryKind(enum.StrEnum):
    """Who is to use a service item (受益人): the holder, a family member or a companion."""

    HOLDER = "holder"  # 持卡人本人
    SPOUSE = "spouse"  # 配偶
    CHILD = "child"  # 子女 (a minor child is under 18 on the day, from the date of birth)
    PARENT = "parent"  # 父母
    SPOUSE_PARENT = "spouse_parent"  # 配偶父母
    COMPANION = "companion"  # 陪同人员


class Sex(enum.StrEnum):
    """A child's sex, needed only where the legal marriage age decides (民法典 art. 1047)."""

    MALE = "male"
    FEMALE = "female"


class Beneficiary(Value, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The person an item is asked for. ``date_of_birth`` is needed where age matters (a
    child's minority or marriage age, a parent's age); ``sex`` where the legal marriage age
    decides; ``married`` for an article on unmarried children, as a document showed it on
    ``married_as_of`` (None: no day said; before that day it is not known, as
    ``domain.values.MaritalStatus`` says); ``in_city_care_home`` for
    elderly-care subsidies. ``holder_present``: for an item the family use together with
    the holder (同步享受), whether the holder is there (None: not said, so the decision
    requires it)."""

    kind: BeneficiaryKind
    date_of_birth: date | None = None
    sex: Sex | None = None
    married: bool | None = None
    married_as_of: date | None = None
    in_city_care_home: bool = False
    holder_present: bool | None = None


class Usage(Value, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What was already used, counted by the caller: uses of the item this calendar year
    and since the card's issue, months already subsidised, companions already admitted on
    this visit."""

    uses_this_year: int = 0
    uses_in_all: int = 0
    months_used: int = 0
    companions_admitted: int = 0


class CardSnapshot(Value, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The card as a venue or a service sees it. ``status`` is a ``CardStatus`` value;
    ``valid_until`` is inclusive, None for a card with no end date. ``category`` is the
    eligibility category the card was issued on, where known (a condition such as "named
    talent levels only" is decided from it; unknown, the condition is left to the clerk)."""

    scheme: Scheme
    tier: str
    category: str | None = None
    status: str
    valid_from: date
    valid_until: date | None
    issued_on: date


class TermBasis(Value, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One basis for a term: its end date (``until``) or its length (``years``)."""

    kind: TermBasisKind
    until: date | None = None
    years: int | None = None
    label: str = ""


class CredentialEvidence(Value, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What the registry read from another card's credential after verifying it offline
    (signature on the trust list, not revoked per its status list, the holder's binding):
    the card, where its status lives, its term and when it was verified. Recorded instead
    of the token, which carries the holder's name in clear, so a replay decides again."""

    card_id: UUID
    scheme: Scheme
    status_uri: str
    status_index: int
    valid_from: date
    valid_until: date | None
    verified_at: datetime


# ---- results -----------------------------------------------------------------------------


class EligibilityDecision(Value, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Whether a category's conditions hold, and the route, stages and tier it leads to.
    ``failed_condition`` names the first condition that failed (None when eligible)."""

    scheme: Scheme
    category: str
    eligible: bool
    failed_condition: str | None
    route: Route | None
    stages: tuple[ReviewStage, ...]
    tier: str | None
    reason: str
    rules: tuple[str, ...]
    version: str
    intake: Role | None = None
    intake_before: ReviewStage | None = None
    joint: tuple[JointStage, ...] = ()
    # Soft criteria met by a recorded exception: "<label>: exception <ref> by <decider>".
    exceptions: tuple[str, ...] = ()


class TierRanking(Value, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A scheme's tiers, highest first when ``ranked``."""

    scheme: Scheme
    ranked: bool
    tiers: tuple[str, ...]
    rule: str


class TermDecision(Value, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A card's validity (inclusive dates; ``valid_until`` None = no end date) and the
    rule that set it. ``basis`` is a one-line text for ``domain.values.Term.basis``."""

    valid_from: date
    valid_until: date | None
    capped: bool
    basis: str
    rules: tuple[str, ...]
    version: str
    # Days inside the term on which the card is not in force: an extension granted after
    # the first term ran out keeps the gap before the event lapsed (ExtensionRule.lapse_kept).
    lapsed_from: date | None = None
    lapsed_until: date | None = None


class UpgradeDecision(Value, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Whether a card may move to a higher tier, and its term afterwards."""

    allowed: bool
    reason: str
    tier: str
    valid_from: date | None
    valid_until: date | None
    rules: tuple[str, ...]
    version: str


class QuotaDecision(Value, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Whether one more card fits the project's or enterprise's quota (名额)."""

    allowed: bool
    limit: int | None
    existing: int
    reason: str
    rules: tuple[str, ...]
    version: str


class EntitlementDecision(Value, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Whether a card grants an item to a person on a day; ``detail`` says what exactly
    (e.g. the class of health care, the monthly amount). ``requires`` lists what the clerk
    or venue must still see before giving it (the article's conditions no card can show:
    a same-day ticket, a first home purchase); ``responsible`` the units that answer for
    the item (责任单位). Asked for an article with parts, ``parts`` holds one decision per
    part, and the article is granted only when every part is."""

    granted: bool
    item: str
    reason: str
    detail: str
    rules: tuple[str, ...]
    version: str
    requires: tuple[str, ...] = ()
    responsible: tuple[str, ...] = ()
    parts: tuple[EntitlementDecision, ...] = ()


class RecognitionDecision(Value, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Whether a venue honours a presented card for an item (承认/叠加)."""

    honoured: bool
    reason: str
    rules: tuple[str, ...]
    version: str


class DeadlineDecision(Value, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """When issuance is due. ``due_on`` is None where no count applies (evaluated cards,
    a contract not yet confirmed); ``estimated`` when some day counted had no calendar
    and was taken as Monday-Friday."""

    due_on: date | None
    starts_on: date | None
    working_days: int | None
    estimated: bool
    reason: str
    rules: tuple[str, ...]
    version: str


class RevocationAction(enum.StrEnum):
    """What someone does with a revocation proposal (收回意见)."""

    PROPOSE = "propose"  # 提出意见: the unit or programme authority puts it forward
    APPROVE = "approve"  # 同意: the step's authority agrees
    DECLINE = "decline"  # 不同意: the proposal closes and the card stays in force


class ProcedureStep(Value, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A step a revocation must take (propose, or approve) and the roles that may take it,
    as the rule in force when it was proposed set it."""

    action: RevocationAction
    roles: tuple[Role, ...]
    decides: bool = True  # False: the step forwards the proposal and cannot decline it


class StepTaken(Value, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A step as it was taken: the action, the role acted in and the acting user, always
    from the command's own context, never typed in for somebody else."""

    action: RevocationAction
    role: Role
    actor: str


class RevocationProcedure(Value, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The revocation procedure (收回程序) of a scheme on a day: its steps in order."""

    available: bool
    reason: str
    steps: tuple[ProcedureStep, ...]
    rules: tuple[str, ...]
    version: str
    grounds: tuple[RevocationGround, ...] = ()  # the closed list a proposal names one of


class InterimAuthority(Value, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Who suspends and reinstates a scheme's cards on a day (暂停/恢复), and the rules
    (resting on a recorded decision) that say so."""

    roles: tuple[Role, ...]
    rules: tuple[str, ...]
    version: str


class RevocationStepDecision(Value, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Whether this user, in this role, may take the next step of a revocation. ``step``
    is the index in the procedure of the step taken; ``final`` when it is the last
    approval, which revokes the card. A refusal carries its stable ``code``."""

    allowed: bool
    code: str
    reason: str
    step: int
    final: bool
