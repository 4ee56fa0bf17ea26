"""Sensitivity analysis through the sweep code path, checked on a model with known indices."""

import math

import numpy as np
import pytest

from sim.analysis.sensitivity import (
    design,
    method_design,
    morris_indices,
    one_at_a_time,
    sobol_indices,
    swings,
)
from sim.analysis.testmodels import ishigami, ishigami_indices
from sim.ensemble.executors import make_executor
from sim.ensemble.sweep import run_sweep
from sim.scenario.experiment import Experiment

NAMES = ["x1", "x2", "x3"]


def ishigami_experiment(**extra) -> Experiment:
    inputs = {n: [-math.pi, math.pi] for n in NAMES}
    return Experiment.model_validate(
        {
            "name": "ishigami",
            "scenarios": ["none"],
            "uncertainties": inputs,
            "outcomes": {"y": "minimize"},
            **extra,
        }
    )


def sweep_y(x: np.ndarray, model=ishigami, workers: int = 1):
    with make_executor("processes", workers) as ex:
        result = run_sweep(ishigami_experiment(), [], x, ex, model=model)
    y = result.means().set_index("sample").reindex(range(len(x)))["y"].to_numpy()
    return y, result


def test_sobol_indices_of_ishigami_within_005_of_the_truth():
    x = method_design("sobol", 3, 1024, seed=1)
    y, result = sweep_y(x)
    assert result.failures.empty
    idx = sobol_indices(x, y, NAMES, seed=1).table.set_index("input")
    for name, (first, total) in ishigami_indices().items():
        assert abs(idx.loc[name, "S1"] - first) < 0.05, name
        assert abs(idx.loc[name, "ST"] - total) < 0.05, name


def failing_ishigami(values: dict) -> dict:
    """Fails (as a run might) wherever x1 is in a narrow band."""
    if 0.5 < values["x1"] < 0.7:
        raise ValueError("injected failure")
    return ishigami(values)


def test_failed_runs_are_reported_and_their_groups_left_out():
    x = method_design("sobol", 3, 512, seed=2)
    y, result = sweep_y(x, failing_ishigami)
    failed = set(result.failures["sample"])
    assert failed, "the injection should hit some samples"
    assert all("injected failure" in e for e in result.failures["error"])
    assert np.isnan(y[sorted(failed)]).all()
    idx = sobol_indices(x, y, NAMES, seed=2)
    assert idx.failed_rows == sorted(failed)
    assert idx.dropped >= 1 and idx.groups + idx.dropped == 512
    assert idx.table[["S1", "ST"]].notna().all().all(), "no silent NaN in the indices"
    truth = ishigami_indices()
    assert abs(idx.table.set_index("input").loc["x2", "S1"] - truth["x2"][0]) < 0.08


def test_morris_ranks_ishigami_inputs_and_survives_failures():
    x = method_design("morris", 3, 60, seed=3)
    y, _ = sweep_y(x, failing_ishigami)
    idx = morris_indices(x, y, NAMES, seed=3)
    assert idx.dropped >= 0 and idx.groups + idx.dropped == 60
    table = idx.table.set_index("input")
    assert table["mu_star"].notna().all()
    assert table.loc["x3", "mu_star"] < table.loc["x2", "mu_star"]


def test_sweeps_are_identical_for_one_and_two_workers():
    x = design("lhs", 3, 40, seed=5)
    one, _ = sweep_y(x, workers=1)
    two, _ = sweep_y(x, workers=2)
    np.testing.assert_array_equal(one, two)


@pytest.mark.parametrize("kind", ["lhs", "sobol", "factorial"])
def test_designs_lie_in_the_unit_cube(kind):
    x = design(kind, 4, 16, seed=1, levels=3)
    assert x.shape[1] == 4 and (x >= 0).all() and (x < 1).all()
    if kind == "factorial":
        assert len(x) == 3**4
    if kind == "lhs":  # one point in each of the 16 strata of every input
        assert all(sorted((x[:, j] * 16).astype(int)) == list(range(16)) for j in range(4))


def test_one_at_a_time_and_swings():
    x = one_at_a_time(3)
    assert len(x) == 7 and (x[0] == 0.5).all()
    y = np.array([1.0, 0.0, 4.0, 1.0, 1.5, 2.0, -1.0])
    table = swings(y, NAMES)
    assert list(table["input"]) == ["x1", "x3", "x2"]
    assert table.set_index("input").loc["x3", "swing"] == pytest.approx(3.0)


def test_too_many_failures_is_an_error_not_nan():
    x = method_design("sobol", 3, 8, seed=1)
    y = np.full(len(x), np.nan)
    with pytest.raises(ValueError, match="too few runs"):
        sobol_indices(x, y, NAMES)
