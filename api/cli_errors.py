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


def json_safe(encoded: bytes) -> bytes:
    """JSON output with every character ``terminal_safe`` would escape written as a JSON
    ``\\u`` escape instead (msgspec leaves DEL, C1 controls and bidi characters raw). The
    document decodes to the same value. Only strings can hold such characters, and there
    the encoder has already escaped newlines and tabs, so a raw one is indentation."""
    text = encoded.decode()
    if forbidden_character(text, multiline=True) is None:
        return encoded
    out = []
    for ch in text:
        if forbidden_character(ch, multiline=True) is None:
            out.append(ch)
        else:
            raw = ch.encode("utf-16-be", "surrogatepass")
            out.extend(f"\\u{raw[i : i + 2].hex()}" for i in range(0, len(raw), 2))
    return "".join(out).encode()
