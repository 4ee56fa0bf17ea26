"""What a worker does: run a batch of replications of one scenario and return compact results.

A batch result holds the outcome rows, the daily counts of every replication as integers
(the driver aggregates them into bands and drops them), and, for replication 0 only, the
whole recording (for the event log and a sample daily table). It pickles small and fast
between this program's own processes, so the same function serves local processes and
Dask workers; what is saved to disk is data only (``checkpoint``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from sim.ensemble.sampling import INPUT_PREFIX, sample_scenario
from sim.ensemble.streams import streams
from sim.model import STREAMS, Recording, run_model
from sim.results.outcomes import outcomes
from sim.results.tables import TIMESERIES_COLUMNS
from sim.scenario.schema import Scenario

MEASURES = tuple(TIMESERIES_COLUMNS[4:])  # boots_on_ground, cap_count, arrivals, departures


@dataclass
class BatchResult:
    """Replications ``first`` to ``first + len(rows) - 1`` of scenario number ``index``."""

    index: int
    first: int
    rows: list[dict]
    counts: np.ndarray  # (replications, measures, days, roles), int32
    sample: Recording | None  # replication 0's full recording, if in this batch
    sample_scenario: Scenario | None
    sim_events: int
    seconds: float


def replicate(scenario: Scenario, seed: int, replication: int) -> tuple[Scenario, Recording, dict]:
    """One replication: the scenario as drawn, its recording, and its summary row."""
    concrete, drawn = sample_scenario(scenario, seed, replication)
    rec = run_model(concrete, streams(seed, replication, STREAMS))
    row = {"scenario": scenario.name, "replication": replication, **outcomes(rec, concrete)}
    inputs = {INPUT_PREFIX + path: value for path, value in drawn.items()}
    return concrete, rec, {**row, **inputs}


def replicate_batch(
    scenario: Scenario, index: int, seed: int, first: int, count: int
) -> BatchResult:
    """Run replications ``first`` .. ``first + count - 1`` of ``scenario`` under ``seed``."""
    began = time.perf_counter()
    rows, blocks = [], []
    sample, sample_scenario_ = None, None
    events = 0
    for k in range(first, first + count):
        concrete, rec, row = replicate(scenario, seed, k)
        rows.append(row)
        blocks.append(np.stack([getattr(rec, m) for m in MEASURES]).astype(np.int32))
        events += rec.sim_events
        if k == 0:
            sample, sample_scenario_ = rec, concrete
    return BatchResult(
        index=index,
        first=first,
        rows=rows,
        counts=np.stack(blocks),
        sample=sample,
        sample_scenario=sample_scenario_,
        sim_events=events,
        seconds=time.perf_counter() - began,
    )
