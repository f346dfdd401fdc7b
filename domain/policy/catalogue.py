"""The service-item catalogues (服务事项目录) and item-code lookups.

Codes are ``<scheme>.<number in the source>`` (``shandong.13``, ``weihai.14``,
``liaocheng.21``, ``jinan.12``): the provincial table 1 number, the Weihai 2019 opinion's
part 3 number, the Liaocheng or Jinan article number. Where one article bundles benefits
with different limits or beneficiaries it has parts, ``<item code>.<word>``
(``liaocheng.21.films``); such an item is always asked for by part.
"""

from __future__ import annotations

from domain.errors import InvalidInput
from domain.policy.loader import default_policy
from domain.policy.model import Policy, SchemeData, ServiceItem
from domain.vocabulary import Scheme


def service_items(scheme: Scheme, *, policy: Policy | None = None) -> tuple[ServiceItem, ...]:
    """The scheme's catalogue of service items, in source order."""
    return (policy or default_policy()).scheme(scheme).items


def find_item(data: SchemeData, code: str) -> ServiceItem:
    """The catalogue item of ``code`` (an item or a part code). Raises ``InvalidInput`` for
    an unknown code and for an item that has parts (ask for one part)."""
    for item in data.items:
        if item.code == code:
            if item.parts:
                names = ", ".join(p.code for p in item.parts)
                raise InvalidInput(
                    f"{code} has parts; ask for one of {names}", code="item_has_parts"
                )
            return item
        if any(p.code == code for p in item.parts):
            return item
    raise InvalidInput(f"{code!r} is not a {data.scheme} service item", code="unknown_item")


def whole_item(data: SchemeData, code: str) -> ServiceItem | None:
    """The item when ``code`` names an article that has parts (asked for whole), else None."""
    for item in data.items:
        if item.code == code and item.parts:
            return item
    return None


def listed(codes: tuple[str, ...], code: str, item: ServiceItem) -> bool:
    """Whether a rule's ``codes`` name ``code`` itself or the item it is a part of."""
    return code in codes or item.code in codes


def responsible_units(code: str, *, policy: Policy | None = None) -> tuple[str, ...]:
    """The units that answer for an item (责任单位) as its seed lists them, for an item or
    part code (``liaocheng.21.films``: art. 21's); () for a code no catalogue holds and
    for an item whose seed names none (the provincial standard's annex A)."""
    try:
        scheme = Scheme(code.split(".", 1)[0])
    except ValueError:
        return ()
    for item in (policy or default_policy()).scheme(scheme).items:
        if item.code == code or any(p.code == code for p in item.parts):
            return item.responsible
    return ()
