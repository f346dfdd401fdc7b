"""Mutation-testing report: every mutant of the last ``mutmut run``, split into the ones
that change only human message text and the logic ones, with the logic survivors listed.

Run in the folder holding ``mutants/`` after ``mutmut run`` (see BENCHMARKS.md):

    mutmut results --all true > /tmp/all.txt
    python -m bench.mutation_report /tmp/all.txt [--list] [--gate 95]

With ``--gate P`` it exits non-zero, after one line giving the figure and the threshold,
when fewer than P % of the logic mutants were killed (``.ci/mutation-gate`` runs it in CI).

A mutant is message-only when its changed lines differ from the originals only in string
literals that are human text (altered, or replaced by ``None``), and those literals are not
an error code, a rule id, a key, a field name or a compared or looked-up value. The split
is a heuristic: read the listed survivors, since a changed detail built from a variable
(``str(e)`` → ``None``) is listed as logic and may be message text after all.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import io
import re
import sys
import tokenize
from pathlib import Path

INTERFACE = re.compile(r"\b(code|rule|rules|id|kind|version|key|step|action)\s*=\s*$")
CHECKS = re.compile(
    r"(==|!=|\bin\b|\.get\(|\[|startswith|endswith|split|partition|\.join\(\w*\.?rules\)"
    r"|check_text\(|normalise_name\()"
)
STRINGS = re.compile(r"[rbfu]*(\"[^\"]*\"|'[^']*')", re.I)
# A snake_case or dotted literal is a code or a rule id wherever it stands, also as a
# positional argument (``ServiceError("unknown_beneficiary", …)``, "weihai.coverage.2019").
# A bare word is not: it is as often the action put into a message ("withdraw").
IDENTIFIER = re.compile(r"[a-z][a-z0-9]*(?:[_.][a-z0-9]+)+")


def _functions(module: str, cache: dict[str, dict[str, str]]) -> dict[str, str]:
    if module not in cache:
        source = (Path("mutants") / (module.replace(".", "/") + ".py")).read_text()
        lines = source.splitlines()  # once: ast.get_source_segment re-splits per call
        cache[module] = {
            node.name: "\n".join(lines[node.lineno - 1 : node.end_lineno])
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        }
    return cache[module]


def changed_lines(name: str, cache: dict[str, dict[str, str]]) -> tuple[list[str], list[str]]:
    """The original and mutated lines of one mutant (function names left out)."""
    module, _, function = name.rpartition(".")
    functions = _functions(module, cache)
    original = functions.get(function.rsplit("__mutmut_", 1)[0] + "__mutmut_orig", "")
    mutated = functions.get(function, "")
    minus: list[str] = []
    plus: list[str] = []
    for line in difflib.unified_diff(original.splitlines(), mutated.splitlines(), n=0):
        if line.startswith(("---", "+++", "@@")) or line[1:].lstrip().startswith("def "):
            continue
        (minus if line.startswith("-") else plus).append(line[1:])
    return minus, plus


def _tokens(text: str) -> list[tokenize.TokenInfo] | None:
    skip = {tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT}
    try:
        readline = io.StringIO(text + "\n").readline
        return [t for t in tokenize.generate_tokens(readline) if t.type not in skip]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None


def is_message_only(minus: list[str], plus: list[str]) -> bool:
    """Whether the mutant changes only human text in string literals."""
    old = " ".join(line.strip() for line in minus)
    new = " ".join(line.strip() for line in plus)
    a, b = _tokens(old), _tokens(new)
    if not minus or a is None or b is None:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i][:2] == b[i][:2]:
        i += 1
    j = 0
    while j < min(len(a), len(b)) - i and a[-1 - j][:2] == b[-1 - j][:2]:
        j += 1
    was, became = a[i : len(a) - j], b[i : len(b) - j]
    if not was or any(t.type != tokenize.STRING for t in was):
        return False
    to_none = len(became) == 1 and became[0].string == "None"
    if not to_none and (len(became) != len(was) or any(t.type != tokenize.STRING for t in became)):
        return False
    before = old[: was[0].start[1]]
    if any(_is_code(t.string) for t in was):
        return False
    return not INTERFACE.search(before) and not CHECKS.search(STRINGS.sub('""', old))


def _is_code(literal: str) -> bool:
    try:
        value = ast.literal_eval(literal)
    except (ValueError, SyntaxError):
        return False  # an f-string: text built around values
    return isinstance(value, str) and IDENTIFIER.fullmatch(value) is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="the output of `mutmut results --all true`")
    parser.add_argument("--list", action="store_true", help="show each survivor's diff")
    parser.add_argument(
        "--gate", type=float, metavar="P", help="fail below P %% of logic mutants killed"
    )
    args = parser.parse_args()
    cache: dict[str, dict[str, str]] = {}
    counts = {"message": 0, "logic": 0, "killed": 0}
    survivors = []
    for row in Path(args.results).read_text().splitlines():
        name, _, status = row.strip().partition(": ")
        if not status:
            continue
        minus, plus = changed_lines(name, cache)
        if is_message_only(minus, plus):
            counts["message"] += 1
            continue
        counts["logic"] += 1
        if status in ("killed", "timeout"):
            counts["killed"] += 1
        else:
            survivors.append((name, status, minus, plus))
    total = counts["message"] + counts["logic"]
    share = 100 * counts["killed"] / counts["logic"] if counts["logic"] else 100.0
    print(
        f"mutants {total}: message-only {counts['message']}; logic {counts['logic']}, "
        f"killed {counts['killed']} ({share:.1f} %)"
    )
    for name, status, minus, plus in survivors:
        print(f"## {name} ({status})")
        if args.list:
            print("\n".join([*("-" + m for m in minus), *("+" + p for p in plus)]))
    if args.gate is not None:
        # The figure printed is the one compared, so "95.0 %" never fails a 95 % gate; an
        # empty or unreadable run fails rather than counting as 100 %.
        shown = float(f"{share:.1f}")
        passed = counts["logic"] > 0 and shown >= args.gate
        print(
            f"mutation gate: {shown:.1f} % of logic mutants killed "
            f"({counts['killed']} / {counts['logic']}), "
            f"{'at or above' if passed else 'below'} the {args.gate:g} % threshold"
        )
        if not passed:
            sys.exit(1)


if __name__ == "__main__":
    main()
