"""What the command-line tests share: running a command line as a user types it, and an
issued Jinan card made through it."""

from __future__ import annotations

import json

import pytest

from api.cli import main
from tests import factories as f
from tests.conftest import CliKeys


def run(capsys: pytest.CaptureFixture[str], command: str, *args: str) -> tuple[int, str, str]:
    """Run a command line; ``args`` are passed unsplit (a base45 token may hold spaces)."""
    code = main([*command.split(), *args])
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: pytest.CaptureFixture[str], command: str, *args: str) -> str:
    code, out, err = run(capsys, command, *args)
    assert code == 0, err + out
    return out


def issued_jinan_card(
    capsys: pytest.CaptureFixture[str],
    key: CliKeys,
    *,
    holder_name: str = "韩梅梅",
    issuer: tuple[str, str] = ("city_window", "qian.window"),
) -> str:
    """A Jinan class C card, filed by the talent (jinan.filer) naming the employer whose
    commissioner may propose revoking it (jinan.revocation), issued by ``issuer`` (role,
    user name); reads (``card credential``) are the provincial auditor's
    (TALENTCARD_API_KEY, the ``key`` fixture)."""
    out = ok(
        capsys,
        f"card apply {key('applicant', 'jinan', name='li')} --scheme jinan --category C "
        f"--fact certified_class_c=true --holder-name {holder_name} "
        f"--holder-id {f.RESIDENT_ID} --holder-dob 1949-12-31 --sponsor-kind employer "
        f"--sponsor-name 济南某公司 --sponsor-credit-code {f.CREDIT_CODE} --output-json",
    )
    card_id: str = json.loads(out)["card_id"]
    role, name = issuer
    ok(capsys, f"card issue {card_id} {key(role, 'jinan', name=name)}")
    return card_id
