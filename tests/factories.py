"""Builders for valid commands, so each test states only what it is about."""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec

from ledger import commands as c

# A valid resident ID (GB 11643 check character X) for someone born 1949-12-31.
RESIDENT_ID = "11010519491231002X"
BORN = date(1949, 12, 31)


def apply_body(**overrides: Any) -> c.ApplyBody:
    """A Liaocheng art. 5(3) application filed by an employer, reviewed route."""
    fields: dict[str, Any] = {
        "actor": "wang.employer",
        "role": "employer",
        "scheme": "liaocheng",
        "route": "reviewed",
        "category": "art5.3",
        "holder": {"name": "李雷", "id_number": RESIDENT_ID, "date_of_birth": BORN.isoformat()},
        "sponsor": {"kind": "employer", "name": "聊城大学"},
        "evidence": ["doc://platform-certificate/1"],
    }
    fields.update(overrides)
    return msgspec.convert(fields, c.ApplyBody)


def review(stage: str, decision: str = "approved") -> c.ReviewBody:
    return msgspec.convert(
        {"actor": f"{stage}.reviewer", "role": stage, "stage": stage, "decision": decision},
        c.ReviewBody,
    )


def issue(
    tier: str = "B",
    valid_from: str = "2026-03-02",
    valid_until: str = "2031-03-01",
    **overrides: Any,
) -> c.IssueBody:
    fields: dict[str, Any] = {
        "actor": "liu.hrss",
        "role": "city_hrss",
        "tier": tier,
        "valid_from": valid_from,
        "valid_until": valid_until,
        "term_basis": "liaocheng-2022 art. 34: 5 years",
    }
    fields.update(overrides)
    return msgspec.convert(fields, c.IssueBody)


def upgrade(
    tier: str = "A", valid_from: str = "2026-03-02", valid_until: str = "2031-03-01"
) -> c.UpgradeBody:
    return msgspec.convert(
        {
            "actor": "liu.hrss",
            "role": "city_hrss",
            "tier": tier,
            "valid_from": valid_from,
            "valid_until": valid_until,
            "term_basis": "certified as leading talent",
        },
        c.UpgradeBody,
    )


def extend(valid_until: str = "2032-03-01") -> c.ExtendBody:
    return msgspec.convert(
        {
            "actor": "liu.hrss",
            "role": "city_hrss",
            "valid_until": valid_until,
            "basis": "contract renewed",
            "evidence": ["doc://contract/2"],
        },
        c.ExtendBody,
    )


def status(reason: str = "left the city") -> c.StatusBody:
    return msgspec.convert(
        {
            "actor": "liu.hrss",
            "role": "city_hrss",
            "reason": reason,
            "proposer": "聊城大学",
            "approver": "liu.hrss",
        },
        c.StatusBody,
    )


def withdraw() -> c.WithdrawBody:
    return msgspec.convert({"actor": "wang.employer", "role": "employer"}, c.WithdrawBody)
