"""Draw one replication's values of a scenario's uncertain inputs.

Each input has its own stream, keyed by the replication and the input's dotted path, and
takes exactly one uniform draw: replication k of any scenario run with seed s gives an
input the same value wherever the input has the same distribution.

Each input's extremes were checked when the scenario was loaded; several inputs drawn
together can still break a rule between fields (a phase's start drawn late, its deadline
drawn early). Such a replication fails with a ``ScenarioError`` at the distribution whose
key the rule names, or the one nearest to it.
"""

from __future__ import annotations

import datetime as dt

from sim.ensemble.streams import streams
from sim.errors import ScenarioError
from sim.scenario.keys import as_key
from sim.scenario.schema import Scenario
from sim.scenario.uncertainty import shown
from sim.scenario.values import with_values

INPUT_PREFIX = "input."  # summary columns of drawn inputs: input.threat.attacks_per_month


def sample_scenario(scenario: Scenario, seed: int, replication: int) -> tuple[Scenario, dict]:
    """The scenario with each uncertain input drawn for this replication, and the draws as
    summary columns show them (numbers as numbers, dates as YYYY-MM-DD text)."""
    if not scenario.uncertainties:
        return scenario, {}
    names = [f"input:{path}" for path in scenario.uncertainties]
    rngs = streams(seed, replication, names)
    values = {
        key: dist.quantile(float(rngs[name].random()))
        for (key, dist), name in zip(scenario._uncertain.items(), names, strict=True)
    }
    context = f"replication {replication} draws {_shown(values)}, and then "
    try:
        concrete = with_values(scenario, values, context)
    except ScenarioError as err:
        raise _where_written(scenario, err) from None
    drawn = {".".join(str(p) for p in key): _column(_read(concrete, key)) for key in values}
    return concrete, drawn


def _where_written(scenario: Scenario, err: ScenarioError) -> ScenarioError:
    """``err``, located at the file and line of the distribution its key names."""
    dist = scenario._uncertain.get(as_key(err.key)) if err.key else None
    written = getattr(dist, "_written_at", None)
    if written is None:
        return err
    file, line = written
    return ScenarioError(err.message, file=file, line=line, key=err.key, more=err.more)


def _column(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def _read(scenario: Scenario, key: tuple) -> object:
    node: object = scenario
    for part in key:
        node = node[part] if isinstance(node, list | dict) else getattr(node, str(part))
    return node


def _shown(values: dict) -> str:
    return ", ".join(f"{'.'.join(map(str, k))}={shown(v, 4)}" for k, v in values.items())
