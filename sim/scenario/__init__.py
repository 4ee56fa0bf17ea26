"""Scenarios: the schema of a policy option, and loading it from YAML with overrides."""

from sim.scenario.loader import load_scenario
from sim.scenario.schema import Phase, Scenario, UnitType

__all__ = ["Phase", "Scenario", "UnitType", "load_scenario"]
