"""The README and the pages in docs/ are what a reader runs, so they cannot silently go stale.

Every `sh` block in them is marked just above it: `<!-- test: run -->` blocks run as they
stand, as one shell script in a fresh folder on the embedded store (`ID` standing for the
card the first command that prints one made); `<!-- test: parse only (WHY) -->` blocks
need what a test does not have (Docker, a server, PostgreSQL roles, a card made earlier),
and each of their `talentcard` commands must still be accepted by the command line's
parser. Every page is linked from the README and back, and every relative link resolves.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from itertools import chain
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [README, *DOCS]

# What the pages' placeholders stand for when a command is only parsed.
PLACEHOLDERS = {
    name: "6f1c2d3e-0000-4000-8000-000000000001" for name in ("ID", "USE_ID", "LAST_ID")
}
SEPARATORS = {"&&", "||", ";", "|", "&", "(", ")"}
REDIRECTIONS = {">", ">>", "<"}


@dataclass(frozen=True)
class Block:
    """One `sh` block of a page: where it is, how it is marked and its text."""

    page: Path
    line: int
    marker: str | None
    text: str

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def _blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    pattern = re.compile(
        r"(?:<!-- test: (?P<marker>[^\n]*?) -->\n)?```sh\n(?P<body>.*?)```", re.DOTALL
    )
    return [
        Block(page, text.count("\n", 0, m.start("body")), m.group("marker"), m.group("body"))
        for m in pattern.finditer(text)
    ]


BLOCKS = [block for page in PAGES for block in _blocks(page)]


def _talentcard_commands(script: str) -> Iterator[list[str]]:
    """Each `talentcard` command of a shell script, as its arguments (continuation lines
    joined, comments, redirections and what surrounds the command left out)."""
    for line in script.replace("\\\n", " ").splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        simple: list[str] = []
        for token in [*lexer, ";"]:
            if token not in SEPARATORS:
                simple.append(token)
                continue
            if "talentcard" in simple:
                argv = simple[simple.index("talentcard") + 1 :]
                cut = [i for i, arg in enumerate(argv) if arg in REDIRECTIONS]
                yield argv[: cut[0]] if cut else argv
            simple = []


class _Parsed(Exception):
    """Raised in place of running a command the parser accepted."""


def _parse_only(monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> tuple[int | None, str]:
    """Run the `talentcard` entry point on argv up to its parser only: None when the parser
    accepts it, else the exit code and what it printed on stderr."""
    parse_args = argparse.ArgumentParser.parse_args

    def parse_then_stop(self: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> Any:
        parse_args(self, *args, **kwargs)
        raise _Parsed

    (main,) = entry_points(group="console_scripts", name="talentcard")
    with monkeypatch.context() as patch:
        patch.setattr(argparse.ArgumentParser, "parse_args", parse_then_stop)
        errors = _Captured()
        patch.setattr(sys, "stderr", errors)
        try:
            code = main.load()(argv)
        except _Parsed:
            return None, ""
    return code, errors.text


class _Captured:
    """A stand-in stderr that keeps what is written."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


# ---- the quick start ----------------------------------------------------------------------


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


# ---- every page's commands ----------------------------------------------------------------


def test_every_page_has_commands_and_every_block_is_marked():
    assert {block.page for block in BLOCKS} >= {README}
    unmarked = [
        b.name
        for b in BLOCKS
        if b.marker != "run" and not (b.marker or "").startswith("parse only (")
    ]
    assert unmarked == [], (
        "mark each sh block <!-- test: run --> or <!-- test: parse only (WHY) -->"
    )


@pytest.mark.parametrize("block", BLOCKS, ids=lambda block: block.name)
def test_every_talentcard_command_is_one_the_command_line_accepts(
    block: Block, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    # Should the parser ever be reached another way, a command that runs touches only tmp_path.
    for name in [k for k in os.environ if k.startswith("TALENTCARD_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("TALENTCARD_DATA_DIR", str(tmp_path / "data"))
    for argv in _talentcard_commands(block.text):
        argv = [PLACEHOLDERS.get(arg, arg) for arg in argv]
        code, errors = _parse_only(monkeypatch, argv)
        assert code is None, f"talentcard {shlex.join(argv)}: exit {code}: {errors.strip()}"


RUN_BLOCKS = [block for block in BLOCKS if block.marker == "run"]

# Captures the first card id a command prints, so that `ID` in a block names it.
PREAMBLE = r"""set -euo pipefail
talentcard() {
    local out rc=0
    out=$(command talentcard "$@") || rc=$?
    [ -z "$out" ] || printf '%s\n' "$out"
    if [[ -z ${ID:-} && $out =~ card\ ([0-9a-f-]{36}) ]]; then ID=${BASH_REMATCH[1]}; fi
    return $rc
}
"""


def test_the_readme_has_a_tour_that_runs():
    assert [b for b in RUN_BLOCKS if b.page == README and "## A five-minute tour" in _section_of(b)]


def _section_of(block: Block) -> str:
    text = block.page.read_text(encoding="utf-8")
    headings = re.findall(r"^## .*$", "\n".join(text.splitlines()[: block.line]), re.MULTILINE)
    return headings[-1] if headings else ""


@pytest.mark.parametrize("block", RUN_BLOCKS, ids=lambda block: block.name)
def test_every_block_marked_run_runs_on_a_fresh_embedded_store(block: Block, tmp_path: Path):
    script = PREAMBLE + re.sub(r"\bID\b", '"$ID"', block.text)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALENTCARD_")}
    env["TALENTCARD_DATA_DIR"] = str(tmp_path / "data")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, (
        f"{block.name} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )


# ---- links ----------------------------------------------------------------------------------


def test_every_docs_page_is_linked_from_the_readme_and_links_back():
    readme = README.read_text(encoding="utf-8")
    assert DOCS, "docs/ has no page"
    for page in DOCS:
        assert f"](docs/{page.name})" in readme, f"README does not link docs/{page.name}"
        assert "](../README.md)" in page.read_text(encoding="utf-8"), (
            f"{page.name} does not link back"
        )


def _links(page: Path) -> Iterator[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
    text = re.sub(r"`[^`\n]*`", "", text)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if not re.match(r"[a-z]+:", target):
            yield target


def _anchors(page: Path) -> set[str]:
    """GitHub's anchors for a page's headings: lower case, punctuation dropped, spaces as -."""
    headings = re.findall(r"^#+ (.+)$", page.read_text(encoding="utf-8"), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_resolves(page: Path):
    broken = []
    for link in _links(page):
        path, _, anchor = link.partition("#")
        target = (page.parent / path).resolve() if path else page
        if not target.exists() or (
            anchor and target.suffix == ".md" and anchor not in _anchors(target)
        ):
            broken.append(link)
    assert broken == []


# ---- the dependencies, and why each ---------------------------------------------------------


def test_every_dependency_says_why():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = [
        re.split(r"[\[<>=!; ]", requirement, maxsplit=1)[0]
        for requirement in chain(
            project["dependencies"], *project["optional-dependencies"].values()
        )
        if not requirement.startswith("talentcard")
    ]
    page = (ROOT / "docs" / "developers.md").read_text(encoding="utf-8")
    table = page.split("## Dependencies, and why each", 1)[1].split("\n## ", 1)[0]
    listed = " ".join(row.split("|")[1] for row in table.splitlines() if row.startswith("| "))
    missing = [
        name
        for name in names
        if not re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", listed, re.I)
    ]
    assert missing == []


# ---- figures ----------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_figure_a_page_takes_from_benchmarks_is_there(page: Path):
    benchmarks = (ROOT / "BENCHMARKS.md").read_text(encoding="utf-8")
    figure = r"\d[\d,]*(?:\.\d+)?(?: ?(?:s|ms|MiB)\b|×)"
    cited = [
        found
        for paragraph in re.split(r"\n\s*\n|\n- ", page.read_text(encoding="utf-8"))
        if "BENCHMARKS.md" in paragraph
        for found in re.findall(figure, paragraph)
    ]
    assert [found for found in cited if found not in benchmarks] == []
