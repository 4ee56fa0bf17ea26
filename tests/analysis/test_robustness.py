"""Regret, satisficing and scenario discovery on tables with known answers."""

import numpy as np
import pandas as pd
import pytest

from sim.analysis.robustness import discover, meets, regret, regret_summary, satisficing
from sim.scenario.experiment import Threshold


@pytest.fixture
def means():
    # Two futures, two options. Cost: less is better; advisers: more is better.
    return pd.DataFrame(
        {
            "sample": [0, 0, 1, 1],
            "scenario": ["a", "b", "a", "b"],
            "cost": [10.0, 12.0, 20.0, 15.0],
            "advisers": [5.0, 9.0, 7.0, 3.0],
        }
    )


def test_regret_is_distance_from_the_best_option_in_the_same_future(means):
    table = regret(means, {"cost": "minimize", "advisers": "maximize"}).set_index(
        ["sample", "scenario", "outcome"]
    )["regret"]
    assert table[(0, "a", "cost")] == 0 and table[(0, "b", "cost")] == 2
    assert table[(1, "a", "cost")] == 5 and table[(1, "b", "cost")] == 0
    assert table[(0, "a", "advisers")] == 4 and table[(1, "b", "advisers")] == 4
    assert (table >= 0).all()


def test_regret_summary(means):
    summary = regret_summary(regret(means, {"cost": "minimize"})).set_index("scenario")
    assert summary.loc["a", "max_regret"] == 5 and summary.loc["b", "max_regret"] == 2
    assert summary.loc["a", "share_best"] == 0.5


def test_satisficing_shares(means):
    thresholds = {"cost": Threshold(max=14), "advisers": Threshold(min=5)}
    ok = meets(means, thresholds)
    assert list(ok) == [True, True, False, False]
    table = satisficing(means, thresholds).set_index("scenario")
    assert table.loc["a", "share_meeting_all"] == 0.5
    assert table.loc["b", "share_meeting_all"] == 0.5
    assert table.loc["a", "meets_cost"] == 0.5
    assert table.loc["b", "meets_advisers"] == 0.5
    assert table.loc["a", "futures"] == 2


def test_discovery_finds_the_failing_box():
    rng = np.random.default_rng(0)
    inputs = pd.DataFrame({"threat": rng.uniform(0, 20, 400), "cap": rng.uniform(1500, 3000, 400)})
    failed = (inputs["threat"] > 12) & (inputs["cap"] < 2000)
    rules = discover(inputs, failed)
    top = rules.iloc[0]
    assert "threat >" in top["rule"] and "cap <=" in top["rule"]
    assert top["density"] > 0.9 and top["coverage"] > 0.8
    assert top["failures"] <= top["futures"]


def test_discovery_when_nothing_or_everything_fails():
    inputs = pd.DataFrame({"x": [1.0, 2.0, 3.0]})
    assert discover(inputs, pd.Series([False] * 3)).iloc[0]["rule"] == "no future fails"
    assert discover(inputs, pd.Series([True] * 3)).iloc[0]["rule"] == "every future fails"
