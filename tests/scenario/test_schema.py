"""The published JSON schema of a scenario: serialisable, closed to unknown keys, documented;
and the models behind it (every number-bearing object may cite a source)."""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from sim import load_scenario
from sim.scenario.schema import Scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return Scenario.model_json_schema()


def object_schemas(node: Any, where: str = "#") -> list[tuple[str, dict]]:
    """Every schema in ``node`` that describes an object with named properties."""
    found: list[tuple[str, dict]] = []
    if isinstance(node, dict):
        if "properties" in node:
            found.append((where, node))
        for key, value in node.items():
            found.extend(object_schemas(value, f"{where}/{key}"))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.extend(object_schemas(value, f"{where}/{i}"))
    return found


def test_schema_is_json(schema: dict[str, Any]) -> None:
    assert json.loads(json.dumps(schema, allow_nan=False)) == schema


def test_schema_refuses_unknown_keys_everywhere(schema: dict[str, Any]) -> None:
    objects = object_schemas(schema)
    assert schema.get("additionalProperties") is False
    assert {"#/$defs/Phase", "#/$defs/UnitType", "#/$defs/Policy"} <= {w for w, _ in objects}
    open_ = [where for where, node in objects if node.get("additionalProperties") is not False]
    assert open_ == []


def test_schema_documents_fields(schema: dict[str, Any]) -> None:
    top = schema["properties"]
    for name in ("cap", "fill", "target_tolerance", "allow_over_cap", "extends", "name"):
        assert top[name].get("description"), name
    assert "official count" in top["cap"]["description"]
    phase = schema["$defs"]["Phase"]["properties"]
    for name in ("deadline", "announced", "early_return", "replace"):
        assert phase[name].get("description"), name
    for name, model in schema["$defs"].items():
        assert model.get("description"), f"{name} has no docstring"


def test_every_source_field_is_described(schema: dict[str, Any]) -> None:
    sources = [
        node["properties"]["source"]
        for _, node in object_schemas(schema)
        if "source" in node["properties"]
    ]
    assert len(sources) >= 10
    assert all("assumption" in s.get("description", "") for s in sources)


def test_required_keys_match_a_real_scenario(schema: dict[str, Any]) -> None:
    dumped = load_scenario(SCENARIOS / "advisory.yaml").model_dump(mode="json")
    assert set(schema["required"]) <= set(dumped)
    assert set(dumped) <= set(schema["properties"])


def models(root: type[BaseModel] = Scenario) -> list[type[BaseModel]]:
    """``root`` and every model reachable from its fields."""
    seen: list[type[BaseModel]] = []
    todo = [root]
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.append(model)
        for info in model.model_fields.values():
            todo.extend(_models_in(info.annotation))
    return seen


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _bears_numbers(model: type[BaseModel]) -> bool:
    def numeric(annotation: Any) -> bool:
        if annotation in (int, float):
            return True
        return any(numeric(a) for a in typing.get_args(annotation) if a is not bool)

    return any(numeric(info.annotation) for info in model.model_fields.values())


NUMBER_BEARING = [m for m in models() if _bears_numbers(m)]


def test_the_walk_finds_the_models() -> None:
    names = {m.__name__ for m in NUMBER_BEARING}
    assert {"Scenario", "UnitType", "Phase", "Airlift", "Threat", "BaseSite"} <= names


@pytest.mark.parametrize("model", NUMBER_BEARING, ids=lambda m: m.__name__)
def test_number_bearing_object_may_cite_a_source(model: type[BaseModel]) -> None:
    assert "source" in model.model_fields
