"""Card terms (待遇享有期限): how long a card runs, its extension and its upgrade.

Dates are inclusive and a term of N years ends the day before the Nth anniversary (see
``dates.py``). Several bases never add up: the longest single term wins (就高不重复).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, timedelta

from domain.errors import IllegalTransition, InvalidInput
from domain.policy.cards import card_refusal
from domain.policy.dates import term_end
from domain.policy.eligibility import decide_eligibility
from domain.policy.model import Policy, TermBasisKind, TermRule
from domain.policy.results import (
    CardSnapshot,
    CredentialEvidence,
    EligibilityDecision,
    TermBasis,
    TermDecision,
    UpgradeDecision,
)
from domain.policy.tiers import is_higher_tier
from domain.policy.versions import RuleScope
from domain.vocabulary import Scheme

_NOT_BASES = (TermBasisKind.DEFAULT, TermBasisKind.FIXED)


def decide_term(
    scheme: Scheme,
    category: str,
    valid_from: date,
    bases: Sequence[TermBasis] = (),
    *,
    facts: Mapping[str, str | int | float | bool] | None = None,
    credentials: Sequence[CredentialEvidence] = (),
    policy: Policy | None = None,
) -> TermDecision:
    """The term of a card issued on ``valid_from`` for ``category``, on the application's
    ``facts`` (a basis whose rule names facts, ``when_any``, needs one of them true).

    With no ``bases`` the scheme's default term applies (Weihai, Jinan, Shandong 5 years;
    Liaocheng none, the card runs until revoked). A category with a fixed term (Weihai
    2023: 1 year) takes no bases. Each basis (惠才卡, programme management period,
    employment contract) gives one term, capped where its rule says (contract: 5 years);
    with several, the longest single one wins. Raises ``InvalidInput`` for a basis the
    scheme has no rule for, or one that ends before ``valid_from``.

    A rule reading its basis from a credential (Weihai category 1 from 2026-12-07: the
    惠才卡's own term) takes it from ``credentials``, what the registry read from a credential
    it verified; a typed basis of that kind is refused, and a ``sole`` rule's basis admits
    no other beside it.
    """
    ctx = RuleScope(scheme, valid_from, policy)
    if category not in {c.category for c in ctx.data.categories}:
        raise InvalidInput(f"{category!r} is not a {scheme} category", code="unknown_category")
    rules = [t for t in ctx.rules(ctx.data.terms) if not t.categories or category in t.categories]
    given = facts or {}
    bases = _with_credentials(scheme, category, rules, bases, credentials)
    fixed = [t for t in rules if t.basis is TermBasisKind.FIXED and _fixed_applies(t, given)]
    if fixed:
        if bases:
            raise InvalidInput(
                f"{scheme} {category} cards have a fixed first term; term bases do not apply",
                code="basis_not_applicable",
                rule=fixed[0].id,
            )
        return _fixed_length(fixed[0], valid_from, ctx.version.id)
    for rule in rules:
        if category in rule.required_for and not any(b.kind is rule.basis for b in bases):
            give = "pass its credential" if rule.from_credential else "give it, with its end date"
            raise InvalidInput(
                f"{scheme} {category} cards take their term from the {rule.basis} basis "
                f"({rule.source}): {give}",
                code="basis_required",
                rule=rule.id,
            )
        if rule.sole and len(bases) > 1 and any(b.kind is rule.basis for b in bases):
            raise InvalidInput(
                f"{scheme} {category} cards take the {rule.basis} term alone ({rule.source}): "
                "no other basis applies beside it",
                code="basis_not_applicable",
                rule=rule.id,
            )
    if not bases:
        default = [t for t in rules if t.basis is TermBasisKind.DEFAULT]
        if not default:
            raise InvalidInput(
                f"{scheme} {category} has no default term on {valid_from}; give a basis",
                code="no_term_rule",
            )
        return _fixed_length(default[0], valid_from, ctx.version.id)
    combination = ctx.data.term_combination
    if len(bases) > 1 and (combination is None or not ctx.rules([combination])):
        raise InvalidInput(
            f"{scheme} has no rule combining several term bases; give one",
            code="bases_not_combinable",
        )
    options = [
        _basis_term(_rule_for(rules, basis, scheme, given), basis, valid_from) for basis in bases
    ]
    best = max(options, key=lambda o: o[0])  # max keeps the first of equal ends
    end, capped, rule, basis = best
    ids = (rule.id,) if len(bases) == 1 or combination is None else (rule.id, combination.id)
    what = basis.label or basis.kind.value
    return TermDecision(
        valid_from=valid_from,
        valid_until=end,
        capped=capped,
        basis=f"{rule.id}: {what}" + (f", capped at {rule.max_years} years" if capped else ""),
        rules=ids,
        version=ctx.version.id,
    )


def extension_term(
    scheme: Scheme,
    category: str,
    valid_from: date,
    valid_until: date,
    event_on: date,
    *,
    shows: Collection[str] = (),
    decided_on: date | None = None,
    policy: Policy | None = None,
) -> TermDecision:
    """The extended term, decided on ``decided_on`` (default: ``event_on``) by the rules in
    force that day, when the triggering event happened on ``event_on`` (Weihai 2023:
    the project lands or the talent is hired → 5 years counted from the card's original
    ``valid_from``), the evidence showing ``shows``. The source sets no window for the
    event beyond the first day and the 5 years themselves: it may come after the first
    year ran out; where the rule keeps the lapse (``lapse_kept``), the days between the
    first term's end and the event stay lapsed (``lapsed_from``..``lapsed_until``).
    Raises ``InvalidInput`` where no extension rule applies or the evidence shows no set
    the rule names, and ``IllegalTransition`` where the event falls before the
    card's first day or after the extended term would end, or the term would not grow."""
    # The rules of the day the extension is decided, not of the event's: an event of last
    # summer recorded today is decided by today's reading (one version for the command).
    day = decided_on or event_on
    ctx = RuleScope(scheme, day, policy)
    rules = [e for e in ctx.rules(ctx.data.extensions) if category in e.categories]
    if not rules:
        raise InvalidInput(
            f"{scheme} {category} cards have no extension rule on {day}",
            code="no_extension_rule",
        )
    rule = rules[0]
    new_until = term_end(valid_from, rule.years)
    if not valid_from <= event_on <= new_until:
        raise IllegalTransition(
            f"{rule.trigger} on {event_on}, outside {valid_from}..{new_until} (the "
            f"{rule.years} years from the card's first day)",
            code="card_not_in_force",
            rule=rule.id,
        )
    shown = set(shows)
    if rule.evidence_any_of and not any(set(e.shows) <= shown for e in rule.evidence_any_of):
        needed = "; or ".join(f"{e.label} ({', '.join(e.shows)})" for e in rule.evidence_any_of)
        raise InvalidInput(
            f"the evidence must show {needed}; it shows {', '.join(sorted(shown)) or 'nothing'}",
            code="extension_evidence_missing",
            rule=rule.id,
        )
    if new_until <= valid_until:
        raise IllegalTransition(
            f"the term already runs to {valid_until}, not before {new_until}",
            code="term_not_longer",
            rule=rule.id,
        )
    basis = f"{rule.id}: {rule.trigger} on {event_on}, extended to {rule.years} years"
    lapsed = rule.lapse_kept and event_on > valid_until + timedelta(days=1)
    if lapsed:
        basis += f"; lapsed {valid_until + timedelta(days=1)}..{event_on - timedelta(days=1)}"
    return TermDecision(
        valid_from=valid_from,
        valid_until=new_until,
        capped=False,
        basis=basis,
        rules=(rule.id,),
        version=ctx.version.id,
        lapsed_from=valid_until + timedelta(days=1) if lapsed else None,
        lapsed_until=event_on - timedelta(days=1) if lapsed else None,
    )


def decide_upgrade(
    card: CardSnapshot,
    tier: str,
    day: date,
    *,
    facts: Mapping[str, str | int | float | bool] | None = None,
    policy: Policy | None = None,
) -> UpgradeDecision:
    """Whether ``card`` may move up to ``tier`` on ``day`` and its term afterwards (升级).

    Only ranked schemes upgrade, only upwards, only while the card is in force (its last
    valid day included). Jinan restarts the term on the upgrade day (art. 24.2); Liaocheng
    keeps it.
    """
    ctx = RuleScope(card.scheme, day, policy)
    tiers = ctx.data.tiers

    def refuse(reason: str, *rules: str) -> UpgradeDecision:
        return UpgradeDecision(
            allowed=False,
            reason=reason,
            tier=tier,
            valid_from=None,
            valid_until=None,
            rules=rules,
            version=ctx.version.id,
        )

    if not tiers.ranked:
        return refuse(f"{card.scheme} cards have no ranked tiers to upgrade between", tiers.id)
    if tier not in tiers.tiers:
        return refuse(f"{tier!r} is not a {card.scheme} tier", tiers.id)
    refusal = card_refusal(card, day)
    if refusal is not None:
        return refuse(f"cannot upgrade: {refusal}")
    if not is_higher_tier(card.scheme, tier, card.tier, policy=ctx.policy):
        return refuse(f"tier {tier} is not higher than the current tier {card.tier}", tiers.id)
    upgrades = ctx.rules(ctx.data.upgrades)
    if not upgrades:
        return refuse(f"no {card.scheme} upgrade rule is in force on {day}", tiers.id)
    rule = upgrades[0]
    if rule.requires_category_of_tier:
        qualifies = decide_eligibility(card.scheme, tier, facts or {}, day, policy=ctx.policy)
        if not qualifies.eligible:
            return refuse(
                f"an upgrade to {tier} needs its certification first: {qualifies.reason}",
                rule.id,
                *qualifies.rules,
            )
    if rule.restart_years is None:
        start, end = card.valid_from, card.valid_until
        how = "the term is unchanged"
    else:
        start, end = day, term_end(day, rule.restart_years)
        how = f"the term restarts for {rule.restart_years} years"
    return UpgradeDecision(
        allowed=True,
        reason=f"upgrade {card.tier} → {tier}: {how}",
        tier=tier,
        valid_from=start,
        valid_until=end,
        rules=(tiers.id, rule.id),
        version=ctx.version.id,
    )


def _fixed_applies(rule: TermRule, facts: Mapping[str, str | int | float | bool]) -> bool:
    """Whether a fixed term's facts select it: one of ``when_any`` true (if any), none of
    ``unless_any`` true (Weihai 2023: 首次开通, a first opening only)."""
    if rule.when_any and not any(facts.get(f) is True for f in rule.when_any):
        return False
    return not any(facts.get(f) is True for f in rule.unless_any)
def _with_credentials(
    scheme: Scheme,
    category: str,
    rules: list[TermRule],
    bases: Sequence[TermBasis],
    credentials: Sequence[CredentialEvidence],
) -> tuple[TermBasis, ...]:
    """The bases with those read from verified credentials: a rule reading its basis from
    a credential refuses the basis typed, and takes the credential's term."""
    given = tuple(bases)
    reading = [r for r in rules if r.from_credential is not None]
    if credentials and not reading:
        raise InvalidInput(
            f"no {scheme} {category} term rule reads a credential on this day",
            code="evidence_not_applicable",
        )
    for rule in reading:
        if any(b.kind is rule.basis for b in given):
            raise InvalidInput(
                f"{scheme} {category}: the {rule.basis} term is read from that card's "
                f"credential ({rule.id}), not typed: pass the credential instead",
                code="basis_needs_credential",
                rule=rule.id,
            )
        read = [e for e in credentials if e.scheme is rule.from_credential]
        if len(read) != len(credentials):
            raise InvalidInput(
                f"the credential passed is not a {rule.from_credential} card's",
                code="evidence_not_applicable",
                rule=rule.id,
            )
        for card in read:
            if card.valid_until is None:
                raise InvalidInput(
                    f"the {rule.from_credential} card's credential shows no end date",
                    code="basis_malformed",
                    rule=rule.id,
                )
            label = f"{rule.from_credential} card {card.card_id} (credential verified)"
            given += (TermBasis(kind=rule.basis, until=card.valid_until, label=label),)
    return given


def _fixed_length(rule: TermRule, valid_from: date, version: str) -> TermDecision:
    end = None if rule.open_ended or rule.years is None else term_end(valid_from, rule.years)
    plural = "" if rule.years == 1 else "s"
    text = "no end date (until revoked)" if end is None else f"{rule.years} year{plural}"
    return TermDecision(
        valid_from=valid_from,
        valid_until=end,
        capped=False,
        basis=f"{rule.id}: {text}",
        rules=(rule.id,),
        version=version,
    )


def _rule_for(
    rules: list[TermRule],
    basis: TermBasis,
    scheme: Scheme,
    facts: Mapping[str, str | int | float | bool],
) -> TermRule:
    if basis.kind not in _NOT_BASES:
        for rule in rules:
            if rule.basis is not basis.kind:
                continue
            if rule.when_any and not any(facts.get(f) is True for f in rule.when_any):
                raise InvalidInput(
                    f"a {basis.kind} basis applies only where the application states one of "
                    f"{', '.join(rule.when_any)} ({rule.source})",
                    code="basis_not_applicable",
                    rule=rule.id,
                )
            return rule
    raise InvalidInput(
        f"{scheme} has no term rule for a {basis.kind} basis for this category",
        code="basis_not_applicable",
    )


def _basis_term(
    rule: TermRule, basis: TermBasis, valid_from: date
) -> tuple[date, bool, TermRule, TermBasis]:
    if (basis.until is None) == (basis.years is None):
        raise InvalidInput(
            f"a {basis.kind} basis gives either its end date or its years",
            code="basis_malformed",
        )
    if basis.years is not None and basis.years < 1:
        raise InvalidInput(
            f"a {basis.kind} basis must run at least one year", code="basis_too_short"
        )
    end = basis.until if basis.until is not None else term_end(valid_from, basis.years or 0)
    if end < valid_from:
        raise InvalidInput(
            f"the {basis.kind} basis ended on {end}, before {valid_from}", code="basis_expired"
        )
    if rule.max_years is not None and end > (cap := term_end(valid_from, rule.max_years)):
        return cap, True, rule, basis
    return end, False, rule, basis


def upgrade_route(
    card: CardSnapshot,
    category: str,
    facts: Mapping[str, str | int | float | bool],
    day: date,
    *,
    date_of_birth: date | None = None,
    policy: Policy | None = None,
) -> EligibilityDecision:
    """The route an upgrade request to ``category`` must pass (Liaocheng art. 32: a higher
    art. 5 category, by its own route), decided like a filing of that category. Raises
    ``IllegalTransition`` where the scheme upgrades in one command, the card is not in
    force, the category is not met or its tier is not higher."""
    ctx = RuleScope(card.scheme, day, policy)
    rules = ctx.rules(ctx.data.upgrades)
    if not rules or not rules[0].by_category:
        raise IllegalTransition(
            f"a {card.scheme} upgrade is one command (card upgrade), with no request",
            code="upgrade_request_not_needed",
            rule=rules[0].id if rules else None,
        )
    refusal = card_refusal(card, day)
    if refusal is not None:
        raise IllegalTransition(f"cannot request an upgrade: {refusal}", code="card_not_in_force")
    decision = decide_eligibility(
        card.scheme, category, facts, day, date_of_birth=date_of_birth, policy=ctx.policy
    )
    if not decision.eligible or decision.tier is None:
        raise IllegalTransition(
            decision.reason, code="not_eligible", rule=", ".join(decision.rules)
        )
    if not is_higher_tier(card.scheme, decision.tier, card.tier, policy=ctx.policy):
        raise IllegalTransition(
            f"category {category} is tier {decision.tier}, not higher than {card.tier}",
            code="tier_not_higher",
            rule=rules[0].id,
        )
    return decision


def upgrades_by_category(scheme: Scheme, day: date, *, policy: Policy | None = None) -> bool:
    """Whether a ``scheme`` upgrade in force on ``day`` is requested by category first."""
    ctx = RuleScope(scheme, day, policy)
    rules = ctx.rules(ctx.data.upgrades)
    return bool(rules) and rules[0].by_category
