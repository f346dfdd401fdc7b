"""Identity numbers are checked before the ledger hashes and forgets them."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidInput
from domain.identity import normalise_id_number, resident_id_birth_date
from domain.vocabulary import IdDocumentKind

VALID = "11010519491231002X"


def test_a_valid_resident_id_is_normalised_to_upper_case_without_spaces():
    assert normalise_id_number(IdDocumentKind.RESIDENT_ID, " 110105 19491231002x ") == VALID


def test_a_resident_id_with_a_wrong_check_character_is_refused():
    with pytest.raises(InvalidInput, match="check character"):
        normalise_id_number(IdDocumentKind.RESIDENT_ID, "110105194912310021")


@pytest.mark.parametrize("number", ["1101051949123100", "1101051949123100XX", "A1010519491231002X"])
def test_a_resident_id_of_the_wrong_shape_is_refused(number: str):
    with pytest.raises(InvalidInput, match="17 digits"):
        normalise_id_number(IdDocumentKind.RESIDENT_ID, number)


def test_the_birth_date_is_read_from_the_resident_id():
    assert resident_id_birth_date(VALID) == date(1949, 12, 31)


def test_a_passport_number_is_accepted_without_a_checksum():
    assert normalise_id_number(IdDocumentKind.PASSPORT, "e1234567") == "E1234567"


@given(
    region=st.integers(110000, 659999),
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)),
    sequence=st.integers(0, 999),
)
def test_exactly_one_check_character_completes_any_number(region: int, born: date, sequence: int):
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    accepted = []
    for check in "0123456789X":
        try:
            normalise_id_number(IdDocumentKind.RESIDENT_ID, body + check)
        except InvalidInput:
            continue
        accepted.append(check)
    assert len(accepted) == 1
    assert resident_id_birth_date(body + accepted[0]) == born


def test_fullwidth_digits_normalise_to_the_ascii_number():
    fullwidth = "１１０１０５１９４９１２３１００２ｘ"
    assert normalise_id_number(IdDocumentKind.RESIDENT_ID, fullwidth) == VALID


def test_an_ideographic_space_inside_the_number_is_removed():
    assert normalise_id_number(IdDocumentKind.RESIDENT_ID, "110105\u300019491231002X") == VALID


@pytest.mark.parametrize(
    "number",
    [
        "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",  # Arabic-Indic digits: still not ASCII after NFKC
        "11010519491231002\u0425",  # Cyrillic Ha, a look-alike of X
        "E12345ß6",  # would upper-case to ASCII "SS"
    ],
)
def test_a_number_still_not_ascii_after_nfkc_is_refused(number: str):
    kind = IdDocumentKind.PASSPORT if number.startswith("E") else IdDocumentKind.RESIDENT_ID
    with pytest.raises(InvalidInput, match="ASCII"):
        normalise_id_number(kind, number)
