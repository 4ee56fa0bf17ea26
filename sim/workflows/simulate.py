"""The importable entry points: load a scenario, simulate it, get tidy tables back.

``simulate()`` is the one way to run the model: it builds the random streams from the
seed, runs one replication and returns a ``Run`` that carries its own scenario, seed and
timing next to the tables.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pandas as pd

from sim.ensemble.worker import replicate
from sim.results.tables import events_table, timeseries_table
from sim.scenario import Scenario, load_scenario

__all__ = ["Run", "load_scenario", "simulate"]


@dataclass
class Run:
    """One replication: the scenario and seed it ran with, its tables, and how long it took."""

    scenario: Scenario
    seed: int
    replication: int
    timeseries: pd.DataFrame
    events: pd.DataFrame
    summary: pd.DataFrame
    elapsed_s: float
    sim_events: int


def simulate(scenario: Scenario, seed: int = 0, replication: int = 0) -> Run:
    """Run replication ``replication`` of ``scenario`` with random streams from ``seed``."""
    began = time.perf_counter()
    concrete, rec, row = replicate(scenario, seed, replication)
    return Run(
        scenario=concrete,
        seed=seed,
        replication=replication,
        timeseries=timeseries_table(rec, concrete, replication),
        events=events_table(rec, concrete, replication),
        summary=pd.DataFrame([row]),
        elapsed_s=time.perf_counter() - began,
        sim_events=rec.sim_events,
    )
