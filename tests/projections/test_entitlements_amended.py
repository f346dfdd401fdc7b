"""entitlements after changes to a card's people (issue 26): on every day the card grants
what a card filed with the family as it stood that day would grant."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ledger.card_commands as cc
from domain.card import Card
from domain.policy import Beneficiary, BeneficiaryKind
from domain.policy.grants import granted_codes
from ledger import commands as c
from ledger.app import CardLedger
from projections.engine import ReadModels
from tests import factories as f
from tests.conftest import FakeClock, runtime_ledger

ISSUED = date(2026, 3, 2)  # FakeClock's first day (Asia/Shanghai)
PEOPLE = (
    {"relation": "spouse", "name": "陈静", "date_of_birth": "1988-09-02"},
    {"relation": "child", "name": "李小雷", "date_of_birth": "2009-03-20"},  # 18 on 2027-03-20
    {"relation": "parent", "name": "李父", "date_of_birth": "1950-01-01"},
    {"relation": "child", "name": "李小梅", "date_of_birth": "2026-04-02"},
)


def amend(day: date, **fields: Any) -> c.AmendBody:
    return f.amend(takes_effect_on=day.isoformat(), **fields)


APPROVE = f.decide_amendment()


def granted(
    models: ReadModels, card_id: UUID, day: date
) -> list[tuple[str, str | None, tuple[str, ...]]]:
    return sorted(
        (e.kind, e.date_of_birth, e.items) for e in models.entitlements.entitlements(card_id, day)
    )


def filed_with(
    card: Card, people: list[dict[str, str]], day: date
) -> list[tuple[str, str | None, tuple[str, ...]]]:
    """What a card with this card's grant, filed with ``people`` as its family, grants on
    ``day``: the policy engine over each person."""
    snapshot = card.snapshot(day)
    persons: list[tuple[str, str | None]] = [("holder", card.holder.date_of_birth.isoformat())]
    persons += [(p["relation"], p["date_of_birth"]) for p in people]
    persons.append(("companion", None))
    return sorted(
        (
            kind,
            born,
            granted_codes(
                snapshot,
                Beneficiary(
                    kind=BeneficiaryKind(kind),
                    date_of_birth=date.fromisoformat(born) if born else None,
                ),
                day,
            ),
        )
        for kind, born in persons
    )


# A history: each step is (days after the previous change, what changes). Members are
# named by their index in PEOPLE when added; removal and correction name a present one.
steps = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=40),
        st.sampled_from(["add", "remove", "correct"]),
        st.integers(min_value=0, max_value=3),
    ),
    min_size=1,
    max_size=4,
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(history=steps, filed=st.lists(st.integers(0, 2), max_size=2, unique=True))
def test_on_every_day_the_card_grants_what_a_card_filed_with_that_day_s_family_would(
    tmp_path_factory: Any, history: list[tuple[int, str, int]], filed: list[int]
) -> None:
    clock = FakeClock()
    folder: Path = tmp_path_factory.mktemp("amended")
    ledger: CardLedger = runtime_ledger(database_url="", data_dir=folder, clock=clock, environ={})
    try:
        family = [dict(PEOPLE[i]) for i in filed]
        card_id = f.liaocheng_card(ledger, tuple(family))
        # The family as it stands from each day: (day, [member dicts present]).
        stood: list[tuple[date, list[dict[str, str]]]] = [(ISSUED, list(family))]
        members: list[dict[str, str] | None] = list(family)  # by number - 1; None: removed
        day = ISSUED
        for gap, change, which in history:
            if day + timedelta(days=gap) > date(2026, 6, 30):
                break
            day += timedelta(days=gap)
            clock.now = clock.now.replace(year=day.year, month=day.month, day=day.day)
            present = [i for i, m in enumerate(members) if m is not None]
            if change == "add" or not present:
                person = PEOPLE[which]
                if date.fromisoformat(person["date_of_birth"]) > day:
                    continue
                ledger.run(cc.AMEND, card_id, amend(day, change="add_member", **person))
                members.append(dict(person))
            elif change == "remove":
                number = present[which % len(present)] + 1
                ledger.run(cc.AMEND, card_id, amend(day, change="remove_member", member=number))
                members[number - 1] = None
            else:
                number = present[which % len(present)] + 1
                corrected = (
                    "2000-01-01"
                    if members[number - 1]["date_of_birth"] != "2000-01-01"
                    else "2001-01-01"
                )  # type: ignore[index]
                ledger.run(
                    cc.AMEND,
                    card_id,
                    amend(day, change="correct_member", member=number, date_of_birth=corrected),
                )
                members[number - 1] = {**members[number - 1], "date_of_birth": corrected}  # type: ignore[dict-item]
            ledger.run(cc.DECIDE_AMENDMENT, card_id, APPROVE)
            if stood[-1][0] == day:
                stood.pop()
            stood.append((day, [m for m in members if m is not None]))
        models = ReadModels(ledger)
        models.catch_up()
        card = ledger.get_card(card_id)
        for (starts, people), following in zip(stood, [*stood[1:], None], strict=True):
            ends = following[0] - timedelta(days=1) if following else starts + timedelta(days=3)
            for probe in {starts, ends}:
                assert granted(models, card_id, probe) == filed_with(card, people, probe), probe
    finally:
        ledger.close()


def test_a_member_another_process_added_is_among_the_beneficiaries_at_once(
    ledger: CardLedger, clock: FakeClock, database_url: str, tmp_path: Path
) -> None:
    card_id = f.liaocheng_card(ledger)
    models = ReadModels(ledger)
    models.catch_up()
    assert [e.kind for e in models.entitlements.entitlements(card_id, ISSUED)] == [
        "holder",
        "companion",
    ]  # this process has read the card's keys
    other = runtime_ledger(database_url=database_url, data_dir=tmp_path, clock=clock, environ={})
    try:
        other.run(cc.AMEND, card_id, amend(ISSUED, change="add_member", **PEOPLE[0]))
        other.run(cc.DECIDE_AMENDMENT, card_id, APPROVE)
        ReadModels(other).catch_up()  # that process projects it
    finally:
        other.close()
    kinds = [e.kind for e in models.entitlements.entitlements(card_id, ISSUED)]
    assert kinds == ["holder", "spouse", "companion"]
