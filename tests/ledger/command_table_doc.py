"""The card commands' table as docs/developers.md shows it, made from ledger.card_commands:
tests/ledger/test_card_commands.py holds the page to it, so that the page cannot drift."""

from __future__ import annotations

import ledger.card_commands as cc


def command_table() -> str:
    """One row per command: its one name, and the spellings users already have."""
    rows = [
        "| command (import tag) | request | HTTP | CLI | role rule | events |",
        "|---|---|---|---|---|---|",
    ]
    for command in cc.COMMANDS.values():
        http = (
            "`POST /applications`"
            if command is cc.APPLY
            else f"`POST /cards/{{id}}/{command.path}`"
        )
        rows.append(
            f"| `{command.name}` | `{command.request.__name__}` | {http} "
            f"| `talentcard card {' '.join(command.cli)}` "
            f"| `{command.may.__name__}` | {', '.join(command.events)} |"
        )
    return "\n".join(rows) + "\n"
