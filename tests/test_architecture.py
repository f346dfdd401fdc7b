"""The import direction the design card fixes: domain <- ledger <- projections <- services
<- api; signing depends on the policy rules only. The delivery layer (api/) only parses,
calls a service and prints: it reads no environment, runs no SQL, decides nothing and
opens no store itself. A wrong import fails here, not in review."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from tests.signing.support import T0, World

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("domain", "ledger", "signing", "projections", "services", "api")
FORBIDDEN = {
    "domain": {"ledger", "signing", "projections", "services", "api"},
    "signing": {"ledger", "projections", "services", "api"},
    "ledger": {"signing", "projections", "services", "api"},
    "projections": {"services", "api"},
    "services": {"api"},
    "api": set(),
}
# What the delivery layer may use besides services/: the command bodies and their limits,
# presentation structs, error types and the vocabulary it offers as choices.
API_MAY_IMPORT = {
    "domain.errors",
    "domain.vocabulary",
    "domain.clock",  # SHANGHAI, for printing instants and reading --effective
    "domain.authority",  # the authorities offered as choices
    "domain.text",  # what may be printed to a terminal
    "ledger.commands",
    "ledger.card_commands",  # the command table every adapter is made from (issue 24)
    "ledger.limits",
    "ledger.views",
    "ledger.errors",
    "signing.bundle",  # BundleError only
    "signing.root",  # ROOT, the root key's name, offered as a choice
}
DRIVERS = ("psycopg", "psycopg_pool", "sqlite3", "eventsourcing.postgres", "eventsourcing.sqlite")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module in PACKAGES:  # `from ledger import commands`: the module itself
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
            else:
                names.add(node.module)
    return names


def imported_packages(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported_modules(path)} & set(PACKAGES)


def sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_imports_only_what_its_layer_allows(package: str):
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & FORBIDDEN[package])
        for path in sources(package)
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_delivery_layer_reaches_the_registry_only_through_services():
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name
            for name in imported_modules(path)
            if name.split(".")[0] in PACKAGES
            and name.split(".")[0] not in ("api", "services")
            and name not in API_MAY_IMPORT
        )
        for path in sources("api")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


@pytest.mark.parametrize("package", ["api", "projections", "signing", "domain"])
def test_no_package_but_the_composition_root_and_the_store_reads_the_environment(package: str):
    offenders = [
        str(path.relative_to(ROOT))
        for path in sources(package)
        if "os.environ" in path.read_text(encoding="utf-8")
        or "getenv" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_the_delivery_layer_runs_no_sql():
    words = ("SELECT ", "INSERT ", "UPDATE ", "DELETE ", "CREATE ", "cursor(", ".execute(")
    offenders = [
        str(path.relative_to(ROOT))
        for path in sources("api")
        if any(word in path.read_text(encoding="utf-8") for word in words)
    ]
    assert offenders == []


def test_domain_code_never_reads_the_clock():
    calls = ("datetime.now(", "datetime.utcnow(", "date.today(", "time.time(")
    offenders = [
        str(path.relative_to(ROOT))
        for path in sources("domain")
        if any(call in path.read_text(encoding="utf-8") for call in calls)
    ]
    assert offenders == []


def test_only_the_composition_root_s_clock_reads_the_system_time():
    calls = ("datetime.now(", "datetime.utcnow(", "date.today(", "time.time(")
    offenders = [
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in sources(package)
        if any(call in path.read_text(encoding="utf-8") for call in calls)
    ]
    assert offenders == ["services/clock.py"]


def test_the_authority_map_and_the_status_uri_each_have_one_source():
    written = {
        "authority map": '"shandong": (Scheme.SHANDONG,)',
        "status uri": "{_PATH}{authority}/",
    }
    for what, text in written.items():
        holders = [
            str(path.relative_to(ROOT))
            for package in PACKAGES
            for path in sources(package)
            if text in path.read_text(encoding="utf-8")
        ]
        assert len(holders) == 1, f"{what}: {holders}"
    parsers = [
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in sources(package)
        if "rpartition(_PATH)" in path.read_text(encoding="utf-8")
        or '"/status-lists/"' in path.read_text(encoding="utf-8")
    ]
    assert parsers == ["signing/status_list.py"]


# What --help and a venue's verify have no use for, each of which cost them tens of
# milliseconds of start-up once: the QR writer, the web framework and its server, the
# progress bar.
NOT_FOR_HELP_OR_VERIFY = (*DRIVERS, "segno", "litestar", "uvicorn", "tqdm")


def run_cli_for_modules(argv: list[str], data_dir: Path) -> tuple[int, set[str], str]:
    """Run ``api.cli.main(argv)`` in a fresh interpreter: its exit code, every module it
    loaded, and what it printed."""
    script = (
        "import json, sys\n"
        "from api.cli import main\n"
        f"code = main({argv!r})\n"
        "print('MODULES', json.dumps({'code': code, 'modules': sorted(sys.modules)}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"TALENTCARD_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("MODULES ")), None)
    assert line is not None, done.stdout + done.stderr
    result = json.loads(line.removeprefix("MODULES "))
    return result["code"], set(result["modules"]), done.stdout + done.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["card", "--help"],
        ["verify", "TC1:NOT-A-TOKEN", "--bundle", "/nonexistent-bundle"],
        ["policy", "versions", "--scheme", "jinan"],
    ],
)
def test_commands_that_need_no_store_import_no_database_driver(argv: list[str], tmp_path: Path):
    _, modules, output = run_cli_for_modules(argv, tmp_path)
    assert [m for m in DRIVERS if m in modules] == [], output
    assert not (tmp_path / "talentcard.sqlite").exists()


def test_help_imports_no_qr_writer_web_framework_progress_bar_or_database_driver(
    tmp_path: Path,
):
    code, modules, output = run_cli_for_modules(["--help"], tmp_path)
    assert code == 0, output
    assert [m for m in NOT_FOR_HELP_OR_VERIFY if m in modules] == []


def test_a_genuine_verify_imports_no_qr_writer_web_framework_progress_bar_or_database_driver(
    tmp_path: Path,
):
    world = World()
    world.write_bundle(tmp_path / "bundle")
    (tmp_path / "token.txt").write_text(world.token(), encoding="ascii")
    at = (T0 + timedelta(hours=1)).isoformat()
    argv = ["verify", str(tmp_path / "token.txt"), "--bundle", str(tmp_path / "bundle")]
    code, modules, output = run_cli_for_modules([*argv, "--at", at], tmp_path / "data")
    assert code == 0, output  # the whole verifier ran, not an early refusal
    assert "VALID: ok" in output
    assert [m for m in NOT_FOR_HELP_OR_VERIFY if m in modules] == []


def test_the_offline_verifier_loads_nothing_of_the_policy_engine():
    # The venue decides from the token and the bundle's venue rules alone.
    code = (
        "import sys, signing.verify, signing.bundle\n"
        "print(sorted(m for m in sys.modules if m.startswith(('domain.policy', 'services'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.strip() == "[]"


def test_a_verify_against_a_one_file_bundle_imports_no_web_framework_or_database_driver(
    tmp_path: Path,
):
    from signing.bundle import pack

    world = World()
    (tmp_path / "bundle.cbor").write_bytes(pack(world.bundle_files()))
    (tmp_path / "token.txt").write_text(world.token(), encoding="ascii")
    at = (T0 + timedelta(hours=1)).isoformat()
    argv = ["verify", str(tmp_path / "token.txt"), "--bundle", str(tmp_path / "bundle.cbor")]
    code, modules, output = run_cli_for_modules([*argv, "--at", at], tmp_path / "data")
    assert code == 0, output
    assert "VALID: ok" in output
    assert [m for m in NOT_FOR_HELP_OR_VERIFY if m in modules] == []
