"""The command line through typer's CliRunner: runs, outputs, errors and exit codes."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def advisory_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "advisory"
    args = ["run", "scenarios/advisory.yaml", "--out", str(out), "--seed", "3"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return out, result


def test_run_writes_the_promised_folder(advisory_run):
    out, result = advisory_run
    for name in ["timeseries.csv", "summary.csv", "events.csv", "manifest.json", "phases.csv"]:
        assert (out / name).stat().st_size > 0, name
    for chart in ["composition", "total-vs-cap", "movements"]:
        for fmt in ["png", "svg"]:
            assert (out / "charts" / f"{chart}.{fmt}").stat().st_size > 1000
    ts = pd.read_csv(out / "timeseries.csv")
    assert list(ts.columns[:6]) == [
        "scenario",
        "replication",
        "date",
        "role",
        "boots_on_ground",
        "cap_count",
    ]
    assert "Results in" in result.output and str(out) in result.output.replace("\n", "")
    assert "Main outcomes" in result.output


def test_manifest_records_provenance(advisory_run):
    out, _ = advisory_run
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 3
    assert manifest["replications"] == 1
    (scenario,) = manifest["scenarios"]
    assert scenario["name"] == "advisory"
    assert len(scenario["hash"]) == 64
    assert scenario["files"][-1].endswith("base.yaml")
    assert scenario["resolved"]["cap"] == 2500
    assert {"simpy", "numpy", "pandas"} <= set(manifest["packages"])
    assert manifest["run_seconds"] > 0


def test_no_staging_folders_left_behind(advisory_run):
    out, _ = advisory_run
    assert [p.name for p in out.parent.iterdir()] == [out.name]


def test_refuses_a_non_empty_out(tmp_path):
    out = tmp_path / "taken"
    out.mkdir()
    (out / "keep.txt").write_text("earlier results")
    result = runner.invoke(app, ["run", "scenarios/advisory.yaml", "--out", str(out)])
    assert result.exit_code == 2
    assert "not empty" in result.output
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert "Traceback" not in result.output


def test_default_folder_is_new_each_time(tmp_path, monkeypatch):
    scenario = str(Path("scenarios/status-quo.yaml").resolve())
    monkeypatch.chdir(tmp_path)
    for _ in range(2):
        result = runner.invoke(app, ["run", scenario, "--format", "png"])
        assert result.exit_code == 0, result.output
    folders = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert len(folders) == 2
    assert all(f.startswith("status-quo-") for f in folders)


def test_bad_scenario_exit_2_one_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: /nonexistent/base.yaml\n")
    result = runner.invoke(app, ["run", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert f"{bad}:1: extends:" in lines[0]
    assert not (tmp_path / "o").exists()


def test_bad_override_names_the_key(tmp_path):
    key = "policy.announcements.2.deadline"
    result = runner.invoke(
        app, ["validate", "scenarios/advisory.yaml", "--set", f"{key}=2021-01-01"]
    )
    assert result.exit_code == 2
    assert f"--set: {key}: it ends (2021-01-01) before it starts" in result.output


def test_validate_ok():
    result = runner.invoke(app, ["validate", "scenarios/withdrawal.yaml"])
    assert result.exit_code == 0
    assert "valid scenario 'withdrawal'" in result.output


def hq_line() -> int:
    """The line of the headquarters share in advisory.yaml (announcement 1)."""
    rows = Path("scenarios/advisory.yaml").read_text(encoding="utf-8").split("\n")
    (line,) = [n for n, row in enumerate(rows, 1) if row.strip().startswith("headquarters:")]
    return line


def warning_lines(text: str) -> list[str]:
    """The warning lines in ``text``, checking that the one expected is there once (the mix
    is written once and carried into the next announcement: one warning, where written)."""
    found = [line for line in text.splitlines() if line.startswith("warning: ")]
    assert [line.split(": ")[1:3] for line in found] == [
        [f"scenarios/advisory.yaml:{hq_line()}", "policy.announcements.1.mix.headquarters"],
    ]
    return found


def test_validate_prints_each_scenario_warning_once_and_carries_on():
    result = runner.invoke(app, ["validate", "scenarios/advisory.yaml", "--set", "cap=2000"])
    assert result.exit_code == 0, result.output
    assert "valid scenario 'advisory'" in result.stdout
    (line,) = warning_lines(result.stderr)
    assert "16% of 1,960 (98% of the cap) is 314 people" in line
    assert "add up to 2,016, above the cap of 2,000" in line
    assert "warning" not in runner.invoke(app, ["validate", "scenarios/advisory.yaml"]).output


def test_run_prints_the_warnings_and_still_runs(tmp_path):
    out = tmp_path / "o"
    args = [
        "run",
        "scenarios/advisory.yaml",
        "--set",
        "cap=2000",
        "--out",
        str(out),
        "--format",
        "png",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    warning_lines(result.stderr)
    assert (out / "manifest.json").exists()


def test_a_scenario_loaded_twice_warns_once(monkeypatch):
    # As `sim calibrate` does: it loads the scenario it fits for each candidate.
    import sim.scenario

    load = sim.scenario.load_scenario

    def load_twice(*args, **kwargs):
        load(*args, **kwargs)
        return load(*args, **kwargs)

    monkeypatch.setattr(sim.scenario, "load_scenario", load_twice)
    result = runner.invoke(app, ["validate", "scenarios/advisory.yaml", "--set", "cap=2000"])
    assert result.exit_code == 0, result.output
    warning_lines(result.stderr)


def test_python_does_not_print_the_warnings_as_well():
    # Outside pytest (which records warnings itself), Python would print each warning as two
    # lines of its own besides ours.
    code = "from sim.cli import main; main()"
    args = ["validate", "scenarios/advisory.yaml", "--set", "cap=2000"]
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert warning_lines(done.stderr) == done.stderr.splitlines()


def test_schema_is_json():
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["additionalProperties"] is False
    assert "policy" in schema["properties"]


def test_overrides_reach_the_run(tmp_path):
    out = tmp_path / "o"
    args = [
        "run",
        "scenarios/withdrawal.yaml",
        "--out",
        str(out),
        "--format",
        "png",
        "--set",
        "airlift.sorties_per_week=1.5",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenarios"][0]["resolved"]["airlift"]["sorties_per_week"] == 1.5
    assert not list((out / "charts").glob("*.svg"))
    summary = pd.read_csv(out / "summary.csv")
    assert summary.withdrawal_days_late.iloc[0] > 0


def test_unknown_format_rejected(tmp_path):
    args = ["run", "scenarios/advisory.yaml", "--out", str(tmp_path / "o"), "--format", "gif"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "gif" in result.output


def test_format_none_writes_tables_only_and_report_draws_later(tmp_path, advisory_run):
    charted, _ = advisory_run
    out = tmp_path / "tables"
    result = runner.invoke(
        app,
        ["run", "scenarios/advisory.yaml", "--format", "none", "--seed", "3", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert not (out / "charts").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert not [f for f in manifest["files"] if f.startswith("charts/")]
    for table in ("summary", "bands", "timeseries", "events"):  # the same numbers
        assert (out / f"{table}.csv").read_bytes() == (charted / f"{table}.csv").read_bytes()
    assert runner.invoke(app, ["report", str(out)]).exit_code == 0
    assert (out / "report.html").is_file()


@pytest.mark.parametrize("formats", ["bogus", "none,png", ","])
def test_bad_format_is_one_line(tmp_path, formats):
    result = runner.invoke(
        app, ["run", "scenarios/advisory.yaml", "--format", formats, "--out", str(tmp_path / "x")]
    )
    assert result.exit_code == 2
    assert "--format: unknown format" in result.output
    assert not (tmp_path / "x").exists()
