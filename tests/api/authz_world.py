"""The world the authorization matrix runs in: one user with an API key for every role in
every authority it can work for, and cards in known states in the "own" city (Liaocheng;
Weihai for what only Weihai's 2023 cards have: an extension, a quota), in another city
(Jinan) and on the 惠才卡 through each.

Every card's personal fields carry markers (a holder name, a birth date, family names and
an ID number that appear nowhere else), so a test can look for them in any answer and
tell whose data it holds. Cards are made through the ledger as the world's own users; a
test that changes a card takes a fresh one (``World.fresh``) so no case sees another's
change.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec
import pytest
from litestar.testing import TestClient

import ledger.card_commands as cc
from api.app import create_app
from domain.vocabulary import Role
from ledger import commands as c
from ledger.app import CardLedger
from services.bootstrap import Registry
from tests import factories as f
from tests.conftest import (
    KEY_KDF_COST,
    KEY_PASSPHRASE,
    FakeClock,
    drop_schema,
    init_as_owner,
    runtime_ledger,
    with_schema,
)

OWN = "liaocheng"  # the city most targets belong to
WEIHAI = "weihai"  # the city of the cards only Weihai issues (extension, quotas)
OTHER = "jinan"  # another city, with cards of its own
PROVINCE = "province"
AUTHORITIES = (OWN, WEIHAI, OTHER, PROVINCE)

# Who works where, as issue 12 and the seeds say: windows, bureaus, venues and paying
# offices belong to one city; the provincial window to the province; everyone else may be
# either (an applicant or employer anywhere, a provincial or a city talent office …).
CITY_ONLY = frozenset(
    {
        Role.COUNTY_WINDOW,
        Role.CITY_WINDOW,
        Role.DISTRICT,
        Role.TALENT_INSTITUTE,
        Role.CITY_HRSS,
        Role.INVESTMENT_DEPARTMENT,
        Role.VENUE,
        Role.PAYING_OFFICE,
    }
)
PROVINCE_ONLY = frozenset({Role.PROVINCIAL_WINDOW})

# Unified social credit codes (the shape of GB 32100): each city's employer
# and each enterprise is bound to one; the own city's cards are sponsored by OWN_CODE.
CODES = {
    (Role.EMPLOYER, OWN): f.CREDIT_CODE,
    (Role.EMPLOYER, WEIHAI): "91371000MA3C4QYP6D",
    (Role.EMPLOYER, OTHER): "91370100MA3C4QYP6B",
    (Role.EMPLOYER, PROVINCE): "91370000MA3C4QYP6A",
    (Role.ENTERPRISE, OWN): "91371500MA3C4QYP6F",
    (Role.ENTERPRISE, WEIHAI): "91371000MA3C4QYP6E",
    (Role.ENTERPRISE, OTHER): "91370100MA3C4QYP6G",
    (Role.ENTERPRISE, PROVINCE): "91370000MA3C4QYP6H",
}
OWN_CODE = CODES[(Role.EMPLOYER, OWN)]
OTHER_CODE = CODES[(Role.EMPLOYER, OTHER)]
WEIHAI_CODE = CODES[(Role.EMPLOYER, WEIHAI)]


@dataclass(frozen=True)
class Caller:
    """One user of the world: its role, authority, organisation and key."""

    role: Role
    authority: str
    name: str
    code: str
    key: str

    @property
    def id(self) -> str:
        return f"{self.role}@{self.authority}"


def callers_wanted() -> Iterator[tuple[Role, str]]:
    """Every (role, authority) a user can have in the world's four authorities."""
    for role in Role:
        for authority in AUTHORITIES:
            if role in CITY_ONLY and authority == PROVINCE:
                continue
            if role in PROVINCE_ONLY and authority != PROVINCE:
                continue
            yield role, authority


def user_name(role: Role, authority: str) -> str:
    return f"{role}.{authority}"


@dataclass
class CardFacts:
    """What the test knows of a card, independently of the app: what jurisdiction reads
    (scheme, the city it belongs to, sponsor, filer) and the personal markers planted."""

    card_id: UUID
    label: str
    scheme: str
    city: str  # the city whose card it is, or the city a 惠才卡 file passes through
    sponsor_kind: str
    sponsor_code: str
    filed_by: str
    holder_name: str
    date_of_birth: str
    id_number: str
    family_names: tuple[str, ...]
    family_births: tuple[str, ...]

    @property
    def markers(self) -> tuple[str, ...]:
        """The personal data a caller who may not see this card's file must never get."""
        return (
            self.holder_name,
            self.date_of_birth,
            self.id_number,
            *self.family_names,
            *self.family_births,
        )


_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))


def id_number(serial: int, born: date) -> str:
    """A valid resident ID for someone born on ``born`` (GB 11643 check character), its
    region and sequence unlike the factories' own."""
    body = f"{371500 + serial % 100:06d}{born:%Y%m%d}{500 + serial % 400:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]


@dataclass
class World:
    """Users, cards and an app over one registry."""

    registry: Registry
    ledger: CardLedger
    clock: FakeClock
    client: Any  # litestar TestClient
    callers: dict[str, Caller] = field(default_factory=dict)
    cards: dict[UUID, CardFacts] = field(default_factory=dict)
    named: dict[str, UUID] = field(default_factory=dict)
    _serials: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def caller(self, role: Role | str, authority: str) -> Caller:
        return self.callers[f"{Role(role)}@{authority}"]

    def headers(self, caller: Caller | None) -> dict[str, str]:
        return {} if caller is None else {"Authorization": f"Bearer {caller.key}"}

    # ---- cards -------------------------------------------------------------------------

    def _holder(self, label: str, *, family: bool = True) -> dict[str, Any]:
        n = next(self._serials)
        # 1950 to 1969, a day of its own for each of the first 7,300 holders (13 is prime
        # to 7,300): no other date in an answer is near.
        born = date(1950, 1, 1) + timedelta(days=(13 * n) % 7300)
        person: dict[str, Any] = {
            "name": f"Zq{n}Holder{label.title().replace('-', '')}",
            "id_number": id_number(n, born),
            "date_of_birth": born.isoformat(),
        }
        if family:
            child_born = date(2010, 1, 1) + timedelta(days=(7 * n) % 3000)
            person["family"] = [
                {
                    "relation": "spouse",
                    "name": f"Zq{n}Spouse",
                    "date_of_birth": (born + timedelta(days=200)).isoformat(),
                },
                {
                    "relation": "child",
                    "name": f"Zq{n}Child",
                    "date_of_birth": child_born.isoformat(),
                },
            ]
        return person

    def new_holder(self) -> dict[str, Any]:
        """A holder for a filing a test sends itself (no marker the world tracks)."""
        return self._holder("sent", family=False)

    @property
    def own_code(self) -> str:
        return OWN_CODE

    def _record(self, card_id: UUID, label: str, body: c.ApplyBody, city: str) -> UUID:
        holder = body.holder
        self.cards[card_id] = CardFacts(
            card_id=card_id,
            label=label,
            scheme=str(body.scheme),
            city=city,
            sponsor_kind=str(body.sponsor.kind),
            sponsor_code=body.sponsor.credit_code,
            filed_by=body.actor,
            holder_name=holder.name,
            date_of_birth=holder.date_of_birth.isoformat(),
            id_number=holder.id_number,
            family_names=tuple(m.name for m in holder.family),
            family_births=tuple(m.date_of_birth.isoformat() for m in holder.family),
        )
        return card_id

    def _file(self, label: str, fields: dict[str, Any], city: str) -> UUID:
        body = msgspec.convert({**fields, "holder": self._holder(label)}, c.ApplyBody)
        card_id, _ = self.ledger.apply(body)
        return self._record(card_id, label, body, city)

    def liaocheng_pending(self, label: str = "lc-pending") -> UUID:
        """A Liaocheng art. 5(3) application (reviewed: city HRSS, then the talent office),
        filed by the own city's applicant and sponsored by the own city's employer."""
        return self._file(
            label,
            {
                "actor": user_name(Role.APPLICANT, OWN),
                "role": "applicant",
                "scheme": "liaocheng",
                "category": "art5.3",
                "facts": {"certified_excellent": True},
                "sponsor": {"kind": "employer", "name": "聊城大学", "credit_code": OWN_CODE},
                "evidence": ["doc://platform-certificate/1"],
            },
            OWN,
        )

    def _as(self, role: Role, authority: str = OWN) -> dict[str, str]:
        return {"actor": user_name(role, authority), "role": str(role)}

    def reviewed(self, card_id: UUID, authority: str = OWN) -> UUID:
        card = self.ledger.get_card(card_id)
        intake = card.admission.intake
        if intake is not None and intake not in card.received_by:
            body = {**self._as(intake, authority), "window": str(intake)}
            self.ledger.run(cc.RECEIVE, card_id, msgspec.convert(body, c.ReceiveBody))
        for stage in card.required_stages:
            joint = next((j.departments for j in card.admission.joint if j.stage == stage), ())
            role = Role(str(stage))
            where = PROVINCE if role is Role.PROVINCIAL_WINDOW else authority
            body = {
                **self._as(role, where),
                "stage": str(stage),
                "decision": "approved",
                "joint_with": list(joint),
            }
            self.ledger.run(cc.REVIEW, card_id, msgspec.convert(body, c.ReviewBody))
        return card_id

    def issued(self, card_id: UUID, authority: str = OWN) -> UUID:
        self.reviewed(card_id, authority)
        body = self._as(Role.CITY_HRSS, authority)
        self.ledger.run(cc.ISSUE, card_id, msgspec.convert(body, c.IssueBody))
        return card_id

    def liaocheng_issued(self, label: str = "lc-issued") -> UUID:
        return self.issued(self.liaocheng_pending(label))

    def liaocheng_reviewed(self, label: str = "lc-reviewed") -> UUID:
        return self.reviewed(self.liaocheng_pending(label))

    def liaocheng_upgrade_requested(self, label: str = "lc-upgrade") -> UUID:
        """Issued at tier B, with a passed request for art. 5(2) (tier A, direct: no
        stages), as the employer asks (art. 32)."""
        card_id = self.liaocheng_issued(label)
        body = {
            **self._as(Role.EMPLOYER),
            "category": "art5.2",
            "facts": {"certified_top_or_leading": True},
        }
        self.ledger.run(cc.UPGRADE_REQUEST, card_id, msgspec.convert(body, c.UpgradeRequestBody))
        return card_id

    def liaocheng_proposed(self, label: str = "lc-proposed") -> UUID:
        """Issued, with a revocation proposed by an employer's commissioner who is not one
        of the callers (so no caller approves its own proposal)."""
        card_id = self.liaocheng_issued(label)
        body = {
            "actor": "another.employer.commissioner",
            "role": "employer",
            "reason": "left the city",
            "ground": "misconduct",
        }
        self.ledger.run(
            cc.PROPOSE_REVOCATION, card_id, msgspec.convert(body, c.RevocationProposeBody)
        )
        return card_id

    def liaocheng_forwarded(self, label: str = "lc-forwarded") -> UUID:
        """A proposal the city window has forwarded: the city HRSS decides next."""
        card_id = self.liaocheng_proposed(label)
        body = self._as(Role.CITY_WINDOW)
        self.ledger.run(
            cc.APPROVE_REVOCATION, card_id, msgspec.convert(body, c.RevocationApproveBody)
        )
        return card_id

    def liaocheng_suspended(self, label: str = "lc-suspended") -> UUID:
        card_id = self.liaocheng_issued(label)
        body = {
            **self._as(Role.CITY_HRSS),
            "reason": "under investigation",
            "decision_ref": "聊人社〔2026〕1号",
        }
        self.ledger.run(cc.SUSPEND, card_id, msgspec.convert(body, c.StatusBody))
        return card_id

    def liaocheng_amending(self, label: str = "lc-amending") -> UUID:
        """Issued, with a spouse's addition asked for by the employer (art. 33)."""
        card_id = self.liaocheng_issued(label)
        card = self.ledger.get_card(card_id)
        assert card.issued_on is not None
        body = f.amend(
            **self._as(Role.EMPLOYER),
            change="add_member",
            relation="spouse",
            name="陈静",
            date_of_birth="1988-09-02",
            takes_effect_on=card.issued_on.isoformat(),
        )
        self.ledger.run(cc.AMEND, card_id, body)
        return card_id

    def liaocheng_used(self, label: str = "lc-used") -> tuple[UUID, UUID]:
        """Issued, with one use of art. 21's films recorded by the own city's venue."""
        card_id = self.liaocheng_issued(label)
        venue = user_name(Role.VENUE, OWN)
        body = f.redeem(actor=venue, venue=venue, city=OWN)
        _, use = self.ledger.redeem(card_id, body)
        return card_id, use.redemption_id

    def weihai_elite(self, label: str = "wh-elite", project: str = "") -> UUID:
        """An issued Weihai 2023 business elite card (first term one year), proposed by the
        Weihai investment department for ``project`` (default: one of its own, as the
        quota is 3 per project)."""
        project = project or f"P-{uuid.uuid4().hex[:8]}"
        card_id = self._file(
            label,
            {
                **self._as(Role.INVESTMENT_DEPARTMENT, WEIHAI),
                "scheme": "weihai",
                "category": "business_elite",
                "project_id": project,
                "facts": {"key_member_of_project_under_negotiation": True},
                "sponsor": {"kind": "investment_department", "name": "威海市商务局"},
                "evidence": [f"doc://project/{project}"],
            },
            WEIHAI,
        )
        return self.issued(card_id, WEIHAI)

    def jinan_issued(self, label: str = "jn-issued") -> UUID:
        card_id = self._file(
            label,
            {
                **self._as(Role.APPLICANT, OTHER),
                "scheme": "jinan",
                "category": "C",
                "facts": {"certified_class_c": True},
                "sponsor": {"kind": "employer", "name": "山东大学", "credit_code": OTHER_CODE},
            },
            OTHER,
        )
        return self.issued(card_id, OTHER)

    def shandong(self, label: str, city: str, *, issue: bool) -> UUID:
        """A 惠才卡 direct file filed through ``city``'s windows (7.1) by its employer."""
        code = CODES[(Role.EMPLOYER, city)]
        card_id = self._file(
            label,
            {
                **self._as(Role.EMPLOYER, city),
                "scheme": "shandong",
                "category": "direct",
                "facts": dict(f.SHANDONG_DIRECT),
                "sponsor": {"kind": "employer", "name": "山东大学", "credit_code": code},
                "city": city,
            },
            city,
        )
        if issue:
            self.reviewed(card_id, city)
            body = self._as(Role.PROVINCIAL_WINDOW, PROVINCE)
            self.ledger.run(cc.ISSUE, card_id, msgspec.convert(body, c.IssueBody))
        return card_id

    # ---- fresh targets -----------------------------------------------------------------

    _fresh: dict[str, Any] = field(default_factory=dict)

    def fresh(self, kind: str, make: Callable[[], Any]) -> Any:
        """The target of kind ``kind``, made once and kept until a case changes it
        (``spoil``)."""
        if kind not in self._fresh:
            self._fresh[kind] = make()
        return self._fresh[kind]

    def spoil(self, kind: str) -> None:
        """The target was changed: the next case gets a new one."""
        self._fresh.pop(kind, None)


def build_world(registry: Registry, ledger: CardLedger, clock: FakeClock) -> Iterator[World]:
    """Every caller and the standing cards, and a test client over the app."""
    registry.keys.init()
    with TestClient(app=create_app(registry)) as client:
        world = World(registry=registry, ledger=ledger, clock=clock, client=client)
        for role, authority in callers_wanted():
            code = CODES.get((role, authority), "")
            name = user_name(role, authority)
            issued = registry.users.add(
                None, name=name, role=role, authority=authority, employer=code
            )
            caller = Caller(role=role, authority=authority, name=name, code=code, key=issued.key)
            world.callers[caller.id] = caller
        world.named["lc-issued"] = world.liaocheng_issued("lc-issued")
        world.named["lc-pending"] = world.liaocheng_pending("lc-pending")
        world.named["wh-elite"] = world.weihai_elite("wh-elite", "P-AUTHZ")
        world.named["jn-issued"] = world.jinan_issued("jn-issued")
        world.named["sd-own"] = world.shandong("sd-own", OWN, issue=True)
        world.named["sd-other"] = world.shandong("sd-other", OTHER, issue=True)
        world.named["sd-weihai"] = world.shandong("sd-weihai", WEIHAI, issue=False)
        yield world


def registry_over(
    ledger: CardLedger, clock: FakeClock, data_dir: Path, **settings: str
) -> Registry:
    environ = {
        "TALENTCARD_DATA_DIR": str(data_dir),
        "TALENTCARD_KEY_PASSPHRASE": KEY_PASSPHRASE,
        "TALENTCARD_KEY_KDF_COST": KEY_KDF_COST,
        **settings,
    }
    return Registry(environ, clock=clock, ledger=ledger)


def open_world(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    **environ: str,
) -> Iterator[World]:
    """The world on the store ``request.param`` names (sqlite or postgres, a schema of its
    own), with ``environ`` added to the registry's settings; for a module-scoped fixture."""
    folder = tmp_path_factory.mktemp(f"authz-{request.param}")
    schema = ""
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'ledger.sqlite3'}"
    else:
        base: str = request.getfixturevalue("postgres_url")
        schema = f"t_{uuid.uuid4().hex[:16]}"
        url = with_schema(base, schema, pool_size=4, max_overflow=8)
        init_as_owner(database_url=url, data_dir=folder)
    clock = FakeClock()
    ledger = runtime_ledger(database_url=url, data_dir=folder, clock=clock, environ={})
    try:
        with registry_over(ledger, clock, folder, **environ) as registry:
            yield from build_world(registry, ledger, clock)
    finally:
        ledger.close()
        if schema:
            drop_schema(base, schema)


# ---- who sees which file (issue 12 "Roles and jurisdiction"; Shandong standard 7.1) ------

PUBLIC_FACE = {Role.VENUE, Role.PAYING_OFFICE}  # "sees no personal data beyond the credential"
ORGANISATIONS = {Role.EMPLOYER, Role.ENTERPRISE}  # 单位专员: only its own applicants
PROVINCE_LEVEL = {  # roles that may work at the province and then handle the 惠才卡 files
    Role.PROVINCIAL_WINDOW,
    Role.TALENT_OFFICE,
    Role.EXPERT_PANEL,
    Role.PROGRAMME_AUTHORITY,
}


def sees(caller: Caller, card: CardFacts) -> bool:
    """Whether the card exists for the caller, written from the issue's words."""
    role = caller.role
    if role is Role.ADMINISTRATOR:  # users, keys and imports, no card file
        return False
    if role is Role.APPLICANT:  # what it filed
        return card.filed_by == caller.name
    if role in ORGANISATIONS:  # bound to its credit code
        return card.sponsor_code == caller.code
    if role in PUBLIC_FACE:  # its city's cards, and the 惠才卡 by stacking
        return card.scheme == "shandong" or card.city == caller.authority
    if role is Role.AUDITOR:  # reads everything (a city's auditor: that city's)
        return caller.authority == PROVINCE or card.city == caller.authority
    if caller.authority == PROVINCE:  # the province reviews and issues every 惠才卡
        return role in PROVINCE_LEVEL and card.scheme == "shandong"
    if role is Role.INVESTMENT_DEPARTMENT:  # the files it sponsors in its city
        return card.city == caller.authority and card.sponsor_kind == "investment_department"
    return card.city == caller.authority  # a city's officials: the files of their city


def reads_personal_data(caller: Caller, card: CardFacts) -> bool:
    return sees(caller, card) and caller.role not in PUBLIC_FACE
