"""The behaviour each option scenario must show (the foundation issue's acceptance list)."""

import pandas as pd
import pytest

ROLES = ["combat", "advisory", "logistics", "force_protection", "headquarters"]


def per_role(run, column="cap_count"):
    return run.timeseries.pivot_table(index="date", columns="role", values=column, observed=True)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_advisory_total_stays_near_the_cap(seed, runs):
    run = runs("advisory", seed)
    total = per_role(run).sum(axis=1)
    cap = run.scenario.cap
    assert total.min() >= 0.8 * cap, f"fell to {total.min()} on {total.idxmin():%Y-%m-%d}"
    assert total.max() <= cap


def test_advisory_combat_ends_with_the_combat_mission(runs):
    run = runs("advisory")
    combat = per_role(run)["combat"]
    end_of_mission = pd.Timestamp("2021-12-31")
    assert combat[combat.index >= end_of_mission].eq(0).all()
    assert combat.iloc[0] > 0


def test_advisory_advisers_and_logistics_grow(runs):
    roles = per_role(runs("advisory"))
    grown = roles["advisory"] + roles["logistics"]
    assert grown.iloc[-1] > grown.iloc[0]


def test_boots_on_ground_exceed_cap_count_during_reliefs_in_place(runs):
    run = runs("advisory")
    ev = run.events
    start = ev[ev.event == "relief_in_place"].set_index("unit").time
    handover = ev[ev.event == "transfer_of_authority"].set_index("unit").time
    both = pd.concat({"start": start, "handover": handover}, axis=1).dropna()
    assert len(both) > 10
    totals = run.timeseries.groupby("date")[["boots_on_ground", "cap_count"]].sum()
    day0 = pd.Timestamp(run.scenario.start)
    for _, row in both.iterrows():
        # Whole days on which both units are in the country.
        for day in range(int(row.start) + 1, int(row.handover)):
            date = day0 + pd.Timedelta(days=day)
            assert totals.loc[date, "boots_on_ground"] > totals.loc[date, "cap_count"]


def test_withdrawal_meets_its_deadline_with_ample_airlift(runs):
    summary = runs("withdrawal").summary.iloc[0]
    assert summary.zero_on <= pd.Timestamp("2021-12-31")
    assert summary.withdrawal_days_late == 0


def test_withdrawal_is_late_with_half_the_airlift(runs):
    run = runs("withdrawal-half-airlift")
    summary = run.summary.iloc[0]
    assert summary.zero_on > pd.Timestamp("2021-12-31")
    assert summary.withdrawal_days_late > 0
    missed = run.events[run.events.event == "deadline_missed"]
    assert len(missed) == 1 and "withdrawal" in missed.detail.iloc[0]


def test_status_quo_mix_holds(runs):
    roles = per_role(runs("status-quo"))
    start = roles.iloc[0]
    assert ((roles - start).abs() <= 0.1 * start).all().all()


def test_lower_cap_is_reached_and_respected(runs):
    run = runs("advisory-cap-2000")
    total = per_role(run).sum(axis=1)
    assert total.iloc[-1] <= 2000
    assert run.summary.iloc[0].days_over_cap < len(total)


def test_same_seed_same_threat_until_timelines_differ(runs):
    """Common random numbers: two options see the same attacks while their phases agree."""
    quo, adv = runs("status-quo"), runs("advisory")
    divergence = pd.Timestamp("2021-07-26")

    def attacks(run):
        ev = run.events
        return ev[(ev.event == "attack") & (ev.date < divergence)][["time", "people"]]

    a, b = attacks(quo), attacks(adv)
    assert len(a) > 5
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
