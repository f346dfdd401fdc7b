"""Tier ranking (等级): which schemes grade their cards, and in which order."""

from __future__ import annotations

from domain.policy.loader import default_policy
from domain.policy.model import Policy
from domain.policy.results import TierRanking
from domain.vocabulary import Scheme


def tier_ranking(scheme: Scheme, *, policy: Policy | None = None) -> TierRanking:
    """The scheme's tiers, highest first when ranked (Liaocheng A>B>C, Jinan A>B>C>D);
    ``ranked`` is False where the tiers are kinds, not grades (Weihai, Shandong)."""
    rule = (policy or default_policy()).scheme(scheme).tiers
    return TierRanking(scheme=scheme, ranked=rule.ranked, tiers=rule.tiers, rule=rule.id)


def tier_rank(scheme: Scheme, tier: str, *, policy: Policy | None = None) -> int | None:
    """A tier's rank within its scheme, higher is better (0 = lowest); None where the
    scheme has no ranked tiers or ``tier`` is not one of them."""
    ranking = tier_ranking(scheme, policy=policy)
    if not ranking.ranked or tier not in ranking.tiers:
        return None
    return len(ranking.tiers) - 1 - ranking.tiers.index(tier)


def is_higher_tier(
    scheme: Scheme, candidate: str, current: str, *, policy: Policy | None = None
) -> bool:
    """Whether ``candidate`` ranks strictly above ``current`` (False for unranked schemes)."""
    new = tier_rank(scheme, candidate, policy=policy)
    old = tier_rank(scheme, current, policy=policy)
    return new is not None and old is not None and new > old
