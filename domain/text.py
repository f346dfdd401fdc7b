"""Text hygiene for what people type: names and free text (姓名与文字的规范化).

A name or note typed into the registry is shown later on a terminal, a screen or a card.
Control characters, terminal escape sequences and bidirectional overrides would let a
filer forge what a reviewer sees (a name that reads as another, text that rewrites the
line it is printed on), so they are refused; names are stored NFC-normalised, so one
name typed on two keyboards is one name.
"""

from __future__ import annotations

import unicodedata

from domain.errors import InvalidInput

# Unicode categories no name or note needs: controls (Cc: C0, DEL, C1, so ESC and CSI),
# format characters (Cf: zero-width characters, bidi marks, the BOM), lone surrogates (Cs:
# undecodable bytes smuggled into a str), and line/paragraph separators (Zl, Zp).
# A Chinese name needs none of them: the interpunct of transliterated names (·, U+00B7)
# is punctuation (Po), ideographic variation selectors are marks (Mn), and private-use
# characters (Co), still used for rare characters (生僻字) in older systems, are allowed.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})

# Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069); all Cf,
# named here because they are the ones that reorder what a reader sees (Trojan Source).
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))

# Free text (a note, a reason) may run over several lines or hold a tab; nothing else.
MULTILINE_ALLOWED = frozenset("\n\t")

# The longest name, in characters, after normalisation (ledger.limits.NAME_MAX agrees).
NAME_MAX_CHARS = 100


def forbidden_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character ``text`` may not hold, or None when it is clean."""
    for ch in text:
        if multiline and ch in MULTILINE_ALLOWED:
            continue
        if ch in BIDI_CONTROLS or unicodedata.category(ch) in REFUSED_CATEGORIES:
            return ch
    return None


def describe_character(ch: str) -> str:
    """A character as ``U+XXXX`` (never the raw character, which may be an escape)."""
    return f"U+{ord(ch):04X}"


def check_text(field: str, text: str, *, multiline: bool = False) -> None:
    """Refuse text holding a control, format or bidi character, naming the field."""
    bad = forbidden_character(text, multiline=multiline)
    if bad is not None:
        raise InvalidInput(
            f"{field} holds the control or formatting character {describe_character(bad)}",
            code="invalid_characters",
        )


def normalise_name(field: str, text: str) -> str:
    """A person's or body's name as stored: NFC-normalised, trimmed, with no control,
    format or bidi character, at most ``NAME_MAX_CHARS`` characters once normalised."""
    normalised = unicodedata.normalize("NFC", text).strip()
    check_text(field, normalised)
    if len(normalised) > NAME_MAX_CHARS:
        raise InvalidInput(f"{field} is longer than {NAME_MAX_CHARS} characters")
    return normalised


def is_normalised_name(text: str) -> bool:
    """Whether ``text`` is already a stored name's form (see ``normalise_name``)."""
    return (
        unicodedata.is_normalized("NFC", text)
        and text == text.strip()
        and forbidden_character(text) is None
        and len(text) <= NAME_MAX_CHARS
    )
