"""Every list and text of the risk input schemas is bounded (the walker the other apps' schemas use)."""

from __future__ import annotations

import inspect

import pytest
from pydantic import BaseModel

from tests.unit.bounds.test_schema_bounds import unbounded
from watchkeeper.risk import schemas

RISK_SCHEMAS = [obj for _, obj in inspect.getmembers(schemas, inspect.isclass)
                if issubclass(obj, BaseModel) and obj.__module__ == schemas.__name__]


def test_the_risk_schemas_are_found() -> None:
    assert len(RISK_SCHEMAS) >= 7


@pytest.mark.parametrize("schema", RISK_SCHEMAS, ids=lambda s: s.__name__)
def test_every_list_and_text_of_a_risk_schema_is_bounded(schema: type[BaseModel]) -> None:
    js = schema.model_json_schema()
    assert not unbounded({k: v for k, v in js.items() if k != "$defs"}, schema.__name__, js.get("$defs", {}))
