"""Set values at dotted paths in a loaded scenario, and check the result.

Used to draw a replication's uncertain inputs and to place an experiment's samples. A
path that is set is no longer uncertain; the scenario's other uncertain inputs stay so.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from pydantic import ValidationError

from sim.errors import ScenarioError
from sim.scenario.loader import leaf_type
from sim.scenario.schema import Scenario, check

Key = tuple[str | int, ...]


def as_key(path: str) -> Key:
    return tuple(int(p) if p.isdigit() else p for p in path.split("."))


def with_values(scenario: Scenario, values: dict[Key, Any], context: str = "") -> Scenario:
    """A copy of ``scenario`` with ``values`` set (whole-number fields rounded)."""
    if scenario._template is not None:
        data = copy.deepcopy(scenario._template)
    else:
        data = scenario.model_dump()
    for key, value in values.items():
        if leaf_type(key) is int and isinstance(value, float):
            value = math.floor(value + 0.5)
        holder = data
        for depth, part in enumerate(key[:-1]):
            try:
                holder = holder[part]
            except (KeyError, IndexError, TypeError):
                where = ".".join(map(str, key[: depth + 1]))
                file = scenario.files[0] if scenario.files else None
                message = f"{context}the scenario has no '{where}'"
                raise ScenarioError(message, key=".".join(map(str, key)), file=file) from None
        if isinstance(holder, list) and not (
            isinstance(key[-1], int) and 0 <= key[-1] < len(holder)
        ):
            raise ScenarioError(f"{context}no item {key[-1]} in the list",
                                key=".".join(map(str, key)))  # fmt: skip
        holder[key[-1]] = value
    file = scenario.files[0] if scenario.files else None
    try:
        concrete = Scenario.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        raise ScenarioError(f"{context}{error['msg']}", key=where, file=file) from None
    problems = check(concrete)
    if problems:
        path, message = problems[0]
        where = ".".join(str(p) for p in path)
        raise ScenarioError(f"{context}{message}", key=where, file=file)
    concrete._files = scenario.files
    concrete._notes = scenario.notes
    remaining = {k: d for k, d in scenario._uncertain.items() if k not in values}
    if remaining:
        concrete._uncertain = remaining
        concrete._template = data
    return concrete


def apply_values(scenario: Scenario, values: dict[str, Any]) -> Scenario:
    """``with_values`` with dotted paths, for experiments and notebooks."""
    return with_values(scenario, {as_key(p): v for p, v in values.items()})
