"""Draw one replication's values of a scenario's uncertain inputs.

Each input has its own stream, keyed by the replication and the input's dotted path, and
takes exactly one uniform draw: replication k of any scenario run with seed s gives an
input the same value wherever the input has the same distribution.
"""

from __future__ import annotations

import copy
import math

from pydantic import ValidationError

from sim.ensemble.streams import streams
from sim.errors import ScenarioError
from sim.scenario.loader import leaf_type
from sim.scenario.schema import Scenario, check

INPUT_PREFIX = "input."  # summary columns of drawn inputs: input.threat.attacks_per_month


def sample_scenario(scenario: Scenario, seed: int, replication: int) -> tuple[Scenario, dict]:
    """The scenario with each uncertain input drawn for this replication, and the draws."""
    if not scenario.uncertainties:
        return scenario, {}
    data = copy.deepcopy(scenario._template)
    names = [f"input:{path}" for path in scenario.uncertainties]
    rngs = streams(seed, replication, names)
    drawn: dict[str, float] = {}
    for (key, dist), name in zip(scenario._uncertain.items(), names, strict=True):
        value = dist.quantile(float(rngs[name].random()))
        if leaf_type(key) is int:
            value = math.floor(value + 0.5)
        holder = data
        for part in key[:-1]:
            holder = holder[part]
        holder[key[-1]] = value
        drawn[".".join(str(p) for p in key)] = value
    try:
        concrete = Scenario.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        raise ScenarioError(
            f"replication {replication} draws {drawn} and then {where}: {error['msg']}",
            file=scenario.files[0] if scenario.files else None,
        ) from None
    problems = check(concrete)
    if problems:
        path, message = problems[0]
        where = ".".join(str(p) for p in path)
        raise ScenarioError(
            f"replication {replication} draws {drawn} and then {where}: {message}",
            file=scenario.files[0] if scenario.files else None,
        )
    concrete._files = scenario.files
    return concrete, drawn
