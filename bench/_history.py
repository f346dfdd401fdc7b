"""A synthetic registry history (模拟历史): what ``bench.seed`` asks the ledger to do.

The plan is pure data, made from a seed: for every card, the commands a real registry
would see (filing, reviews in the stage order its route sets, issue, upgrades, extensions,
suspensions, revocation proposals) with the instant each one happens. ``bench.seed``
replays it through the ledger's command methods, so every event is decided by the real
domain. Cards are dealt into ``blocks``; a block's steps depend only on the seed, the card
count and the block, and everything shared between cards (a holder who applies again, a
project's or an enterprise's quota) stays inside one block, so blocks can be written by
separate processes without one waiting for another.

The rates follow the brief of issue 9 (point 5): about 5 % rejections, 3 % withdrawals,
most files issued. Categories, facts, stages and revocation roles are those of
domain/policy/data/*.toml (each scheme's file names its articles).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import msgspec

from domain.clock import business_date
from ledger import commands as c

START = datetime(2023, 5, 31, 16, 0, tzinfo=UTC)  # 2023-06-01 00:00 in Asia/Shanghai
SPAN = timedelta(days=3 * 365)
MAX_BLOCKS = 64
_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))


@dataclass(frozen=True, slots=True)
class Step:
    """One command of the plan: ``command`` is a CardLedger method; ``card`` is the card's
    serial in the history (the ledger gives the real id when it files it)."""

    at: datetime
    order: int
    card: int
    command: str
    body: c.Body


@dataclass(frozen=True, slots=True)
class Category:
    """A category as filed: facts meeting its rule, who files it, its review stages (the
    ``[[paths]]`` of the scheme's seed file) and what a card of it can become."""

    scheme: str
    code: str
    weight: int
    facts: dict[str, Any]
    stages: tuple[str, ...]
    filer: str = "employer"  # role; "applicant" files alone (direct routes only)
    upgrades_to: tuple[str, ...] = ()  # higher tiers (ranked schemes only)
    quota: str = ""  # "project" or "enterprise" (Weihai 2023 quotas)
    extendable: bool = False  # Weihai 2023 extension (weihai.term.extension_2023)
    one_year: bool = False  # first term of one year (weihai.term.first_issue_2023)
    intake: str = ""  # the body that receives the file (the path's intake) …
    intake_before: str = ""  # … before this stage decides (empty: before the first)
    joint: tuple[tuple[str, tuple[str, ...]], ...] = ()  # stages decided with departments


# Scheme weights: Jinan and Weihai are the busiest windows.
SCHEMES: dict[str, int] = {"jinan": 30, "weihai": 30, "liaocheng": 20, "shandong": 20}

CATEGORIES: tuple[Category, ...] = (
    # jinan.toml arts. 3, 24(1): classes A–D, claimed online on certification data.
    Category("jinan", "A", 5, {"certified_class_a": True}, (), "applicant"),
    Category("jinan", "B", 15, {"certified_class_b": True}, (), "applicant", ("A",)),
    Category("jinan", "C", 35, {"certified_class_c": True}, (), "applicant", ("A", "B")),
    Category("jinan", "D", 45, {"certified_class_d": True}, (), "applicant", ("A", "B", "C")),
    # liaocheng.toml arts. 5, 31, 32.
    Category(
        "liaocheng",
        "art5.1",
        10,
        {"holds_huicai_card": True, "huicai_card_valid_from": "2020-01-01"},
        (),
    ),
    Category("liaocheng", "art5.2", 10, {"certified_top_or_leading": True}, ()),
    Category(
        "liaocheng",
        "art5.3",
        40,
        {"certified_excellent": True},
        ("city_hrss", "talent_office"),
        upgrades_to=("A",),
    ),
    Category(
        "liaocheng",
        "art5.4",
        25,
        {"flexibly_introduced": True, "equivalent_level": True},
        ("city_hrss", "talent_office"),
        upgrades_to=("A", "B"),
    ),
    Category(
        "liaocheng",
        "art5.5",
        15,
        {"works_elsewhere": True, "national_or_provincial_programme": True},
        ("city_hrss", "talent_office"),
        upgrades_to=("A", "B"),
    ),
    # weihai.toml: 2019 opinion categories 1–4, 2023 notice business_elite, enterprise_talent.
    Category(
        "weihai",
        "1",
        10,
        {
            "works_in_weihai": True,
            "holds_huicai_card": True,
            "huicai_card_valid_from": "2020-01-01",
        },
        (),
        "applicant",
    ),
    Category("weihai", "2", 10, {"selected_yingcai_programme": True}, (), "applicant"),
    Category(
        "weihai",
        "3",
        20,
        {"imported_national_or_provincial_programme": True},
        ("district", "city_hrss", "talent_office"),
    ),
    Category(
        "weihai",
        "4",
        20,
        {"full_senior_title": True, "innovation_record": True},
        ("district", "city_hrss", "talent_office"),
    ),
    # 2023 part 3(1): the talent institute receives the file; city HRSS decides with the
    # Organisation Department and the Commerce Bureau; 3(2): with the Organisation
    # Department, the NDRC and the MIIT bureau.
    Category(
        "weihai",
        "business_elite",
        20,
        {"key_member_of_project_under_negotiation": True},
        ("city_hrss", "talent_office"),
        "investment_department",
        quota="project",
        extendable=True,
        one_year=True,
        intake="talent_institute",
        joint=(("city_hrss", ("市委组织部", "市商务局")),),
    ),
    Category(
        "weihai",
        "enterprise_talent",
        20,
        {
            "planned_hire_of_target_enterprise": True,
            "annual_salary_cny": 500000,
            "shortage_field": True,
        },
        ("district", "city_hrss"),
        "enterprise",
        quota="enterprise",
        extendable=True,
        one_year=True,
        intake="city_window",
        intake_before="city_hrss",
        joint=(("city_hrss", ("市委组织部", "市发改委", "市工信局")),),
    ),
    # shandong.toml 5.2.1–5.2.3 and 7.1: a city employer's file starts at the city window
    # and rises to the provincial window (level by level).
    Category(
        "shandong",
        "direct",
        30,
        {
            "provincial_comprehensive_programme": True,
            "city_employer": True,
            "innovation_record": True,
        },
        ("city_window", "provincial_window"),
    ),
    Category(
        "shandong",
        "reviewed",
        30,
        {
            "academician_or_major_award": True,
            "flexibly_introduced": True,
            "city_employer": True,
            "innovation_record": True,
        },
        ("city_window", "provincial_window"),
    ),
    Category(
        "shandong",
        "evaluated",
        40,
        {
            "shortage_industry": True,
            "senior_title_or_phd": True,
            "years_in_key_field": 5,
            "city_employer": True,
            "innovation_record": True,
        },
        ("city_window", "expert_panel", "provincial_window"),
    ),
)

# Who proposes a revocation and who approves it, in order (each scheme's [[revocation]]).
# The cities' proposals go through the same-level window first (向同级服务窗口提出意见).
REVOCATION: dict[str, tuple[str, tuple[str, ...]]] = {
    "jinan": ("employer", ("city_window", "city_hrss", "talent_office")),
    "liaocheng": ("employer", ("city_window", "city_hrss")),
    "weihai": ("employer", ("city_window", "city_hrss")),
    "shandong": ("city_window", ("provincial_window",)),
}
# The interim authority (domain.policy.interim_authority: the last approver above).
INTERIM = {scheme: approvers[-1] for scheme, (_, approvers) in REVOCATION.items()}
# Liaocheng art. 32: the category a higher tier rests on, its facts and its route's stages.
LIAOCHENG_UPGRADES: dict[str, tuple[str, dict[str, Any], tuple[str, ...]]] = {
    "A": ("art5.2", {"certified_top_or_leading": True}, ()),
    "B": ("art5.3", {"certified_excellent": True}, ("city_hrss", "talent_office")),
}
# Who issues, upgrades and extends: each scheme's issuing office (its seed file's ``issuer``).
ISSUER = {
    "jinan": "city_window",
    "liaocheng": "city_hrss",
    "weihai": "city_hrss",
    "shandong": "provincial_window",
}
DECISION_REF = {
    "jinan": "济人才办",
    "liaocheng": "聊人社",
    "weihai": "威人社",
    "shandong": "鲁人社",
}

EMPLOYERS: dict[str, tuple[str, ...]] = {
    "jinan": ("山东大学", "济南大学", "浪潮集团", "济南高新区管委会", "齐鲁制药"),
    "liaocheng": ("聊城大学", "鲁西化工集团", "聊城市人民医院", "信发集团"),
    "weihai": ("哈尔滨工业大学（威海）", "威高集团", "山东大学威海分校", "威海市立医院"),
    "shandong": ("海尔集团", "潍柴动力", "山东省科学院", "中国海洋大学", "万华化学"),
}
_TRADES = ("科技", "生物医药", "新材料", "智能制造", "海洋工程", "软件", "新能源")
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志文晨博宇浩然思远"


@dataclass(slots=True)
class _Block:
    """What the cards of one block share while their plan is made."""

    number: int
    rng: random.Random
    steps: list[Step] = field(default_factory=list)
    closed: list[tuple[datetime, int, str]] = field(default_factory=list)  # holders free again
    groups: dict[str, tuple[int, int]] = field(default_factory=dict)  # quota: (group, used)
    raised: set[str] = field(default_factory=set)


def resident_id(person: int, born: date) -> str:
    """A valid resident ID number (GB 11643 check character), different for every person
    below 800 million: the area code and the sequence number both come from ``person``."""
    area, sequence = 110000 + person % 800000, person // 800000 % 1000
    body = f"{area:06d}{born:%Y%m%d}{sequence:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]


def block_count(cards: int) -> int:
    """How many blocks ``cards`` are dealt into: about 50 cards a block, at most 64, so a
    block spans the whole period and holds enough cards to share a holder or a quota."""
    return max(1, min(MAX_BLOCKS, cards // 50))


def window(until: datetime) -> tuple[datetime, datetime]:
    """The period the history covers: three years from 2023-06-01, ending before ``until``
    (the real now) so that nothing is ever dated in the future."""
    return START, min(START + SPAN, until)


def plan_block(
    seed: int, cards: int, block: int, until: datetime, people_from: int = 0
) -> list[Step]:
    """Every step of one block's cards, in the order they happen. Holders are numbered
    from ``people_from``, so that a history added to a store that holds one (``--force``)
    is about other people."""
    start, end = window(until)
    filing_span = (end - start) * 0.9
    blocks = block_count(cards)
    state = _Block(block, random.Random(f"{seed}:{cards}:{block}"))
    for serial in range(block, cards, blocks):
        filed = start + filing_span * (serial / cards) + timedelta(minutes=state.rng.randrange(600))
        forced = FORCED[serial] if serial < len(FORCED) else None
        _plan_card(state, serial, people_from + serial, filed, end, forced)
    return sorted(state.steps, key=lambda s: (s.at, s.order))


@dataclass(frozen=True, slots=True)
class Scenario:
    """What becomes of one card (the rest is drawn at random)."""

    category: tuple[str, str]
    outcome: str = "issued"  # issued, rejected, withdrawn
    upgrade: bool = False
    extend: bool = False
    suspend: bool = False
    reinstate: bool = False
    revocation: str = ""  # "", approved, declined


# The first cards of a history, so that even a small one (``--cards 40``) has every kind of
# event; the rest are drawn with the rates below.
FORCED: tuple[Scenario, ...] = (
    Scenario(("liaocheng", "art5.3"), "rejected"),
    Scenario(("jinan", "D"), "withdrawn"),
    Scenario(("jinan", "C"), upgrade=True, revocation="approved"),
    Scenario(("liaocheng", "art5.4"), upgrade=True, suspend=True, reinstate=True),
    Scenario(("weihai", "business_elite"), extend=True, revocation="declined"),
    Scenario(("weihai", "enterprise_talent"), extend=True, suspend=True),
    Scenario(("shandong", "evaluated"), revocation="approved"),
    Scenario(("shandong", "direct"), suspend=True, reinstate=True, revocation="declined"),
    Scenario(("weihai", "3"), "rejected"),
    Scenario(("weihai", "1")),
    Scenario(("shandong", "reviewed"), "withdrawn"),
    Scenario(("jinan", "B"), revocation="declined"),
)


def _draw(rng: random.Random) -> Scenario:
    scheme = rng.choices(list(SCHEMES), weights=list(SCHEMES.values()))[0]
    options = [k for k in CATEGORIES if k.scheme == scheme]
    category = rng.choices(options, weights=[k.weight for k in options])[0]
    roll = rng.random()
    # About 5 % of all files are rejected: 8 % of those that pass a review (60 % of them).
    outcome = (
        "rejected"
        if roll < 0.08 and category.stages
        else ("withdrawn" if roll > 0.97 else "issued")
    )
    suspend = rng.random() < 0.06
    revocation = ""
    if rng.random() < 0.05:
        revocation = "approved" if rng.random() < 0.7 else "declined"
    return Scenario(
        (scheme, category.code),
        outcome,
        upgrade=bool(category.upgrades_to) and rng.random() < 0.2,
        extend=category.extendable and rng.random() < 0.75,
        suspend=suspend,
        reinstate=suspend and rng.random() < 0.7,
        revocation=revocation,
    )


class _Card:
    """One card's steps as they are planned: each after the previous one, none after the
    end of the history."""

    def __init__(self, state: _Block, serial: int, at: datetime, end: datetime) -> None:
        self.state, self.serial, self.at, self.end = state, serial, at, end
        self.open = True

    def then(
        self, command: str, body: dict[str, Any], kind: type[c.Body], *, after: timedelta
    ) -> bool:
        """Plan ``command`` ``after`` the previous step; False (and the card stops) if
        that would be past the end of the history."""
        if not self.open or self.at + after >= self.end:
            self.open = False
            return False
        self.at += after
        self.state.steps.append(
            Step(self.at, len(self.state.steps), self.serial, command, msgspec.convert(body, kind))
        )
        return True

    def wait(self, low_days: float, high_days: float) -> timedelta:
        return timedelta(minutes=self.state.rng.uniform(low_days * 1440, high_days * 1440))


def _plan_card(
    state: _Block,
    serial: int,
    person: int,
    filed: datetime,
    end: datetime,
    forced: Scenario | None,
) -> None:
    rng = state.rng
    scenario = forced or _draw(rng)
    category = next(k for k in CATEGORIES if (k.scheme, k.code) == scenario.category)
    scheme = category.scheme
    for i, (closed_at, earlier, was) in enumerate(state.closed):
        if was == scheme and closed_at < filed - timedelta(days=14) and rng.random() < 0.5:
            person = earlier  # the same holder applies again once their file has ended
            del state.closed[i]
            break
    card = _Card(state, serial, filed, end)
    filer = _filer(state, category, card)
    if filer is None:
        return
    applied = card.then(
        "apply", _application(rng, category, person, filer), c.ApplyBody, after=timedelta(0)
    )
    if not applied:
        return
    # Reviews in the order the route sets; a file that ends early (rejected, withdrawn)
    # ends at a random stage: the reviewer there refuses, or the filer withdraws before it.
    stages = category.stages

    def receive() -> bool:  # 受理: the path's intake takes the file in
        return card.then(
            "receive",
            {**_official(rng, category.intake, scheme), "window": category.intake},
            c.ReceiveBody,
            after=card.wait(0.1, 3),
        )

    if category.intake and not category.intake_before and not receive():
        return
    ends_at = len(stages) if scenario.outcome == "issued" else rng.randrange(len(stages) or 1)
    for index, stage in enumerate(stages[: ends_at + 1]):
        if index == ends_at and scenario.outcome == "withdrawn":
            break
        if category.intake_before == stage and not receive():
            return
        decision = "rejected" if index == ends_at else "approved"
        if rng.random() < 0.05 and not card.then(  # 退回补正: evidence asked for, stage open
            "review",
            _review(rng, category, stage, "returned"),
            c.ReviewBody,
            after=card.wait(0.5, 10),
        ):
            return
        if not card.then(
            "review",
            _review(rng, category, stage, decision),
            c.ReviewBody,
            after=card.wait(0.5, 20),
        ):
            return
    if scenario.outcome == "withdrawn" and not card.then(
        "withdraw", _who(filer), c.WithdrawBody, after=card.wait(0.2, 15)
    ):
        return
    if scenario.outcome != "issued":
        state.closed.append((card.at, person, scheme))  # the holder may apply again
        return
    after = card.wait(0.1, 7)
    issue = _official(rng, ISSUER[scheme], scheme)
    if (scheme, category.code) == ("weihai", "1"):  # filed on the 惠才卡: its term (2019 2(3))
        until = (card.at + after).date().replace(day=1) + timedelta(days=4 * 365)
        issue["bases"] = [
            {"kind": "huicai_card", "until": until.isoformat(), "label": "山东惠才卡"}
        ]
    if not card.then("issue", issue, c.IssueBody, after=after):
        return
    _plan_after_issue(state, card, category, scenario, person)


def _plan_after_issue(
    state: _Block, card: _Card, category: Category, scenario: Scenario, person: int
) -> None:
    rng, scheme = state.rng, category.scheme
    issued = card.at
    in_force_until = issued + timedelta(days=330 if category.one_year else 1700)
    if scenario.extend:
        landed = card.wait(20, 250)
        event_on = business_date(issued + landed)
        # 2023 part 2: a project's landing, or a hire shown as part 1(2) asks.
        shows = (
            ["project_landed"]
            if category.quota == "project"
            else ["full_time_hire", "social_insurance"]
            if card.serial % 3
            else ["flexible_hire", "work_contract", "partner_pay"]
        )
        if not card.then(
            "extend",
            {
                **_official(rng, "city_hrss", scheme),
                "event_on": event_on.isoformat(),
                "evidence": [f"doc://landing/{card.serial}"],
                "shows": shows,
            },
            c.ExtendBody,
            after=landed + card.wait(0.5, 20),
        ):
            return
        in_force_until = issued + timedelta(days=1700)
    if scenario.upgrade:
        tier = rng.choice(category.upgrades_to)
        # Jinan art. 24(2): the higher class's certification comes with the upgrade.
        certified = {f"certified_class_{tier.lower()}": True} if scheme == "jinan" else {}
        wait = card.wait(30, 400)
        if scheme == "liaocheng":  # art. 32: the higher category by its route, same card
            higher, facts, stages = LIAOCHENG_UPGRADES[tier]
            if not card.then(
                "upgrade_request",
                {
                    "actor": f"hr.{card.serial % 97}",
                    "role": "employer",
                    "category": higher,
                    "facts": facts,
                },
                c.UpgradeRequestBody,
                after=wait,
            ):
                return
            for stage in stages:
                if not card.then(
                    "review",
                    _review(rng, category, stage, "approved"),
                    c.ReviewBody,
                    after=card.wait(0.5, 20),
                ):
                    return
            wait = card.wait(0.1, 5)
        if not card.then(
            "upgrade",
            {**_official(rng, ISSUER[scheme], scheme), "tier": tier, "facts": certified},
            c.UpgradeBody,
            after=wait,
        ):
            return
    if scenario.suspend:
        gap = card.wait(20, 300)
        if card.at + gap < in_force_until:
            ref = f"{DECISION_REF[scheme]}〔{business_date(card.at + gap).year}〕{card.serial}号"
            body = {**_official(rng, INTERIM[scheme], scheme), "decision_ref": ref}
            if not card.then(
                "suspend", {**body, "reason": "under investigation"}, c.StatusBody, after=gap
            ):
                return
            if scenario.reinstate and not card.then(
                "reinstate",
                {**body, "reason": "investigation closed, no finding"},
                c.StatusBody,
                after=card.wait(10, 90),
            ):
                return
    if scenario.revocation:
        _plan_revocation(state, card, scheme, scenario.revocation)
        if scenario.revocation == "approved" and card.open:
            state.closed.append((card.at, person, scheme))


def _plan_revocation(state: _Block, card: _Card, scheme: str, outcome: str) -> None:
    rng = state.rng
    proposer, approvers = REVOCATION[scheme]
    ground = "left_weihai" if scheme == "weihai" else "misconduct"  # each closed list
    if not card.then(
        "propose_revocation",
        {**_official(rng, proposer, scheme), "reason": "left the city", "ground": ground},
        c.RevocationProposeBody,
        after=card.wait(30, 500),
    ):
        return
    # A decline comes at a random step (Jinan's talent office may refuse what HRSS agreed).
    # The city window only forwards (decides = false): a decline comes at a deciding step.
    first = 1 if approvers[0] == "city_window" else 0
    decline_at = rng.randrange(first, len(approvers)) if outcome == "declined" else -1
    for index, role in enumerate(approvers):
        if index == decline_at:
            card.then(
                "decline_revocation",
                {**_official(rng, role, scheme), "reason": "grounds not shown"},
                c.RevocationDeclineBody,
                after=card.wait(2, 30),
            )
            return
        if not card.then(
            "approve_revocation",
            _official(rng, role, scheme),
            c.RevocationApproveBody,
            after=card.wait(2, 30),
        ):
            return


def _filer(state: _Block, category: Category, card: _Card) -> dict[str, Any] | None:
    """The filing role, sponsor and quota subject; a project quota that is full is raised
    by the talent office now and then (case by case, weihai.quota.business_elite), and
    otherwise the card joins a new project or enterprise."""
    rng, scheme = state.rng, category.scheme
    employer = _employer(rng, scheme)
    if category.filer == "applicant":
        return {"role": "applicant", "actor": f"talent.{card.serial}", "sponsor": {"kind": "none"}}
    if not category.quota:
        return {
            "role": "employer",
            "actor": f"hr.{card.serial % 97}",
            "sponsor": {"kind": "employer", "name": employer},
        }
    group, used = state.groups.get(category.code, (0, 0))
    key = f"{category.code}:{group}"
    if used == 3 and category.quota == "project" and key not in state.raised and rng.random() < 0.3:
        state.raised.add(key)
        subject = f"WH-P-{state.number:02d}-{group:04d}"
        card.then(
            "raise_quota",
            {
                **_official(rng, "talent_office", scheme),
                "scheme": scheme,
                "category": category.code,
                "project_id": subject,
                "limit": 5,
                "decision_ref": f"威人才办〔一事一议〕{group}号",
                "attests": ["major_project"],
            },
            c.QuotaRaiseBody,
            after=timedelta(0),
        )
        if not card.open:
            return None
        card.at += timedelta(hours=2)
    elif used >= (5 if key in state.raised else 3):
        group, used = group + 1, 0
    state.groups[category.code] = (group, used + 1)
    if category.quota == "project":
        return {
            "role": "investment_department",
            "actor": f"invest.{state.number}",
            "sponsor": {"kind": "investment_department", "name": "威海市商务局"},
            "project_id": f"WH-P-{state.number:02d}-{group:04d}",
        }
    return {
        "role": "enterprise",
        "actor": f"enterprise.{state.number}.{group}",
        "sponsor": {"kind": "enterprise", "name": f"威海{_TRADES[group % 7]}有限公司{group}"},
        "enterprise_id": f"WH-E-{state.number:02d}-{group:04d}",
    }


def _application(
    rng: random.Random, category: Category, person: int, filer: dict[str, Any]
) -> dict[str, Any]:
    # Born and named by the person's serial, so a holder who applies again is the same one.
    born = date(1958, 1, 1) + timedelta(days=person * 7919 % (40 * 365))
    given = _GIVEN[person * 31 % len(_GIVEN)] + _GIVEN[person * 17 % len(_GIVEN)][: person % 2]
    name = _SURNAMES[person * 13 % len(_SURNAMES)] + given
    body: dict[str, Any] = {
        "actor": filer["actor"],
        "role": filer["role"],
        "scheme": category.scheme,
        "category": category.code,
        "facts": category.facts,
        "holder": {
            "name": name,
            "id_number": resident_id(person, born),
            "date_of_birth": born.isoformat(),
        },
        "sponsor": filer["sponsor"],
        "evidence": [f"doc://{category.scheme}/{person}/1"] if category.stages else [],
        "note": "" if rng.random() < 0.9 else "filed at the window",
    }
    for key in ("project_id", "enterprise_id"):
        if key in filer:
            body[key] = filer[key]
    return body


def _employer(rng: random.Random, scheme: str) -> str:
    if rng.random() < 0.5:
        return rng.choice(EMPLOYERS[scheme])
    city = {"jinan": "济南", "liaocheng": "聊城", "weihai": "威海", "shandong": "山东"}[scheme]
    return f"{city}{rng.choice(_TRADES)}有限公司{rng.randrange(200)}"


def _review(rng: random.Random, category: Category, stage: str, decision: str) -> dict[str, Any]:
    joint = dict(category.joint).get(stage, ())
    return {
        **_official(rng, stage, category.scheme),
        "stage": stage,
        "decision": decision,
        "joint_with": list(joint),
    }


def _official(rng: random.Random, role: str, scheme: str) -> dict[str, Any]:
    """A user of ``role`` at the scheme's authority: a few per office, so that two steps of
    one revocation are taken by different people (each role is its own office)."""
    return {"actor": f"{scheme}.{role}.{rng.randrange(4)}", "role": role}


def _who(filer: dict[str, Any]) -> dict[str, Any]:
    return {"actor": filer["actor"], "role": filer["role"]}
