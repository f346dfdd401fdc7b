"""Which review stages an application must pass, and how a scheme ranks its tiers.

These two functions are the seam the policy engine slots into: the Card aggregate asks
only them. Until the rule data lands they read the small tables below, each row citing
the article it comes from.
"""

from __future__ import annotations

from domain.vocabulary import ReviewStage, Route, Scheme

S = ReviewStage

_STAGES: dict[tuple[Scheme, Route, str], tuple[ReviewStage, ...]] = {
    # shandong-provincial-service-standard 6.1: same-level window reviews, then the
    # provincial window; evaluated cards add the expert review (5.2.3).
    (Scheme.SHANDONG, Route.DIRECT, "*"): (),
    (Scheme.SHANDONG, Route.REVIEWED, "*"): (S.CITY_WINDOW, S.PROVINCIAL_WINDOW),
    (Scheme.SHANDONG, Route.EVALUATED, "*"): (S.CITY_WINDOW, S.EXPERT_PANEL, S.PROVINCIAL_WINDOW),
    # weihai-2019-green-channel-opinion 2.4: district reviews, city HRSS reviews,
    # the talent office agrees.
    (Scheme.WEIHAI, Route.DIRECT, "*"): (),
    (Scheme.WEIHAI, Route.REVIEWED, "*"): (S.DISTRICT, S.CITY_HRSS, S.TALENT_OFFICE),
    # weihai-2023-card-for-investment-and-recruitment 2(1): investment department
    # proposes, the talent institute studies, city HRSS decides, talent office agrees.
    (Scheme.WEIHAI, Route.REVIEWED, "business_elite"): (
        S.TALENT_INSTITUTE,
        S.CITY_HRSS,
        S.TALENT_OFFICE,
    ),
    # weihai-2023 2(2): district HRSS recommends, city HRSS approves.
    (Scheme.WEIHAI, Route.REVIEWED, "enterprise_talent"): (S.DISTRICT, S.CITY_HRSS),
    # liaocheng-2022-green-channel-rules art. 32: (1)(2) direct; (3)(4)(5) city HRSS
    # reviews, the talent office agrees.
    (Scheme.LIAOCHENG, Route.DIRECT, "*"): (),
    (Scheme.LIAOCHENG, Route.REVIEWED, "*"): (S.CITY_HRSS, S.TALENT_OFFICE),
    # jinan-2018-precision-service-rules art. 23: claimed online on certification data.
    (Scheme.JINAN, Route.DIRECT, "*"): (),
}

# liaocheng-2022 art. 31 (A > B > C); jinan-2018 art. 3 classes (A > B > C > D).
_TIER_ORDER: dict[Scheme, tuple[str, ...]] = {
    Scheme.LIAOCHENG: ("C", "B", "A"),
    Scheme.JINAN: ("D", "C", "B", "A"),
}


def required_stages(scheme: Scheme, route: Route, category: str) -> tuple[ReviewStage, ...] | None:
    """The ordered review stages for an application, or None if the route does not exist
    for the scheme (e.g. an evaluated Weihai card)."""
    specific = _STAGES.get((scheme, route, category))
    if specific is not None:
        return specific
    return _STAGES.get((scheme, route, "*"))


def tier_rank(scheme: Scheme, tier: str) -> int | None:
    """A tier's rank within its scheme (higher is better); None where the scheme has
    no ranked tiers or the tier is not one of them."""
    order = _TIER_ORDER.get(scheme)
    if order is None or tier not in order:
        return None
    return order.index(tier)


def has_ranked_tiers(scheme: Scheme) -> bool:
    """Whether the scheme grades its cards (and so can upgrade them)."""
    return scheme in _TIER_ORDER
