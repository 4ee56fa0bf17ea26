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
from sim.scenario.keys import Key, as_key
from sim.scenario.loader import leaf_type
from sim.scenario.schema import Scenario, check


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
            raise ScenarioError(
                f"{context}no item {key[-1]} in the list", key=".".join(map(str, key))
            )
        holder[key[-1]] = value
    try:
        concrete = Scenario.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise _invalid(scenario, values, error["loc"], error["msg"], context) from None
    problems = check(concrete)
    if problems:
        raise _invalid(scenario, values, *problems[0], context)
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


def _invalid(
    scenario: Scenario,
    values: dict[Key, Any],
    path: tuple | list[tuple],
    message: str,
    context: str,
) -> ScenarioError:
    """The error for values that make an invalid scenario, keyed by the value at fault.

    A problem at a key that was set is that value's; one elsewhere (a set cap below a fixed
    total) is blamed on the set value nearest to it in the scenario, and names its own key.
    """
    if isinstance(path, list):  # a rule between keys: the one nearest a value set
        path = max(path, key=lambda p: max((_shared(k, tuple(p)) for k in values), default=0))
    where = ".".join(str(p) for p in path)
    file = scenario.files[0] if scenario.files else None
    if not values:
        return ScenarioError(f"{context}{message}", key=where, file=file)
    cause = ".".join(map(str, max(values, key=lambda key: _shared(key, tuple(path)))))
    what = message if cause == where else f"{where}: {message}"
    return ScenarioError(f"{context}{what}", file=file, key=cause)


def _shared(a: tuple, b: tuple) -> int:
    """How many leading parts two key paths share."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
