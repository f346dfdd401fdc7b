"""Card import (迁移): cards issued before the registry existed, with their history, read
from JSON Lines, one card a line::

    {"ref": "LC-2023-0042", "commands": [
        {"command": "apply", "effective_at": "2023-05-04T10:00:00+08:00", "body": {...}},
        {"command": "review", "effective_at": "...", "body": {...}}, ...]}

Each card goes through ``CardLedger.import_card``: the same rules as live commands, all or
nothing per card. A refused card is reported (line, ref, command, code, message) and the
others are imported; the report says which is which.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from uuid import UUID

import msgspec

from domain.errors import DomainError
from ledger.app import CardLedger, ImportRefused
from ledger.card_commands import COMMANDS, ImportRecord
from ledger.limits import MAX_INPUT_BYTES, MalformedInput, convert_body, decode_json_object

# The most lines one import reads: a city's whole register is some thousands of cards; a
# larger file is split, so that one report stays readable and one run bounded.
MAX_IMPORT_LINES = 100_000
WHOLE_RECORD = -1  # command_index of a refusal that is about the line, not one command
_COMMAND_PATH = re.compile(r"commands\[(?P<index>\d+)\](?P<rest>.*)")


class ImportedCard(msgspec.Struct, frozen=True, kw_only=True):
    """A card imported: its line in the file, the source's ref, its new id and version."""

    line: int
    ref: str
    card_id: UUID
    version: int


class RefusedCard(msgspec.Struct, frozen=True, kw_only=True):
    """A card refused, nothing of it written: its line, the source's ref, the refused
    command's index (-1: the line itself could not be read), the error code and message."""

    line: int
    ref: str
    command_index: int
    code: str
    message: str


class ImportReport(msgspec.Struct, frozen=True, kw_only=True):
    """What an import did, card by card."""

    imported: list[ImportedCard]
    refused: list[RefusedCard]


def import_lines(ledger: CardLedger, lines: Iterable[bytes], *, importer: str) -> ImportReport:
    """Import every card of a JSON Lines file, each in its own transaction, as the
    administrator ``importer``; blank lines are skipped. Lines after MAX_IMPORT_LINES are
    not read, and the report says so."""
    report = ImportReport(imported=[], refused=[])
    for number, raw in enumerate(lines, start=1):
        if number > MAX_IMPORT_LINES:
            report.refused.append(
                RefusedCard(
                    line=number,
                    ref="",
                    command_index=WHOLE_RECORD,
                    code="too_many_lines",
                    message=f"the file has more than {MAX_IMPORT_LINES} lines; "
                    f"line {number} and those after it were not read (split the file)",
                )
            )
            break
        if not raw.strip():
            continue
        _import_line(ledger, number, raw, importer, report)
    return report


def _import_line(
    ledger: CardLedger, number: int, raw: bytes, importer: str, report: ImportReport
) -> None:
    ref = ""
    try:
        if len(raw) > MAX_INPUT_BYTES:  # before decoding anything of it
            raise DomainError(
                f"line {number} is larger than {MAX_INPUT_BYTES} bytes", code="line_too_large"
            )
        fields = decode_json_object(raw, source=f"line {number}")
        ref = str(fields.get("ref", ""))[:200]
        record = convert_body(fields, ImportRecord)
        ref = record.ref
    except MalformedInput as e:
        index, error = _blamed_command(e)
        report.refused.append(_refused(number, ref, index, error))
        return
    except DomainError as e:
        report.refused.append(_refused(number, ref, WHOLE_RECORD, e))
        return
    try:
        card_id, version = ledger.import_card(record, importer=importer)
    except ImportRefused as e:
        report.refused.append(_refused(number, ref, e.command_index, e.error))
        return
    except DomainError as e:  # the importer's own name was refused
        report.refused.append(_refused(number, ref, WHOLE_RECORD, e))
        return
    report.imported.append(ImportedCard(line=number, ref=ref, card_id=card_id, version=version))


def _blamed_command(error: MalformedInput) -> tuple[int, DomainError]:
    """The command a malformed line's error is in (its index, from the path msgspec names:
    ``$.commands[3].body.stage``), and the refusal: an unknown command's tag is
    ``unknown_command``. An error outside every command is the whole line's."""
    found = _COMMAND_PATH.match(error.field)
    if found is None:
        return WHOLE_RECORD, error
    if found["rest"] == ".command":
        tags = ", ".join(COMMANDS)
        return int(found["index"]), DomainError(
            f"{error.message} (one of: {tags})", code="unknown_command"
        )
    return int(found["index"]), error


def _refused(line: int, ref: str, index: int, error: DomainError) -> RefusedCard:
    return RefusedCard(
        line=line, ref=ref, command_index=index, code=error.code, message=error.message
    )
