"""Outcomes of one replication: one number (or date) per measure, for ``summary.csv``.

Fixed outcomes (every scenario has them):

* ``days_over_cap``: days whose end-of-day cap count is above that day's cap;
* ``peak_boots_on_ground``, ``mean_boots_on_ground``, ``peak_cap_count``,
  ``mean_cap_count``, ``final_cap_count``: people;
* ``adviser_days``: person-days of advisers holding the mission (cap count of ``advisory``);
* ``exposed_person_days``: person-days of everyone in the country (boots on the ground);
* ``people_flown``: people flown in plus people flown out (each trip counts once);
* ``attacks``, ``casualties``: from the event log;
* ``troop_cost_usd``, ``base_cost_usd``, ``total_cost_usd``: cost per troop-year by role on
  boots on the ground, plus each base's annual cost until the day it closes;
* ``zero_on``: first date with nobody left in the country (empty if never);
* ``shortfalls``: times the planner could not do what the policy asked.

Per phase with targets (``<phase>`` is the phase name in lower case with underscores):
``<phase>_met_on``, the first date from the phase's start on which every role's cap count
is within the tolerance of its target (empty if never), and ``<phase>_days_late``, days
past the deadline on that date (0 if on time; empty if never met or no deadline).

Their names, labels, units and which way is better are in the registry,
:mod:`sim.scenario.outcomes`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.model.recorder import Recording
from sim.scenario.outcomes import DAYS_LATE, MET_ON, phase_outcome
from sim.scenario.schema import Scenario
from sim.scenario.timeline import Timeline

YEAR_DAYS = 365.25


def outcomes(rec: Recording, scenario: Scenario) -> dict[str, object]:
    """The summary row for one replication (without scenario and replication columns)."""
    bog = rec.boots_on_ground
    cap_count = rec.cap_count
    n_days = bog.shape[0]
    start = pd.Timestamp(scenario.start)
    timeline = Timeline(scenario)
    total_bog = bog.sum(axis=1)
    total_cap = cap_count.sum(axis=1)
    caps = np.array([timeline.cap(d) for d in range(n_days)])
    row: dict[str, object] = {
        "days_over_cap": int((total_cap > caps).sum()),
        "peak_boots_on_ground": int(total_bog.max()),
        "mean_boots_on_ground": float(total_bog.mean()),
        "peak_cap_count": int(total_cap.max()),
        "mean_cap_count": float(total_cap.mean()),
        "final_cap_count": int(total_cap[-1]),
    }
    roles = list(scenario.roles)
    row["adviser_days"] = (
        int(cap_count[:, roles.index("advisory")].sum()) if "advisory" in roles else 0
    )
    row["exposed_person_days"] = int(total_bog.sum())
    row["people_flown"] = int(rec.arrivals.sum() + rec.departures.sum())
    attacks = [e for e in rec.events if e[1] == "attack"]
    row["attacks"] = len(attacks)
    row["casualties"] = int(sum(e[5] for e in attacks))
    row.update(_costs(rec, scenario))
    zero = np.flatnonzero(total_bog == 0)
    row["zero_on"] = start + pd.Timedelta(days=int(zero[0])) if len(zero) else pd.NaT
    row["shortfalls"] = sum(1 for e in rec.events if e[1] == "shortfall")
    row.update(_phase_outcomes(cap_count, scenario, timeline))
    return row


def _costs(rec: Recording, scenario: Scenario) -> dict[str, float]:
    c = scenario.cost
    per_year = np.array(
        [
            c.per_troop_year_usd.get(r, c.default_per_troop_year_usd * c.role_factor.get(r, 1.0))
            for r in scenario.roles
        ]
    )
    troop = float((rec.boots_on_ground * per_year).sum() / YEAR_DAYS)
    n_days = rec.boots_on_ground.shape[0]
    base = 0.0
    for name, site in c.bases.items():
        closed = rec.base_closed.get(name)
        open_days = n_days if closed is None else int(np.floor(closed))
        base += site.annual_cost_usd * open_days / YEAR_DAYS
    return {"troop_cost_usd": troop, "base_cost_usd": base, "total_cost_usd": troop + base}


def _phase_outcomes(cap_count: np.ndarray, scenario: Scenario, tl: Timeline) -> dict[str, object]:
    out: dict[str, object] = {}
    n_days = cap_count.shape[0]
    start = pd.Timestamp(scenario.start)
    for i, phase in enumerate(tl.phases):
        first = max(int(tl.starts[i]), 0)
        if first >= n_days:
            continue
        at_start = cap_count[first].tolist()
        goal = tl.goal(i, at_start)
        if goal is None:
            continue
        end = tl.last[i] + 1  # over the phases that carry its deadline on
        last = int(tl.starts[end]) if end < len(tl.starts) else n_days
        days = range(first, min(last, n_days))
        met = next((d for d in days if not goal.misses(cap_count[d].tolist())), None)
        met_on = start + pd.Timedelta(days=met) if met is not None else pd.NaT
        out[phase_outcome(MET_ON, phase.slug)] = met_on
        deadline = tl.due(i)
        late = np.nan if met is None or deadline is None else float(max(0, met - int(deadline)))
        out[phase_outcome(DAYS_LATE, phase.slug)] = late
    return out
