"""The import direction the design card fixes: domain <- ledger <- projections, api;
signing depends on the policy rules only. A wrong import fails here, not in review."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("domain", "ledger", "signing", "projections", "api")
FORBIDDEN = {
    "domain": {"ledger", "signing", "projections", "api"},
    "signing": {"ledger", "projections", "api"},
    "ledger": {"signing", "projections", "api"},
    "projections": {"api"},
    "api": set(),
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & set(PACKAGES)


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_imports_only_what_its_layer_allows(package: str):
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_domain_code_never_reads_the_clock():
    calls = ("datetime.now(", "datetime.utcnow(", "date.today(", "time.time(")
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "domain").rglob("*.py")
        if any(call in path.read_text(encoding="utf-8") for call in calls)
    ]
    assert offenders == []
