"""Small builders shared by the policy tests: cards as venues see them, beneficiaries,
and the policy data with one edit (an administrator's change, built in memory)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import msgspec

from domain.policy import (
    Beneficiary,
    BeneficiaryKind,
    CardSnapshot,
    EntitlementDecision,
    Policy,
    RevocationAction,
    RevocationStepDecision,
    StepTaken,
    decide_entitlement,
    decide_revocation_step,
    default_policy,
    parse_policy,
    revocation_procedure,
)
from domain.policy.loader import package_texts
from domain.vocabulary import Role, Scheme


def card(
    scheme: Scheme,
    tier: str,
    *,
    valid_from: date = date(2024, 1, 10),
    valid_until: date | None = date(2029, 1, 9),
    issued_on: date | None = None,
    status: str = "active",
    category: str | None = None,
) -> CardSnapshot:
    """An active card, valid 2024-01-10..2029-01-09 unless told otherwise."""
    return CardSnapshot(
        scheme=scheme,
        tier=tier,
        category=category,
        status=status,
        valid_from=valid_from,
        valid_until=valid_until,
        issued_on=issued_on or valid_from,
    )


HOLDER = Beneficiary(kind=BeneficiaryKind.HOLDER)
SPOUSE = Beneficiary(kind=BeneficiaryKind.SPOUSE)
COMPANION = Beneficiary(kind=BeneficiaryKind.COMPANION)


def child(born: date) -> Beneficiary:
    """A child of the holder born on ``born``."""
    return Beneficiary(kind=BeneficiaryKind.CHILD, date_of_birth=born)


def parent(born: date, *, in_care_home: bool = True) -> Beneficiary:
    """A parent of the holder born on ``born``."""
    return Beneficiary(
        kind=BeneficiaryKind.PARENT, date_of_birth=born, in_city_care_home=in_care_home
    )


def at_venue(
    venue: Scheme,
    item: str,
    presented: CardSnapshot,
    day: date,
    *,
    beneficiary: Beneficiary | None = None,
    policy: Policy | None = None,
) -> EntitlementDecision:
    """The decision at a ``venue`` city for the card's holder (or ``beneficiary``)."""
    return decide_entitlement(
        presented, item, beneficiary or HOLDER, day, venue=venue, policy=policy
    )


# ---- the policy data with one edit ------------------------------------------------------------


def with_data(scheme: Scheme, **fields: Any) -> Policy:
    """The package policy with some top-level fields of one scheme's data replaced."""
    base = default_policy()
    data = msgspec.structs.replace(base.scheme(scheme), **fields)
    return msgspec.structs.replace(base, schemes={**base.schemes, scheme: data})


def with_rule(scheme: Scheme, table: str, rule_id: str, **fields: Any) -> Policy:
    """The package policy with one rule of ``table`` changed (the others as they are)."""
    rules = getattr(default_policy().scheme(scheme), table)
    assert any(r.id == rule_id for r in rules), rule_id
    changed = tuple(msgspec.structs.replace(r, **fields) if r.id == rule_id else r for r in rules)
    return with_data(scheme, **{table: changed})


def with_tiers(scheme: Scheme, **fields: Any) -> Policy:
    """The package policy with the scheme's tier rule changed."""
    tiers = default_policy().scheme(scheme).tiers
    return with_data(scheme, tiers=msgspec.structs.replace(tiers, **fields))


def shifted(scheme: Scheme, old: str, new: str) -> Policy:
    """The package data with one edit to ``scheme``'s file: a different policy, so a test
    can tell whether a command decided under the policy it was given."""
    texts = package_texts()
    name = f"{scheme}.toml"
    assert old in texts[name]
    texts[name] = texts[name].replace(old, new)
    return parse_policy(texts)


# Liaocheng's first version and its rules start on its last day (2026-12-06, the day before
# the rectified version) in this policy: any decision under it on T0 fails.
NOT_YET_IN_FORCE = ("effective_from = 2022-09-13", "effective_from = 2026-12-06")


def without_revocation_rule(scheme: Scheme) -> dict[str, str]:
    """The package data with ``scheme``'s ``[[revocation]]`` table removed."""
    texts = package_texts()
    name = f"{scheme}.toml"
    text = texts[name]
    start = text.index("[[revocation]]")
    following = text.find("\n[[", start + 1)
    end = len(text) if following < 0 else following + 1
    texts[name] = text[:start] + text[end:]
    return texts


# ---- revocation steps taken in turn -----------------------------------------------------------


def take_steps(
    scheme: Scheme, proposer: Role, approvers: Sequence[Role], day: date = date(2026, 3, 2)
) -> RevocationStepDecision:
    """Propose as ``proposer`` and approve as each of ``approvers`` in turn, every step by
    another user; the first refusal, or the last decision (``final``: the card is revoked)."""
    steps = revocation_procedure(scheme, day).steps
    taken: list[StepTaken] = []
    moves = [
        (RevocationAction.PROPOSE, proposer),
        *((RevocationAction.APPROVE, role) for role in approvers),
    ]
    for i, (action, role) in enumerate(moves):
        decision = decide_revocation_step(steps, taken, action, role, f"user{i}")
        if not decision.allowed:
            return decision
        taken.append(StepTaken(action=action, role=role, actor=f"user{i}"))
    return decision


def revokes(scheme: Scheme, proposer: Role, approvers: Sequence[Role]) -> bool:
    """Whether these steps, in this order, revoke a card of the scheme."""
    decision = take_steps(scheme, proposer, approvers)
    return decision.allowed and decision.final
