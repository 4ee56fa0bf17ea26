"""Shared runs of the option scenarios, so each is simulated once per test session."""

from functools import cache

import pytest

import sim

SCENARIOS = ["status-quo", "advisory", "withdrawal"]
# Each option as written, plus the variations the acceptance criteria name.
VARIANTS = {
    "status-quo": [],
    "advisory": [],
    "withdrawal": [],
    "advisory-cap-2000": ["cap=2000", "policy.announcements.1.announced=2021-10-01"],
    "withdrawal-half-airlift": ["airlift.sorties_per_week=1.5"],
}


@cache
def run_of(variant: str, seed: int = 0) -> sim.Run:
    name = variant.split("-cap")[0].split("-half")[0]
    scenario = sim.load_scenario(f"scenarios/{name}.yaml", VARIANTS[variant])
    return sim.simulate(scenario, seed=seed)


@pytest.fixture(params=sorted(VARIANTS), scope="session")
def any_run(request) -> sim.Run:
    return run_of(request.param)


@pytest.fixture(scope="session")
def runs():
    """``runs(variant, seed=0)``: the (cached) run of a scenario variant."""
    return run_of
