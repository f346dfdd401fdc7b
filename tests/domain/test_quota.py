"""Weihai 2023 quotas: 3 cards per investment project and per enterprise, a project's
quota raised case by case (weihai-2023-card-for-investment-and-recruitment part 1)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from domain.errors import DomainError, InvalidInput, NotAuthorised
from domain.policy.quota import quota_rule
from domain.quota import CardQuota, quota_id, quota_scope
from domain.values import Basis, Context
from domain.vocabulary import Role, Scheme

DAY = date(2026, 3, 2)
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def ctx(role: Role = Role.INVESTMENT_DEPARTMENT) -> Context:
    return Context(actor="someone", role=role, effective_at=T0, recorded_at=T0)


def project_quota(project: str = "P-1") -> CardQuota:
    scope = quota_scope(Scheme.WEIHAI, Basis(category="business_elite", project_id=project), DAY)
    assert scope is not None
    return CardQuota(scope=scope)


def test_a_business_elite_application_counts_against_its_project():
    scope = quota_scope(Scheme.WEIHAI, Basis(category="business_elite", project_id="P-1"), DAY)
    assert scope is not None
    assert (scope.per, scope.subject) == ("project", "P-1")
    assert CardQuota(scope=scope).id == quota_id(scope.key)


def test_an_enterprise_talent_application_counts_against_its_enterprise():
    scope = quota_scope(Scheme.WEIHAI, Basis(category="enterprise_talent", enterprise_id="E"), DAY)
    assert scope is not None and scope.per == "enterprise"


def test_a_category_without_a_quota_counts_against_nothing():
    assert quota_scope(Scheme.WEIHAI, Basis(category="4"), DAY) is None
    assert quota_scope(Scheme.LIAOCHENG, Basis(category="art5.3"), DAY) is None


def test_a_business_elite_application_without_a_project_is_refused():
    with pytest.raises(InvalidInput, match=r"basis\.project_id is required"):
        quota_scope(Scheme.WEIHAI, Basis(category="business_elite"), DAY)


def test_the_fourth_application_for_a_project_is_refused_naming_the_rule():
    quota = project_quota()
    for _ in range(3):
        quota.reserve(ctx(), uuid4())
    with pytest.raises(DomainError) as info:
        quota.reserve(ctx(), uuid4())
    assert info.value.code == "quota_full"
    assert "3 of 3" in info.value.message
    assert info.value.rule == "weihai.quota.business_elite"


def test_a_case_by_case_decision_raises_a_project_s_quota():
    quota = project_quota()
    for _ in range(3):
        quota.reserve(ctx(), uuid4())
    quota.raise_limit(ctx(Role.TALENT_OFFICE), 5, "威人才办〔2026〕7号", ("major_project",))
    quota.reserve(ctx(), uuid4())
    quota.reserve(ctx(), uuid4())
    with pytest.raises(DomainError, match="5 of 5"):
        quota.reserve(ctx(), uuid4())


def test_only_the_talent_office_may_raise_a_quota():
    with pytest.raises(NotAuthorised):
        project_quota().raise_limit(ctx(Role.CITY_HRSS), 5, "ref")


def test_a_raise_must_go_above_the_standard_quota():
    with pytest.raises(InvalidInput, match="above 3"):
        project_quota().raise_limit(ctx(Role.TALENT_OFFICE), 3, "ref", ("major_project",))


def test_a_raise_that_does_not_attest_a_major_project_is_refused():
    # weihai-2023 part 1(1): 重大项目可采取"一事一议"增加发放名额.
    with pytest.raises(DomainError) as info:
        project_quota().raise_limit(ctx(Role.TALENT_OFFICE), 5, "ref")
    assert info.value.code == "no_case_by_case" and "major_project" in info.value.message


def test_an_enterprise_quota_cannot_be_raised_case_by_case():
    scope = quota_scope(Scheme.WEIHAI, Basis(category="enterprise_talent", enterprise_id="E"), DAY)
    assert scope is not None
    with pytest.raises(DomainError) as info:
        CardQuota(scope=scope).raise_limit(ctx(Role.TALENT_OFFICE), 5, "ref")
    assert info.value.code == "no_case_by_case"


def test_a_released_place_can_be_taken_again():
    quota = project_quota()
    first = uuid4()
    quota.reserve(ctx(), first)
    quota.reserve(ctx(), uuid4())
    quota.reserve(ctx(), uuid4())
    quota.release(ctx(), first)
    quota.reserve(ctx(), uuid4())
    assert len(quota.holders) == 3


def test_weihai_2023_part_1_1_the_case_by_case_raise_is_decided_by_the_recorded_decider():
    # 一事一议 names no decider; weihai-2026-rectified rests it on RD-2026-101.
    rectified = datetime(2026, 12, 8, 2, tzinfo=UTC)

    def at(role: Role) -> Context:
        return Context(actor="someone", role=role, effective_at=rectified, recorded_at=rectified)

    quota = project_quota()
    with pytest.raises(NotAuthorised) as refused:
        quota.raise_limit(at(Role.CITY_HRSS), 5, "ref", ("major_project",))
    assert refused.value.rule == "weihai.quota.business_elite.2026"
    assert "weihai.decision.quota_raise" in refused.value.message
    quota.raise_limit(at(Role.TALENT_OFFICE), 5, "威人才办〔2026〕9号", ("major_project",))
    assert quota.raised_to == 5
    rule, _ = quota_rule(Scheme.WEIHAI, "business_elite", rectified.date())
    assert rule is not None and rule.decision == "weihai.decision.quota_raise"
