"""Names and free text refuse control, format and bidi characters; names are NFC."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidInput
from domain.text import (
    check_text,
    forbidden_character,
    is_normalised_name,
    normalise_name,
)


@pytest.mark.parametrize(
    "name",
    ["李雷", "阿卜杜·热合曼", "欧阳\U00020000", "Zoë Li", "李\U000e0100雷", "\ue000明"],
)
def test_chinese_and_latin_names_are_accepted(name: str):
    assert normalise_name("holder.name", name) == unicodedata.normalize("NFC", name)


@pytest.mark.parametrize(
    "bad",
    [
        "\x1b[31m",  # ESC: a terminal colour sequence
        "\x9b31m",  # C1 CSI
        "\x00",
        "\x7f",
        "\n",
        "\r",
        "\u202e",  # right-to-left override
        "\u2066",  # left-to-right isolate
        "\u200b",  # zero-width space
        "\ufeff",  # byte order mark
        "\u2028",  # line separator
        "\udc80",  # a lone surrogate: an undecodable byte
    ],
)
def test_a_name_with_a_control_format_or_bidi_character_is_refused(bad: str):
    with pytest.raises(InvalidInput) as info:
        normalise_name("holder.name", f"李{bad}雷")
    assert info.value.code == "invalid_characters"
    assert "holder.name" in info.value.message
    assert bad not in info.value.message


def test_a_name_is_stored_nfc_normalised_and_trimmed():
    decomposed = "Zoe\u0308 "
    assert normalise_name("holder.name", decomposed) == "Zoë"


def test_a_name_longer_than_100_characters_once_normalised_is_refused():
    with pytest.raises(InvalidInput):
        normalise_name("holder.name", "李" * 101)


def test_free_text_may_hold_newlines_and_tabs_but_no_escape():
    check_text("note", "line one\n\tline two", multiline=True)
    with pytest.raises(InvalidInput):
        check_text("note", "line\x1b[2J", multiline=True)
    with pytest.raises(InvalidInput):
        check_text("note", "line\r", multiline=True)


@given(st.text())
def test_a_normalised_name_is_clean_or_the_name_was_refused(text: str):
    try:
        name = normalise_name("name", text)
    except InvalidInput:
        assert (
            forbidden_character(unicodedata.normalize("NFC", text)) is not None
            or len(unicodedata.normalize("NFC", text).strip()) > 100
        )
        return
    assert is_normalised_name(name)
