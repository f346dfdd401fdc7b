"""Reading an audit export back (services.audit.file_format): its lines in order, the
preamble before its events, and the trust anchor its checkpoints are checked with.
What cannot be read at all is an :class:`AuditFileError` (exit 2), never a finding."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from services.audit.file_format import (
    DECODER,
    FORMAT,
    MAX_LINE_BYTES,
    CheckpointLine,
    Header,
    Trust,
)
from signing.bundle import unpack
from signing.trust import TrustList, TrustListError, read_trust_list


class AuditFileError(ValueError):
    """The export, checkpoint or trust anchor cannot be read at all (exit 2)."""


def export_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """Each line of the export with its number, decoded; a line too long or not one of
    the format's records is an AuditFileError."""
    try:
        stream = path.open("rb")
    except OSError as e:
        raise AuditFileError(f"{path}: {e.strerror}") from None
    with stream:
        for number, raw in enumerate(stream, start=1):
            if len(raw) > MAX_LINE_BYTES:
                raise AuditFileError(f"{path} line {number}: longer than {MAX_LINE_BYTES} bytes")
            try:
                yield number, DECODER.decode(raw)
            except msgspec.DecodeError as e:
                raise AuditFileError(f"{path} line {number}: {e}") from None


def read_trust_anchor(source: Path | None, root_hex: str | None, export: Trust) -> TrustList:
    """The trust list to check checkpoints with: from a bundle (folder or one file), or a
    trust-list file with the root key given, or else the export's own (the operator's)."""
    if source is None:
        root, data = root_hex or export.root, export.trust_list
    elif source.is_dir():
        root = root_hex or read_file(source / "root.pub").decode().strip()
        data = read_file(source / "trust-list.cwt")
    else:
        raw = read_file(source)
        try:
            files = unpack(raw)
            data = files["trust-list.cwt"]
            root = root_hex or files["root.pub"].decode().strip()
        except Exception:  # not a one-file bundle: a trust list on its own
            if root_hex is None:
                raise AuditFileError(
                    f"{source} is not a bundle: give the root key with --root to trust it"
                ) from None
            root, data = root_hex, raw
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(root))
        return read_trust_list(data, key)
    except (ValueError, TrustListError) as e:
        raise AuditFileError(f"trust list: {e}") from None


def read_file(path: Path) -> bytes:
    """A whole file given on the command line (a saved checkpoint, a bundle)."""
    try:
        return path.read_bytes()
    except OSError as e:
        raise AuditFileError(f"{path}: {e.strerror}") from None


def read_preamble(
    path: Path, lines: Iterator[tuple[int, Any]]
) -> tuple[Header, Trust, list[tuple[int, CheckpointLine]]]:
    """The header, the trust record and the checkpoint lines the header announces, read
    from the start of ``lines``; whatever else comes first is an AuditFileError."""
    first = next(lines, None)
    if first is None or not isinstance(first[1], Header) or first[1].format != FORMAT:
        raise AuditFileError(f"{path}: not a {FORMAT} export (its first line is no header)")
    header = first[1]
    second = next(lines, None)
    if second is None or not isinstance(second[1], Trust):
        raise AuditFileError(f"{path} line 2: the trust record is missing")
    checkpoints: list[tuple[int, CheckpointLine]] = []
    for _ in range(header.checkpoints):
        item = next(lines, None)
        if item is None or not isinstance(item[1], CheckpointLine):
            raise AuditFileError(
                f"{path}: the header announces {header.checkpoints} checkpoints; "
                f"found {len(checkpoints)}"
            )
        checkpoints.append((item[0], item[1]))
    return header, second[1], checkpoints
