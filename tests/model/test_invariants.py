"""Invariants that must hold on every day of every scenario run."""

import numpy as np
import pandas as pd

from sim.scenario.timeline import Timeline


def wide(run, column):
    return run.timeseries.pivot_table(index="date", columns="role", values=column, observed=True)


def test_no_negative_counts(any_run):
    counts = any_run.timeseries[["boots_on_ground", "cap_count", "arrivals", "departures"]]
    assert (counts >= 0).all().all()


def test_cap_count_never_above_boots_on_ground(any_run):
    ts = any_run.timeseries
    assert (ts["cap_count"] <= ts["boots_on_ground"]).all()


def test_people_are_conserved(any_run):
    """Who is there today = who was there yesterday + today's arrivals - today's departures."""
    bog, arr, dep = (
        wide(any_run, c).to_numpy() for c in ("boots_on_ground", "arrivals", "departures")
    )
    assert np.array_equal(bog[1:], bog[:-1] + arr[1:] - dep[1:])


def test_every_arrival_is_present_or_has_left(any_run):
    ev = any_run.events
    moved = ev[ev.event.isin(["arrived", "departed"])]
    per_unit = moved.groupby(["unit", "event"]).size().unstack(fill_value=0)
    assert (per_unit.max() <= 1).all(), "a unit arrived or left twice"
    # Units that arrived and never left are still in the country at the end.
    stayed = set(
        per_unit.index[(per_unit.get("arrived", 0) == 1) & (per_unit.get("departed", 0) == 0)]
    )
    final = any_run.timeseries[any_run.timeseries.date == any_run.timeseries.date.max()]
    arrived_people = ev[(ev.event == "arrived") & ev.unit.isin(stayed)].people.sum()
    assert arrived_people <= final.boots_on_ground.sum()
    # Nobody leaves before arriving.
    first = moved.pivot_table(index="unit", columns="event", values="time", aggfunc="min")
    both = first.dropna()
    assert (both["arrived"] <= both["departed"]).all()


def test_cap_respected(any_run):
    """Over the cap only where the start or a lowered cap forces it, and never growing then."""
    scenario = any_run.scenario
    total = wide(any_run, "cap_count").sum(axis=1).to_numpy()
    timeline = Timeline(scenario)
    caps = np.array([timeline.cap(d) for d in range(len(total))])
    over = total > caps
    grew = np.diff(total, prepend=total[0]) > 0
    assert not (over & grew).any(), "the cap count grew while above the cap"
    if total[0] <= caps[0]:
        assert not over.any()


def test_same_seed_same_tables():
    import sim

    scenario = sim.load_scenario("scenarios/advisory.yaml")
    a, b = sim.simulate(scenario, seed=3), sim.simulate(scenario, seed=3)
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    c = sim.simulate(scenario, seed=4)
    assert not a.events.equals(c.events), "a different seed should give a different world"
