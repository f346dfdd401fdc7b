"""The venue's offline decision (token + bundle) agrees with the registry's engine (the card
+ the rules) for every card, item, person, venue city and day hypothesis generates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.clock import SHANGHAI
from domain.errors import DomainError
from domain.policy import decide_entitlement, default_policy
from domain.policy.results import Beneficiary, BeneficiaryKind, CardSnapshot
from domain.vocabulary import CardStatus, Relation, Scheme
from services.venue_rules import family_entry, min_ages
from signing.verify import verify
from tests.signing.support import World

POLICY = default_policy()
WORLD = World()
# One bundle that stays fresh for the whole generated range, so only the card and the
# service decide; the validity checks are the verifier's own tests.
BUNDLE = WORLD.bundle(
    datetime(2017, 1, 1, tzinfo=UTC), ttl=30 * 365 * 86_400, trust_days=30 * 365
)
AGES = min_ages()
ISSUED_AT = int(WORLD.keys["shandong"].record.created_at.timestamp()) + 60


def _codes(scheme: Scheme) -> list[str]:
    items = POLICY.scheme(scheme).items
    return [c for i in items for c in (i.code, *(p.code for p in i.parts))]


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    scheme = draw(st.sampled_from(list(Scheme)))
    data = POLICY.scheme(scheme)
    valid_from = draw(st.dates(date(2017, 1, 1), date(2032, 12, 31)))
    valid_until = draw(
        st.none() | st.integers(0, 12 * 365).map(lambda n: valid_from + timedelta(days=n))
    )
    issued_on = valid_from + timedelta(days=draw(st.integers(0, 400)))
    if valid_until is not None:
        issued_on = min(issued_on, valid_until)
    family = draw(
        st.lists(
            st.tuples(
                st.sampled_from(list(Relation)), st.dates(date(1930, 1, 1), date(2030, 12, 31))
            ),
            max_size=3,
        )
    )
    venue = draw(st.sampled_from(list(Scheme)))
    earliest = max([date(2017, 1, 1), *(born for _, born in family)])
    # Days around the card's own edges are where the answers change.
    day = draw(
        st.dates(earliest, date(2045, 12, 31))
        | st.sampled_from(
            [d for d in (valid_from, valid_until, issued_on) if d is not None and d >= earliest]
            or [earliest]
        ).flatmap(lambda d: st.integers(-2, 2).map(lambda n: d + timedelta(days=n)))
    )
    people = ["holder", "companion", *(f"family:{n}" for n in range(1, len(family) + 1))]
    return {
        "scheme": scheme,
        "tier": draw(st.sampled_from(data.tiers.tiers)),
        "category": draw(st.none() | st.sampled_from([c.category for c in data.categories])),
        "valid_from": valid_from,
        "valid_until": valid_until,
        "issued_on": issued_on,
        "family": family,
        "venue": venue,
        "code": draw(st.sampled_from(_codes(venue))),
        "person": draw(st.sampled_from(people)),
        "holder_present": draw(st.sampled_from([None, True, False])),
        "day": max(day, earliest),
    }


def engine_answer(case: dict[str, Any]) -> tuple[Any, ...]:
    card = CardSnapshot(
        scheme=case["scheme"],
        tier=case["tier"],
        category=case["category"],
        status=CardStatus.ACTIVE.value,
        valid_from=case["valid_from"],
        valid_until=case["valid_until"],
        issued_on=case["issued_on"],
    )
    if case["person"].startswith("family:"):
        relation, born = case["family"][int(case["person"].split(":")[1]) - 1]
        person = Beneficiary(
            kind=BeneficiaryKind(relation.value),
            date_of_birth=born,
            holder_present=case["holder_present"],
        )
    else:
        person = Beneficiary(
            kind=BeneficiaryKind(case["person"]), holder_present=case["holder_present"]
        )
    try:
        decision = decide_entitlement(card, case["code"], person, case["day"], venue=case["venue"])
    except DomainError:
        return ("undecidable",)
    return (decision.granted, ", ".join(decision.rules) or None, decision.requires)


def verifier_answer(case: dict[str, Any]) -> tuple[Any, ...]:
    claims = WORLD.claims(
        case["scheme"],
        tier=case["tier"],
        category=case["category"],
        valid_from=case["valid_from"],
        valid_until=case["valid_until"],
        issued_on=case["issued_on"],
        family=tuple(family_entry(r, "家属", born, AGES) for r, born in case["family"]),
        issued_at=ISSUED_AT,
    )
    at = datetime.combine(case["day"], time(12), SHANGHAI)
    result = verify(
        WORLD.token(claims),
        BUNDLE,
        at=at,
        service=case["code"],
        beneficiary=case["person"],
        holder_present=case["holder_present"],
        venue_city=case["venue"].value,
    )
    if result.reason in ("not_yet_valid", "expired"):
        return ("out of its dates",)
    if not result.valid and result.detail.startswith("cannot decide"):
        return ("undecidable",)
    assert result.reason in ("ok", "service_not_granted"), result
    return (result.valid, result.rule, result.requires)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_the_venue_decides_as_the_engine_does_for_every_card_person_city_and_day(
    case: dict[str, Any],
):
    expected, got = engine_answer(case), verifier_answer(case)
    if got == ("out of its dates",):
        # The venue refuses a card out of its dates before any service question; the
        # engine refuses it by no rule, or cannot decide on a day no policy was in force.
        outside = case["day"] < case["valid_from"] or (
            case["valid_until"] is not None and case["day"] > case["valid_until"]
        )
        assert outside and expected in ((False, None, ()), ("undecidable",))
    else:
        assert got == expected


def test_the_agreement_is_not_vacuous_some_family_items_are_granted_and_some_refused():
    # A minor child at a Liaocheng venue (art. 6 visas), before and after turning 18.
    case = {
        "scheme": Scheme.LIAOCHENG,
        "tier": "A",
        "category": None,
        "valid_from": date(2026, 1, 1),
        "valid_until": date(2031, 1, 1),
        "issued_on": date(2026, 1, 1),
        "family": [(Relation.CHILD, date(2010, 6, 1))],
        "venue": Scheme.LIAOCHENG,
        "code": "liaocheng.6.visa",
        "person": "family:1",
        "holder_present": None,
    }
    minor = verifier_answer({**case, "day": date(2028, 5, 31)})
    adult = verifier_answer({**case, "day": date(2028, 6, 1)})
    assert (minor[0], adult[0]) == (True, False)
    assert minor == engine_answer({**case, "day": date(2028, 5, 31)})
    assert adult == engine_answer({**case, "day": date(2028, 6, 1)})
