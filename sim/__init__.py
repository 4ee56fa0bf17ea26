"""sim: a policy-scenario simulator for military force posture.

>>> import sim
>>> scenario = sim.load_scenario("scenarios/advisory.yaml", ["cap=2000"])
>>> run = sim.simulate(scenario, seed=1)
>>> run.summary  # one row of outcomes; run.timeseries and run.events are tidy tables
"""

from sim.api import Run, load_scenario, simulate
from sim.errors import OutputError, ScenarioError, SimError


def compare(*args, **kwargs):  # imported on use: charts need matplotlib
    """Run scenarios side by side; see ``sim.comparison.compare``."""
    from sim.comparison import compare as _compare

    return _compare(*args, **kwargs)


def load_results(folder):
    """The comparison of an earlier run folder; see ``sim.comparison.load_results``."""
    from sim.comparison import load_results as _load

    return _load(folder)


__version__ = "0.1.0"

__all__ = [
    "OutputError",
    "Run",
    "ScenarioError",
    "SimError",
    "compare",
    "load_results",
    "load_scenario",
    "simulate",
]
