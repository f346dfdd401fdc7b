"""schemathesis against the served OpenAPI document: whatever it sends, within the schema
or outside it, the app never answers 500, and every answer is one the document describes
(its status code, media type and body). Each user acts with its own key, so requests
reach past 401 into the routes; a card of the user's city is in the store, and half the
requests name it, so they reach past 404 into the card's rules too."""

from __future__ import annotations

from uuid import UUID

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis import checks as st_checks

import ledger.card_commands as cc
from api.app import create_app
from services.bootstrap import Registry
from tests import factories as f
from tests.api.http_users import Keys

CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 4


@schemathesis.serializer("application/jsonl")
def json_lines(ctx: object, value: object) -> bytes:
    """The card import's body: the document declares it a string of JSON Lines."""
    return value.encode() if isinstance(value, str) else str(value).encode()


def cases(operation: schemathesis.APIOperation, card_id: UUID) -> st.SearchStrategy:
    """Valid and invalid requests; where the path names a card, half name the real one."""
    kinds = [operation.as_strategy(mode) for mode in GenerationMode]
    if "{card_id}" in operation.path:
        real = {"card_id": str(card_id)}
        kinds += [operation.as_strategy(mode, path_parameters=real) for mode in GenerationMode]
    return st.one_of(*kinds)


@pytest.mark.parametrize(
    ("role", "authority"),
    [
        ("auditor", "province"),
        ("applicant", "jinan"),
        ("city_hrss", "jinan"),
        ("venue", "jinan"),
        ("administrator", "province"),
    ],
)
def test_no_request_gets_a_500_or_an_answer_the_schema_does_not_describe(
    registry: Registry, role: str, authority: str
):
    registry.keys.init()
    card_id, _ = registry.ledger.apply(f.jinan_body("C"))
    registry.ledger.run(cc.ISSUE, card_id, f.issue())
    app = create_app(registry)
    headers = Keys(registry)(role, authority)
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=cases(operation, card_id))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            case.validate_response(case.call(headers=headers), checks=CHECKS)

        try:
            check()
        except (Exception, BaseExceptionGroup) as e:  # every operation is tried; all listed
            failures.append(f"{operation.label}: {e}")
    assert not failures, "\n\n".join(failures)
