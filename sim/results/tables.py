"""Tidy tables from a recording: the daily series, the event log and the phases.

Column sets are part of the public interface (tests, notebooks and later issues use them):

* timeseries: scenario, replication, date, role, boots_on_ground, cap_count, arrivals,
  departures (one row per scenario, replication, date and role; people, end of day);
* events: scenario, replication, date, time, event, unit, unit_type, role, people, detail;
* phases: scenario, phase, name, start, deadline, announced, cap, early_return.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.model.recorder import EVENT_FIELDS, Recording
from sim.scenario.schema import Scenario

TIMESERIES_COLUMNS = [
    "scenario",
    "replication",
    "date",
    "role",
    "boots_on_ground",
    "cap_count",
    "arrivals",
    "departures",
]
EVENT_COLUMNS = ["scenario", "replication", "date", *EVENT_FIELDS]
PHASE_COLUMNS = [
    "scenario",
    "phase",
    "name",
    "start",
    "deadline",
    "announced",
    "cap",
    "early_return",
]


def dates(scenario: Scenario, n_days: int) -> pd.DatetimeIndex:
    return pd.date_range(pd.Timestamp(scenario.start), periods=n_days, freq="D", name="date")


def timeseries_table(rec: Recording, scenario: Scenario, replication: int) -> pd.DataFrame:
    """One row per date and role, roles in the scenario's order."""
    n_days, n_roles = rec.boots_on_ground.shape
    day_index = dates(scenario, n_days)
    return pd.DataFrame(
        {
            "scenario": scenario.name,
            "replication": np.int64(replication),
            "date": np.repeat(day_index.values, n_roles),
            "role": pd.Categorical(
                np.tile(np.array(rec.roles, dtype=object), n_days), categories=rec.roles
            ),
            "boots_on_ground": rec.boots_on_ground.ravel(),
            "cap_count": rec.cap_count.ravel(),
            "arrivals": rec.arrivals.ravel(),
            "departures": rec.departures.ravel(),
        },
        columns=TIMESERIES_COLUMNS,
    )


def events_table(rec: Recording, scenario: Scenario, replication: int) -> pd.DataFrame:
    events = pd.DataFrame(rec.events, columns=list(EVENT_FIELDS))
    events["time"] = events["time"].astype(float)
    events["people"] = events["people"].astype(np.int64)
    start = pd.Timestamp(scenario.start)
    events.insert(0, "date", start + pd.to_timedelta(np.floor(events["time"]), unit="D"))
    events.insert(0, "replication", np.int64(replication))
    events.insert(0, "scenario", scenario.name)
    return events[EVENT_COLUMNS]


def phases_table(scenario: Scenario) -> pd.DataFrame:
    rows = [
        {
            "scenario": scenario.name,
            "phase": i,
            "name": p.name,
            "start": pd.Timestamp(p.start),
            "deadline": pd.Timestamp(p.deadline) if p.deadline else pd.NaT,
            "announced": pd.Timestamp(p.announced or p.start),
            "cap": scenario.phase_cap(i),
            "early_return": p.early_return,
        }
        for i, p in enumerate(scenario.policy.phases)
    ]
    return pd.DataFrame(rows, columns=PHASE_COLUMNS)
