"""Stored events keep their meaning: every event class of the domain's aggregates keeps
the topic (``module:qualname``) and the attributes, in order, that the stores written
before hold, and every payload Struct or enum the transcoder names inside event state
still resolves under its ``module:qualname``.

``stored_topics.json`` was generated from main before the event classes were declared
explicitly (issue 24); a new event or payload adds its entry, an existing one never
changes."""

from __future__ import annotations

import dataclasses
import enum
import importlib
import json
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from eventsourcing.domain import Aggregate, CanMutateAggregate
from eventsourcing.utils import get_topic, resolve_topic

import domain
from ledger.transcoder import _resolve

STORED = json.loads((Path(__file__).with_name("stored_topics.json")).read_text("utf-8"))


def _domain_modules() -> list[str]:
    names = [m.name for m in pkgutil.walk_packages(domain.__path__, "domain.")]
    for name in names:
        importlib.import_module(name)
    return names


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def event_classes() -> dict[str, list[str]]:
    """Every event class the domain's aggregates hold: topic → attribute names in order."""
    _domain_modules()
    found: dict[str, list[str]] = {}
    for aggregate in set(_subclasses(Aggregate)):
        if not aggregate.__module__.startswith("domain."):
            continue
        for name, value in vars(aggregate).items():
            is_event = isinstance(value, type) and issubclass(value, CanMutateAggregate)
            if is_event and name != "Event":
                found[get_topic(value)] = [f.name for f in dataclasses.fields(value)]
    return found


def payload_types() -> set[str]:
    """Every Struct and enum a domain module defines, as ``module:qualname``."""
    found: set[str] = set()
    for name in _domain_modules():
        for value in vars(importlib.import_module(name)).values():
            if (
                isinstance(value, type)
                and issubclass(value, (msgspec.Struct, enum.Enum))
                and value.__module__ == name
            ):
                found.add(f"{value.__module__}:{value.__qualname__}")
    return found


def test_every_stored_event_topic_names_the_same_class_with_the_same_attributes():
    assert {k: v for k, v in event_classes().items() if k in STORED["events"]} == STORED["events"]


@pytest.mark.parametrize("topic", sorted(STORED["events"]))
def test_a_stored_event_topic_resolves_to_a_class_of_that_topic(topic: str):
    assert get_topic(resolve_topic(topic)) == topic


@pytest.mark.parametrize("topic", sorted(STORED["payloads"]))
def test_a_stored_payload_type_resolves_under_its_module_and_qualname(topic: str):
    found = _resolve(topic.encode())
    assert f"{found.__module__}:{found.__qualname__}" == topic


def test_no_payload_type_is_left_out_of_the_stored_list():
    assert payload_types() - set(STORED["payloads"]) == set()
