"""The README's quick start is what CI runs, so it cannot silently go stale."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readme_s_test_command_word_for_word():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    match = re.search(r'^TEST_COMMAND="(.+)"$', ci, re.MULTILINE)
    assert match is not None
    assert match.group(1) in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_quick_start_has_exactly_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", quick_start, re.DOTALL)
    commands = [line for block in blocks[:2] for line in block.splitlines() if line.strip()]
    assert len(commands) == 2
    assert commands[0].endswith("talentcard serve")
