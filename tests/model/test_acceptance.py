"""The behaviour each option scenario must show (the foundation issue's acceptance list)."""

import datetime as dt
import math
import re
from functools import cache

import numpy as np
import pandas as pd
import pytest

import sim
from sim.scenario.timeline import Timeline

ROLES = ["combat", "advisory", "logistics", "force_protection", "headquarters"]


def per_role(run, column="cap_count"):
    return run.timeseries.pivot_table(index="date", columns="role", values=column, observed=True)


@cache
def run_file(path: str, overrides: tuple[str, ...] = (), seed: int = 0) -> sim.Run:
    return sim.simulate(sim.load_scenario(path, list(overrides)), seed=seed)


def without_temporary_duty(path: str) -> tuple[str, ...]:
    """Overrides that leave out the initial units not counted toward the cap (their reliefs
    are like for like, so none come later either)."""
    s = sim.load_scenario(path)
    return tuple(
        f"initial_force.{i}.count=0"
        for i, group in enumerate(s.initial_force)
        if not s.unit_types[group.unit_type].counts_toward_cap
    )


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


@pytest.mark.parametrize("name", ["status-quo", "advisory"])
def test_boots_on_ground_exceed_cap_count_during_reliefs_in_place(name):
    """While a relief overlaps the unit it relieves, the incoming unit is in the country but
    not yet counted: the gap between boots on the ground and the cap count is at least the
    incoming units' people, role by role. Run without temporary duty, which would otherwise
    keep boots on the ground above the cap count every day."""
    path = f"scenarios/{name}.yaml"
    run = run_file(path, without_temporary_duty(path))
    s, ev = run.scenario, run.events
    counted = {t for t, ut in s.unit_types.items() if ut.counts_toward_cap}
    assert set(ev.unit_type[ev.unit != ""]) <= counted, "temporary duty is still there"
    start = ev[ev.event == "relief_in_place"].set_index("unit")[["time", "role", "people"]]
    handover = ev[ev.event == "transfer_of_authority"].set_index("unit").time.rename("handover")
    reliefs = start.join(handover, how="inner")
    assert len(reliefs) > 10
    roles = list(s.roles)
    gap = (per_role(run, "boots_on_ground") - per_role(run))[roles].to_numpy(dtype=np.int64)
    incoming = np.zeros_like(gap)
    for r in reliefs.itertuples():
        # Both units are there at the end of each day from the relief's arrival until the
        # day before the handover (a change at time t falls on day floor(t)).
        incoming[math.floor(r.time) : math.floor(r.handover), roles.index(r.role)] += r.people
    short = np.argwhere(gap < incoming)
    assert not len(short), (
        f"on {s.start + dt.timedelta(days=int(short[0][0]))} {roles[short[0][1]]} has "
        f"{gap[tuple(short[0])]} people not counted, with reliefs of {incoming[tuple(short[0])]} "
        "in place"
    )


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


CAP_LATE = re.compile(
    r"^(?P<phase>.+): (?P<count>[\d,]+) counted against a cap of (?P<cap>[\d,]+)$"
)
# A cap of 2,000 against 2,450 counted: file, overrides, the phase that lowers the cap and
# the phase that asks for the new mix by its deadline.
LOWER_CAPS = {
    # from the start, without notice; the combat mission's end announced on 2021-10-01
    "from-the-start": (
        "scenarios/advisory.yaml",
        ("cap=2000", "policy.announcements.1.announced=2021-10-01"),
        0,
        1,
    ),
    # from 2022-01-01, announced on 2021-10-01, with a mix for the new cap (the example)
    "announced-ahead": ("scenarios/examples/advisory-lower-cap.yaml", (), 3, 3),
}


def totals_and_caps(run) -> tuple[pd.Series, pd.Series]:
    """The cap count of the whole force, and the cap, on each day."""
    total = per_role(run).sum(axis=1).astype(int)
    total.index = pd.to_datetime(total.index)
    timeline = Timeline(run.scenario)
    return total, pd.Series([timeline.cap(d) for d in range(len(total))], index=total.index)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("variant", sorted(LOWER_CAPS))
def test_lower_cap_is_reached_and_respected(variant, seed):
    """What a planner expects of a lower cap: under it from the end of the day it binds, or,
    if the force cannot be, a ``cap_late`` that day and a count that only goes down until
    it is under, by the deadline of the phase with the new mix at the latest; that deadline
    met where whole units can meet it; and, once new units could be there, the force kept
    near the cap, not run down far below it."""
    path, overrides, lowers, aims = LOWER_CAPS[variant]
    run = run_file(path, overrides, seed)
    s, ev = run.scenario, run.events
    total, caps = totals_and_caps(run)
    binds = pd.Timestamp(max(s.policy.phases[lowers].start, s.start))
    aim = s.policy.phases[aims]
    deadline = pd.Timestamp(aim.deadline)

    over = total[total > caps]
    if not over.empty:
        first, last = over.index[0], over.index[-1]
        assert first == binds, f"over the cap on {first:%Y-%m-%d}: the cap was broken"
        late = ev[ev.event == "cap_late"]
        logged = late.detail.tolist()
        assert late.date.tolist() == [binds], (
            f"over the cap from {first:%Y-%m-%d}, cap_late logged: {logged}"
        )
        m = CAP_LATE.match(late.detail.iloc[0])
        assert m, late.detail.iloc[0]
        assert m["phase"] == s.policy.phases[lowers].name
        assert int(m["cap"].replace(",", "")) == caps[binds]
        assert int(m["count"].replace(",", "")) > caps[binds]
        stretch = total[first:last]
        assert len(stretch) == len(over), "over the cap again after coming under it"
        assert (stretch.diff().dropna() <= 0).all(), "the count grew while over the cap"
        assert last < deadline, f"still over the cap on {last:%Y-%m-%d}"

    verdict = ev[ev.event.isin(["deadline_met", "deadline_missed"])]
    verdict = verdict[verdict.detail.str.startswith(aim.name)]
    assert len(verdict) == 1
    if variant == "announced-ahead":
        assert verdict.event.iloc[0] == "deadline_met", verdict.detail.iloc[0]
    # From the start, the mix (1,960 in the shares of advisory.yaml) cannot be met in whole
    # units under 2,000: logistics 420-520 takes 500, protection 381-521 takes 420,
    # headquarters 214-414 takes 400, advisers 689-761 at least 696, 2,016 in all. The
    # deadline is missed whatever the planner does, so only the force is judged there.

    # Units ordered when the phase is announced are formed (the longest lead time, as drawn)
    # and flown in within four reviews; from then, or the deadline if later, the force stays
    # within 15% of the cap.
    lead = max(ut.lead_time_days for ut in s.unit_types.values() if ut.counts_toward_cap)
    told = pd.Timestamp(aim.announced or aim.start)
    ready = told + pd.Timedelta(days=lead + 4 * s.planning_interval_days)
    after = total[total.index >= max(deadline, ready)]
    low = after.idxmin()
    assert after[low] >= 0.85 * caps[low], f"{after[low]:,} on {low:%Y-%m-%d}"
    assert total.iloc[-1] <= caps.iloc[-1]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_lower_cap_announced_ahead_binds_on_its_first_day(seed):
    """Told three months ahead (scenarios/examples/advisory-lower-cap.yaml: 2,000 from
    2022-01-01, announced 2021-10-01), planners have the force under the new cap by the end
    of the day it takes effect: no ``cap_late``, never over it."""
    path, overrides, _, _ = LOWER_CAPS["announced-ahead"]
    run = run_file(path, overrides, seed)
    total, caps = totals_and_caps(run)
    over = total[total > caps]
    late = run.events[run.events.event == "cap_late"].detail.tolist()
    assert not late, f"late for the cap: {late}"
    assert over.empty, (
        f"{len(over)} days over the cap from {over.index[0]:%Y-%m-%d} (at most {over.max():,})"
    )


def test_a_lasting_shortfall_is_counted_each_time():
    """With a cap of 2,000 from the start, the planner cannot grow logistics to its share of
    the new mix for months. It says so at each review that falls short, not once a phase,
    and ``shortfalls`` counts every time."""
    path, overrides, _, _ = LOWER_CAPS["from-the-start"]
    run = run_file(path, overrides)
    ev = run.events
    short = ev[ev.event == "shortfall"]
    timeline = Timeline(run.scenario)
    phase = [timeline.index(t) for t in short.time]
    times = short.groupby([phase, short.role, short.detail]).date.nunique()
    assert times.max() > 1, f"each shortfall reported once a phase:\n{times}"
    assert run.summary.iloc[0].shortfalls == len(short)


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
