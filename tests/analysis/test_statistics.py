"""Outcome and difference tables on a small summary whose answers are worked out by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.statistics import differences, outcome_columns, outcome_table

Z = 1.96


@pytest.fixture
def summary() -> pd.DataFrame:
    """Options a and b over five replications; b's rows are shuffled (pairing is by number)."""
    a = pd.DataFrame(
        {
            "scenario": "a",
            "replication": [0, 1, 2, 3, 4],
            "casualties": [1, 2, 3, 4, 5],
            "total_cost_usd": [10.0, 10.0, 10.0, 10.0, 10.0],
            "threat.attacks_per_month": [4.0, 5.0, 6.0, 7.0, 8.0],  # a drawn input
            "zero_on": pd.NaT,
            "met": [True, False, True, True, False],
        }
    )
    b = pd.DataFrame(
        {
            "scenario": "b",
            "replication": [3, 0, 4, 2, 1],
            "casualties": [8, 2, 10, 6, 4],  # 2 x a's, replication by replication
            "total_cost_usd": [13.0, 11.0, 15.0, 12.0, 11.0],
            "threat.attacks_per_month": [7.0, 4.0, 8.0, 6.0, 5.0],
            "zero_on": pd.Timestamp("2022-01-01"),
            "met": [True, True, True, True, True],
        }
    )
    return pd.concat([a, b], ignore_index=True)


def row(table: pd.DataFrame, scenario: str, outcome: str) -> pd.Series:
    match = table[(table["scenario"] == scenario) & (table["outcome"] == outcome)]
    assert len(match) == 1
    return match.iloc[0]


def test_outcomes_are_the_numeric_measures_only(summary):
    assert outcome_columns(summary) == ["casualties", "total_cost_usd"]


def test_outcome_table_by_hand(summary):
    table = outcome_table(summary)
    assert list(table.columns) == [
        "scenario",
        "outcome",
        "n",
        "mean",
        "sd",
        "q05",
        "q50",
        "q95",
        "ci_low",
        "ci_high",
    ]
    assert len(table) == 4
    a = row(table, "a", "casualties")
    sd = math.sqrt(2.5)  # of 1..5, with n - 1
    assert a["n"] == 5
    assert a["mean"] == 3
    assert a["sd"] == pytest.approx(sd)
    assert (a["q05"], a["q50"], a["q95"]) == pytest.approx((1.2, 3.0, 4.8))
    half = Z * sd / math.sqrt(5)
    assert a["ci_low"] == pytest.approx(3 - half, rel=1e-4)
    assert a["ci_high"] == pytest.approx(3 + half, rel=1e-4)
    b = row(table, "b", "casualties")
    assert (b["mean"], b["q50"]) == (6, 6)
    flat = row(table, "a", "total_cost_usd")
    assert (flat["mean"], flat["sd"], flat["ci_low"], flat["ci_high"]) == (10, 0, 10, 10)


def test_differences_pair_replications(summary):
    diffs = differences(summary)  # the first scenario is the reference
    assert set(diffs["scenario"]) == {"b"}
    assert set(diffs["reference"]) == {"a"}
    assert set(diffs["outcome"]) == {"casualties", "total_cost_usd"}
    d = row(diffs, "b", "casualties")  # b - a = 1, 2, 3, 4, 5
    assert d["n"] == 5
    assert d["mean"] == 3
    assert d["sd"] == pytest.approx(math.sqrt(2.5))
    assert (d["q05"], d["q50"], d["q95"]) == pytest.approx((1.2, 3.0, 4.8))
    half = Z * math.sqrt(2.5) / math.sqrt(5)
    assert (d["ci_low"], d["ci_high"]) == pytest.approx((3 - half, 3 + half), rel=1e-4)
    cost = row(diffs, "b", "total_cost_usd")  # 1, 1, 2, 3, 5
    assert cost["mean"] == pytest.approx(2.4)
    assert cost["sd"] == pytest.approx(np.std([1, 1, 2, 3, 5], ddof=1))


def test_differences_from_another_reference(summary):
    d = row(differences(summary, reference="b"), "a", "casualties")
    assert d["reference"] == "b"
    assert d["mean"] == -3
    assert (d["q05"], d["q95"]) == pytest.approx((-4.8, -1.2))


def test_differences_leave_out_unpaired_replications(summary):
    short = summary[~((summary["scenario"] == "b") & (summary["replication"] == 4))]
    d = row(differences(short), "b", "casualties")
    assert d["n"] == 4
    assert d["mean"] == 2.5  # 1, 2, 3, 4


def test_an_unknown_reference_is_refused(summary):
    with pytest.raises(ValueError, match="'c'"):
        differences(summary, reference="c")


def test_a_single_replication_has_no_spread():
    one = pd.DataFrame({"scenario": ["a"], "replication": [0], "casualties": [4]})
    r = row(outcome_table(one), "a", "casualties")
    assert (r["n"], r["mean"], r["q05"], r["q95"]) == (1, 4, 4, 4)
    assert np.isnan(r["sd"]) and np.isnan(r["ci_low"]) and np.isnan(r["ci_high"])
