"""Temporary deployments, and airlift and review changes announced mid-run."""

from __future__ import annotations

import numpy as np
import pandas as pd

import sim

EXAMPLE = "scenarios/examples/evacuation-surge.yaml"
NO_SLIP = ["per_unit.readiness_slip_days=0"]


def run(overrides=(), seed=0, path=EXAMPLE):
    return sim.simulate(sim.load_scenario(path, [*NO_SLIP, *overrides]), seed=seed)


def units_of(run_, type_name):
    ev = run_.events
    return ev[ev.unit_type == type_name]


def test_a_temporary_deployment_arrives_and_leaves_on_time():
    r = run()
    surge = units_of(r, "rapid_response_battalion")
    arrived = surge[surge.event == "arrived"]
    departed = surge[surge.event == "departed"]
    assert len(arrived) == 4 == len(departed)  # 3,000 people in 750-strong battalions
    assert arrived.date.max() <= pd.Timestamp("2021-09-22")
    assert departed.date.max() <= pd.Timestamp("2021-10-31")
    assert not (r.events.event == "late").any()
    # the boots on the ground carry them while they are there
    bog = r.timeseries.groupby("date").boots_on_ground.sum()
    assert bog["2021-09-23"] >= 3000


def test_a_deployment_that_cannot_make_its_date_says_so():
    r = run(["unit_types.rapid_response_battalion.lead_time_days=20"])
    late = r.events[r.events.event == "late"]
    arrived_late = late[late.detail.str.startswith("evacuation reinforcement: arrived")]
    assert len(arrived_late) == 4


def test_a_temporary_deployment_does_not_move_the_others_targets():
    """The regular force is planned as if the reinforcement were not there."""
    with_surge = run()
    without = run(["policy.announcements.2.temporary=[]"])
    regular = [
        "infantry_company",
        "sof_task_unit",
        "adviser_team",
        "logistics_detachment",
        "security_company",
        "hq_element",
        "tdy_team",
    ]

    def recalls(r):
        ev = r.events
        rec = ev[(ev.event == "recalled") & ev.unit_type.isin(regular) & (ev.time < 106)]
        return rec[["unit", "detail"]].reset_index(drop=True)

    pd.testing.assert_frame_equal(recalls(with_surge), recalls(without))
    surge = units_of(with_surge, "rapid_response_battalion")
    assert not (surge.event == "recalled").any()  # a zero total does not recall them


def test_a_temporary_deployment_that_counts_needs_room_under_the_cap():
    r = run(["policy.announcements.2.cap=2500"])
    total = r.timeseries.groupby("date").cap_count.sum()
    assert total.max() <= 2500
    assert (r.events.event == "staged").any()


def test_announced_airlift_changes_the_seats_from_its_date():
    """Ten sorties a day from 2021-09-15: far more people move a day than before."""
    r = run()
    moved = r.timeseries.groupby("date")[["arrivals", "departures"]].sum().max(axis=1)
    before = moved[moved.index < "2021-09-15"].max()
    after = moved[moved.index >= "2021-09-15"].max()
    assert before <= 110 * 2  # at most two sorties' seats in a day before
    assert after > 3 * before


def test_the_same_flights_until_an_airlift_change():
    """The scenario's own schedule is drawn first: options differing only later agree."""
    a = run(seed=4)
    b = run(["policy.announcements.2.airlift.sorties_per_week=35"], seed=4)
    cut = pd.Timestamp("2021-09-15")

    def flows(r):
        ts = r.timeseries
        return ts[pd.to_datetime(ts.date) < cut][["date", "role", "arrivals", "departures"]]

    pd.testing.assert_frame_equal(flows(a), flows(b))


def test_the_planning_interval_can_change_with_an_announcement():
    r = run()
    ev = r.events
    orders = ev[(ev.event == "cancelled") | (ev.event == "recalled")]
    assert len(orders) > 0
    # Reviews run daily from the evacuation on: decisions fall on consecutive days.
    days = np.unique(np.floor(ev[ev.time >= 106].time))
    assert (np.diff(days) == 1).any()
