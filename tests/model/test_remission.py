"""Re-missioning in place: people change roles without flights, count throughout, and hold
the new mission only once retrained."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import sim

IN_PLACE = "scenarios/advisory-in-place.yaml"
ANNOUNCED = pd.Timestamp("2021-07-26")


@pytest.fixture(scope="module")
def runs():
    return {
        name: sim.simulate(sim.load_scenario(f"scenarios/{name}.yaml"), seed=0)
        for name in ("advisory-in-place", "advisory")
    }


def wide(run, column="cap_count"):
    return run.timeseries.pivot_table(index="date", columns="role", values=column, observed=True)


def test_conversion_moves_people_between_roles_with_no_flights(runs):
    run = runs["advisory-in-place"]
    ev = run.events
    done = ev[ev.event == "converted"]
    assert len(done) >= 3
    ts = run.timeseries.set_index(["date", "role"])
    for day in sorted(set(done.date)):
        before, at = day - pd.Timedelta(days=1), day
        moved = done[done.date == day].people.sum()
        # advisers up and combat down by the people converted, with no one flying that day
        # beyond what the day's flights show
        bog = ts.boots_on_ground.unstack()
        flows = ts.arrivals.unstack() - ts.departures.unstack()
        change = bog.loc[at] - bog.loc[before] - flows.loc[at]
        assert change["advisory"] == moved and change["combat"] == -moved
        assert change.sum() == 0


def test_converted_units_count_toward_the_cap_throughout(runs):
    run = runs["advisory-in-place"]
    ev = run.events
    start = ev[ev.event == "converting"]
    total = wide(run).sum(axis=1)
    # the converting units never leave the count: the total does not drop by their size
    # on the day they start retraining
    day = start.date.iloc[0]
    assert total.loc[day] >= total.loc[day - pd.Timedelta(days=1)] - 150
    # and none of them is recalled: they serve out their tours in the new mission
    assert not ev[(ev.event == "recalled") & ev.unit.isin(start.unit)].size


def test_a_converting_unit_holds_the_new_mission_only_once_retrained(runs):
    run = runs["advisory-in-place"]
    ev = run.events
    first = ev[ev.event == "converting"].iloc[0]
    done = ev[(ev.event == "converted") & (ev.unit == first.unit)].iloc[0]
    assert (done.date - first.date).days in (14, 45)
    combat = wide(run)["combat"]
    # still counted as combat while retraining, the day before it is done
    assert combat.loc[done.date - pd.Timedelta(days=1)] >= first.people


def test_in_place_ends_the_combat_mission_sooner_with_fewer_flights(runs):
    quick, flown = runs["advisory-in-place"], runs["advisory"]
    q, f = quick.summary.iloc[0], flown.summary.iloc[0]
    assert q.end_of_the_combat_mission_met_on < f.end_of_the_combat_mission_met_on
    assert q.adviser_days > f.adviser_days

    def moved(run):
        ts = run.timeseries
        return (ts.arrivals + ts.departures).sum()

    assert moved(quick) < moved(flown)


def test_a_conversion_to_a_type_not_declared_is_refused(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text(
        f"extends: {Path(IN_PLACE).resolve()}\n"
        "policy:\n  announcements:\n"
        "    - {name: a, announced: 2021-06-01}\n"
        "    - name: b\n      announced: 2021-08-01\n"
        "      convert: [{unit_type: hq_element, to: adviser_team}]\n"
    )
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(path)
    assert err.value.key == "policy.announcements.1.convert.0.to"
    assert "declares no conversion" in err.value.message
