"""Stacking and recognition (叠加与互认): which cards a venue honours, and another city's
card as an eligibility basis.

A venue honours its own city's card for the items the card's tier covers; a valid 惠才卡
for the city items that match a provincial item (``stacking.toml``) in every city; and any
card a city's own rules name for an item (Liaocheng arts. 18-20, 23, 27). Other cities'
cards are not honoured at venues; they count only as Weihai enterprise_talent basis ①.
"""

from __future__ import annotations

from datetime import date

from domain.policy.cards import card_refusal
from domain.policy.catalogue import find_item, listed
from domain.policy.model import Policy, ServiceItem
from domain.policy.results import CardSnapshot, RecognitionDecision
from domain.policy.versions import RuleScope
from domain.vocabulary import Scheme


def honours(
    venue: Scheme, item: str, card: CardSnapshot, day: date, *, policy: Policy | None = None
) -> RecognitionDecision:
    """Whether a venue of ``venue`` (a city, or ``shandong`` for a provincial item) honours
    the presented ``card`` for ``item`` (a code of the venue's catalogue) on ``day``.
    ``version`` is the venue scheme's version in force. Raises ``InvalidInput`` for an
    item code that is not the venue's."""
    ctx = RuleScope(venue, day, policy)
    catalogue_item = find_item(ctx.data, item)

    def answer(honoured: bool, reason: str, *rules: str) -> RecognitionDecision:
        return RecognitionDecision(
            honoured=honoured, reason=reason, rules=rules, version=ctx.version.id
        )

    refusal = card_refusal(card, day)
    if refusal is not None:
        return answer(False, refusal)
    if card.scheme is venue:
        covering = [
            c
            for c in ctx.rules(ctx.data.coverage)
            if card.tier in c.tiers and listed(c.items, item, catalogue_item)
        ]
        if covering:
            return answer(True, f"{venue} honours its own card for {item}", covering[0].id)
        return answer(False, f"tier {card.tier} of the {venue} card does not include {item}")
    for rule in ctx.rules(ctx.data.accepts):
        if card.scheme in rule.card_schemes and listed(rule.items, item, catalogue_item):
            return answer(True, f"{venue} accepts the {card.scheme} card for {item}", rule.id)
    if card.scheme is Scheme.SHANDONG:
        honoured, reason, rules = _stacked(ctx, item, catalogue_item, card)
        return answer(honoured, reason, *rules)
    return answer(
        False,
        f"a {card.scheme} card is not honoured in {venue}: a city honours its own card and, "
        "by stacking, the 惠才卡",
    )


def recognised_as_basis(
    scheme: Scheme,
    category: str,
    presented: Scheme,
    day: date,
    *,
    policy: Policy | None = None,
) -> RecognitionDecision:
    """Whether holding a card of ``presented`` counts towards ``category`` of ``scheme`` on
    ``day`` (Weihai enterprise_talent ①: another city's city-level card). When it does,
    ``reason`` names the eligibility fact to set."""
    ctx = RuleScope(scheme, day, policy)
    for rule in ctx.rules(ctx.data.recognitions):
        if rule.category == category and presented in rule.card_schemes:
            return RecognitionDecision(
                honoured=True,
                reason=f"a {presented} card counts for {scheme} {category} (fact {rule.fact})",
                rules=(rule.id,),
                version=ctx.version.id,
            )
    return RecognitionDecision(
        honoured=False,
        reason=f"a {presented} card is no basis for {scheme} {category} on {day}",
        rules=tuple(r.id for r in ctx.rules(ctx.data.recognitions) if r.category == category),
        version=ctx.version.id,
    )


def _stacked(
    venue: RuleScope, item: str, catalogue_item: ServiceItem, card: CardSnapshot
) -> tuple[bool, str, tuple[str, ...]]:
    """The 惠才卡 at a city venue: honoured for a city item matching a provincial item."""
    provincial = RuleScope(Scheme.SHANDONG, venue.day, venue.policy)
    stacking = [
        r for r in provincial.rules(provincial.data.stacking) if venue.scheme in r.honoured_in
    ]
    if not stacking:
        return False, f"no stacking rule for {venue.scheme} is in force on {venue.day}", ()
    matches = [
        m.provincial
        for m in venue.policy.stacking.matches
        if item in m.city or catalogue_item.code in m.city
    ]
    for code in matches:
        provincial_item = find_item(provincial.data, code)
        for cover in provincial.rules(provincial.data.coverage):
            if card.tier in cover.tiers and listed(cover.items, code, provincial_item):
                reason = f"the 惠才卡 is honoured for {item}, which matches provincial item {code}"
                return True, reason, (stacking[0].id, cover.id)
    reason = f"{item} matches no provincial item of the 惠才卡; it is the {venue.scheme} card's own"
    return False, reason, (stacking[0].id,)
