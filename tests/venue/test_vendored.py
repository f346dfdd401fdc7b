"""The venue page's vendored libraries are the files npm installed at the versions
package-lock.json pins (``npm run vendor`` copies them), with their licences."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
VENDORED = {
    "api/venue/vendor/jsQR.js": "node_modules/jsqr/dist/jsQR.js",
    "api/venue/vendor/jsQR.LICENSE": "node_modules/jsqr/LICENSE",
    "api/venue/vendor/noble-ed25519.js": "node_modules/@noble/ed25519/index.js",
    "api/venue/vendor/noble-ed25519.LICENSE": "node_modules/@noble/ed25519/LICENSE",
}


@pytest.mark.parametrize("vendored", sorted(VENDORED))
def test_each_vendored_file_is_the_one_npm_installed(vendored: str):
    installed = ROOT / VENDORED[vendored]
    if not installed.exists():
        message = f"{installed} is missing: run npm ci at the repository's root"
        if IN_CI:
            pytest.fail(message + " (CI=true: may not be skipped)")
        pytest.skip(message)
    assert (ROOT / vendored).read_bytes() == installed.read_bytes()


def test_the_service_worker_keeps_every_file_the_page_loads():
    sw = (ROOT / "api" / "venue" / "sw.js").read_text(encoding="utf-8")
    listed = re.search(r"const FILES = \[(.*?)\];", sw, re.DOTALL)
    assert listed is not None
    names = re.findall(r'"([^"]+)"', listed.group(1))
    assert all((ROOT / "api" / "venue" / n).is_file() for n in names if n != "./")
    folder = ROOT / "api" / "venue"
    served = {p.relative_to(folder).as_posix() for p in folder.rglob("*")}
    needed = {n for n in served if n.endswith((".js", ".css", ".html", ".svg", ".webmanifest"))}
    assert needed - {"sw.js"} <= set(names)
