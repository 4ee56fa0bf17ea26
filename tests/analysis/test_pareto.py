"""Pareto sets, hypervolume and robustness measures (sim/analysis/pareto.py) on small
sets whose answers can be worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis import pareto as par
from sim.scenario.experiment import Threshold

MIN_MAX = ["minimize", "maximize"]


def test_non_dominated_honours_each_direction():
    # cost (minimize), adviser-days (maximize)
    rows = np.array(
        [
            [10.0, 100.0],  # 0: kept (cheapest)
            [12.0, 150.0],  # 1: kept (more days for more cost)
            [12.0, 140.0],  # 2: beaten by 1 (same cost, fewer days)
            [15.0, 150.0],  # 3: beaten by 1 (more cost, same days)
            [20.0, 200.0],  # 4: kept (most days)
            [11.0, 90.0],  # 5: beaten by 0 on both
        ]
    )
    assert par.non_dominated(rows, MIN_MAX).tolist() == [True, True, False, False, True, False]
    # Read the other way round (more cost and fewer days better), the answer changes.
    flipped = par.non_dominated(rows, ["maximize", "minimize"])
    assert flipped.tolist() == [False, False, True, True, True, True]


def test_equal_rows_are_both_kept_and_missing_values_never():
    rows = pd.DataFrame({"a": [1.0, 1.0, 0.5, np.nan], "b": [1.0, 1.0, 2.0, 0.0]})
    assert par.non_dominated(rows, ["minimize", "minimize"]).tolist() == [True, True, True, False]


def test_hypervolume_of_a_known_set():
    # Normalised by fixed bounds [0, 1] and measured to (1.1, 1.1): the staircase of
    # (0, 1), (0.5, 0.5), (1, 0) is three slices, left to right, of heights 0.1, 0.6, 1.1.
    rows = np.array([[0.0, 1.0], [0.5, 0.5], [1.0, 0.0], [0.8, 0.9]])  # the last is dominated
    low, high = np.zeros(2), np.ones(2)
    expected = 0.5 * 0.1 + 0.5 * 0.6 + 0.1 * 1.1
    volume = par.hypervolume(rows, ["minimize", "minimize"], low, high)
    assert volume == pytest.approx(expected, abs=1e-12)
    # The same set with the second objective negated and maximized has the same volume
    # (its bounds, by default those of the rows, are again 0 and 1).
    flipped = rows * [1, -1]
    assert par.hypervolume(flipped, MIN_MAX) == pytest.approx(expected, abs=1e-12)


def test_hypervolume_bounds_default_to_the_rows_and_empty_is_zero():
    rows = np.array([[2.0, 30.0], [4.0, 10.0]])  # normalised: (0, 1) and (1, 0)
    assert par.hypervolume(rows, ["minimize", "minimize"]) == pytest.approx(1.0 * 0.1 + 0.1 * 1.1)
    assert par.hypervolume(np.zeros((0, 2)), ["minimize", "minimize"]) == 0.0
    one = np.array([[3.0, 3.0]])  # a single point is on both bounds: 1.1 x 1.1
    assert par.hypervolume(one, ["minimize", "minimize"]) == pytest.approx(1.21)


def test_normalise_turns_every_objective_to_minimisation_in_0_1():
    rows = np.array([[10.0, 100.0], [20.0, 300.0], [15.0, 200.0]])
    x = par.normalise(rows, MIN_MAX)
    np.testing.assert_allclose(x, [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]])


def test_convergence_counts_only_feasible_candidates_so_far():
    candidates = pd.DataFrame(
        {
            "generation": [1, 1, 2, 2],
            "feasible": [True, True, False, True],
            "a": [1.0, 0.0, -5.0, 0.5],
            "b": [0.0, 1.0, -5.0, 0.5],
        }
    )
    table = par.convergence(candidates, {"a": "minimize", "b": "minimize"})
    assert table["evaluations"].tolist() == [2, 4]
    assert table["pareto_size"].tolist() == [2, 3]  # the infeasible one beats all, unseen
    assert table["hypervolume"].is_monotonic_increasing
    assert table["hypervolume"].iloc[1] > table["hypervolume"].iloc[0]


# --- robustness measures --------------------------------------------------------------------

FUTURES = np.array([np.arange(1.0, 11.0), np.arange(11.0, 21.0)])  # 2 candidates, 10 futures


def test_mean_and_bad_case_percentiles_follow_the_direction():
    mean = par.robust_measure(FUTURES, "minimize", "mean")
    np.testing.assert_allclose(mean, [5.5, 15.5])
    # p90 is the bad case: high for a minimized outcome, low for a maximized one
    np.testing.assert_allclose(par.robust_measure(FUTURES, "minimize", "p90"), [9.1, 19.1])
    np.testing.assert_allclose(par.robust_measure(FUTURES, "maximize", "p90"), [1.9, 11.9])
    np.testing.assert_allclose(par.robust_measure(FUTURES, "minimize", "p10"), [1.9, 11.9])
    with pytest.raises(ValueError):
        par.robust_measure(FUTURES, "minimize", "regret")


def test_regret_is_the_mean_shortfall_against_the_best_in_each_future():
    values = np.array([[1.0, 5.0, 3.0], [2.0, 4.0, 3.0], [0.0, 9.0, np.nan]])
    # best per future (minimize): 0, 4, 3
    np.testing.assert_allclose(
        par.regret(values, "minimize"), [(1 + 1 + 0) / 3, (2 + 0 + 0) / 3, (0 + 5) / 2]
    )
    # maximize: best 2, 9, 3
    np.testing.assert_allclose(
        par.regret(values, "maximize"), [(1 + 4 + 0) / 3, (0 + 5 + 0) / 3, (2 + 0) / 2]
    )
    # against a given best (the best so far), better than it is no regret
    np.testing.assert_allclose(par.regret(values[:1], "minimize", [2.0, 2.0, 2.0]), [4 / 3])


def test_satisficing_is_the_share_of_futures_meeting_every_threshold():
    days = np.array([[0, 0, 2, 0], [0, 0, 0, 0]], dtype=float)
    advisers = np.array([[200, 100, 200, 200], [200, 200, 200, np.nan]], dtype=float)
    thresholds = {"days_over_cap": Threshold(max=0), "adviser_days": Threshold(min=150)}
    ok = par.meets({"days_over_cap": days, "adviser_days": advisers}, thresholds)
    assert ok.tolist() == [[True, False, False, True], [True, True, True, False]]
    np.testing.assert_allclose(par.satisficing(ok), [0.5, 0.75])


def test_threshold_gaps_are_met_at_or_below_zero_and_scaled():
    values = {"days": np.array([0.0, 3.0]), "advisers": np.array([150_000.0, 120_000.0])}
    thresholds = {"days": Threshold(max=0), "advisers": Threshold(min=150_000)}
    gaps = par.threshold_gaps(values, thresholds)
    np.testing.assert_allclose(gaps, [[0.0, 0.0], [3.0, 0.2]])
