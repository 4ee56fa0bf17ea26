"""Invariants that must hold on every day of every scenario run."""

import numpy as np
import pandas as pd
import pytest

import sim
from sim.scenario.timeline import Timeline


def wide(run, column):
    return run.timeseries.pivot_table(index="date", columns="role", values=column, observed=True)


def test_no_negative_counts(any_run):
    counts = any_run.timeseries[["boots_on_ground", "cap_count", "arrivals", "departures"]]
    assert (counts >= 0).all().all()


def test_cap_count_never_above_boots_on_ground(any_run):
    ts = any_run.timeseries
    assert (ts["cap_count"] <= ts["boots_on_ground"]).all()


# Seats for everyone, every day: no unit is ever partway through landing or leaving at the
# end of a day, so the count from the event log must match the daily table exactly.
ROOMY_AIRLIFT = [
    "airlift.sorties_per_week=null",
    "airlift.seats_per_sortie=null",
    "airlift.seats_per_day=100000",
    "airlift.cancel_probability=0",
]


def ledger(run) -> np.ndarray:
    """People by day and role from the scenario's initial force and the event log alone."""
    s = run.scenario
    roles = list(s.roles)
    change = np.zeros((run.timeseries.date.nunique(), len(roles)), dtype=np.int64)
    for group in s.initial_force:
        ut = s.unit_types[group.unit_type]
        change[0, roles.index(ut.role)] += group.count * ut.size
    for event, sign in (("arrived", 1), ("departed", -1)):
        moved = run.events[run.events.event == event]
        days = np.floor(moved.time.to_numpy()).astype(int)
        np.add.at(change, (days, [roles.index(r) for r in moved.role]), sign * moved.people)
    return np.cumsum(change, axis=0)


@pytest.mark.parametrize("name", ["status-quo", "advisory", "withdrawal"])
def test_people_are_conserved(name):
    """Who is there at the end of each day = the initial force + each unit that arrived -
    each unit that left, counted from the scenario and the event log, role by role."""
    run = sim.simulate(sim.load_scenario(f"scenarios/{name}.yaml", ROOMY_AIRLIFT), seed=0)
    moves = run.events.event.value_counts()
    assert moves.get("arrived", 0) > 5 and moves.get("departed", 0) > 5
    bog = wide(run, "boots_on_ground")[list(run.scenario.roles)].to_numpy(dtype=np.int64)
    expected = ledger(run)
    wrong = np.argwhere(bog != expected)
    assert not len(wrong), (
        f"day {wrong[0][0]}, {run.scenario.roles[wrong[0][1]]}: {bog[tuple(wrong[0])]:,} on the "
        f"ground, {expected[tuple(wrong[0])]:,} by the event log"
    )


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
    scenario = sim.load_scenario("scenarios/advisory.yaml")
    a, b = sim.simulate(scenario, seed=3), sim.simulate(scenario, seed=3)
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    c = sim.simulate(scenario, seed=4)
    assert not a.events.equals(c.events), "a different seed should give a different world"
