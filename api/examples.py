"""One example per request body, for the OpenAPI document (``/schema``). Each is a real,
valid command of the scheme it names; tests/api/test_openapi.py decodes every one into
its Struct, so an example cannot drift from the schema."""

from __future__ import annotations

from typing import Any

from litestar.openapi.spec import Example
from litestar.params import Body

from ledger import commands as c

EXAMPLES: dict[type[c.Request], dict[str, Any]] = {
    c.ApplyRequest: {
        "scheme": "liaocheng",
        "category": "art5.3",
        "facts": {"certified_excellent": True},
        "holder": {
            "name": "张明远",
            "id_number": "37424219860517001X",
            "date_of_birth": "1986-05-17",
            "family": [{"relation": "spouse", "name": "陈静", "date_of_birth": "1988-09-02"}],
        },
        "sponsor": {"kind": "employer", "name": "聊城大学", "credit_code": "12371500MB2853621X"},
        "evidence": ["doc://platform-certificate/1"],
    },
    c.ReviewRequest: {"stage": "city_hrss", "decision": "approved", "note": "materials complete"},
    c.IssueRequest: {"valid_from": "2026-12-01"},
    c.UpgradeTierRequest: {"tier": "A", "facts": {"certified_top": True}},
    c.UpgradeCategoryRequest: {"category": "art5.2", "facts": {"certified_leading": True}},
    c.ExtendRequest: {
        "event_on": "2026-11-20",
        "evidence": ["doc://project-landing/7"],
        "shows": ["project_landed"],
    },
    c.StatusRequest: {"reason": "under investigation", "decision_ref": "LC-HRSS-2026-031"},
    c.RevocationProposeRequest: {"reason": "left the city for good", "ground": "left_liaocheng"},
    c.RevocationApproveRequest: {"note": "approved at the bureau meeting"},
    c.RevocationDeclineRequest: {"reason": "the ground is not proven"},
    c.WithdrawRequest: {"note": "the applicant withdrew"},
    c.ReceiveRequest: {"window": "city_window"},
    c.ContractRequest: {"confirmed_on": "2026-11-02"},
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
