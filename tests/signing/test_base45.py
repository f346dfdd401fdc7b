"""Our RFC 9285 codec against the RFC's examples, its limits, and the ``base45`` package
(kept as a test dependency to be the reference)."""

from __future__ import annotations

import base45
import pytest
from hypothesis import given
from hypothesis import strategies as st

from signing.base45 import ALPHABET, b45decode, b45encode

RFC_EXAMPLES = [
    (b"AB", "BB8"),
    (b"Hello!!", "%69 VD92EX0"),
    (b"base-45", "UJCLQE7W581"),
    (b"ietf!", "QED8WEX0"),
]
# The alphabet, and characters next to it that a sloppy decoder might take: lowercase
# letters, a tab, other punctuation, something non-ASCII. Not "\n": the package strips a
# trailing one, which we deliberately do not (see the last test).
NEAR_ALPHABET = ALPHABET + "abz\t#&_~é李"


@given(st.binary(max_size=600))
def test_what_the_base45_package_encodes_we_decode_to_the_same_bytes(data: bytes):
    assert b45decode(base45.b45encode(data).decode("ascii")) == data


@given(st.binary(max_size=600))
def test_what_we_encode_the_base45_package_decodes_to_the_same_bytes(data: bytes):
    assert base45.b45decode(b45encode(data)) == data


@given(st.binary(max_size=600))
def test_we_encode_each_byte_string_to_the_same_text_as_the_base45_package(data: bytes):
    assert b45encode(data) == base45.b45encode(data).decode("ascii")


@given(st.text(alphabet=NEAR_ALPHABET, max_size=60))
def test_any_text_we_decode_the_package_decodes_to_the_same_bytes_and_any_it_refuses_we_refuse(
    text: str,
):
    try:
        expected: bytes | None = base45.b45decode(text)
    except ValueError:
        expected = None
    try:
        ours: bytes | None = b45decode(text)
    except ValueError:
        ours = None
    assert ours == expected


@pytest.mark.parametrize(("data", "text"), RFC_EXAMPLES)
def test_the_rfc_examples_decode(data: bytes, text: str):
    assert b45decode(text) == data


@pytest.mark.parametrize(("data", "text"), RFC_EXAMPLES)
def test_the_rfc_examples_encode(data: bytes, text: str):
    assert b45encode(data) == text


def test_empty_text_is_no_bytes():
    assert b45decode("") == b""


def test_the_largest_group_decodes_to_two_bytes_of_ones():
    assert b45decode("FGW") == b"\xff\xff"  # 15 + 16*45 + 32*2025 = 65535


def test_a_group_worth_more_than_two_bytes_is_refused():
    with pytest.raises(ValueError, match=r"group 'GGW' at position 0 is worth 65536, over 65535"):
        b45decode("GGW")  # 16 + 16*45 + 32*2025 = 65536


def test_an_overflowing_group_after_valid_ones_is_refused_by_its_position():
    with pytest.raises(ValueError, match=r"group ':::' at position 6 is worth 91124"):
        b45decode("BB8BB8:::BB8")


def test_the_largest_final_pair_decodes_to_one_byte_of_ones():
    assert b45decode("U5") == b"\xff"  # 30 + 5*45 = 255


def test_a_final_pair_worth_more_than_one_byte_is_refused():
    with pytest.raises(ValueError, match=r"final pair 'V5' is worth 256, over 255"):
        b45decode("BB8V5")


@pytest.mark.parametrize("text", ["0", "BB8B", "BB8BB8B"])
def test_a_length_one_more_than_a_multiple_of_three_is_refused(text: str):
    with pytest.raises(ValueError, match=rf"of {len(text)} characters"):
        b45decode(text)


def test_a_lowercase_letter_is_refused_by_its_position():
    with pytest.raises(ValueError, match=r"holds 'b' at position 1, outside the alphabet"):
        b45decode("BbB")


def test_a_character_outside_ascii_is_refused_by_its_position():
    with pytest.raises(ValueError, match=r"holds '李' at position 3, outside the alphabet"):
        b45decode("BB8李B8")


def test_a_trailing_newline_is_refused_since_callers_strip_their_own_text():
    with pytest.raises(ValueError, match=r"holds '\\n' at position 3"):
        b45decode("BB8\n0")


def test_a_text_longer_than_any_qr_code_still_decodes():
    data = bytes(range(256)) * 40  # 15,360 characters of text, past the 4,296 the mask covers
    assert b45decode(b45encode(data)) == data
