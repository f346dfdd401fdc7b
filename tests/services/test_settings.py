"""The public base URL every credential's status URL starts with: checked once, at start."""

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
