"""``sim robustness`` end to end: regret against the best option in the same future, the
share of futures meeting the thresholds, and the discovered boxes, each checked against the
means it was computed from; and the documented experiment at a small sample size.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app

ROOT = Path(__file__).resolve().parents[2]
OPTIONS = ["status-quo", "advisory"]
OUTCOMES = {"total_cost_usd": "minimize", "adviser_days": "maximize", "days_over_cap": "minimize"}
# The cap lever makes some futures go over the cap and the status quo delivers fewer
# adviser-days than the advisory option: both thresholds bite somewhere.
THRESHOLDS = {"days_over_cap": {"max": 0}, "adviser_days": {"min": 100_000}}
SAMPLES = 6


def invoke(experiment: Path, options: str, out: Path):
    """``sim robustness EXPERIMENT OPTIONS --out OUT``."""
    args = ["robustness", str(experiment), *options.split(), "--out", str(out)]
    return CliRunner().invoke(app, args)


def read(out: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out / f"{name}.csv")


@pytest.fixture(scope="module")
def run(tmp_path_factory, experiment_file):
    folder = tmp_path_factory.mktemp("robustness")
    path = experiment_file(folder, outcomes=OUTCOMES, thresholds=THRESHOLDS)
    out = folder / "out"
    result = invoke(path, f"--samples {SAMPLES} -n 2 --seed 1 --workers 1", out)
    assert result.exit_code == 0, result.output
    return out, result


def meets_all(means: pd.DataFrame) -> pd.Series:
    return (means["days_over_cap"] <= 0) & (means["adviser_days"] >= 100_000)


def test_regret_is_the_gap_to_the_best_option_in_the_same_future(run):
    out, _ = run
    regret, means = read(out, "regret"), read(out, "means")
    assert list(regret.columns) == ["sample", "scenario", "outcome", "value", "best", "regret"]
    assert len(regret) == SAMPLES * len(OPTIONS) * len(OUTCOMES)
    assert (regret["regret"] >= 0).all()
    smallest = regret.groupby(["sample", "outcome"])["regret"].min()
    assert (smallest == 0).all()  # the best option in each future has none
    np.testing.assert_allclose(regret["regret"], (regret["value"] - regret["best"]).abs())
    for outcome, direction in OUTCOMES.items():
        wide = means.pivot(index="sample", columns="scenario", values=outcome)
        best = wide.min(axis=1) if direction == "minimize" else wide.max(axis=1)
        mine = regret[regret["outcome"] == outcome].drop_duplicates("sample")
        np.testing.assert_allclose(mine.set_index("sample")["best"], best.loc[mine["sample"]])


def test_regret_summary(run):
    out, _ = run
    summary, regret = read(out, "regret_summary"), read(out, "regret")
    assert set(summary.columns) >= {"scenario", "outcome", "max_regret", "share_best"}
    assert len(summary) == len(OPTIONS) * len(OUTCOMES)
    summary = summary.set_index(["scenario", "outcome"])
    worst = regret.groupby(["scenario", "outcome"])["regret"].max()
    np.testing.assert_allclose(summary["max_regret"], worst.loc[summary.index])
    assert summary["share_best"].between(0, 1).all()
    # in every future some option is best on each outcome
    per_outcome = summary.groupby("outcome")["share_best"].sum()
    assert (per_outcome >= 1 - 1e-9).all()


def test_satisficing_shares_of_futures_meeting_the_thresholds(run):
    out, _ = run
    table, means = read(out, "satisficing").set_index("scenario"), read(out, "means")
    assert sorted(table.index) == sorted(OPTIONS)
    assert (table["futures"] == SAMPLES).all()
    shares = table.drop(columns="futures")
    assert list(shares.columns) == [
        "meets_days_over_cap",
        "meets_adviser_days",
        "share_meeting_all",
    ]
    assert ((shares >= 0) & (shares <= 1)).all().all()
    expected = means.assign(ok=meets_all(means)).groupby("scenario")["ok"].mean()
    np.testing.assert_allclose(table.loc[expected.index, "share_meeting_all"], expected)
    assert (
        table["share_meeting_all"] <= shares.drop(columns="share_meeting_all").min(axis=1)
    ).all()


def test_rules_cover_the_failures_they_count(run):
    out, _ = run
    rules, means = read(out, "rules"), read(out, "means")
    assert list(rules.columns) == ["scenario", "rule", "coverage", "density", "futures", "failures"]
    assert set(rules["scenario"]) == set(OPTIONS)  # a line for each option, even "no future fails"
    assert rules["coverage"].between(0, 1).all() and rules["density"].between(0, 1).all()
    assert (rules["failures"] <= rules["futures"]).all()
    failing = (~meets_all(means)).groupby(means["scenario"]).sum()
    for _, rule in rules.iterrows():
        total = failing[rule["scenario"]]
        if total and rule["rule"] not in ("no future fails", "every future fails"):
            assert rule["coverage"] == pytest.approx(rule["failures"] / total)
            assert rule["density"] == pytest.approx(rule["failures"] / rule["futures"])
            assert rule["density"] > 0.5  # a box where failure is the rule


def test_charts_and_printout(run):
    out, result = run
    for stem in ["regret", *(f"boxes-{option}" for option in OPTIONS)]:
        for fmt in ("png", "svg"):
            assert (out / "charts" / f"{stem}.{fmt}").stat().st_size > 1000, stem
    assert "satisficing" in result.output and "regret_summary" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["kind"] == "robustness"
    assert manifest["samples"] == SAMPLES


def test_the_documented_experiment_runs_end_to_end(tmp_path):
    out = tmp_path / "iraq"
    experiment = ROOT / "experiments" / "iraq-options.yaml"
    result = invoke(experiment, "--samples 6 -n 2 --workers 2 --format png", out)
    assert result.exit_code == 0, result.output
    options = ["status-quo", "advisory", "withdrawal"]
    satisficing = read(out, "satisficing")
    assert sorted(satisficing["scenario"]) == sorted(options)
    assert (satisficing["futures"] == 6).all()
    assert satisficing["share_meeting_all"].between(0, 1).all()
    assert (read(out, "regret")["regret"] >= 0).all()
    assert read(out, "failures").empty
    experiments = read(out, "experiments")
    assert len(experiments) == 6 and "policy.announcements.1.announced" in experiments
    outcomes = read(out, "outcomes")
    assert len(outcomes) == 6 * len(options) * 2
    for stem in ["regret", *(f"boxes-{option}" for option in options)]:
        assert (out / "charts" / f"{stem}.png").is_file(), stem
