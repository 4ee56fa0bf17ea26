"""sim: a policy-scenario simulator for military force posture.

>>> import sim
>>> scenario = sim.load_scenario("scenarios/advisory.yaml", ["cap=2000"])
>>> run = sim.simulate(scenario, seed=1)
>>> run.summary  # one row of outcomes; run.timeseries and run.events are tidy tables
"""

from typing import TYPE_CHECKING

from sim.errors import OutputError, ScenarioError, SimError

if TYPE_CHECKING:
    from sim.workflows.simulate import Run, load_scenario, simulate


def __getattr__(name: str) -> object:
    # The model and pandas load on first use, so that `sim --help` and commands that do
    # not run the model start at once.
    if name in ("Run", "load_scenario", "simulate"):
        from sim.workflows import simulate as api

        return getattr(api, name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def compare(*args, **kwargs):  # imported on use: charts need matplotlib
    """Run scenarios side by side; see ``sim.workflows.run.compare``."""
    from sim.workflows.run import compare as _compare

    return _compare(*args, **kwargs)


def load_results(folder):
    """The comparison of an earlier run folder; see ``sim.workflows.comparison.load_results``."""
    from sim.workflows.comparison import load_results as _load

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
