"""Kept uncounted detachments, and unannounced drift."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import sim

NO_SLIP = "per_unit.readiness_slip_days=0"


def totals(run, column):
    return run.timeseries.groupby("date")[column].sum()


def withdrawal(*extra):
    s = sim.load_scenario("scenarios/withdrawal.yaml", [NO_SLIP, *extra])
    return sim.simulate(s, seed=0)


def test_a_kept_uncounted_detachment_survives_a_zero_target():
    run = withdrawal("policy.announcements.1.detachments={tdy_team: 2}")
    after = run.timeseries[pd.to_datetime(run.timeseries.date) >= "2022-01-15"]
    logistics = after[after.role == "logistics"]  # the teams' role: nobody counted, 40 there
    assert (logistics.cap_count == 0).all()
    assert (logistics.boots_on_ground >= 40).all()
    # the counted force is gone but for the force protection held back to cover them
    counted = after.groupby("role").cap_count.max()
    assert counted.drop("force_protection").eq(0).all()
    assert counted["force_protection"] <= 140
    ev = run.events
    assert not ev[(ev.event == "recalled") & (ev.unit_type == "tdy_team")].size
    # relieved like for like as their tours end
    assert ev[(ev.event == "transfer_of_authority") & (ev.unit_type == "tdy_team")].size


def test_without_the_detachment_a_zero_target_takes_them_home():
    run = withdrawal()
    assert totals(run, "boots_on_ground").iloc[-1] == 0


def test_a_detachment_is_ordered_and_then_withdrawn_by_announcement(tmp_path):
    path = tmp_path / "guard.yaml"
    path.write_text(
        f"extends: {Path('scenarios/status-quo.yaml').resolve()}\n"
        "unit_types:\n"
        "  embassy_guard: {role: force_protection, service: marines, size: 30,"
        " lead_time_days: 10, counts_toward_cap: false}\n"
        "policy:\n  announcements:\n"
        "    - {name: status quo, announced: 2021-06-01}\n"
        "    - {name: guard, announced: 2021-08-01, detachments: {embassy_guard: 1}}\n"
        "    - {name: guard home, announced: 2022-02-01, detachments: {embassy_guard: 0}}\n"
    )
    run = sim.simulate(sim.load_scenario(path, [NO_SLIP]), seed=0)
    ev = run.events[run.events.unit_type == "embassy_guard"]
    arrived = ev[ev.event == "arrived"].date
    assert len(arrived) >= 1 and arrived.min() <= pd.Timestamp("2021-08-31")
    assert ev[ev.event == "recalled"].date.min() == pd.Timestamp("2022-02-01")
    ts = run.timeseries
    guard = ts[(ts.role == "force_protection")].set_index("date")
    quo = sim.simulate(sim.load_scenario("scenarios/status-quo.yaml", [NO_SLIP]), seed=0)
    base = quo.timeseries[quo.timeseries.role == "force_protection"].set_index("date")
    day = pd.Timestamp("2021-10-01")
    assert guard.boots_on_ground[day] - base.boots_on_ground[day] == 30
    assert guard.cap_count[day] == base.cap_count[day]  # not counted


def test_a_counted_type_cannot_be_a_kept_detachment():
    try:
        sim.load_scenario(
            "scenarios/withdrawal.yaml", ["policy.announcements.1.detachments={hq_element: 1}"]
        )
    except sim.ScenarioError as err:
        assert err.key == "policy.announcements.1.detachments.hq_element"
        assert "does not count toward the cap" in err.message
    else:
        raise AssertionError("a counted type was accepted as a detachment")


def test_an_unannounced_drift_takes_the_force_down_at_its_rate():
    s = sim.load_scenario(
        "scenarios/status-quo.yaml",
        [NO_SLIP, "policy.announcements.0.drift_per_month=-100"],
    )
    run = sim.simulate(s, seed=0)
    total = totals(run, "cap_count")
    # 2,450 less 100 a month: about 1,850 after six months (whole units, tours ending)
    at = total[pd.Timestamp("2021-12-01")]
    assert 1850 - 250 <= at <= 1850 + 250, at
    assert total.iloc[0] == 2450


def test_a_drift_needs_a_period_without_a_target():
    try:
        sim.load_scenario(
            "scenarios/withdrawal.yaml", ["policy.announcements.1.drift_per_month=-50"]
        )
    except sim.ScenarioError as err:
        assert err.key == "policy.announcements.1.drift_per_month"
    else:
        raise AssertionError("a drift with a target was accepted")
