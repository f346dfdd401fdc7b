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
from tests.api.document import SCHEMA_PATH, numeric_parameters
from tests.api.http_users import Client, Users


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


def test_every_authenticated_operation_describes_its_401_as_a_problem(
    document: dict[str, Any],
):
    public = {"/health", "/ready", "/trust-list", "/bundle", "/verify"}
    undocumented = []
    for path, item in document["paths"].items():
        if path in public or path.startswith(
            ("/status-lists", "/schema", "/checkpoints", "/proofs")
        ):
            continue
        for method, operation in item.items():
            problem = operation["responses"].get("401", {}).get("content", {})
            if "application/problem+json" not in problem:
                undocumented.append(f"{method.upper()} {path}")
    assert undocumented == []


def test_every_numeric_parameter_declares_its_least_and_greatest_value(
    document: dict[str, Any],
):
    unbounded = [
        f"{path} {name}"
        for path, name, schema in numeric_parameters(document)
        if "minimum" not in schema or "maximum" not in schema
    ]
    assert unbounded == []
