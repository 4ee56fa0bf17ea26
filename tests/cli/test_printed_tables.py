"""The tables ``sim sensitivity``, ``sim robustness`` and ``sim calibrate`` print (issue 15):
short, formatted, and saying what their numbers can and cannot tell.

The workflows are replaced by stand-ins that return tables like theirs, so that the
printing is checked on known numbers without running the model (tests/cli/
test_sensitivity_cli.py and test_robustness_cli.py run the real thing end to end).
"""

from __future__ import annotations

import json
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import sim.workflows.calibrate
import sim.workflows.explore
from sim.analysis import sensitivity as sens
from sim.cli import app
from sim.cli.tables import indices_notes, number

runner = CliRunner()
EXPERIMENT = "experiments/iraq-options.yaml"
CALIBRATION = "scenarios/history/calibrate-drawdown.yaml"
INPUTS = [
    "cost.default_per_troop_year_usd",
    "threat.attacks_per_month",
    "airlift.sorties",
    "policy.announcements.1.cap",
    "tour_extension_days",
]


def words(text: str) -> str:
    """The printed text without the table rules and line breaks, for phrases that may wrap."""
    for rule in "│┃":
        text = text.replace(rule, " ")
    return " ".join(text.split())


def exploration(out, tables: dict, thresholds: dict | None = None) -> SimpleNamespace:
    """What ``sim.workflows.explore`` returns, with these tables."""
    return SimpleNamespace(
        out=out,
        tables=tables,
        notes=[],
        sweep=SimpleNamespace(failures=pd.DataFrame()),
        experiment=SimpleNamespace(thresholds=thresholds or {}),
    )


def sobol_indices(s1: list[float], s1_conf: list[float], outcome: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "scenario": "advisory",
            "outcome": outcome,
            "input": INPUTS,
            "S1": s1,
            "S1_conf": s1_conf,
            "ST": s1,
            "ST_conf": s1_conf,
            "groups": 8,
            "dropped": 0,
        }
    )


SMALL_SAMPLE = pd.concat(
    [
        # 1.66 +/- 0.60 is above 1 by more than its interval: the sample is too small
        sobol_indices(
            [1.66, 0.30, 0.05, 0.02, 0.01], [0.6, 0.05, 0.01, 0.01, 0.01], "total_cost_usd"
        ),
        sobol_indices([0.0] * 5, [0.0] * 5, "days_over_cap"),  # never varies
    ]
)


@pytest.fixture
def sensitivity(monkeypatch, tmp_path):
    """``sim sensitivity --samples 8`` printing ``indices``."""

    def invoke(indices: pd.DataFrame):
        def explore(path, **options):
            return exploration(tmp_path, {"indices": indices})

        monkeypatch.setattr(sim.workflows.explore, "sensitivity", explore)
        result = runner.invoke(app, ["sensitivity", EXPERIMENT, "--samples", "8"])
        assert result.exit_code == 0, result.output
        return result

    return invoke


def test_sensitivity_prints_the_top_inputs_and_where_the_rest_are(sensitivity, tmp_path):
    result = sensitivity(SMALL_SAMPLE)
    text = words(result.stdout)
    for shown in INPUTS[:3]:  # the three that matter most, largest first
        assert shown in text
    assert text.index(INPUTS[0]) < text.index(INPUTS[1]) < text.index(INPUTS[2])
    assert INPUTS[3] not in text and INPUTS[4] not in text
    assert "1.66 ± 0.60" in text
    assert f"All 10 indices, with their confidence intervals, in {tmp_path / 'indices.csv'}" in text
    assert len(result.stdout.splitlines()) < 25  # not a 180-line dump


def test_sensitivity_says_when_the_sample_is_too_small(sensitivity):
    text = words(sensitivity(SMALL_SAMPLE).stdout)
    assert "The sample is too small for these indices" in text
    assert "S1 of cost.default_per_troop_year_usd on advisory/total_cost_usd is 1.66 ± 0.60" in text
    assert "e.g. --samples 32" in text


def test_sensitivity_says_which_outcomes_never_vary(sensitivity):
    text = words(sensitivity(SMALL_SAMPLE).stdout)
    assert "advisory: days_over_cap is the same in every sample" in text


def test_sensitivity_with_a_sample_large_enough_has_no_such_note():
    good = sobol_indices([0.6, 0.3, 0.05, 0.02, 0.0], [0.05, 0.04, 0.01, 0.01, 0.0], "attacks")
    assert indices_notes(good, "sobol", 256) == []
    wide = sobol_indices([0.6, 0.3, 0.05, 0.02, 0.0], [0.3, 0.04, 0.01, 0.01, 0.0], "attacks")
    (note,) = indices_notes(wide, "sobol", 64)
    assert "1 of 5 are known only to within more than ±0.1" in note and "--samples 256" in note


def test_a_sobol_sample_not_a_power_of_2_is_noted(sensitivity, monkeypatch, tmp_path):
    monkeypatch.setattr(sim.workflows.explore, "sweep", lambda path, **o: exploration(tmp_path, {}))
    result = runner.invoke(app, ["sweep", EXPERIMENT, "--design", "sobol", "--samples", "100"])
    assert result.exit_code == 0, result.output
    assert "note: --samples 100 is not a power of 2" in result.stderr
    assert "--samples 128" in result.stderr


def test_salib_and_scipy_warnings_do_not_leak():
    # A constant outcome made SALib divide by zero (a RuntimeWarning for each one), and a
    # Sobol sample of 10 made SciPy warn of its balance: lines of library source on the
    # console, once per option, outcome and month.
    names = ["a", "b", "c"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sens.design("sobol", 3, 10)
        x = sens.method_design("sobol", 3, 10)
        indices = sens.sobol_indices(x, np.zeros(len(x)), names)
        x = sens.method_design("morris", 3, 4)
        sens.morris_indices(x, np.zeros(len(x)), names)
    assert [f"{w.category.__name__}: {w.message}" for w in caught] == []
    assert (indices.table[["S1", "ST"]] == 0).all().all()  # what SALib gives, as before


# --- robustness ---------------------------------------------------------------------------------


def test_robustness_tables_are_formatted(monkeypatch, tmp_path):
    regret = pd.DataFrame(
        {
            "scenario": ["advisory", "withdrawal", "advisory", "withdrawal"],
            "outcome": ["total_cost_usd", "total_cost_usd", "casualties", "casualties"],
            "max_regret": [3.902745e9, 0.0, 17.5, 0.0],
            "p90_regret": [3.615368e9, 0.0, 14.5, 0.0],
            "mean_regret": [2.86429e9, 0.0, 7.833, 0.0],
            "share_best": [0.0, 1.0, 0.0, 1.0],
        }
    )
    satisficing = pd.DataFrame(
        {
            "scenario": ["advisory", "withdrawal"],
            "futures": [6, 6],
            "meets_adviser_days": [0.5, 1.0],
            "share_meeting_all": [0.5, 1.0],
        }
    )
    thresholds = {"adviser_days": SimpleNamespace(min=150_000, max=None)}
    tables = {"regret_summary": regret, "satisficing": satisficing}
    monkeypatch.setattr(
        sim.workflows.explore,
        "robustness",
        lambda path, **o: exploration(tmp_path, tables, thresholds),
    )
    result = runner.invoke(app, ["robustness", EXPERIMENT])
    assert result.exit_code == 0, result.output
    text = words(result.stdout)
    assert "e+0" not in text
    # mean, 90th percentile and maximum, in US$ million, and how often the best option
    assert "Total cost (US$ million) advisory 2,864 3,615 3,903 0% withdrawal 0 0 0 100%" in text
    assert "Casualties advisory 7.8 14.5 17.5 0%" in text
    assert "150,000" in text and "advisory 6 50% 50%" in text
    assert "satisficing.csv" in text and "regret_summary.csv" in text


@pytest.mark.parametrize(
    ("value", "scale", "shown"),
    [
        (3.902745e9, 1e-6, "3,903"),
        (7.833, 1.0, "7.8"),
        (0.04567, 1.0, "0.046"),
        (92, 1.0, "92"),
        (6.0, 1.0, "6.0"),
        (0.0, 1.0, "0"),
        (float("nan"), 1.0, "n/a"),
    ],
)
def test_numbers(value, scale, shown):
    assert number(value, scale) == shown


# --- calibration --------------------------------------------------------------------------------


def test_calibrate_says_why_its_two_mapes_differ(monkeypatch, tmp_path):
    folder = tmp_path / "calibration"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"replications": 7}))
    table = pd.DataFrame(
        {
            "candidate": [0, 1],
            "tour_extension_days": [92, 46],
            "planning_interval_days": [21, 12],
            "mape_percent": [18.769, 18.140],
            "share_inside_90": [0.462, 0.385],
        }
    )
    score = {"mape_percent": 15.7, "share_inside_90": 0.62}
    metrics = {"fit": score, "as_written": score}
    monkeypatch.setattr(
        sim.workflows.calibrate, "calibrate", lambda path, **o: (folder, table, metrics)
    )
    result = runner.invoke(app, ["calibrate", CALIBRATION])
    assert result.exit_code == 0, result.output
    text = words(result.stdout)
    assert "each backtested on the fit episode with 7 replications" in text
    assert "1 46 12 18.1% 38%" in text
    assert (
        "Best candidate: 1. Its values, backtested again with more replications than the "
        "candidates had (so its MAPE differs from the table's)"
    ) in text
    assert "Fitted episode: MAPE 15.7%" in text
