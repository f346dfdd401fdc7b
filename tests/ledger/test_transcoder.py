"""The msgspec transcoder stores event state and brings back exactly the same values."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

import msgspec
import pytest

from domain.card import Card
from domain.quota import CardQuota, QuotaScope
from domain.values import Review
from domain.vocabulary import ReviewDecision, ReviewStage, Role, Scheme
from ledger import commands as c
from ledger.app import CardLedger
from ledger.limits import MAX_EVENT_BYTES, EventTooLarge
from ledger.transcoder import MsgspecTranscoder, TranscodingError
from tests import factories as f
from tests.domain import redemption_support as redemption
from tests.domain.factories import (
    LANDED,
    application,
    change,
    ctx,
    issued_card,
    revoke,
    weihai_business_elite,
)


@pytest.fixture
def transcoder() -> MsgspecTranscoder:
    return MsgspecTranscoder()


def test_every_card_event_type_round_trips_to_an_equal_state(transcoder: MsgspecTranscoder):
    card = weihai_business_elite()
    card.extend(ctx(), event_on=date(2026, 3, 2), evidence=("doc://landed",), shows=LANDED)
    card.suspend(ctx(), change())
    card.reinstate(ctx(), change())
    revoke(card)
    upgraded = issued_card()
    upgraded.request_upgrade(ctx(Role.EMPLOYER), "art5.2", {"certified_top_or_leading": True})
    upgraded.upgrade(ctx(), "A")
    rejected = Card.file(ctx(Role.EMPLOYER), application())
    rejected.record_review(
        ctx(Role.CITY_HRSS),
        Review(stage=ReviewStage.CITY_HRSS, decision=ReviewDecision.REJECTED, reviewer="r"),
    )
    declined = issued_card()
    declined.propose_revocation(ctx(Role.EMPLOYER, actor="wang"), reason="r", ground="misconduct")
    declined.approve_revocation(ctx(Role.CITY_WINDOW, actor="qin"))
    declined.decline_revocation(ctx(Role.CITY_HRSS, actor="liu"), reason="no")
    withdrawn = Card.file(ctx(Role.EMPLOYER), application())
    withdrawn.withdraw(ctx(Role.EMPLOYER))
    quota = CardQuota(
        scope=QuotaScope(
            key="k", scheme=Scheme.WEIHAI, category="business_elite", per="project", subject="P"
        )
    )
    quota.reserve(ctx(), uuid4())
    quota.raise_limit(ctx(Role.TALENT_OFFICE), 4, "ref", ("major_project",))
    quota.release(ctx(), quota.holders[0])
    events = [
        *card.collect_events(),
        *upgraded.collect_events(),
        *rejected.collect_events(),
        *withdrawn.collect_events(),
        *declined.collect_events(),
        *quota.collect_events(),
    ]
    names = {type(e).__name__ for e in events}
    assert names == {
        "Applied",
        "FileReceived",
        "DeadlineStarted",
        "ReviewRecorded",
        "Rejected",
        "Withdrawn",
        "Issued",
        "UpgradeRequested",
        "Upgraded",
        "Extended",
        "Suspended",
        "Reinstated",
        "Revoked",
        "RevocationProposed",
        "RevocationApproved",
        "RevocationDeclined",
        "QuotaOpened",
        "QuotaReserved",
        "QuotaRaised",
        "QuotaReleased",
    }
    for event in events:
        state = dict(vars(event))
        decoded = transcoder.decode(transcoder.encode(state))
        assert decoded == state
        assert {k: type(v) for k, v in decoded.items()} == {k: type(v) for k, v in state.items()}


def test_every_recorded_use_event_type_round_trips_to_an_equal_state(
    transcoder: MsgspecTranscoder,
):
    films = redemption.counter()
    use = redemption.use(films, redemption.shanghai(2026, 8, 1, 19), 2)
    films.reverse(
        redemption.at(redemption.shanghai(2026, 8, 1, 20)),
        use.redemption_id,
        venue="东昌影城",
        city=Scheme.LIAOCHENG,
        reason="mistaken",
    )
    events = films.collect_events()
    assert [type(e).__name__ for e in events] == [
        "BenefitUseOpened",
        "BenefitRedeemed",
        "RedemptionReversed",
    ]
    for event in events:
        state = dict(vars(event))
        assert transcoder.decode(transcoder.encode(state)) == state


def test_uuids_dates_decimals_enums_and_aware_datetimes_keep_their_types(
    transcoder: MsgspecTranscoder,
):
    state = {
        "u": uuid4(),
        "d": date(2024, 2, 29),
        "m": Decimal("800.00"),
        "r": Role.AUDITOR,
        "t": datetime(2026, 1, 1, 8, 30, tzinfo=UTC),
        "n": None,
        "s": "文本",
    }
    decoded = transcoder.decode(transcoder.encode(state))
    assert decoded == state
    assert type(decoded["r"]) is Role
    assert decoded["m"] == Decimal("800.00")
    assert str(decoded["m"]) == "800.00"


def test_a_list_attribute_is_refused_rather_than_stored_with_its_types_lost(
    transcoder: MsgspecTranscoder,
):
    with pytest.raises(TranscodingError, match=r"'dates'.*Struct"):
        transcoder.encode({"dates": [date(2024, 1, 1)]})


def test_a_stored_record_cannot_name_a_type_outside_the_domain(transcoder: MsgspecTranscoder):
    forged = msgspec.msgpack.encode(
        {"x": msgspec.msgpack.Ext(1, b"subprocess:Popen\x00" + msgspec.msgpack.encode({}))}
    )
    with pytest.raises(TranscodingError, match="outside the domain"):
        transcoder.decode(forged)


def test_an_event_state_larger_than_the_maximum_is_refused_with_its_size():
    transcoder = MsgspecTranscoder(max_event_bytes=1_000)
    with pytest.raises(EventTooLarge) as info:
        transcoder.encode({"note": "x" * 1_000})
    assert info.value.code == "event_too_large"


def test_an_event_state_at_the_maximum_is_encoded():
    small = MsgspecTranscoder().encode({"note": ""})
    limit = len(small) + 10
    exactly = MsgspecTranscoder(max_event_bytes=limit).encode({"note": "x" * 10})
    assert len(exactly) == limit


def test_the_store_s_default_maximum_is_the_limits_module_s():
    assert MsgspecTranscoder().max_event_bytes == MAX_EVENT_BYTES


# A CJK Extension B ideograph: 4 bytes in UTF-8, the most a character can take.
WIDE = "\U00020000"


def largest_legal_application() -> c.ApplyBody:
    """Every field at its maximum, in 4-byte characters wherever text is free."""
    family = [{"relation": "child", "name": WIDE * 100, "date_of_birth": "2010-01-01"}] * 10
    facts: dict[str, Any] = {f"{WIDE * 60}{i:04d}": WIDE * 200 for i in range(49)}
    facts["certified_excellent"] = True
    return msgspec.convert(
        {
            "actor": WIDE * 100,
            "role": "employer",
            "note": WIDE * 2_000,
            "scheme": "liaocheng",
            "category": "art5.3",
            "programme": WIDE * 200,
            "project_id": WIDE * 64,
            "enterprise_id": WIDE * 64,
            "facts": facts,
            "holder": {**f.holder(name=WIDE * 100), "family": family},
            "sponsor": {"kind": "employer", "name": WIDE * 100, "credit_code": "9" * 18},
            "evidence": [WIDE * 500] * 20,
        },
        c.ApplyBody,
    )


def test_the_largest_legal_application_is_stored(ledger: CardLedger):
    card_id, _ = ledger.apply(largest_legal_application())
    (applied,) = ledger.recorder.select_events(card_id)
    assert len(applied.state) > 100_000  # it really is the large one
    card = ledger.get_card(card_id)
    assert card.application.holder.name == WIDE * 100
    assert len(card.application.basis.facts) == 50
    assert len(applied.state) <= MAX_EVENT_BYTES
