"""Settings checked once, at start: the public base URL every credential's status URL
starts with, and the Argon2id cost key files are made at."""

from __future__ import annotations

import pytest

from ledger.settings import SettingsError
from services.settings import DEFAULT_PUBLIC_BASE_URL, PUBLIC_BASE_URL, public_base_url


def test_without_a_setting_the_base_url_is_where_serve_listens_by_default():
    assert public_base_url({}) == DEFAULT_PUBLIC_BASE_URL == "http://127.0.0.1:8000"


def test_a_trailing_slash_is_dropped_so_urls_never_hold_a_double_slash():
    assert public_base_url({PUBLIC_BASE_URL: "https://card.example.cn/"}) == (
        "https://card.example.cn"
    )


@pytest.mark.parametrize(
    "value",
    [
        "card.example.cn",  # no scheme
        "ftp://card.example.cn",
        "https://",
        "https://card.example.cn/?q=1",
        "https://card.example.cn/#top",
        "https://user@card.example.cn",
        "https://卡.example.cn",  # not ASCII: QR alphanumerics and venues' fetchers
        "https://" + "a" * 100 + ".cn",
    ],
)
def test_a_base_url_that_cannot_name_status_lists_for_life_is_refused(value: str):
    with pytest.raises(SettingsError, match=PUBLIC_BASE_URL):
        public_base_url({PUBLIC_BASE_URL: value})


def test_key_files_are_made_at_rfc_9106s_cost_unless_told_otherwise():
    from services.settings import key_kdf_cost
    from signing.keys import KdfCost

    assert key_kdf_cost({}) == KdfCost(iterations=3, memory_kib=65536, lanes=4)
    assert key_kdf_cost({"TALENTCARD_KEY_KDF_COST": " t=1, p=1, m=64 "}) == KdfCost(
        iterations=1, memory_kib=64, lanes=1
    )


@pytest.mark.parametrize(
    "value",
    [
        "cheap",
        "m=64,t=1",
        "m=64,t=1,p=1,x=2",
        "m=64,m=64,t=1",
        "m=-1,t=1,p=1",
        "m=8,t=1,p=4",
        "m=64,t=0,p=1",
        "m=64,t=1,p=99",
        "m=9999999999,t=1,p=1",
    ],
)
def test_a_key_derivation_cost_that_is_malformed_or_out_of_bounds_is_refused_naming_it(
    value: str,
):
    from services.settings import key_kdf_cost

    with pytest.raises(SettingsError, match="TALENTCARD_KEY_KDF_COST"):
        key_kdf_cost({"TALENTCARD_KEY_KDF_COST": value})
