"""The shape of the policy data (政策规则数据): one Struct per kind of rule.

Every rule has a stable ``id``, the ``source`` it comes from (seed file and article), the
policy ``version`` that introduced it and its own ``effective_from``/``effective_until``
(inclusive; absent = open). A rule applies on a day when its dates cover the day and the
version in force that day is its version or continues it (see ``versions.py``).
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Literal

import msgspec

from domain.vocabulary import ReviewStage, Role, Route, Scheme, SponsorKind


class Data(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base of every policy data record."""


class Rule(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Fields every rule carries."""

    id: str
    source: str
    version: str
    effective_from: date
    effective_until: date | None = None
    note: str = ""
    # Where no seed clause says it: the administrator's recorded decision it rests on.
    decision: str = ""
    # A corrected reading (issue 27): the earlier rules of the same kind this one replaces
    # from its first day. They keep deciding the days before it, so past events replay
    # under what was in force; ``talentcard policy recheck`` reads past days with this one.
    replaces: tuple[str, ...] = ()


class AdministratorDecision(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A recorded decision (管理决定) that a rule or a version rests on where the sources are
    silent: who decided, when, under which reference, what it says and why. A rule citing
    one names it in ``decision``; replacing it with the authority's own document is a
    change to this data."""

    id: str
    decided_by: str
    decided_on: date
    reference: str
    says: str
    why: str


class PolicyVersion(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A policy version (政策版本): a consolidated rule set in force over a span of dates.

    ``continues`` names the earlier version whose rules stay in force under this one (a
    later version adds or continues rules as data, never as code).
    """

    id: str
    effective_from: date
    effective_until: date | None = None
    continues: str | None = None
    source: str
    note: str = ""
    decision: str = ""  # the administrator's decision its dates rest on, if no source sets them


class ItemPart(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A separately limited part of a service item, e.g. the films of Liaocheng art. 21."""

    code: str
    name_zh: str
    name_en: str


class ServiceItem(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A green-channel service item (绿色通道服务事项) of a scheme's catalogue.

    ``code`` is ``<scheme>.<number in the source>`` (``liaocheng.21``); a part is
    ``<item code>.<word>`` (``liaocheng.21.films``). Codes never change once published.
    """

    code: str
    number: int
    name_zh: str
    name_en: str
    source: str
    parts: tuple[ItemPart, ...] = ()
    # 责任单位: the units that answer for the item, as the seed lists them (empty where the
    # seed names none, e.g. the provincial standard's annex A).
    responsible: tuple[str, ...] = ()


class Condition(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One eligibility condition on the facts of an application.

    Without a comparison the fact must be ``true``; with one, it must be a number that
    compares. ``when`` makes the condition apply only if that fact is true (a soft one may
    be waived by a recorded exception, below). ``age`` is computed from the date of birth, on the
    decision day or on the date fact ``age_on``. With ``in_force_from`` the fact must be
    true and the dates those facts give must cover the decision day.
    """

    label: str
    fact: str
    at_least: float | None = None
    greater_than: float | None = None
    at_most: float | None = None
    when: str = ""
    # ``age`` measured on the date fact named here (YYYY-MM-DD), not on the decision day
    # (Weihai 2019 part 2(1).3: the age at introduction, 引进时).
    age_on: str = ""
    # Date facts (YYYY-MM-DD) whose span must cover the decision day: another card's
    # validity (Weihai 2023 ①: a card counts only while in force). No until: no end date.
    in_force_from: str = ""
    in_force_until: str = ""
    # A soft criterion (一般应…, 一般不超过…): it holds, or an exception decided by
    # ``exception_by`` is recorded as the fact ``exception_ref`` (the decision's reference).
    soft: bool = False
    exception_by: Role | None = None
    exception_ref: str = ""
    exception_decision: str = ""  # the administrator's decision naming the decider


class Alternative(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One way of meeting a category: all its conditions must hold."""

    label: str
    all_of: tuple[Condition, ...]


class CategoryRule(Rule, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An eligibility category: who qualifies, by which route, for which tier."""

    category: str
    route: Route
    tier: str
    summary: str
    all_of: tuple[Condition, ...] = ()
    any_of: tuple[Alternative, ...] = ()


class PathRule(Rule, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The ordered review stages of a route (empty ``categories``: every category).

    ``when``: the path applies only when that filing fact is true (Shandong 7.1: a county
    employer's file starts at the county window, a provincial employer's goes straight to
    the provincial window); a path with a true ``when`` beats one without. ``intake``: the
    body that receives the file (受理) before the first stage may decide, without deciding
    itself (Weihai 2023: the talent institute). ``joint``: stages whose decision is taken
    together with the named departments, which the review must name (会同……共同研究确定)."""

    route: Route
    categories: tuple[str, ...] = ()
    stages: tuple[ReviewStage, ...]
    when: str = ""
    intake: Role | None = None
    # The stage the intake's receipt must come before (default: the first stage), e.g.
    # Weihai 2023 enterprise talent: 区市人社部门推荐并报市高层次人才服务窗口 → city HRSS.
    intake_before: ReviewStage | None = None
    joint: tuple[JointStage, ...] = ()


class JointStage(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A stage decided jointly: the stage's own role decides with ``departments``."""

    stage: ReviewStage
    departments: tuple[str, ...]


class FilerRule(Rule, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Who files an application (申请主体) of the listed categories (empty: every category
    without a rule of its own): the roles that may act and the kinds of sponsor it names.
    A scheme with no filer rule in force lets any role file."""

    categories: tuple[str, ...] = ()
    roles: tuple[Role, ...]
    sponsors: tuple[SponsorKind, ...]


class TierRule(Rule, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The scheme's tiers; when ``ranked``, listed from the highest down."""

    tiers: tuple[str, ...]
    ranked: bool


class TermBasisKind(enum.StrEnum):
    """What a card's term rests on (待遇享有期限的依据)."""

    DEFAULT = "default"  # no basis given: the scheme's normal term
    FIXED = "fixed"  # set by category whatever the basis (另有规定的从其规定)
    HUICAI_CARD = "huicai_card"  # the 惠才卡's own term
    PROGRAMME_PERIOD = "programme_period"  # a talent programme's management period (管理期)
    CONTRACT = "contract"  # the employment contract (工作合同期限)


class TermRule(Rule, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How long a card runs on one basis. ``years`` fixes the length; ``max_years`` caps
    the basis's own length; ``open_ended`` means no end date (until revoked).
    ``required_for``: categories whose term must come from this basis (no default).
    ``from_credential``: the basis is another card's own term, read from its credential;
    ``sole``: no other basis combines with it."""

    basis: TermBasisKind
    categories: tuple[str, ...] = ()
    years: int | None = None
    max_years: int | None = None
    open_ended: bool = False
    required_for: tuple[str, ...] = ()
    # The basis applies only where the application states one of these facts true
    # (Weihai part 2(3): 属引进人才的, a contract is the basis of talent brought in).
    when_any: tuple[str, ...] = ()
    # The rule does not apply where the application states one of these facts true (Weihai
    # 2023 part 2: 首次开通 - not where the person's earlier card of the category was issued).
    unless_any: tuple[str, ...] = ()
    # The basis's end date is read from a verified credential of this scheme's card (the
    # registry checks it offline against the trust list); a typed one is refused.
    from_credential: Scheme | None = None
    # Where this rule's basis applies, it alone sets the term: no other basis overrides it.
    sole: bool = False


class TermCombinationRule(Rule, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How several bases combine: the longest single term, never a sum (就高不重复)."""

    mode: Literal["longest"]


class EvidenceSet(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One way of proving an extension's event: everything in ``shows`` must be shown."""

    label: str
    shows: tuple[str, ...]


class ExtensionRule(Rule, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A term extended on an event (landing, hire) to ``years`` from the original start.
    ``evidence_any_of``: the evidence the source names, one set of which the extension
    must show (Weihai 2023: social insurance for a full-time hire; a work contract and pay
    for a flexible one). The source sets no window for the event, only that the 5 years
    count from the first day."""

    categories: tuple[str, ...]
    years: int
    trigger: str
    evidence_any_of: tuple[EvidenceSet, ...] = ()
    # The days after the first term ended and before the event stay lapsed: the extension
    # runs the years from the first day but does not grant back a gap in which no card was
    # in force (Weihai 2023: 待……落地后……延长, the services run again from the event).
    lapse_kept: bool = False


class UpgradeRule(Rule, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What an upgrade does to the term: restart for ``restart_years``, or keep it (None).
    With ``requires_category_of_tier``, the facts given with the upgrade must meet the
    category named like the higher tier (Jinan: the higher class's certification)."""

    restart_years: int | None = None
    requires_category_of_tier: bool = False
    # The upgrade names the higher category and passes that category's own route first
    # (Liaocheng art. 32: its review stages), as a request on the same card.
    by_category: bool = False


class CoverageRule(Rule, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Which tiers get which items (for the holder). An item code covers its parts."""

    tiers: tuple[str, ...]
    items: tuple[str, ...]
    detail: str = ""


class BeneficiaryToken(enum.StrEnum):
    """Who may use an item, in the words of the article (受益人类别). The child classes differ
    as the seeds do: a 未成年子女 is under 18; a 未到法定结婚年龄子女 is under the legal
    marriage age (22 for a son, 20 for a daughter); a 未婚子女 is unmarried, at any age; a
    plain 子女 (the schooling articles) is any child of the holder, the article's own
    conditions saying which schooling."""

    HOLDER = "holder"  # 本人
    SPOUSE = "spouse"  # 配偶
    MINOR_CHILD = "minor_child"  # 未成年子女
    CHILD_UNDER_MARRIAGE_AGE = "child_under_marriage_age"  # 未到法定结婚年龄子女
    UNMARRIED_CHILD = "unmarried_child"  # 未婚子女
    CHILD = "child"  # 子女
    PARENT = "parent"  # 父母
    SPOUSE_PARENT = "spouse_parent"  # 配偶父母
    COMPANION = "companion"  # 陪同人员


class MarriageAge(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The legal marriage age (法定结婚年龄) by sex: a 未到法定结婚年龄子女 is a son under
    ``son`` or a daughter under ``daughter`` on the day."""

    son: int
    daughter: int


class BeneficiaryRule(Rule, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Who may use the listed items. The ``default`` rule (no items) covers the rest.
    ``with_holder``: the others use it only together with the holder (同步享受), never
    alone.

    ``marriage_age``: the ages the rule decides 未到法定结婚年龄子女 by, with the child's
    sex as the family record files it (issue 27); a rule stating none (those until
    2026-12-06) decides by the Civil Code's ages held in ``domain.policy.beneficiaries``."""

    items: tuple[str, ...] = ()
    allowed: tuple[BeneficiaryToken, ...]
    max_companions: int = 0
    with_holder: bool = False
    default: bool = False
    marriage_age: MarriageAge | None = None


class ItemConditionRule(Rule, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A condition an article sets beyond the tier (e.g. "newly introduced", "full-time in a
    public institution", "the holder's own ID and a same-day ticket").

    It is met when the card's category is one of ``categories``, or when the fact ``fact``
    is given true; a fact given false refuses. A condition with ``categories`` and no
    ``fact`` refuses every other known category. Otherwise, while nothing says, the item
    is granted *subject to* the condition: the decision lists ``label`` in ``requires``,
    what the clerk or venue must still see."""

    items: tuple[str, ...]
    label: str
    categories: tuple[str, ...] = ()
    fact: str = ""


class UsageLimitRule(Rule, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Limits on using an item: per calendar year, for some years from issue, a number of
    months in all, a minimum age of the beneficiary, residence in a city care home."""

    items: tuple[str, ...]
    per_calendar_year: int | None = None
    years_from_issue: int | None = None
    max_months: int | None = None
    min_age: int | None = None
    # A monthly payment pays only months in which the beneficiary has reached ``min_age``,
    # counted from the month of that birthday, arrears included (Liaocheng art. 22:
    # 父母年龄在60周岁以上的……每月给予); otherwise the age is checked on the day of use.
    min_age_each_month: bool = False
    requires_city_care_home: bool = False
    amount_cny_per_month: int | None = None
    # What the limit pays or gives, when not a fixed amount (e.g. twice the local minimum
    # wage a month); shown in the decision's detail.
    detail: str = ""
    # Only within so many years of a date the clerk gives as the fact ``within_years_of``
    # (YYYY-MM-DD): Weihai (十) 3年内 from the spouse's arrival, Shandong A.22 5年内.
    within_years: int | None = None
    within_years_of: str = ""


class PayerRule(Rule, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Who records the use of the listed items: the body that pays them, where the article
    names it (Shandong annex A.9: 用人单位……发放生活补贴, the employer). While a rule is in
    force for an item only its ``roles`` record its uses, in the catalogue of the item's
    own scheme; other items are recorded by the venue or paying office of their city."""

    items: tuple[str, ...]
    roles: tuple[Role, ...]


class QuotaRule(Rule, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """At most ``limit`` cards per project or enterprise; ``case_by_case`` lets a recorded
    decision (一事一议) raise it."""

    category: str
    per: Literal["project", "enterprise"]
    limit: int
    case_by_case: bool = False
    # What a case-by-case raise must attest about the project (e.g. ``major_project``:
    # 重大项目可采取一事一议增加发放名额); empty: nothing.
    case_by_case_for: str = ""
    # Who may decide a case-by-case raise (一事一议 names no one: a recorded decision).
    case_by_case_by: tuple[Role, ...] = ()


class AcceptanceRule(Rule, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Items a city honours on any of the listed card schemes (e.g. 惠才卡 or gold card)."""

    items: tuple[str, ...]
    card_schemes: tuple[Scheme, ...]


class StackingRule(Rule, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The 惠才卡 is honoured for matching city items in the listed cities (叠加)."""

    honoured_in: tuple[Scheme, ...]


class BasisRecognitionRule(Rule, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Another scheme's card counts as a fact of an eligibility category.
    ``from_credential``: the fact and the card's dates (``valid_from_fact``,
    ``valid_until_fact``) are read from the card's verified credential only; typed, they
    are refused, as are ``refuses_facts`` (other ways of naming the card)."""

    category: str
    fact: str
    card_schemes: tuple[Scheme, ...]
    from_credential: bool = False
    valid_from_fact: str = ""
    valid_until_fact: str = ""
    refuses_facts: tuple[str, ...] = ()


class RevocationStep(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One step of a revocation procedure: ``propose`` (one of ``roles`` puts it forward)
    or ``approve`` (one of ``roles`` must agree before the next step). Each step is taken
    in its own command by its own user."""

    action: Literal["propose", "approve"]
    roles: tuple[Role, ...]
    note: str = ""
    # False for a step that only receives and forwards (the same-level window: 向同级服务
    # 窗口提出意见，报市人社局同意): it is taken by approving and cannot decline.
    decides: bool = True


class RevocationRule(Rule, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How a card is revoked (收回): the steps in the source's order, the first a proposal,
    each later one an approval; the last approval revokes. Adding a window's intake step
    or reordering the approvals is a change to this data."""

    steps: tuple[RevocationStep, ...]
    grounds: str
    # The grounds the source allows, a closed list (Weihai 2019 part 2(5): no longer
    # innovating or working in Weihai; breach of law, discipline or rules). A proposal names
    # one by code.
    closed_grounds: tuple[RevocationGround, ...] = ()
    # The cards it is the procedure of, by the kind of their sponsor (empty: every card);
    # a rule naming the card's sponsor kind beats one naming none (Jinan: a card the talent
    # obtained alone has no unit to propose, jinan.decision.revocation_without_unit).
    sponsors: tuple[SponsorKind, ...] = ()


class InterimRule(Rule, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Who suspends a card and reinstates it (暂停/恢复): the registry's interim measure,
    which no seed clause provides, so every such rule rests on a recorded decision."""

    roles: tuple[Role, ...]


class AmendmentRule(Rule, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Who reports a change to a card's people after issuance and who decides it (信息变更):
    ``filers`` the roles that may file one (empty: every role a filer rule of the scheme
    names, as for its applications), ``deciders`` the issuing body's
    roles, which approve or refuse it."""

    filers: tuple[Role, ...] = ()
    deciders: tuple[Role, ...]


IssuerAction = Literal["issue", "upgrade", "extend"]


class IssuerRule(Rule, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Who issues a scheme's card (颁发) and who changes its grant (upgrade, extension):
    ``roles`` may take each of ``actions``. An action no rule in force names is taken by
    no one."""

    roles: tuple[Role, ...]
    actions: tuple[IssuerAction, ...]


class RevocationGround(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One ground a revocation may rest on (收回情形)."""

    code: str
    label: str


class DeadlineRule(Rule, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How many working days issuance may take, from which event (办理时限)."""

    route: Route
    starts: Literal["received", "contract_confirmed", "expert_review"]
    working_days: int | None = None
    # The window whose receipt of the file counts (e.g. Shandong 7.1: the provincial
    # window); None: any window's receipt.
    window: Role | None = None
    # The events the clock starts from are required steps, not only measured when
    # recorded: the window's receipt before that window decides its stage or the card is
    # issued, and (``starts = "contract_confirmed"``) the contract's confirmation before
    # issuance (Shandong 7.1: 申请信息提交至省高层次人才服务窗口后……确认引进人才工作合同后).
    required: bool = False


class ServiceDeadlineRule(Rule, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A deadline on delivering an item, started by a recorded request for it and
    stopped when it is recorded done (Liaocheng art. 13: 1个月内办理随调手续): ``months``
    calendar months from the request's day; ``beneficiary`` the person the item serves,
    whom the card must grant it to; ``recorded_by`` the roles that record the request and
    its completion."""

    clock: str
    items: tuple[str, ...]
    beneficiary: BeneficiaryToken
    months: int
    recorded_by: tuple[Role, ...]


class EmployerLevelRule(Rule, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Where the employer's level that chooses a review path (``[[paths]]`` ``when``)
    comes from (shandong-provincial-service-standard 7.1 item 4: 提交至同级高层次人才服务窗口
    审核): ``from_register`` — the register of employers, by the sponsor's credit code, and a
    typed level fact is refused — or, when false, the facts the filer types. ``facts``
    names the path fact each level sets (county, city, province)."""

    from_register: bool
    county_fact: str
    city_fact: str
    province_fact: str


class SchemeData(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One scheme's file: versions, catalogue and rules."""

    scheme: Scheme
    name_zh: str
    name_en: str
    issuer: str
    versions: tuple[PolicyVersion, ...]
    decisions: tuple[AdministratorDecision, ...] = ()
    items: tuple[ServiceItem, ...]
    tiers: TierRule
    categories: tuple[CategoryRule, ...]
    paths: tuple[PathRule, ...]
    filers: tuple[FilerRule, ...] = ()
    terms: tuple[TermRule, ...]
    term_combination: TermCombinationRule | None = None
    extensions: tuple[ExtensionRule, ...] = ()
    upgrades: tuple[UpgradeRule, ...] = ()
    coverage: tuple[CoverageRule, ...]
    beneficiaries: tuple[BeneficiaryRule, ...]
    limits: tuple[UsageLimitRule, ...] = ()
    payers: tuple[PayerRule, ...] = ()
    conditions: tuple[ItemConditionRule, ...] = ()
    quotas: tuple[QuotaRule, ...] = ()
    accepts: tuple[AcceptanceRule, ...] = ()
    stacking: tuple[StackingRule, ...] = ()
    recognitions: tuple[BasisRecognitionRule, ...] = ()
    revocation: tuple[RevocationRule, ...] = ()
    amendments: tuple[AmendmentRule, ...] = ()
    issuers: tuple[IssuerRule, ...] = ()
    interim: tuple[InterimRule, ...] = ()
    deadlines: tuple[DeadlineRule, ...] = ()
    levels: tuple[EmployerLevelRule, ...] = ()
    service_deadlines: tuple[ServiceDeadlineRule, ...] = ()


class ItemMatch(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A provincial item and the city items that match it, for stacking (叠加)."""

    provincial: str
    city: tuple[str, ...]
    note: str = ""


class StackingReach(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Which of one city's items the 惠才卡 reaches through annex A.30 (按照叠加原则覆盖的市、
    县级服务事项), recorded item by item: ``reached`` are honoured for a valid 惠才卡 and
    decided by the city's own article (its beneficiaries, conditions and limits);
    ``withheld`` are matched by function but gated by the city's own classes, so they stay
    with the city's card. The loader checks that every city item ``matches`` names is in
    exactly one of the two."""

    city: Scheme
    source: str
    reached: tuple[str, ...]
    withheld: tuple[str, ...] = ()
    note: str = ""
    decision: str = ""  # a provincial administrator's decision the reading rests on
    # The class the city's own rules give a 惠才卡 holder, where they give one (Liaocheng
    # arts. 5(1), 31: class A); empty: none (Jinan). With the file's ``class_gates``
    # reading, a matched item of a ranked city is reached when one coverage rule gives it
    # to every class, or to this one; otherwise withheld. The loader checks the lists.
    huicai_class: str = ""
    # City items that match no provincial item and so stay with the city's card (Liaocheng
    # arts. 21 films, 22), on the recorded decision ``own_decision``.
    own: tuple[str, ...] = ()
    own_decision: str = ""


class StackingData(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The file ``stacking.toml``: the provincial ↔ city item mapping and, per city, how far
    it reaches."""

    source: str
    matches: tuple[ItemMatch, ...]
    reach: tuple[StackingReach, ...]
    # The decision giving one reading to class-gated items (Jinan art. 6(2) D类及以上 and
    # arts. 8, 9, 11, 12), which the loader holds every ranked city's reach to.
    class_gates: str = ""


class WorkdayYear(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An administrator-supplied calendar year: holidays and adjusted working days."""

    year: int
    source: str
    holidays: tuple[date, ...]
    adjusted_workdays: tuple[date, ...] = ()


class WorkdayData(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The file ``workdays.toml``: years the ``chinese_calendar`` package does not cover."""

    note: str = ""
    years: tuple[WorkdayYear, ...] = ()


class Policy(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Everything loaded: each scheme's data, the stacking map and the workday calendar."""

    schemes: dict[Scheme, SchemeData]
    stacking: StackingData
    workdays: WorkdayData

    def scheme(self, scheme: Scheme) -> SchemeData:
        """The data of one scheme."""
        return self.schemes[scheme]
