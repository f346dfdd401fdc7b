"""The OpenAPI document at litestar's default path: an example for every request body,
each a valid body of its route (decoded with msgspec into the Struct the route takes),
and every problem a route answers described."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.testing import TestClient

from api.app import create_app
from services.bootstrap import Registry
from tests.api.document import (
    SCHEMA_PATH,
    documented_statuses,
    numeric_parameters,
    operations,
    schema_types,
)
from tests.api.http_users import Client, Users
from tests.conftest import WRITE_RATE

PROBLEM_JSON = "application/problem+json"


@pytest.fixture
def app(registry: Registry) -> Litestar:
    registry.keys.init()
    return create_app(registry)


@pytest.fixture
def client(app: Litestar) -> Iterator[Client]:
    with TestClient(app=app) as c:
        yield c


@pytest.fixture
def document(client: Client) -> dict[str, Any]:
    response = client.get(SCHEMA_PATH)
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def body_types(app: Litestar) -> dict[tuple[str, str], Any]:
    """Each route's (method, OpenAPI path) and the type its body decodes into."""
    found: dict[tuple[str, str], Any] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if not isinstance(handler, HTTPRouteHandler):
                continue
            if not handler.resolve_include_in_schema():
                continue  # the console's forms (issue 28): pages, not the API
            data = handler.parsed_fn_signature.parameters.get("data")
            if data is None:
                continue
            path = route.path_format
            for method in handler.http_methods:
                found[(method.lower(), path)] = data.annotation
    return found


def request_bodies(document: dict[str, Any]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """Every request body of the document: method, path, media type and its content."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            body = operation.get("requestBody")
            if body is None:
                continue
            for media_type, content in body["content"].items():
                yield method, path, media_type, content


def examples_of(content: dict[str, Any]) -> list[Any]:
    schema = content.get("schema", {})
    named = [e.get("value") for e in content.get("examples", {}).values()]
    single = [content["example"]] if "example" in content else []
    return [*schema.get("examples", []), *named, *single]


def test_the_document_is_served_at_litestar_s_default_path(document: dict[str, Any]):
    assert document["openapi"].startswith("3.")
    assert "/applications" in document["paths"]


def test_every_request_body_has_an_example(document: dict[str, Any]):
    missing = [
        f"{method.upper()} {path}"
        for method, path, _, content in request_bodies(document)
        if not examples_of(content)
    ]
    assert missing == []


def test_every_example_decodes_into_its_route_s_body(app: Litestar, document: dict[str, Any]):
    types = body_types(app)
    checked = set()
    for method, path, media_type, content in request_bodies(document):
        if media_type != "application/json":
            continue
        for example in examples_of(content):
            msgspec.json.decode(msgspec.json.encode(example), type=types[(method, path)])
            checked.add((method, path))
    assert checked == set(types)


def test_the_application_example_is_filed_as_it_stands(
    document: dict[str, Any], client: Client, registry: Registry
):
    content = document["paths"]["/applications"]["post"]["requestBody"]["content"]
    example = examples_of(content["application/json"])[0]
    employer = Users(client, registry)("employer", example["scheme"])
    assert employer.post("/applications", example).status_code == 201


def test_the_import_body_is_documented_as_json_lines(document: dict[str, Any]):
    content = document["paths"]["/imports"]["post"]["requestBody"]["content"]
    assert list(content) == ["application/jsonl"]


def test_the_import_example_imports_its_card(
    document: dict[str, Any], client: Client, registry: Registry
):
    content = document["paths"]["/imports"]["post"]["requestBody"]["content"]
    example = examples_of(content["application/jsonl"])[0]
    admin = Users(client, registry)("administrator", "province")
    headers = {**admin.headers, "Content-Type": "application/jsonl"}
    report = client.post("/imports", content=example.encode(), headers=headers).json()
    assert (len(report["imported"]), report["refused"]) == (1, [])


# ---- every answer a route gives is in the document (issue 23 finding 6) -------------------

UNKNOWN = "6f1c2a4e-8d2b-4a5e-9f7c-0b1d2e3f4a5b"
# A value for each path parameter: the route matches, whatever it then answers.
PATH_VALUES = {
    "{card_id}": UNKNOWN,
    "{erasure_id}": UNKNOWN,
    "{size}": "1",
    "{authority}": "jinan",
    "{list_id}": "1",
    "{name}": "nobody",
}
Answer = tuple[str, str, int]  # method, the document's path, the status answered


def concrete(path: str) -> str:
    for template, value in PATH_VALUES.items():
        path = path.replace(template, value)
    return path


def send(
    client: Client, method: str, path: str, content: bytes = b"{}", **headers: str
) -> int:
    """The status one request to the document's ``path`` is answered with."""
    if method == "GET":
        return client.get(concrete(path), headers=headers).status_code
    headers = {"Content-Type": "application/json", **headers}
    return client.post(concrete(path), content=content, headers=headers).status_code


def undocumented(document: dict[str, Any], answers: list[Answer]) -> list[str]:
    return [
        f"{method} {path}: {status}"
        for method, path, status in answers
        if status not in documented_statuses(document, method, path)
    ]


@pytest.fixture
def keyless(document: dict[str, Any], client: Client) -> list[Answer]:
    """Every operation's answer to a request without a key."""
    return [(m, p, send(client, m, p)) for m, p, _ in operations(document) if p != SCHEMA_PATH]


def test_every_answer_to_a_request_without_a_key_is_in_the_document(
    document: dict[str, Any], keyless: list[Answer]
):
    assert undocumented(document, keyless) == []


def test_every_operation_that_needs_a_key_describes_its_401_as_a_problem(
    document: dict[str, Any], keyless: list[Answer]
):
    needs_key = [(m, p) for m, p, status in keyless if status == 401]
    assert len(needs_key) > 30  # every route but the probes, the public and the log's
    undescribed = [
        f"{method} {path}"
        for method, path in needs_key
        if PROBLEM_JSON not in document["paths"][path][method.lower()]["responses"]["401"].get(
            "content", {}
        )
    ]
    assert undescribed == []


def malformed(schema: dict[str, Any]) -> str | None:
    """A value the parameter's schema refuses, or None for free text of any length."""
    if "maxLength" in schema:
        return "x" * (schema["maxLength"] + 1)
    if schema_types(schema) & {"integer", "number", "boolean"} or "enum" in schema:
        return "x"
    if schema.get("format") in ("date", "uuid"):
        return "x"
    return None


def test_every_answer_to_a_malformed_query_parameter_is_in_the_document(
    document: dict[str, Any], client: Client, registry: Registry
):
    auditor = Users(client, registry)("auditor", "province")
    answers = []
    for method, path, operation in operations(document):
        for parameter in operation.get("parameters", ()):
            value = malformed(parameter["schema"])
            if parameter["in"] != "query" or value is None:
                continue
            url = f"{path}?{parameter['name']}={value}"
            answers.append((method, path, send(client, method, url, **auditor.headers)))
    assert {status for _, _, status in answers} == {400}
    assert undocumented(document, answers) == []


def test_every_answer_to_a_body_that_is_not_json_is_in_the_document(
    document: dict[str, Any], client: Client, registry: Registry
):
    administrator = Users(client, registry)("administrator", "province")
    answers = [
        (method, path, send(client, method, path, b"{", **administrator.headers))
        for method, path, operation in operations(document)
        if "requestBody" in operation
    ]
    assert undocumented(document, answers) == []


def test_every_write_past_the_write_limit_answers_a_documented_429(write_limited: Registry):
    with TestClient(app=create_app(write_limited)) as client:
        document = client.get(SCHEMA_PATH).json()
        administrator = Users(client, write_limited)("administrator", "province")
        writes = [(m, p) for m, p, _ in operations(document) if m == "POST"]
        for _ in range(WRITE_RATE):
            send(client, "POST", "/applications", **administrator.headers)
        answers = [(m, p, send(client, m, p, **administrator.headers)) for m, p in writes]
    assert {(p, status) for _, p, status in answers if status != 429} == {("/verify", 400)}
    assert undocumented(document, answers) == []


def test_the_probes_document_the_503_they_answer_when_the_store_does_not_answer(
    document: dict[str, Any], client: Client, registry: Registry, monkeypatch: pytest.MonkeyPatch
):
    def unreachable() -> str:
        raise OSError("connection refused")

    monkeypatch.setattr(registry, "store_kind", unreachable)
    answers = [("GET", path, send(client, "GET", path)) for path in ("/health", "/ready")]
    assert {status for _, _, status in answers} == {503}
    assert undocumented(document, answers) == []


def test_the_public_documents_document_their_304_not_modified(
    document: dict[str, Any], client: Client
):
    answers = [
        (method, path, send(client, method, path, **{"If-None-Match": "*"}))
        for method, path, _ in operations(document)
        if method == "GET"
    ]
    assert {p for _, p, status in answers if status == 304} == {"/trust-list", "/bundle"}
    assert undocumented(document, answers) == []


def test_every_numeric_parameter_declares_its_least_and_greatest_value(
    document: dict[str, Any],
):
    unbounded = [
        f"{path} {name}"
        for path, name, schema in numeric_parameters(document)
        if "minimum" not in schema or "maximum" not in schema
    ]
    assert unbounded == []
