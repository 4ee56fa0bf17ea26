"""Ensembles end to end: ``sim run -n ...`` through typer's CliRunner, and ``run_scenarios``.

One run draws its charts (skipped while the fan charts do not exist); the others leave the
charts out (``no_charts``), as they check the tables and the manifest.
"""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

import sim.plots
from sim.cli import app
from sim.ensemble.runner import BAND_COLUMNS, Plan
from sim.scenario.outcomes import PRECISE
from sim.workflows.run import run_scenarios

from ..conftest import ADVISORY, SHORT_ADVISORY, STATUS_QUO

runner = CliRunner()


@pytest.fixture(scope="module")
def twelve(tmp_path_factory):
    if not hasattr(sim.plots, "total_fan"):
        pytest.skip("the charts for several replications (sim.plots.total_fan) are not written yet")
    out = tmp_path_factory.mktemp("cli") / "advisory"
    args = ["run", ADVISORY, "-n", "12", "--batch-size", "4", "--workers", "2", "--seed", "7"]
    result = runner.invoke(app, [*args, "--out", str(out), "--format", "png"])
    assert result.exit_code == 0, result.output
    return out


def test_run_writes_bands_summary_and_events(twelve):
    bands = pd.read_csv(twelve / "bands.csv")
    assert list(bands.columns) == BAND_COLUMNS
    assert "total" in set(bands["role"])
    assert set(bands["measure"]) == {"boots_on_ground", "cap_count"}
    assert (bands["replications"] == 12).all()
    summary = pd.read_csv(twelve / "summary.csv")
    assert len(summary) == 12
    assert list(summary["replication"]) == list(range(12))
    events = pd.read_csv(twelve / "events.csv")
    assert len(events) > 0
    assert set(events["replication"]) == {0}
    assert not (twelve / "batches").exists()
    assert (twelve / "charts" / "total-vs-cap.png").stat().st_size > 1000


def test_manifest_records_the_ensemble(twelve):
    manifest = json.loads((twelve / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["replications"] == 12
    assert manifest["seed"] == 7
    assert manifest["executor"] == "processes"
    assert manifest["workers"] == 2
    assert manifest["plan"]["batch_size"] == 4
    assert manifest["bands_exact"] is True


def test_auto_replications_stop_at_the_maximum(tmp_path, no_charts):
    out = tmp_path / "auto"
    args = ["run", ADVISORY, *[f"--set={s}" for s in SHORT_ADVISORY], "-n", "auto"]
    args += ["--precision", "0.0001", "--max-replications", "10", "--batch-size", "5"]
    result = runner.invoke(app, [*args, "--workers", "1", "--out", str(out), "--format", "png"])
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(out / "summary.csv")) == 10
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["plan"]["replications"] is None
    assert manifest["plan"]["precision"] == 0.0001
    assert manifest["replications"] == 10
    assert set(manifest["precision_reached"]) >= {"casualties", "mean_cap_count"}


@pytest.mark.parametrize("value", ["abc", "0", "1.5", ""])
def test_bad_replications_are_one_line_and_exit_2(tmp_path, value):
    out = tmp_path / "never"
    result = runner.invoke(app, ["run", ADVISORY, "--replications", value, "--out", str(out)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "--replications" in lines[0] and "auto" in lines[0]
    assert not out.exists()


def test_a_distribution_that_can_leave_its_field_is_a_user_error(tmp_path, no_charts):
    """Negative attack rates are drawn one time in five: one line and exit 2, no traceback."""
    out = tmp_path / "never"
    spec = "threat.attacks_per_month={distribution: normal, mean: 8, sd: 10}"
    args = ["run", ADVISORY, "--set", spec, "-n", "12", "--workers", "1", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, f"{result.exception!r}"
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "threat.attacks_per_month" in lines[0], result.output
    assert not out.exists()


def test_run_scenarios_side_by_side(tmp_path, no_charts):
    result = run_scenarios(
        [STATUS_QUO, ADVISORY],
        plan=Plan(seed=2, replications=8, batch_size=4),
        workers=1,
        out=tmp_path / "both",
        reference="status-quo",
        formats=("png",),
    )
    assert result.out == tmp_path / "both"
    assert len(result.summary) == 16
    assert set(result.result.bands["scenario"]) == {"status-quo", "advisory"}
    assert set(result.outcomes["scenario"]) == {"status-quo", "advisory"}
    assert set(result.differences["scenario"]) == {"advisory"}
    assert set(result.differences["reference"]) == {"status-quo"}
    paired = result.differences.set_index("outcome")["n"]
    assert (paired[list(PRECISE)] == 8).all()
    assert result.manifest["status"] == "complete"
    written = pd.read_csv(result.out / "differences.csv")
    assert len(written) == len(result.differences)
