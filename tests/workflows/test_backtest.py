"""``sim backtest`` and ``sim calibrate`` end to end, on the short 2020-2021 episode.

The metrics themselves are checked against known answers in tests/analysis/test_backtest.py;
these check the commands: what they write, what they print, and their mistakes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import sim
from sim.cli import app

ROOT = Path(__file__).resolve().parents[2]
EPISODE = ROOT / "scenarios" / "history" / "iraq-2020-2021.yaml"
OBSERVED = ROOT / "seeds" / "data" / "iraq_2020_2025.csv"
runner = CliRunner()


@pytest.fixture(scope="module")
def backtest(tmp_path_factory):
    out = tmp_path_factory.mktemp("backtest") / "out"
    args = [
        "backtest",
        str(EPISODE),
        "--observed",
        str(OBSERVED),
        "-n",
        "4",
        "--seed",
        "2",
        "--moment",
        "3000",
        "--out",
        str(out),
        "--format",
        "png",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return out, result.output


def test_backtest_writes_its_tables_chart_and_metrics(backtest):
    out, _ = backtest
    points = pd.read_csv(out / "backtest.csv")
    observed = pd.read_csv(OBSERVED)
    assert len(points) == len(observed)
    assert points["scored"].sum() == json.loads((out / "metrics.json").read_text())["points"]
    assert (out / "charts" / "backtest.png").stat().st_size > 1000
    timing = pd.read_csv(out / "timing.csv")
    assert 3000 in timing["level"].tolist()  # the moment asked for, beside the defaults
    assert json.loads((out / "manifest.json").read_text())["kind"] == "backtest"


def test_backtest_prints_what_it_wrote(backtest):
    out, printed = backtest
    metrics = json.loads((out / "metrics.json").read_text())
    flat = " ".join(printed.split())
    assert f"MAPE on the total cap count: {metrics['mape_percent']:.1f}%" in flat
    assert f"90% band: {metrics['share_inside_90']:.0%}" in flat
    assert f"band width on average {metrics['band_width_percent']:.0f}%" in flat


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        ("date,us_troops\n2020-01-05,5200\n2020-09-09,lots\n", 3, "us_troops"),
        ("date,us_troops\n2020-01-05,5200\n2020-09-09,-4\n", 3, "us_troops"),
        ("date,us_troops\n2020-01-05,\n", 2, "us_troops"),
        ("date,us_troops\nsoon,5200\n", 2, "date"),
        ("when,us_troops\n2020-01-05,5200\n", 1, "date"),
    ],
    ids=["words", "negative", "empty", "bad date", "no date column"],
)
def test_a_bad_observed_file_is_one_line_naming_file_line_and_key(tmp_path, text, line, key):
    bad = tmp_path / "observed.csv"
    bad.write_text(text)
    args = [
        "backtest",
        str(EPISODE),
        "--observed",
        str(bad),
        "-n",
        "2",
        "--out",
        str(tmp_path / "out"),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.output.strip().startswith(f"error: {bad}:{line}: {key}:")
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def calibration(tmp_path_factory):
    folder = tmp_path_factory.mktemp("calibration")
    doc = {
        "name": "tiny",
        "fit": {"scenario": str(EPISODE), "observed": str(OBSERVED)},
        "check": {"scenario": str(EPISODE), "observed": str(OBSERVED)},
        "parameters": {"tour_extension_days": [0, 60], "planning_interval_days": [3, 30]},
        "samples": 3,
        "replications": 2,
        "seed": 1,
    }
    path = folder / "tiny.yaml"
    path.write_text(json.dumps(doc))  # JSON is YAML
    out = folder / "out"
    result = runner.invoke(app, ["calibrate", str(path), "--out", str(out), "--format", "png"])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_calibration_keeps_the_candidate_with_the_lowest_mape(calibration):
    out, _ = calibration
    candidates = pd.read_csv(out / "candidates.csv")
    assert len(candidates) == 3
    assert candidates["tour_extension_days"].between(0, 60).all()
    best = candidates.loc[candidates["mape_percent"].idxmin()]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"] == {
        "tour_extension_days": int(best["tour_extension_days"]),
        "planning_interval_days": int(best["planning_interval_days"]),
    }


def test_the_calibrated_file_is_a_scenario_with_the_fitted_values(calibration):
    out, _ = calibration
    manifest = json.loads((out / "manifest.json").read_text())
    scenario = sim.load_scenario(out / "calibrated.yaml")
    assert scenario.tour_extension_days == manifest["parameters"]["tour_extension_days"]
    assert scenario.planning_interval_days == manifest["parameters"]["planning_interval_days"]
    assert scenario.start == sim.load_scenario(EPISODE).start  # it extends the fitted episode


def test_calibration_reports_the_episode_as_written_beside_the_fit(calibration):
    out, printed = calibration
    manifest = json.loads((out / "manifest.json").read_text())
    for part in ("fit", "as_written", "check"):
        assert 0 <= manifest[part]["mape_percent"] < 100
    flat = " ".join(printed.split())
    assert f"as written, for comparison: MAPE {manifest['as_written']['mape_percent']:.1f}%" in flat
    assert f"Out of sample: MAPE {manifest['check']['mape_percent']:.1f}%" in flat
    for chart in ("fit-backtest.png", "check-backtest.png"):
        assert (out / "charts" / chart).stat().st_size > 1000
