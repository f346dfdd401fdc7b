"""Reading the served OpenAPI document in tests: its operations, the statuses each one
lists and its numeric parameters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

SCHEMA_PATH = "/schema/openapi.json"
_NUMERIC = {"integer", "number"}


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every operation of the document: method (upper case), path and the operation."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def documented_statuses(document: dict[str, Any], method: str, path: str) -> set[int]:
    """The statuses the document lists for one operation."""
    return {int(s) for s in document["paths"][path][method.lower()]["responses"]}


def schema_types(schema: dict[str, Any]) -> set[str]:
    """The JSON types a parameter's schema admits (through oneOf / anyOf, as for ``int |
    None``)."""
    kinds = {schema["type"]} if isinstance(schema.get("type"), str) else set()
    for option in (*schema.get("oneOf", ()), *schema.get("anyOf", ())):
        kinds |= schema_types(option)
    return kinds


def numeric_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The numeric branch of a parameter's schema (the schema itself if not a union)."""
    options = [*schema.get("oneOf", ()), *schema.get("anyOf", ())]
    return next((o for o in options if schema_types(o) & _NUMERIC), schema)


def numeric_parameters(
    document: dict[str, Any],
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every numeric query or path parameter: its operation's path, its name and its
    schema's numeric branch."""
    for _, path, operation in operations(document):
        for parameter in operation.get("parameters", ()):
            if schema_types(parameter["schema"]) & _NUMERIC:
                yield path, parameter["name"], numeric_schema(parameter["schema"])
