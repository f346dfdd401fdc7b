"""Issuing authorities (发证机关): which authority issues, and signs for, which scheme's
cards. The one place this map lives; signing keys, status lists and read models ask here.

Sources (POLICY.md's scheme table, read from each seed's issuing clauses): the Shandong card
by the provincial high-level talent service window (shandong-provincial-service-standard);
the Weihai card by the Weihai HRSS bureau (weihai-2019-green-channel-opinion); the
Liaocheng gold card by the Liaocheng HRSS bureau (liaocheng-2022-green-channel-rules art.
32); the Quancheng card by Jinan (jinan-2018-precision-service-rules).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from domain.vocabulary import Scheme

AUTHORITY_SCHEMES: Mapping[str, tuple[Scheme, ...]] = MappingProxyType(
    {
        "shandong": (Scheme.SHANDONG,),
        "weihai": (Scheme.WEIHAI,),
        "liaocheng": (Scheme.LIAOCHENG,),
        "jinan": (Scheme.JINAN,),
    }
)
"""Authority name → the schemes whose cards it issues."""

AUTHORITIES: tuple[str, ...] = tuple(AUTHORITY_SCHEMES)

_AUTHORITY_OF: Mapping[Scheme, str] = MappingProxyType(
    {scheme: authority for authority, schemes in AUTHORITY_SCHEMES.items() for scheme in schemes}
)


def authority_of(scheme: Scheme) -> str:
    """The authority that issues (and signs for) a scheme's cards."""
    return _AUTHORITY_OF[scheme]
