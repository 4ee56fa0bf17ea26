"""The cap count after each cap binds, on bands and phases written by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.cap import COLUMNS, after_cap_binds

DAY = pd.Timestamp("2021-01-01")


def day(n: int) -> pd.Timestamp:
    """Day ``n`` of the run, counted from 1."""
    return DAY + pd.Timedelta(days=n - 1)


def bands(means, q95s, scenario="a", role="total", measure="cap_count") -> pd.DataFrame:
    n = len(means)
    return pd.DataFrame(
        {
            "scenario": scenario,
            "date": pd.date_range(DAY, periods=n, freq="D"),
            "role": role,
            "measure": measure,
            "replications": 4,
            "mean": np.asarray(means, dtype=float),
            "q05": np.asarray(means, dtype=float) - 5,
            "q50": np.asarray(means, dtype=float),
            "q95": np.asarray(q95s, dtype=float),
        }
    )


def phases(*caps: tuple[int, float], scenario="a") -> pd.DataFrame:
    """Phases starting on day ``n`` with ``cap``, as ``(n, cap)``."""
    return pd.DataFrame(
        {
            "scenario": scenario,
            "phase": range(len(caps)),
            "start": [day(n) for n, _ in caps],
            "cap": [float(cap) for _, cap in caps],
        }
    )


# A cap of 100 from day 1, lowered to 80 on day 3; the mean is within 80 from day 6 (and
# above it again on day 8): the cap binds on day 6, not 3 nor 9.
MEAN = [95, 96, 90, 85, 81, 80, 78, 82, 79, 75]
Q95 = [99, 101, 96, 90, 88, 84, 80, 90, 81, 79]


def test_the_cap_binds_the_first_day_the_mean_is_within_it():
    got = after_cap_binds(bands(MEAN, Q95), phases((1, 100), (3, 80)), "a")
    assert list(got.columns) == COLUMNS
    assert len(got) == 2
    lowered = got.iloc[1]
    assert lowered["cap"] == 80
    assert (lowered["from"], lowered["to"]) == (day(3), day(10))
    assert lowered["binds_on"] == day(6)
    assert lowered["days_after"] == 5  # days 6 to 10
    assert lowered["mean_after"] == pytest.approx((80 + 78 + 82 + 79 + 75) / 5)
    assert lowered["q95_most_after"] == 90  # day 8
    assert lowered["days_q95_over_after"] == 3  # days 6, 8 and 9 (80 on day 7 is within)


def test_each_period_with_one_cap_is_a_row():
    got = after_cap_binds(bands(MEAN, Q95), phases((1, 100), (3, 80)), "a")
    first = got.iloc[0]
    assert (first["cap"], first["from"], first["to"]) == (100, day(1), day(2))
    assert first["binds_on"] == day(1)
    assert first["days_after"] == 2
    assert first["mean_after"] == pytest.approx(95.5)
    assert first["q95_most_after"] == 101
    assert first["days_q95_over_after"] == 1  # day 2
    assert list(got["scenario"]) == ["a", "a"]


def test_a_cap_never_met_has_no_day_it_binds():
    got = after_cap_binds(bands(MEAN, Q95), phases((1, 100), (3, 70)), "a")
    never = got.iloc[1]
    assert never["cap"] == 70 and pd.isna(never["binds_on"])
    assert never["days_after"] == 0 and never["days_q95_over_after"] == 0
    assert np.isnan(never["mean_after"]) and np.isnan(never["q95_most_after"])


def test_the_cap_before_the_first_phase_is_the_first_phases():
    got = after_cap_binds(bands(MEAN, Q95), phases((3, 80)), "a")
    assert len(got) == 1
    assert (got.iloc[0]["from"], got.iloc[0]["binds_on"]) == (day(1), day(6))
    assert got.iloc[0]["days_after"] == 5


def test_phases_with_the_same_cap_are_one_period():
    got = after_cap_binds(bands(MEAN, Q95), phases((1, 80), (4, 80)), "a")
    assert len(got) == 1 and got.iloc[0]["binds_on"] == day(6)


def test_other_scenarios_roles_and_measures_are_left_out():
    mine = bands(MEAN, Q95)
    noise = [
        bands([10] * 10, [10] * 10, scenario="b"),  # within any cap from day 1
        bands([10] * 10, [500] * 10, role="combat"),
        bands([10] * 10, [500] * 10, measure="boots_on_ground"),
    ]
    everything = pd.concat([noise[0], mine, *noise[1:]], ignore_index=True).sample(
        frac=1, random_state=0
    )
    caps = pd.concat([phases((1, 100), (3, 80)), phases((1, 5), scenario="b")])
    got = after_cap_binds(everything, caps, "a")
    expected = after_cap_binds(mine, phases((1, 100), (3, 80)), "a")
    pd.testing.assert_frame_equal(got, expected)
    assert got.iloc[1]["binds_on"] == day(6)
    other = after_cap_binds(everything, caps, "b")
    assert len(other) == 1 and pd.isna(other.iloc[0]["binds_on"])  # 10 is above 5


@pytest.mark.parametrize("scenario", ["a", "missing"])
def test_nothing_to_split_is_an_empty_table(scenario):
    empty = bands([], []).iloc[0:0]
    got = after_cap_binds(empty if scenario == "a" else bands(MEAN, Q95), phases(), scenario)
    assert got.empty and list(got.columns) == COLUMNS
