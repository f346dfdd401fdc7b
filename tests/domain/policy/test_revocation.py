"""The revocation procedure as data: each scheme's steps in the seed's order, and who may
take the next step (pure functions, no card)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.policy import (
    ProcedureStep,
    RevocationAction,
    StepTaken,
    decide_revocation_step,
    default_policy,
    interim_authority,
    next_step,
    parse_policy,
    revocation_procedure,
)
from domain.policy.errors import PolicyDataError
from domain.policy.loader import package_texts
from domain.vocabulary import Role, Scheme, SponsorKind
from tests.domain.policy.support import revokes, take_steps, without_revocation_rule

DAY = date(2026, 3, 2)
PROPOSE, APPROVE = RevocationAction.PROPOSE, RevocationAction.APPROVE
DECLINE = RevocationAction.DECLINE
RECTIFIED = date(2026, 12, 8)  # the corrected readings of issue 27 decide from 2026-12-07



@pytest.mark.parametrize(
    ("scheme", "steps", "rule"),
    [
        (
            Scheme.JINAN,
            [
                (PROPOSE, ("employer",)),
                (APPROVE, ("county_window", "city_window")),  # art. 24(3) 向同级服务窗口
                (APPROVE, ("city_hrss",)),
                (APPROVE, ("talent_office",)),
            ],
            "jinan.revocation",
        ),
        (
            Scheme.LIAOCHENG,
            [
                (PROPOSE, ("employer",)),
                (APPROVE, ("county_window", "city_window")),
                (APPROVE, ("city_hrss",)),
            ],
            "liaocheng.revocation",
        ),
        (
            Scheme.WEIHAI,
            [
                (
                    PROPOSE,
                    ("programme_authority", "employer", "enterprise", "investment_department"),
                ),
                (APPROVE, ("county_window", "city_window")),
                (APPROVE, ("city_hrss",)),
            ],
            "weihai.revocation",
        ),
        (
            Scheme.SHANDONG,
            [(PROPOSE, ("employer", "city_window")), (APPROVE, ("provincial_window",))],
            "shandong.revocation",
        ),
    ],
)
def test_each_scheme_s_procedure_is_its_steps_in_the_seed_s_order(
    scheme: Scheme, steps: list[tuple[RevocationAction, tuple[str, ...]]], rule: str
) -> None:
    procedure = revocation_procedure(scheme, DAY)
    assert procedure.available
    assert [(s.action, tuple(s.roles)) for s in procedure.steps] == steps
    assert procedure.rules == (rule,)
    assert procedure.version.startswith(scheme.value)


@pytest.mark.parametrize(
    ("scheme", "authority"),
    [
        (Scheme.JINAN, (Role.TALENT_OFFICE,)),
        (Scheme.LIAOCHENG, (Role.CITY_HRSS,)),
        (Scheme.WEIHAI, (Role.CITY_HRSS,)),
        (Scheme.SHANDONG, (Role.PROVINCIAL_WINDOW,)),
    ],
)
def test_the_interim_authority_is_the_role_that_approves_a_revocation_last(
    scheme: Scheme, authority: tuple[Role, ...]
) -> None:
    assert interim_authority(scheme, DAY).roles == authority
    assert revocation_procedure(scheme, DAY).steps[-1].roles == authority


@pytest.mark.parametrize("scheme", list(Scheme))
def test_suspension_and_reinstatement_rest_on_the_recorded_interim_measure_decision(
    scheme: Scheme,
) -> None:
    # No seed clause provides a suspension (暂停/恢复): the rule that gives it rests on the
    # administrator's decision RD-2026-83, not on the revocation article.
    authority = interim_authority(scheme, DAY)
    assert authority.rules == (f"{scheme}.interim",)
    data = default_policy().scheme(scheme)
    (rule,) = [r for r in data.interim if r.id == f"{scheme}.interim"]
    (decision,) = [d for d in data.decisions if d.id == rule.decision]
    assert decision.id == f"{scheme}.decision.interim_measure"
    assert decision.reference == "registry decision record RD-2026-83"
    assert decision.id in rule.source and "revocation" not in rule.id


def test_the_next_step_follows_the_steps_taken_and_there_is_none_after_the_last() -> None:
    steps = revocation_procedure(Scheme.LIAOCHENG, DAY).steps
    proposed = StepTaken(action=PROPOSE, role=Role.EMPLOYER, actor="wang")
    forwarded = StepTaken(action=APPROVE, role=Role.CITY_WINDOW, actor="qin")
    approved = StepTaken(action=APPROVE, role=Role.CITY_HRSS, actor="liu")
    assert next_step(steps, []) == steps[0]
    assert next_step(steps, [proposed]) == steps[1]
    assert next_step(steps, [proposed, forwarded]) == steps[2]
    assert next_step(steps, [proposed, forwarded, approved]) is None


@pytest.mark.parametrize(
    ("approvers", "revoked", "code"),
    [
        ([Role.CITY_WINDOW, Role.CITY_HRSS, Role.TALENT_OFFICE], True, ""),
        ([Role.COUNTY_WINDOW, Role.CITY_HRSS, Role.TALENT_OFFICE], True, ""),
        ([Role.CITY_WINDOW, Role.CITY_HRSS], False, ""),  # allowed so far, not final
        ([Role.CITY_HRSS, Role.TALENT_OFFICE], False, "revocation_step_role"),  # no window
        ([Role.CITY_WINDOW, Role.TALENT_OFFICE], False, "revocation_step_role"),
        ([Role.CITY_WINDOW, Role.TALENT_OFFICE, Role.CITY_HRSS], False, "revocation_step_role"),
    ],
)
def test_jinan_needs_city_hrss_and_then_the_talent_office(
    approvers: list[Role], revoked: bool, code: str
) -> None:
    decision = take_steps(Scheme.JINAN, Role.EMPLOYER, approvers)
    assert (decision.allowed and decision.final, decision.code) == (revoked, code)


@pytest.mark.parametrize(
    ("scheme", "proposer", "approvers", "revoked"),
    [
        (Scheme.LIAOCHENG, Role.EMPLOYER, [Role.CITY_WINDOW, Role.CITY_HRSS], True),
        (Scheme.LIAOCHENG, Role.EMPLOYER, [Role.CITY_HRSS], False),  # art. 34: via the window
        (Scheme.LIAOCHENG, Role.EMPLOYER, [], False),
        (Scheme.LIAOCHENG, Role.DISTRICT, [Role.CITY_WINDOW, Role.CITY_HRSS], False),
        (
            Scheme.LIAOCHENG,
            Role.EMPLOYER,
            [Role.CITY_WINDOW, Role.CITY_HRSS, Role.AUDITOR],
            False,
        ),
        (Scheme.WEIHAI, Role.EMPLOYER, [Role.CITY_WINDOW, Role.CITY_HRSS], True),
        # part 2(5) 人才工程主管部门: the programme's authority, not the district HRSS
        (Scheme.WEIHAI, Role.PROGRAMME_AUTHORITY, [Role.CITY_WINDOW, Role.CITY_HRSS], True),
        (Scheme.WEIHAI, Role.DISTRICT, [Role.COUNTY_WINDOW, Role.CITY_HRSS], False),
        (Scheme.WEIHAI, Role.ENTERPRISE, [Role.CITY_WINDOW, Role.CITY_HRSS], True),
        (Scheme.WEIHAI, Role.INVESTMENT_DEPARTMENT, [Role.CITY_WINDOW, Role.CITY_HRSS], True),
        (Scheme.WEIHAI, Role.EMPLOYER, [Role.CITY_HRSS], False),  # part 2(5): via the window
        (Scheme.WEIHAI, Role.EMPLOYER, [Role.CITY_WINDOW, Role.TALENT_OFFICE], False),
        (Scheme.WEIHAI, Role.APPLICANT, [Role.CITY_WINDOW, Role.CITY_HRSS], False),
        (Scheme.SHANDONG, Role.CITY_WINDOW, [Role.PROVINCIAL_WINDOW], True),
        (Scheme.SHANDONG, Role.EMPLOYER, [Role.CITY_HRSS], False),
    ],
)
def test_who_proposes_and_who_approves_follows_each_scheme_s_rule(
    scheme: Scheme, proposer: Role, approvers: list[Role], revoked: bool
) -> None:
    assert revokes(scheme, proposer, approvers) is revoked


def test_a_step_taken_by_someone_who_already_acted_is_self_approval() -> None:
    steps = revocation_procedure(Scheme.LIAOCHENG, DAY).steps
    proposed = [StepTaken(action=PROPOSE, role=Role.EMPLOYER, actor="Wang")]
    forwarded = [*proposed, StepTaken(action=APPROVE, role=Role.CITY_WINDOW, actor="qin")]
    forwarding = decide_revocation_step(steps, proposed, APPROVE, Role.CITY_WINDOW, " wang ")
    assert (forwarding.allowed, forwarding.code) == (False, "self_approval")
    for action in (APPROVE, DECLINE):
        decision = decide_revocation_step(steps, forwarded, action, Role.CITY_HRSS, " wang ")
        assert (decision.allowed, decision.code) == (False, "self_approval")


def test_a_proposal_while_one_is_open_is_refused_and_approving_none_is_refused() -> None:
    steps = revocation_procedure(Scheme.LIAOCHENG, DAY).steps
    proposed = [StepTaken(action=PROPOSE, role=Role.EMPLOYER, actor="wang")]
    pending = decide_revocation_step(steps, proposed, PROPOSE, Role.EMPLOYER, "zhang")
    assert (pending.allowed, pending.code) == (False, "revocation_pending")
    for action in (APPROVE, DECLINE):
        none = decide_revocation_step(steps, [], action, Role.CITY_HRSS, "liu")
        assert (none.allowed, none.code) == (False, "no_open_revocation")


def test_a_decline_is_never_final_and_names_its_step() -> None:
    steps = revocation_procedure(Scheme.LIAOCHENG, DAY).steps
    proposed = [StepTaken(action=PROPOSE, role=Role.EMPLOYER, actor="wang")]
    forwarded = [*proposed, StepTaken(action=APPROVE, role=Role.CITY_WINDOW, actor="qin")]
    decision = decide_revocation_step(steps, forwarded, DECLINE, Role.CITY_HRSS, "liu")
    assert (decision.allowed, decision.final, decision.step, decision.code) == (True, False, 2, "")


def test_the_same_level_window_forwards_and_cannot_decline() -> None:
    # 向同级服务窗口提出意见，报市人社局同意: the window receives and forwards; the city
    # HRSS decides.
    steps = revocation_procedure(Scheme.LIAOCHENG, DAY).steps
    proposed = [StepTaken(action=PROPOSE, role=Role.EMPLOYER, actor="wang")]
    decision = decide_revocation_step(steps, proposed, DECLINE, Role.CITY_WINDOW, "qin")
    assert (decision.allowed, decision.code) == (False, "step_forwards_only")
    assert decide_revocation_step(steps, proposed, APPROVE, Role.CITY_WINDOW, "qin").allowed


def test_the_last_approval_is_final_and_the_ones_before_it_are_not() -> None:
    steps = revocation_procedure(Scheme.JINAN, DAY).steps
    taken = [
        StepTaken(action=PROPOSE, role=Role.EMPLOYER, actor="wang"),
        StepTaken(action=APPROVE, role=Role.CITY_WINDOW, actor="qin"),
    ]
    first = decide_revocation_step(steps, taken, APPROVE, Role.CITY_HRSS, "liu")
    taken.append(StepTaken(action=APPROVE, role=Role.CITY_HRSS, actor="liu"))
    last = decide_revocation_step(steps, taken, APPROVE, Role.TALENT_OFFICE, "zhao")
    assert [(d.step, d.final) for d in (first, last)] == [(2, False), (3, True)]



def test_a_scheme_without_a_revocation_rule_in_force_has_no_procedure() -> None:
    policy = parse_policy(without_revocation_rule(Scheme.LIAOCHENG))
    procedure = revocation_procedure(Scheme.LIAOCHENG, DAY, policy=policy)
    assert (procedure.available, procedure.steps, procedure.rules) == (False, (), ())


def _with_steps(steps: str) -> dict[str, str]:
    texts = package_texts()
    text = texts["liaocheng.toml"]
    start = text.index("steps = [", text.index("[[revocation]]"))
    end = text.index("]\n", text.index("city_hrss", start)) + 2
    texts["liaocheng.toml"] = text[:start] + steps + "\n" + text[end:]
    return texts


@pytest.mark.parametrize(
    ("steps", "key"),
    [
        ("steps = []", "revocation[0].steps"),
        ('steps = [{ action = "approve", roles = ["city_hrss"] }]', "revocation[0].steps"),
        ('steps = [{ action = "propose", roles = ["employer"] }]', "revocation[0].steps"),
        (
            'steps = [{ action = "propose", roles = ["employer"] }, '
            '{ action = "approve", roles = [] }]',
            "revocation[0].steps[1].roles",
        ),
        (
            'steps = [{ action = "propose", roles = ["employer"] }, '
            '{ action = "propose", roles = ["city_hrss"] }]',
            "revocation[0].steps[1].action",
        ),
    ],
)
def test_malformed_revocation_steps_are_refused_when_the_data_loads(steps: str, key: str) -> None:
    with pytest.raises(PolicyDataError, match=key.replace("[", r"\[").replace("]", r"\]")):
        parse_policy(_with_steps(steps))


def test_well_formed_steps_load_as_given() -> None:
    policy = parse_policy(
        _with_steps(
            'steps = [{ action = "propose", roles = ["employer"] }, '
            '{ action = "approve", roles = ["city_window"] }, '
            '{ action = "approve", roles = ["city_hrss"] }]'
        )
    )
    steps = revocation_procedure(Scheme.LIAOCHENG, DAY, policy=policy).steps
    assert steps[1] == ProcedureStep(action=APPROVE, roles=(Role.CITY_WINDOW,))


def test_jinan_art_24_3_a_card_the_talent_obtained_alone_is_proposed_by_the_window() -> None:
    # Art. 24(3): 由所在（引进）单位向同级服务窗口提出意见 — a card filed with no sponsoring
    # unit has no unit to propose; from 2026-12-07 the window proposes (decision RD-2026-82),
    # then the city HRSS and the talent office agree as the article says.
    procedure = revocation_procedure(Scheme.JINAN, RECTIFIED, sponsor=SponsorKind.NONE)
    assert [(s.action, s.roles) for s in procedure.steps] == [
        (PROPOSE, (Role.COUNTY_WINDOW, Role.CITY_WINDOW)),
        (APPROVE, (Role.CITY_HRSS,)),
        (APPROVE, (Role.TALENT_OFFICE,)),
    ]
    assert procedure.rules == ("jinan.revocation.without_unit",)
    taken = [
        StepTaken(action=PROPOSE, role=Role.CITY_WINDOW, actor="qin"),
        StepTaken(action=APPROVE, role=Role.CITY_HRSS, actor="li"),
    ]
    proposed = decide_revocation_step(procedure.steps, [], PROPOSE, Role.CITY_WINDOW, "qin")
    last = decide_revocation_step(procedure.steps, taken, APPROVE, Role.TALENT_OFFICE, "zhao")
    assert proposed.allowed and last.allowed and last.final


def test_jinan_art_24_3_a_unit_s_card_keeps_the_unit_s_proposal_as_the_old_days_do() -> None:
    unit = revocation_procedure(Scheme.JINAN, RECTIFIED, sponsor=SponsorKind.EMPLOYER)
    assert unit.rules == ("jinan.revocation.unit",)
    assert unit.steps[0].roles == (Role.EMPLOYER,)
    before = revocation_procedure(Scheme.JINAN, DAY, sponsor=SponsorKind.NONE)
    assert before.rules == ("jinan.revocation",)
    assert before.steps[0].roles == (Role.EMPLOYER,)
