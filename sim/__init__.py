"""sim: a policy-scenario simulator for military force posture.

>>> import sim
>>> scenario = sim.load_scenario("scenarios/advisory.yaml", ["cap=2000"])
>>> run = sim.simulate(scenario, seed=1)
>>> run.summary  # one row of outcomes; run.timeseries and run.events are tidy tables
"""

from sim.api import Run, load_scenario, simulate
from sim.errors import OutputError, ScenarioError, SimError

__version__ = "0.1.0"

__all__ = ["OutputError", "Run", "ScenarioError", "SimError", "load_scenario", "simulate"]
