"""Whether a presented card reaches a venue city's item at all (before who uses it): its own
city's card by tier; a card the city's article names (Liaocheng arts. 18-20, 23, 27: the
惠才卡 or the gold card); the 惠才卡 by stacking (叠加, annex A.30) for the city items
``stacking.toml`` records as reached. Another city's card reaches nothing at a venue."""

from __future__ import annotations

from domain.policy.catalogue import listed
from domain.policy.model import ServiceItem, StackingReach
from domain.policy.results import CardSnapshot, Value
from domain.policy.versions import RuleScope
from domain.vocabulary import Scheme


class Reach(Value, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Whether the card reaches the item, why, by which rules; ``detail`` from coverage."""

    reached: bool
    reason: str
    rules: tuple[str, ...]
    detail: str = ""


def reach(venue: RuleScope, card: CardSnapshot, code: str, item: ServiceItem) -> Reach:
    """Whether ``card`` reaches ``code`` (an item or part of the venue city's catalogue)."""
    if card.scheme is venue.scheme:
        coverage = [c for c in venue.rules(venue.data.coverage) if listed(c.items, code, item)]
        granting = [c for c in coverage if card.tier in c.tiers]
        if not granting:
            return Reach(
                reached=False,
                reason=f"tier {card.tier} does not include {code} ({item.name_en})",
                rules=tuple(c.id for c in coverage),
            )
        cover = granting[0]
        return Reach(
            reached=True,
            reason=f"on tier {card.tier} of the {venue.scheme} card",
            rules=(cover.id,),
            detail=cover.detail,
        )
    for rule in venue.rules(venue.data.accepts):
        if card.scheme in rule.card_schemes and listed(rule.items, code, item):
            return Reach(
                reached=True,
                reason=f"{venue.scheme} accepts the {card.scheme} card for {code}",
                rules=(rule.id,),
            )
    if card.scheme is Scheme.SHANDONG:
        return _stacked(venue, card, code, item)
    return Reach(
        reached=False,
        reason=f"a {card.scheme} card is not honoured in {venue.scheme}: a city honours its "
        "own card and, by stacking, the 惠才卡",
        rules=(),
    )


def _stacked(venue: RuleScope, card: CardSnapshot, code: str, item: ServiceItem) -> Reach:
    provincial = RuleScope(Scheme.SHANDONG, venue.day, venue.policy)
    stacking = [
        r for r in provincial.rules(provincial.data.stacking) if venue.scheme in r.honoured_in
    ]
    if not stacking:
        return Reach(
            reached=False,
            reason=f"no stacking rule for {venue.scheme} is in force on {venue.day}",
            rules=(),
        )
    rule = stacking[0].id
    recorded = _reach_of(venue)
    if recorded is None or not (code in recorded.reached or item.code in recorded.reached):
        if recorded is not None and (code in recorded.withheld or item.code in recorded.withheld):
            reason = (
                f"{code} is gated by the {venue.scheme} card's own classes; the 惠才卡 does "
                f"not reach it by stacking{_on(venue, venue.policy.stacking.class_gates)}"
            )
        elif recorded is not None and (code in recorded.own or item.code in recorded.own):
            reason = (
                f"{code} matches no provincial item of the 惠才卡 and stays with the "
                f"{venue.scheme} card{_on(venue, recorded.own_decision)}"
            )
        else:
            reason = (
                f"{code} matches no provincial item of the 惠才卡; it is the "
                f"{venue.scheme} card's own"
            )
        return Reach(reached=False, reason=reason, rules=(rule,))
    matches = [
        m.provincial for m in venue.policy.stacking.matches if code in m.city or item.code in m.city
    ]
    for provincial_code in matches:
        for cover in provincial.rules(provincial.data.coverage):
            if card.tier in cover.tiers and provincial_code in cover.items:
                return Reach(
                    reached=True,
                    reason=f"the 惠才卡 reaches it by stacking (provincial item {provincial_code})",
                    rules=(rule, cover.id),
                )
    return Reach(
        reached=False,
        reason=f"the 惠才卡's tier {card.tier} covers no provincial item matching {code}",
        rules=(rule,),
    )


def _on(venue: RuleScope, decision: str) -> str:
    """`` (decision <id>, <reference>)`` for a recorded decision a reading rests on."""
    data = venue.policy.scheme(Scheme.SHANDONG)
    for record in data.decisions:
        if record.id == decision:
            return f" (decision {record.id}, {record.reference})"
    return ""


def _reach_of(venue: RuleScope) -> StackingReach | None:
    for recorded in venue.policy.stacking.reach:
        if recorded.city is venue.scheme:
            return recorded
    return None
