"""Who a card command acts as: the user whose API key the command line is given, in a
key file (``--key-file``) or in the environment (``TALENTCARD_API_KEY``), exactly as an
HTTP request's ``Authorization: Bearer`` key says it. Nobody types a role: the key's user
has one, with its authority, and the registry holds it to them (``domain.jurisdiction``).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from api.cli_errors import UsageError

if TYPE_CHECKING:
    from services.access import Principal
    from services.bootstrap import Registry

KEY_ENVIRONMENT = "TALENTCARD_API_KEY"
# A key is about 80 characters; a file much larger than that is not a key file.
_KEY_FILE_MAX_BYTES = 1024


def add_key_option(p: argparse.ArgumentParser) -> None:
    """The ``--key-file`` option every card command takes."""
    p.add_argument(
        "--key-file",
        metavar="FILE",
        help=f"act as the user whose API key is in FILE (default: ${KEY_ENVIRONMENT})",
    )


def caller(args: argparse.Namespace, registry: Registry) -> Principal:
    """The authenticated user the command acts as; a usage error (exit 2) when no key is
    given, the registry's refusal (exit 1) when the key is unknown, replaced or disabled."""
    from services.users import check_key_text

    path = getattr(args, "key_file", None)
    if path:
        key = _read_key_file(Path(path))
    else:
        key = registry.environ.get(KEY_ENVIRONMENT, "")
        if not key.strip():
            raise UsageError(
                "card commands act as a named user: pass --key-file FILE or set "
                f"{KEY_ENVIRONMENT} (on the server host, `talentcard users add` makes a key)"
            )
    return registry.users.authenticate(check_key_text(key))


def _read_key_file(path: Path) -> str:
    try:
        with path.open("rb") as f:
            data = f.read(_KEY_FILE_MAX_BYTES + 1)
    except OSError as e:
        raise UsageError(f"--key-file {path}: {e.strerror}") from None
    if len(data) > _KEY_FILE_MAX_BYTES:
        raise UsageError(f"--key-file {path}: larger than {_KEY_FILE_MAX_BYTES} bytes, not a key")
    try:
        return data.decode("ascii")
    except UnicodeDecodeError:
        raise UsageError(f"--key-file {path}: not an API key (not ASCII text)") from None
