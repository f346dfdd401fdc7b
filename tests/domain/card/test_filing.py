"""Filing: the engine decides the route, review stages and tier; who may file and
what an application must hold."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import msgspec
import pytest

from domain.card import Card
from domain.errors import DomainError, InvalidInput
from domain.policy import using_policy
from domain.values import Application, Basis, FamilyMember, Holder, Sponsor
from domain.vocabulary import Relation, ReviewStage, Role, Route, Scheme, SponsorKind
from tests.domain.factories import FACTS, application, ctx
from tests.domain.policy.support import NOT_YET_IN_FORCE, shifted


def test_filing_records_the_route_stages_tier_and_the_rules_that_decided_them():
    card = Card.file(ctx(Role.EMPLOYER), application(Scheme.LIAOCHENG, "art5.3"))
    admission = card.admission
    assert admission.route is Route.REVIEWED
    assert admission.required_stages == (ReviewStage.CITY_HRSS, ReviewStage.TALENT_OFFICE)
    assert admission.tier == "B"
    assert "liaocheng.category.art5.3" in admission.rules
    assert admission.policy_version.startswith("liaocheng")


def test_an_applicant_who_fails_a_condition_is_refused_naming_it_and_the_rule():
    app = application(Scheme.LIAOCHENG, "art5.3", basis=Basis(category="art5.3"))
    with pytest.raises(DomainError) as info:
        Card.file(ctx(Role.EMPLOYER), app)
    assert info.value.code == "not_eligible"
    assert "certified excellent talent" in info.value.message
    assert info.value.rule is not None and "liaocheng.category.art5.3" in info.value.rule


def test_an_unknown_category_is_refused_listing_the_scheme_s_categories():
    with pytest.raises(InvalidInput, match=r"art5\.1") as info:
        Card.file(ctx(Role.EMPLOYER), application(Scheme.LIAOCHENG, "art9"))
    assert info.value.code == "unknown_category"


def test_an_application_filed_before_its_category_existed_is_refused():
    before_2023_notice = datetime(2023, 2, 19, 1, 0, tzinfo=UTC)
    app = application(
        Scheme.WEIHAI,
        "business_elite",
        sponsor=Sponsor(kind=SponsorKind.INVESTMENT_DEPARTMENT, name="招商局"),
    )
    with pytest.raises(DomainError) as info:
        Card.file(ctx(Role.INVESTMENT_DEPARTMENT, at=before_2023_notice), app)
    assert info.value.code == "not_eligible"
    accepted = Card.file(
        ctx(Role.INVESTMENT_DEPARTMENT, at=before_2023_notice + timedelta(days=1)), app
    )
    assert accepted.admission.policy_version == "weihai-2023"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"evidence": ()}, "evidence"),
        ({"sponsor": Sponsor(kind=SponsorKind.NONE)}, "sponsor.kind"),
    ],
)
def test_a_reviewed_application_missing_a_field_is_refused_naming_it(overrides: Any, field: str):
    with pytest.raises(InvalidInput, match=field.replace(".", r"\.")):
        Card.file(ctx(Role.EMPLOYER), application(**overrides))


def test_a_direct_application_needs_no_sponsor_or_evidence():
    app = application(Scheme.JINAN, "C", sponsor=Sponsor(kind=SponsorKind.NONE), evidence=())
    card = Card.file(ctx(Role.APPLICANT), app)
    assert card.required_stages == ()


def test_a_holder_born_in_the_future_is_refused():
    holder = application().holder
    future = Holder(name=holder.name, identity=holder.identity, date_of_birth=date(2027, 1, 1))
    with pytest.raises(InvalidInput, match=r"holder\.date_of_birth"):
        Card.file(ctx(Role.EMPLOYER), application(holder=future))


def test_filing_decides_under_the_policy_it_is_given():
    rules = shifted(Scheme.LIAOCHENG, *NOT_YET_IN_FORCE)
    with using_policy(rules), pytest.raises(DomainError) as info:
        Card.file(ctx(Role.EMPLOYER), application())
    assert info.value.code == "no_policy_in_force"


def test_an_ineligible_application_names_every_rule_that_refused_it():
    app = application(Scheme.LIAOCHENG, "art5.3", basis=Basis(category="art5.3"))
    with pytest.raises(DomainError) as info:
        Card.file(ctx(Role.EMPLOYER), app)
    rule = info.value.rule
    assert rule is not None and ", " in rule and "XX" not in rule


def test_the_holder_s_date_of_birth_decides_an_age_condition():
    facts = {
        "full_time_public_institution": True,
        "imported_national_or_provincial_programme": True,
        "introduced_on": "2026-01-05",
    }
    young = application(Scheme.WEIHAI, "3", basis=Basis(category="3", facts=facts))
    old = application(
        Scheme.WEIHAI,
        "3",
        basis=Basis(category="3", facts=facts),
        holder=msgspec.structs.replace(young.holder, date_of_birth=date(1950, 1, 1)),
    )
    assert Card.file(ctx(Role.EMPLOYER), young).admission.tier == "3"
    with pytest.raises(DomainError) as info:
        Card.file(ctx(Role.EMPLOYER), old)
    assert info.value.code == "not_eligible"


def test_a_card_filed_outside_any_quota_records_no_quota_key():
    assert Card.file(ctx(Role.EMPLOYER), application()).admission.quota_key == ""


def with_family(name: str, born: date) -> Application:
    holder = application().holder
    member = FamilyMember(relation=Relation.CHILD, name=name, date_of_birth=born)
    return application(holder=msgspec.structs.replace(holder, family=(member,)))


def test_a_holder_born_on_the_filing_day_is_refused():
    holder = msgspec.structs.replace(application().holder, date_of_birth=date(2026, 3, 2))
    with pytest.raises(DomainError) as info:
        Card.file(ctx(Role.EMPLOYER), application(holder=holder))
    assert info.value.code == "invalid_input"


def test_a_child_born_on_the_filing_day_may_be_listed_but_not_one_born_later():
    card = Card.file(ctx(Role.EMPLOYER), with_family("小李", date(2026, 3, 2)))
    assert card.application.holder.family[0].date_of_birth == date(2026, 3, 2)
    with pytest.raises(DomainError) as info:
        Card.file(ctx(Role.EMPLOYER), with_family("小李", date(2026, 3, 3)))
    assert info.value.code == "invalid_input"


def test_a_family_member_without_a_name_is_refused():
    with pytest.raises(DomainError) as info:
        Card.file(ctx(Role.EMPLOYER), with_family(" ", date(2000, 1, 1)))
    assert info.value.code == "invalid_input"


def _with_name(field: str, name: str) -> Application:
    app = application()
    if field == "holder.name":
        return application(holder=msgspec.structs.replace(app.holder, name=name))
    if field == "sponsor.name":
        return application(sponsor=msgspec.structs.replace(app.sponsor, name=name))
    return with_family(name, date(2010, 1, 1))


@pytest.mark.parametrize("field", ["holder.name", "sponsor.name", "holder.family[0].name"])
def test_a_name_with_a_terminal_escape_is_refused_naming_its_field(field: str):
    # The command decoder refuses these first; the aggregate refuses them again, so an
    # application built in code (a migration, a test) cannot store one either.
    with pytest.raises(InvalidInput) as refused:
        Card.file(ctx(Role.EMPLOYER), _with_name(field, "李\x1b[2J雷"))
    assert refused.value.code == "invalid_characters"
    assert str(refused.value.message).startswith(f"{field} ")


# ---- who files (issue 10) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "category", "role", "sponsor", "code"),
    [
        # weihai-2019 part 2(4).2: the unit fills in the form for categories 3 and 4.
        (Scheme.WEIHAI, "4", Role.APPLICANT, SponsorKind.EMPLOYER, "filer_not_authorised"),
        # weihai-2023 part 3(1)1: business elites are put forward by the investment department.
        (
            Scheme.WEIHAI,
            "business_elite",
            Role.ENTERPRISE,
            SponsorKind.ENTERPRISE,
            "filer_not_authorised",
        ),
        # weihai-2023 part 3(2)1: the target enterprise registers its planned hire.
        (
            Scheme.WEIHAI,
            "enterprise_talent",
            Role.EMPLOYER,
            SponsorKind.EMPLOYER,
            "filer_not_authorised",
        ),
        # jinan art. 24(1): the talent claims the card with the certification data.
        (Scheme.JINAN, "C", Role.EMPLOYER, SponsorKind.EMPLOYER, "filer_not_authorised"),
        # shandong 7.1 items 2-4: the employer's commissioner completes every file.
        (Scheme.SHANDONG, "direct", Role.APPLICANT, SponsorKind.NONE, "sponsor_not_accepted"),
    ],
)
def test_an_application_filed_by_someone_the_seed_does_not_name_is_refused_naming_the_rule(
    scheme: Scheme, category: str, role: Role, sponsor: SponsorKind, code: str
):
    facts = {
        (Scheme.WEIHAI, "enterprise_talent"): {
            "planned_hire_of_target_enterprise": True,
            "national_or_provincial_programme": True,
        },
        (Scheme.SHANDONG, "direct"): {
            "national_comprehensive_programme": True,
            "city_employer": True,
            "innovation_record": True,
        },
    }.get((scheme, category), FACTS.get((scheme, category), {}))
    app = application(
        scheme,
        category,
        basis=Basis(category=category, facts=facts),
        sponsor=Sponsor(kind=sponsor, name="某单位"),
    )
    with pytest.raises(DomainError) as info:
        Card.file(ctx(role), app)
    assert info.value.code == code
    assert info.value.rule is not None and ".filer" in info.value.rule


def test_an_application_met_by_a_soft_criterion_s_exception_records_it():
    # weihai-2019 part 2(1).3 年龄一般不超过55周岁: the exception's reference is recorded.
    facts = {
        "full_time_public_institution": True,
        "imported_national_or_provincial_programme": True,
        "introduced_on": "2026-01-05",
        "exception_age": "威人才办〔2026〕1号",
    }
    old = application(Scheme.WEIHAI, "3", basis=Basis(category="3", facts=facts))
    old = msgspec.structs.replace(
        old, holder=msgspec.structs.replace(old.holder, date_of_birth=date(1950, 1, 1))
    )
    admission = Card.file(ctx(Role.EMPLOYER), old).admission
    (exception,) = admission.exceptions  # exactly one soft criterion was excepted
    assert "威人才办〔2026〕1号 by talent_office" in exception


def test_a_refused_filer_is_told_who_files_the_category():
    app = application(Scheme.WEIHAI, "4", sponsor=Sponsor(kind=SponsorKind.EMPLOYER, name="x"))
    error = assert_refused_filing(app, Role.APPLICANT)
    assert "filed by employer, not applicant" in error.message


def test_a_refused_sponsor_is_told_which_kinds_the_category_takes():
    facts = {
        "national_comprehensive_programme": True,
        "city_employer": True,
        "innovation_record": True,
    }
    app = application(
        Scheme.SHANDONG,
        "direct",
        basis=Basis(category="direct", facts=facts),
        sponsor=Sponsor(kind=SponsorKind.ENTERPRISE, name="x"),
    )
    error = assert_refused_filing(app, Role.EMPLOYER)
    assert "sponsor of kind employer, not enterprise" in error.message


def assert_refused_filing(app: Application, role: Role) -> DomainError:
    with pytest.raises(DomainError) as info:
        Card.file(ctx(role), app)
    return info.value
