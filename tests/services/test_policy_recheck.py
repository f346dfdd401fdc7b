"""``policy recheck``: the past decisions the current (corrected) reading would decide
differently are listed, on their card and step, and nothing is written."""

from __future__ import annotations

from datetime import UTC, datetime

import ledger.card_commands as cc
from domain.policy import using_policy
from ledger.app import CardLedger
from services.bootstrap import Registry
from tests import factories as f
from tests.conftest import FakeClock
from tests.domain.policy.test_reading import corrected_policy


def test_nothing_is_listed_while_no_rule_was_corrected(registry: Registry, ledger: CardLedger):
    f.jinan_card(ledger, "B")
    f.jinan_card(ledger, "C")
    report = registry.policy_recheck.run()
    assert report.findings == ()
    assert (report.cards, report.decisions) == (2, 4)  # each card's admission and issue


def test_an_admission_the_corrected_rule_would_refuse_is_listed_with_its_card_and_day(
    registry: Registry, ledger: CardLedger
):
    old = f.jinan_card(ledger, "B")
    f.jinan_card(ledger, "C")
    before = ledger.recorder.max_notification_id()
    with using_policy(corrected_policy()):
        report = registry.policy_recheck.run()
    (finding,) = report.findings
    assert (finding.card_id, finding.step, finding.card_version) == (str(old), "Applied", 1)
    assert finding.recorded_under == "jinan-2018"
    assert str(finding.effective_on) == "2026-03-02"
    assert finding.code in {"decision_differs", "not_eligible"}
    assert ledger.recorder.max_notification_id() == before  # nothing written


def test_a_card_filed_under_the_corrected_rule_is_not_listed(
    registry: Registry, ledger: CardLedger, clock: FakeClock
):
    clock.now = datetime(2026, 12, 8, 2, tzinfo=UTC)
    with using_policy(corrected_policy()):
        card_id, _ = ledger.apply(f.jinan_body("B", facts={"certified_class_b_by_the_city": True}))
        report = registry.policy_recheck.run()
    assert report.findings == () and report.cards == 1
    assert card_id is not None


def test_recheck_of_one_scheme_looks_only_at_its_cards(registry: Registry, ledger: CardLedger):
    jinan = f.jinan_card(ledger, "B")
    f.shandong_card(ledger)
    with using_policy(corrected_policy()):
        report = registry.policy_recheck.run("jinan")
    assert report.cards == 1
    assert [x.card_id for x in report.findings] == [str(jinan)]


def test_shandong_7_1_a_card_issued_before_its_receipt_was_required_is_listed(
    registry: Registry, ledger: CardLedger
):
    # shandong.deadline.direct.required (from 2026-12-07) replaces the rule under which a
    # 惠才卡 could issue with no receipt recorded: the issue stands, and is listed.
    card_id = f.shandong_card(ledger)
    (finding,) = registry.policy_recheck.run().findings
    assert (finding.card_id, finding.step, finding.recorded_under) == (
        str(card_id),
        "Issued",
        "shandong-standard",
    )
    assert finding.code == "file_not_received"
    assert ledger.get_card(card_id).recorded_status == "active"  # nothing was changed


def test_a_decision_the_corrected_reading_makes_alike_under_another_rule_is_not_listed(
    registry: Registry, ledger: CardLedger
):
    # weihai.term.first_opening_2026 replaces first_issue_2023 with the same one year for
    # a first opening: another rule id, the same term, nothing for a person to look at.
    card_id, _ = ledger.apply(f.business_elite_body("P-27"))
    f.approve_all(ledger, card_id)
    ledger.run(cc.ISSUE, card_id, f.issue())
    term = ledger.get_card(card_id).term
    assert term is not None and term.rules == ("weihai.term.first_issue_2023",)
    report = registry.policy_recheck.run("weihai")
    assert report.findings == () and report.decisions == 2


def test_a_refusal_by_the_corrected_reading_is_listed_in_one_line_naming_its_rule(
    registry: Registry, ledger: CardLedger
):
    card_id = f.jinan_card(ledger, "C", actor="liu.hrss", role="city_hrss")  # until 12-06
    (finding,) = registry.policy_recheck.run().findings
    assert (finding.card_id, finding.step, finding.code) == (
        str(card_id),
        "Issued",
        "issuer_not_authorised",
    )
    assert finding.message == (
        "the current reading refuses it: a city_hrss does not issue jinan cards; the rules "
        "in force on 2026-03-02 give it to city_window (rule: jinan.issuers)"
    )
