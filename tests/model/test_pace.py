"""Drawdowns at a steady pace follow their path, straight or curved (``halfway_share``).

The 2009-2011 backtest scenario is the test bed: a large force (144,000) drawn down along a
path from the plan's announcement (2009-02-27) to its deadline (2010-08-31). Units leave
only at the end of their tours until the last weeks, when the remainder is recalled, so
the force can follow the path only to within the units whose reliefs were already decided
when the plan was announced: the checks start six months in.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

import sim
from sim.scenario.timeline import Timeline

HISTORY = "scenarios/history/iraq-2009-2011.yaml"
START, DEADLINE = pd.Timestamp("2009-02-27"), pd.Timestamp("2010-08-31")
FROM, TO = 144_000, 40_000


def scenario(halfway: float) -> sim.Scenario:
    plan = "policy.announcements.1"  # the drawdown plan of 2009-02-27
    return sim.load_scenario(HISTORY, [f"{plan}.halfway_share={halfway}", f"{plan}.total={TO}"])


def path(day: pd.Timestamp, halfway: float) -> float:
    share = (day - START).days / (DEADLINE - START).days
    return FROM + share ** (math.log(halfway) / math.log(0.5)) * (TO - FROM)


@pytest.fixture(scope="module", params=[0.5, 0.2, 0.8], ids=["straight", "late", "early"])
def drawdown(request) -> tuple[float, pd.Series, pd.DataFrame]:
    run = sim.simulate(scenario(request.param), seed=0)
    total = run.timeseries.groupby("date")["cap_count"].sum()
    total.index = pd.to_datetime(total.index)
    return request.param, total, run.events


def test_the_target_path_passes_the_halfway_share_at_the_halfway_date():
    for halfway in (0.2, 0.5, 0.8):
        s = scenario(halfway)
        timeline = Timeline(s)
        i = 1
        timeline.start_counts[i] = [FROM, 0, 0, 0, 0]  # one role holds the whole force
        mid = (timeline.starts[i] + timeline.deadlines[i]) / 2
        target = timeline.targets(mid, [FROM, 0, 0, 0, 0])[0]
        final = timeline.final_targets(i, [FROM, 0, 0, 0, 0])[0]
        assert target == pytest.approx(FROM + halfway * (final - FROM))


def test_a_steady_drawdown_follows_its_path(drawdown):
    halfway, total, _ = drawdown
    for day in pd.date_range("2009-09-01", "2010-07-01", freq="MS"):
        expected = path(day, halfway)
        # within about two brigades of the path (whole units, reliefs decided months ahead)
        assert abs(total[day] - expected) <= 9_000, (halfway, day.date(), total[day], expected)


def test_a_steady_drawdown_meets_its_deadline(drawdown):
    _, total, events = drawdown
    judged = events[events["event"].isin(["deadline_met", "deadline_missed"])]
    first = judged.iloc[0]
    assert (first["event"], first["detail"]) == ("deadline_met", "end of the combat mission")
    assert total[pd.Timestamp("2010-09-01")] <= TO * 1.1


def test_the_deadline_verdict_matches_the_counts_that_day(drawdown):
    """Met exactly when every role is within its tolerance at the end of the deadline day:
    zero only at zero, otherwise the larger of 5% of the target and half the largest unit."""
    halfway, _, events = drawdown
    run = sim.simulate(scenario(halfway), seed=0)
    s = run.scenario
    day = run.timeseries[pd.to_datetime(run.timeseries["date"]) == DEADLINE]
    counts = day.set_index("role")["cap_count"]
    mix = s.policy.phases[1].mix
    ok = True
    for role, share in mix.items():
        target = TO * share
        largest = max(ut.size for ut in s.unit_types.values() if ut.role == role)
        tol = 0 if target == 0 else max(s.target_tolerance * target, largest / 2)
        ok &= abs(counts[role] - target) <= tol
    verdict = events[events["event"].isin(["deadline_met", "deadline_missed"])].iloc[0]
    assert (verdict["event"] == "deadline_met") == ok


def test_a_late_path_keeps_more_troops_until_the_halfway_date_than_an_early_one():
    mid = START + (DEADLINE - START) / 2
    late = sim.simulate(scenario(0.2), seed=0).timeseries
    early = sim.simulate(scenario(0.8), seed=0).timeseries
    at = {
        name: ts[pd.to_datetime(ts["date"]) == mid.normalize()]["cap_count"].sum()
        for name, ts in (("late", late), ("early", early))
    }
    assert at["late"] - at["early"] >= 0.4 * (FROM - TO)  # paths 0.6 of the change apart
