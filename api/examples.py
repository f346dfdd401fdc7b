"""One example per request body, for the OpenAPI document (``/schema``). Each is a real,
valid command of the scheme it names; tests/api/test_openapi.py decodes every one into
its Struct, so an example cannot drift from the schema."""

from __future__ import annotations

from typing import Any

from litestar.openapi.spec import Example
from litestar.params import Body

from ledger import commands as c
from ledger.card_commands import COMMANDS

EXAMPLES: dict[type[c.Request], dict[str, Any]] = {
    # The card commands' examples are declared with the commands (ledger.card_commands).
    **{command.request: command.example for command in COMMANDS.values()},
    c.RedeemRequest: {"item": "liaocheng.16", "beneficiary": "holder", "holder_present": True},
    c.ReverseRedemptionRequest: {
        "redemption_id": "6f1c2a4e-8d2b-4a5e-9f7c-0b1d2e3f4a5b",
        "reason": "recorded twice at the counter",
    },
    c.QuotaRaiseRequest: {
        "scheme": "weihai",
        "category": "3",
        "project_id": "WH-2026-017",
        "limit": 8,
        "decision_ref": "WH-TO-2026-9",
        "attests": ["major_project"],
    },
}


def example_body(kind: type[c.Request]) -> Any:
    """The ``Body`` parameter marker carrying ``kind``'s example."""
    return Body(
        title=kind.__name__,
        description=(kind.__doc__ or "").split("\n\n")[0],
        examples=[Example(summary=f"a {kind.__name__}", value=EXAMPLES[kind])],
    )
