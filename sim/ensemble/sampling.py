"""Draw one replication's values of a scenario's uncertain inputs.

Each input has its own stream, keyed by the replication and the input's dotted path, and
takes exactly one uniform draw: replication k of any scenario run with seed s gives an
input the same value wherever the input has the same distribution.
"""

from __future__ import annotations

from sim.ensemble.streams import streams
from sim.scenario.schema import Scenario
from sim.scenario.values import with_values

INPUT_PREFIX = "input."  # summary columns of drawn inputs: input.threat.attacks_per_month


def sample_scenario(scenario: Scenario, seed: int, replication: int) -> tuple[Scenario, dict]:
    """The scenario with each uncertain input drawn for this replication, and the draws."""
    if not scenario.uncertainties:
        return scenario, {}
    names = [f"input:{path}" for path in scenario.uncertainties]
    rngs = streams(seed, replication, names)
    values = {
        key: dist.quantile(float(rngs[name].random()))
        for (key, dist), name in zip(scenario._uncertain.items(), names, strict=True)
    }
    context = f"replication {replication} draws {_shown(values)}, and then "
    concrete = with_values(scenario, values, context)
    drawn = {".".join(str(p) for p in key): _read(concrete, key) for key in values}
    return concrete, drawn


def _read(scenario: Scenario, key: tuple) -> object:
    node: object = scenario
    for part in key:
        node = node[part] if isinstance(node, list | dict) else getattr(node, str(part))
    return node


def _shown(values: dict) -> str:
    return ", ".join(f"{'.'.join(map(str, k))}={v:.4g}" for k, v in values.items())
