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
from sim.scenario.timeline import Timeline

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
    "deadline_status",
    "superseded_by",
]


def dates(scenario: Scenario, n_days: int) -> pd.DatetimeIndex:
    return pd.date_range(pd.Timestamp(scenario.start), periods=n_days, freq="D", name="date")


def timeseries_table(rec: Recording, scenario: Scenario, replication: int) -> pd.DataFrame:
    """One row per date and role, roles in the scenario's order."""
    counts = np.stack([getattr(rec, m) for m in TIMESERIES_COLUMNS[4:]])[None]
    return series_table(counts, scenario, replication)


def series_table(counts: np.ndarray, scenario: Scenario, first: int) -> pd.DataFrame:
    """Tidy rows from daily counts shaped (replications, measures, days, roles).

    Measures are boots_on_ground, cap_count, arrivals, departures; replications are
    numbered from ``first``.
    """
    n_reps, _, n_days, n_roles = counts.shape
    roles = list(scenario.roles)
    per_rep = n_days * n_roles
    day_index = dates(scenario, n_days)
    columns = {
        "scenario": scenario.name,
        "replication": np.repeat(np.arange(first, first + n_reps, dtype=np.int64), per_rep),
        "date": np.tile(np.repeat(day_index.values, n_roles), n_reps),
        "role": pd.Categorical.from_codes(np.tile(np.arange(n_roles), n_days * n_reps), roles),
    }
    for m, name in enumerate(TIMESERIES_COLUMNS[4:]):
        columns[name] = counts[:, m].reshape(-1).astype(np.int64)
    return pd.DataFrame(columns, columns=TIMESERIES_COLUMNS)


def events_table(rec: Recording, scenario: Scenario, replication: int) -> pd.DataFrame:
    events = pd.DataFrame(rec.events, columns=list(EVENT_FIELDS))
    events["time"] = events["time"].astype(float)
    events["people"] = events["people"].astype(np.int64)
    start = pd.Timestamp(scenario.start)
    day = start + pd.to_timedelta(np.floor(events["time"]), unit="D")
    events.insert(0, "date", day.astype("datetime64[s]"))
    events.insert(0, "replication", np.int64(replication))
    events.insert(0, "scenario", scenario.name)
    return events[EVENT_COLUMNS]


def phases_table(scenario: Scenario) -> pd.DataFrame:
    """The policy's phases as in force from each start (for announcements, one per
    announcement that holds in the scenario as loaded), and what became of each deadline:
    ``judged`` at it, ``carried`` on by the next phase (judged under this one), judged in
    an earlier phase that set it (``carried from``), or ``superseded`` by another goal."""
    tl = Timeline(scenario)
    phases = scenario.policy.phases
    rows = []
    for i, p in enumerate(phases):
        status, by = "", ""
        if p.deadline is not None:
            if i in tl.carried:
                status = "carried from an earlier phase"
            elif i in tl.superseded:
                status, by = "superseded", phases[tl.superseded[i]].name
            elif tl.last[i] != i:
                status = "judged over the phases that carry it"
            else:
                status = "judged"
        rows.append(
            {
                "scenario": scenario.name,
                "phase": i,
                "name": p.name,
                "start": pd.Timestamp(p.start),
                "deadline": pd.Timestamp(p.deadline) if p.deadline else pd.NaT,
                "announced": pd.Timestamp(p.announced or p.start),
                "cap": scenario.phase_cap(i),
                "early_return": p.early_return,
                "deadline_status": status,
                "superseded_by": by,
            }
        )
    return pd.DataFrame(rows, columns=PHASE_COLUMNS)
