"""The command line's own error (malformed input that never reached the registry), and
the escaping every command applies to what it prints."""

from __future__ import annotations

from domain.text import forbidden_character


class UsageError(Exception):
    """Malformed command-line input; the CLI exits with code 2."""


_FAMILIAR_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def terminal_safe(text: str) -> str:
    """Text safe to print on a terminal: every control, format, bidi, separator or
    surrogate character (ESC and CSI sequences included) shown as a visible escape
    (``\\x1b``, ``\\u202e``), so stored input can neither move the cursor, recolour,
    retitle, nor reorder what an operator reads."""
    if forbidden_character(text) is None:
        return text
    out = []
    for ch in text:
        if forbidden_character(ch) is None:
            out.append(ch)
        elif ch in _FAMILIAR_ESCAPES:
            out.append(_FAMILIAR_ESCAPES[ch])
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return "".join(out)
