"""Who issues each scheme's card (颁发), and who upgrades and extends it: the issuer rules
as data, the registry's one role set until 2026-12-06 and each seed's issuer from
2026-12-07 (issue 27)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import NotAuthorised
from domain.policy import check_issuer, default_policy, issuer_roles
from domain.vocabulary import Role, Scheme

BEFORE = date(2026, 12, 6)  # the last day of the registry's practice
RECTIFIED = date(2026, 12, 8)
ISSUING_BODIES = {
    Role.COUNTY_WINDOW,
    Role.CITY_WINDOW,
    Role.PROVINCIAL_WINDOW,
    Role.CITY_HRSS,
    Role.TALENT_OFFICE,
}


def test_liaocheng_art_32_only_the_city_hrss_issues_a_gold_card() -> None:
    # Art. 32(一): 由市人力资源社会保障局……直接颁发; (二) names no issuer (RD-2026-81).
    assert issuer_roles(Scheme.LIAOCHENG, "issue", RECTIFIED).roles == {Role.CITY_HRSS}
    for role in (Role.CITY_WINDOW, Role.COUNTY_WINDOW, Role.TALENT_OFFICE):
        with pytest.raises(NotAuthorised) as refused:
            check_issuer(Scheme.LIAOCHENG, "issue", role, RECTIFIED)
        assert refused.value.code == "issuer_not_authorised"
        assert refused.value.rule == "liaocheng.issuers"


def test_liaocheng_art_32_the_city_hrss_upgrades_a_gold_card() -> None:
    assert issuer_roles(Scheme.LIAOCHENG, "upgrade", RECTIFIED).roles == {Role.CITY_HRSS}


def test_shandong_7_1_item_6_only_the_provincial_window_issues_the_huicai_card() -> None:
    # 7.1 item 6: 省高层次人才服务窗口……颁发; 7.2's city and county windows issue their own
    # cities' certificates, not the 惠才卡.
    assert issuer_roles(Scheme.SHANDONG, "issue", RECTIFIED).roles == {Role.PROVINCIAL_WINDOW}
    for role in (Role.CITY_HRSS, Role.COUNTY_WINDOW, Role.CITY_WINDOW):
        with pytest.raises(NotAuthorised):
            check_issuer(Scheme.SHANDONG, "issue", role, RECTIFIED)


def test_weihai_2019_part_2_2_only_the_city_hrss_issues_and_extends_the_yingcai_card() -> None:
    # 2019 part 2(2): 市人力资源社会保障局负责……颁发; 2023 part 3: 市人社局……制作发放.
    for action in ("issue", "extend"):
        assert issuer_roles(Scheme.WEIHAI, action, RECTIFIED).roles == {Role.CITY_HRSS}
    for role in (Role.TALENT_OFFICE, Role.COUNTY_WINDOW):
        with pytest.raises(NotAuthorised):
            check_issuer(Scheme.WEIHAI, "issue", role, RECTIFIED)


def test_jinan_art_24_1_the_city_window_records_the_virtual_card_it_certifies() -> None:
    # Art. 24(1): 输入认证信息即可获得 names no issuing body; the city window (市人才服务局,
    # art. 22(1)) records it (RD-2026-81).
    assert issuer_roles(Scheme.JINAN, "issue", RECTIFIED).roles == {Role.CITY_WINDOW}
    assert issuer_roles(Scheme.JINAN, "upgrade", RECTIFIED).roles == {Role.CITY_WINDOW}


@pytest.mark.parametrize("scheme", list(Scheme))
def test_until_2026_12_06_every_issuing_body_issued_as_the_registry_s_practice(
    scheme: Scheme,
) -> None:
    for action in ("issue", "upgrade", "extend"):
        found = issuer_roles(scheme, action, BEFORE)
        assert found.roles == ISSUING_BODIES
        assert found.rules == (f"{scheme}.issuers.registry_practice",)
    data = default_policy().scheme(scheme)
    (decision,) = [d for d in data.decisions if d.id == f"{scheme}.decision.issuers_practice"]
    assert decision.reference == "registry decision record RD-2026-80"


@pytest.mark.parametrize("scheme", list(Scheme))
def test_the_seed_s_issuer_replaces_the_practice_from_2026_12_07(scheme: Scheme) -> None:
    data = default_policy().scheme(scheme)
    (rule,) = [r for r in data.issuers if r.id == f"{scheme}.issuers"]
    assert rule.replaces == (f"{scheme}.issuers.registry_practice",)
    assert rule.effective_from == date(2026, 12, 7)
    assert issuer_roles(scheme, "issue", RECTIFIED).rules == (f"{scheme}.issuers",)


def test_an_action_no_issuer_rule_names_is_taken_by_no_one() -> None:
    # The 惠才卡 standard sets no upgrade: from 2026-12-07 no role upgrades one.
    with pytest.raises(NotAuthorised, match="give it to no one"):
        check_issuer(Scheme.SHANDONG, "upgrade", Role.PROVINCIAL_WINDOW, RECTIFIED)
