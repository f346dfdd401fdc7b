"""The one reading of which items a card grants, shared by the credential and the
entitlements read model."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidInput
from domain.policy import BeneficiaryKind
from domain.policy.grants import granted_codes, granted_items, grants
from domain.vocabulary import Scheme
from tests.domain.policy.support import HOLDER, SPOUSE, card

DAY = date(2024, 6, 3)


def test_an_unknown_item_code_is_an_error_not_a_refusal() -> None:
    with pytest.raises(InvalidInput):
        grants(card(Scheme.JINAN, "A"), "no.such.item", HOLDER, DAY)


def test_item_numbers_and_item_codes_say_the_same_for_each_beneficiary() -> None:
    liaocheng = card(Scheme.LIAOCHENG, "A")
    for person, kind in ((HOLDER, BeneficiaryKind.HOLDER), (SPOUSE, BeneficiaryKind.SPOUSE)):
        codes = granted_codes(liaocheng, person, DAY)
        numbers = granted_items(liaocheng, kind, DAY)
        assert codes and numbers
        assert len(numbers) <= len(codes)
    assert granted_codes(liaocheng, SPOUSE, DAY) != granted_codes(liaocheng, HOLDER, DAY)
