"""Every input schema is bounded: each list has a maximum number of items, each text a maximum length,
each mapping a maximum number of keys, and each date or time is checked for sense. A field added without a
bound fails here, naming the schema and the field."""

from __future__ import annotations

import importlib
import inspect
import typing
from datetime import date, datetime
from typing import Any

import pytest
from pydantic import AfterValidator, BaseModel

from watchkeeper.core import validate as v

MODULES = [
    "watchkeeper.incidents.schemas",
    "watchkeeper.people.schemas",
    "watchkeeper.dispatch.schemas",
    "watchkeeper.learning.schemas",
    "watchkeeper.risk.schemas",
]


def schemas() -> list[type[BaseModel]]:
    found = []
    for name in MODULES:
        module = importlib.import_module(name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BaseModel) and obj.__module__ == name:
                found.append(obj)
    return found


def unbounded(node: Any, path: str, defs: dict[str, Any]) -> list[str]:
    """Paths in a JSON schema where a list, text or mapping has no bound."""
    if not isinstance(node, dict):
        return []
    if "$ref" in node:
        return []  # nested schemas are walked on their own
    problems = []
    kind = node.get("type")
    if kind == "array" and "maxItems" not in node:
        problems.append(f"{path}: list without maxItems")
    if kind == "string" and "maxLength" not in node and "enum" not in node and "const" not in node \
            and node.get("format") not in ("date", "date-time"):
        problems.append(f"{path}: text without maxLength")
    if kind == "object" and node.get("additionalProperties") not in (None, False) and "maxProperties" not in node:
        problems.append(f"{path}: mapping without maxProperties")
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in node.get(key, []):
            problems += unbounded(sub, path, defs)
    if isinstance(node.get("items"), dict):
        problems += unbounded(node["items"], f"{path}[]", defs)
    for name, sub in node.get("properties", {}).items():
        problems += unbounded(sub, f"{path}.{name}", defs)
    return problems


def _has_sense_check(metadata: list[Any]) -> bool:
    return any(isinstance(m, AfterValidator) and m.func is v._sensible for m in metadata)


def unchecked_dates(annotation: Any, metadata: list[Any]) -> bool:
    """True when a date or datetime appears in the annotation without the sense check around it."""
    if typing.get_origin(annotation) is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        return unchecked_dates(inner, [*metadata, *extra])
    if annotation in (date, datetime):
        return not _has_sense_check(metadata)
    return any(unchecked_dates(arg, []) for arg in typing.get_args(annotation))


def test_the_four_modules_have_schemas() -> None:
    assert len(schemas()) > 40


@pytest.mark.parametrize("schema", schemas(), ids=lambda s: f"{s.__module__.split('.')[1]}.{s.__name__}")
def test_every_list_text_and_mapping_in_every_input_schema_is_bounded(schema: type[BaseModel]) -> None:
    js = schema.model_json_schema()
    problems = unbounded({k: val for k, val in js.items() if k != "$defs"}, schema.__name__, js.get("$defs", {}))
    assert not problems, problems


@pytest.mark.parametrize("schema", schemas(), ids=lambda s: f"{s.__module__.split('.')[1]}.{s.__name__}")
def test_every_date_in_every_input_schema_is_checked_for_sense(schema: type[BaseModel]) -> None:
    bad = [name for name, info in schema.model_fields.items() if unchecked_dates(info.annotation, info.metadata)]
    assert not bad, f"{schema.__name__}: {bad} take dates without core.validate.Day/Moment"


def test_the_walker_finds_an_unbounded_list_text_and_date() -> None:
    class Loose(BaseModel):
        items: list[str] = []
        name: str = ""
        when: date | None = None

    problems = unbounded(Loose.model_json_schema(), "Loose", {})
    assert any("items: list without maxItems" in p for p in problems)
    assert any("items[]: text without maxLength" in p for p in problems)
    assert any("name: text without maxLength" in p for p in problems)
    assert unchecked_dates(Loose.model_fields["when"].annotation, Loose.model_fields["when"].metadata)
