"""The venue rules (场所服务规则): the policy engine's entitlement rules compiled into plain
data, signed by the provincial root like the trust list and carried in the bundle, so a
venue decides which items a card grants to whom with no network and no rule base.

Compiled per venue city and item code (an item, or one part of an article that has parts):
which tiers of the city's own card reach it, which other cards the city accepts for it,
how the 惠才卡 reaches it by stacking, who may use it, and its conditions and limits. Every
rule keeps its id (and so its source) and the days it is in force, already resolved from
the policy versions and the rule's own dates: a venue never needs to know what a version
is. ``signing.venue_decision`` reads this data; ``services.venue_rules`` writes it.

The signed file is a CWT: ``iat`` (6), ``exp`` (4) and the rules under the private-use
claim ``-65538``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

import cbor2
import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from signing.cose import CoseError, root_signed_claims, sign1

VENUE_RULES_TYPE = "application/talentcard-venue-rules+cwt"
FORMAT = 1
CLAIM_EXP, CLAIM_IAT, CLAIM_RULES = 4, 6, -65538
MAX_VENUE_RULES_BYTES = 2_000_000


class VenueRulesError(ValueError):
    """The venue rules are malformed, too large or not signed by the root key."""


class Data(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base of the compiled rules."""


class Span(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """Inclusive days; ``end`` None is open."""

    start: date
    end: date | None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def in_force(spans: tuple[Span, ...], day: date) -> bool:
    """Whether any of the spans covers ``day``."""
    return any(s.covers(day) for s in spans)


class Cover(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A coverage rule: the tiers of the card that reach the item."""

    id: str
    spans: tuple[Span, ...]
    tiers: tuple[str, ...]
    detail: str = ""


class Accept(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A city's article naming other schemes' cards for the item."""

    id: str
    spans: tuple[Span, ...]
    card_schemes: tuple[str, ...]


class Who(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Who may use the item: the classes of person the article names."""

    id: str
    spans: tuple[Span, ...]
    allowed: tuple[str, ...]
    with_holder: bool = False
    max_companions: int = 0


class Condition(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A condition beyond the tier: met by a listed category, else for the venue to see."""

    id: str
    spans: tuple[Span, ...]
    label: str
    categories: tuple[str, ...] = ()
    fact: str = ""


class Limit(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A limit in number or time. Offline a venue sees no record of use: counted limits
    are checked when the use is recorded; the dated ones are decided here."""

    id: str
    spans: tuple[Span, ...]
    years_from_issue: int | None = None
    per_calendar_year: int | None = None
    min_age: int | None = None
    requires_city_care_home: bool = False
    max_months: int | None = None
    within_years: int | None = None
    pending: str = ""  # what the venue must see for a window from a date it is told
    amount_cny_per_month: int | None = None
    detail: str = ""


class Stacking(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How the 惠才卡 reaches a city item (叠加): the provincial stacking rules honouring
    the city, whether the item is recorded as reached or withheld, and the provincial
    items it matches (whose coverage then decides by tier)."""

    rules: tuple[tuple[str, tuple[Span, ...]], ...]
    reached: bool
    withheld: bool
    provincial: tuple[str, ...] = ()


class Item(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One item code of a city's catalogue with every rule that names it, in data order."""

    code: str
    name_en: str
    cover: tuple[Cover, ...] = ()
    accepts: tuple[Accept, ...] = ()
    stacking: Stacking | None = None  # None in the province's own catalogue
    who: tuple[Who, ...] = ()
    conditions: tuple[Condition, ...] = ()
    limits: tuple[Limit, ...] = ()


class Version(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A policy version and the days it is the one in force."""

    id: str
    spans: tuple[Span, ...]


class City(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A city's (or the province's) venue rules."""

    scheme: str
    versions: tuple[Version, ...]
    items: Mapping[str, Item]
    wholes: Mapping[str, tuple[str, ...]] = msgspec.field(default_factory=dict)
    default_who: tuple[Who, ...] = ()


class VenueRules(Data, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Every city's rules, the provincial coverage stacking reads, and the words a venue is
    told to check for an item used together with the holder."""

    format: int = FORMAT
    cities: Mapping[str, City]
    provincial_cover: Mapping[str, tuple[Cover, ...]]
    with_holder_requires: str
    issued_at: int = 0
    expires_at: int = 0


def sign_venue_rules(
    rules: VenueRules,
    *,
    root_key: Ed25519PrivateKey,
    root_kid: bytes,
    issued_at: datetime,
    expires_at: datetime,
) -> bytes:
    """The rules as a CWT signed by the root key."""
    claims = {
        CLAIM_IAT: int(issued_at.timestamp()),
        CLAIM_EXP: int(expires_at.timestamp()),
        CLAIM_RULES: msgspec.to_builtins(rules),
    }
    return sign1(bytes(cbor2.dumps(claims)), root_key, root_kid, content_type=VENUE_RULES_TYPE)


def read_venue_rules(data: bytes, root: Ed25519PublicKey) -> VenueRules:
    """Verify the venue rules against the pinned root key and decode them."""
    if len(data) > MAX_VENUE_RULES_BYTES:
        raise VenueRulesError(f"venue rules are over {MAX_VENUE_RULES_BYTES} bytes")
    try:
        claims = root_signed_claims(data, root, VENUE_RULES_TYPE, "venue rules")
    except CoseError as e:
        raise VenueRulesError(str(e)) from None
    try:
        rules = msgspec.convert(claims[CLAIM_RULES], VenueRules)
    except Exception as e:
        raise VenueRulesError(f"venue rules are malformed: {e}") from None
    if rules.format != FORMAT:
        raise VenueRulesError(f"venue rules format {rules.format} is not {FORMAT}")
    return msgspec.structs.replace(
        rules, issued_at=int(claims[CLAIM_IAT]), expires_at=int(claims[CLAIM_EXP])
    )
