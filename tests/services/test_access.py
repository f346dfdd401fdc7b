"""Commands on behalf of a user: inside its jurisdiction only, and once per idempotency
key, the receipt written in the command's own transaction."""

from __future__ import annotations

import msgspec
import pytest

import ledger.card_commands as cc
from domain.errors import DomainError
from domain.receipt import receipt_id
from domain.vocabulary import Role
from ledger import commands as c
from ledger.app import CardLedger
from ledger.errors import CardNotFound
from services.access import Idempotency, IdempotencyKeyReused, Outcome
from services.bootstrap import Registry
from tests import factories as f
from tests.factories import user
from tests.racing import gather, hold_first_calls

CODE = "12371500MB2853621X"


def request() -> c.ApplyRequest:
    body = msgspec.to_builtins(
        f.apply_body(sponsor={"kind": "employer", "name": "聊城大学", "credit_code": CODE})
    )
    for field in ("actor", "role", "city"):
        body.pop(field, None)
    return msgspec.convert(body, c.ApplyRequest)


def test_a_filing_records_the_authenticated_user_as_its_actor(
    registry: Registry, ledger: CardLedger
):
    employer = user(registry, "wang.employer", Role.EMPLOYER, "liaocheng", CODE)
    outcome = registry.cards.apply(employer, request())
    applied = ledger.history(outcome.card_id)[0]
    assert (applied.ctx.actor, applied.ctx.role) == ("wang.employer", Role.EMPLOYER)  # type: ignore[attr-defined]


def test_a_card_outside_the_caller_s_city_is_not_found_like_a_missing_one(
    registry: Registry,
):
    employer = user(registry, "wang.employer", Role.EMPLOYER, "liaocheng", CODE)
    card_id = registry.cards.apply(employer, request()).card_id
    weihai = user(registry, "zhang.hrss", Role.CITY_HRSS, "weihai")
    review = c.ReviewRequest(stage="city_hrss", decision="approved")  # type: ignore[arg-type]
    with pytest.raises(CardNotFound) as hidden:
        registry.cards.run(weihai, cc.REVIEW, card_id, review)
    assert hidden.value.message == f"no card with id {card_id}"


def test_a_retry_with_the_same_key_returns_the_first_outcome_and_files_nothing_more(
    registry: Registry, ledger: CardLedger
):
    employer = user(registry, "wang.employer", Role.EMPLOYER, "liaocheng", CODE)
    once = Idempotency.of("k-1", "POST", "/applications", b"same")
    body = request()
    first = registry.cards.apply(employer, body, idempotency=once)
    second = registry.cards.apply(employer, body, idempotency=once)
    assert first == second
    assert len(list(ledger.card_ids())) == 1


def test_the_stored_fingerprint_is_keyed_so_a_copy_of_the_store_cannot_test_guesses(
    registry: Registry, ledger: CardLedger
):
    # A bare SHA-256 of the request would let whoever copies the database hash guesses of
    # what it held (an ID number passed with a credential) and compare.
    employer = user(registry, "wang.employer", Role.EMPLOYER, "liaocheng", CODE)
    once = Idempotency.of("k-3", "POST", "/applications", b"guessable")
    registry.cards.apply(employer, request(), idempotency=once)
    stored = ledger.get_receipt(receipt_id(employer.user_id, "k-3"))
    assert stored is not None and len(stored.fingerprint) == 64
    assert stored.fingerprint != once.fingerprint


def test_the_same_key_for_a_different_request_is_refused(registry: Registry):
    employer = user(registry, "wang.employer", Role.EMPLOYER, "liaocheng", CODE)
    registry.cards.apply(
        employer, request(), idempotency=Idempotency.of("k-1", "POST", "/applications", b"a")
    )
    with pytest.raises(IdempotencyKeyReused):
        registry.cards.apply(
            employer, request(), idempotency=Idempotency.of("k-1", "POST", "/applications", b"b")
        )


def test_a_refused_command_leaves_no_receipt(registry: Registry, ledger: CardLedger):
    employer = user(registry, "wang.employer", Role.EMPLOYER, "liaocheng", CODE)
    card_id = registry.cards.apply(employer, request()).card_id
    once = Idempotency.of("k-2", "POST", "/issue", b"")
    with pytest.raises(DomainError):
        registry.cards.run(employer, cc.ISSUE, card_id, c.IssueRequest(), idempotency=once)
    assert ledger.get_receipt(receipt_id(employer.user_id, "k-2")) is None


def test_another_user_s_same_key_is_a_key_of_its_own(registry: Registry, ledger: CardLedger):
    first = user(registry, "wang.employer", Role.EMPLOYER, "liaocheng", CODE)
    second = user(registry, "li.employer", Role.EMPLOYER, "liaocheng", CODE)
    once = Idempotency.of("k-1", "POST", "/applications", b"x")
    a = registry.cards.apply(first, request(), idempotency=once)
    b = registry.cards.apply(second, request(), idempotency=once)
    assert a.card_id != b.card_id


RACERS = 6


def suspension() -> c.StatusRequest:
    return c.StatusRequest(reason="under investigation", decision_ref="聊人社〔2026〕9号")


def test_a_retry_decided_on_the_state_its_first_left_answers_as_the_first(
    registry: Registry, ledger: CardLedger, monkeypatch: pytest.MonkeyPatch
):
    card_id = f.liaocheng_card(ledger)
    hrss = user(registry, "zhao.hrss", Role.CITY_HRSS, "liaocheng")
    once = Idempotency.of("k-9", "POST", f"/cards/{card_id}/suspend", b"same")
    first = registry.cards.run(hrss, cc.SUSPEND, card_id, suspension(), idempotency=once)
    # The retry looked for its receipt just before the first saved it: it finds the card
    # suspended, which the domain refuses; the first outcome is still its answer.
    get_receipt = ledger.get_receipt
    misses = iter([None])
    monkeypatch.setattr(ledger, "get_receipt", lambda rid: next(misses, get_receipt(rid)))
    assert registry.cards.run(hrss, cc.SUSPEND, card_id, suspension(), idempotency=once) == first


def test_concurrent_retries_of_a_card_command_with_one_key_all_answer_as_the_first(
    registry: Registry, ledger: CardLedger, monkeypatch: pytest.MonkeyPatch
):
    card_id = f.liaocheng_card(ledger)
    hrss = user(registry, "zhao.hrss", Role.CITY_HRSS, "liaocheng")
    once = Idempotency.of("k-10", "POST", f"/cards/{card_id}/suspend", b"same")
    # Every racer finds no receipt before any of them goes on: each then either loses at
    # the store or is decided on the card the winner suspended.
    monkeypatch.setattr(ledger, "get_receipt", hold_first_calls(RACERS, ledger.get_receipt))
    answers = gather(
        RACERS,
        lambda _: registry.cards.run(hrss, cc.SUSPEND, card_id, suspension(), idempotency=once),
    )
    assert answers == [answers[0]] * RACERS
    assert answers[0] == Outcome(card_id=card_id, version=ledger.get_card(card_id).version)


def test_a_user_is_offered_the_commands_its_role_may_take_on_a_card_it_sees(
    registry: Registry,
):
    employer = user(registry, "wang.employer", Role.EMPLOYER, "liaocheng", CODE)
    card_id = registry.cards.apply(employer, request()).card_id
    hrss = user(registry, "liu.hrss", Role.CITY_HRSS, "liaocheng")
    assert "withdraw" in registry.cards.actions(employer, card_id)
    assert "issue" not in registry.cards.actions(employer, card_id)
    assert {"issue", "review"} <= set(registry.cards.actions(hrss, card_id))


def test_no_commands_are_offered_on_a_card_outside_the_caller_s_city(registry: Registry):
    employer = user(registry, "wang.employer", Role.EMPLOYER, "liaocheng", CODE)
    card_id = registry.cards.apply(employer, request()).card_id
    weihai = user(registry, "zhang.hrss", Role.CITY_HRSS, "weihai")
    with pytest.raises(CardNotFound):
        registry.cards.actions(weihai, card_id)
