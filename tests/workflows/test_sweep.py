"""Sweeps of an experiment: tidy tables on disk, designs, worker invariance, common random
numbers across levers, and stop-and-resume, through ``sim.workflows.explore.sweep`` and
``sim sweep``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import sim.ensemble.sweep
from sim.cli import app
from sim.errors import OutputError, ScenarioError
from sim.workflows import explore

OPTIONS = ["status-quo", "advisory"]
INPUTS = ["threat.attacks_per_month", "cap"]
# Two levels of each input: samples 0, 1 share the low attack rate, 2, 3 the high one, and
# within each pair only the cap (a lever) differs.
FACTORIAL = {"design": "factorial", "levels": 2, "replications": 2, "seed": 1}
TABLES = ("experiments", "outcomes", "means", "monthly", "failures")


def invoke(experiment: Path, options: str, out: Path):
    """``sim sweep EXPERIMENT OPTIONS --out OUT``."""
    args = ["sweep", str(experiment), *options.split(), "--out", str(out)]
    return CliRunner().invoke(app, args)


def run_sweep(path: Path, out: Path, **options) -> explore.Exploration:
    kw = {**FACTORIAL, "workers": 1, "formats": ("png", "svg"), **options}
    return explore.sweep(path, out=out, **kw)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, experiment_file) -> Path:
    return experiment_file(tmp_path_factory.mktemp("experiment"))


@pytest.fixture(scope="module")
def swept(tiny, tmp_path_factory) -> explore.Exploration:
    return run_sweep(tiny, tmp_path_factory.mktemp("sweep") / "out")


def same_units(frame: pd.DataFrame) -> pd.DataFrame:
    """Datetimes in nanoseconds: Parquet keeps no second resolution, so units may differ."""
    out = frame.copy()
    for column in out.select_dtypes("datetime").columns:
        out[column] = out[column].astype("datetime64[ns]")
    return out


def from_csv(path: Path, like: pd.DataFrame) -> pd.DataFrame:
    frame = pd.read_csv(path)
    for column in like.select_dtypes("datetime").columns:
        frame[column] = pd.to_datetime(frame[column])
    return frame


# --- the tables --------------------------------------------------------------------------


@pytest.mark.parametrize("table", ["experiments", "outcomes"])
def test_tables_are_written_in_csv_and_parquet_and_read_back_equal(swept, table):
    frame = getattr(swept.sweep, table)
    parquet = pd.read_parquet(swept.out / f"{table}.parquet")
    pd.testing.assert_frame_equal(same_units(parquet), same_units(frame), check_exact=True)
    csv = from_csv(swept.out / f"{table}.csv", frame)
    pd.testing.assert_frame_equal(same_units(csv), same_units(frame), check_dtype=False, rtol=1e-12)


def test_one_row_per_sample_option_and_replication(swept):
    experiments, outcomes = swept.sweep.experiments, swept.sweep.outcomes
    assert list(experiments.columns) == ["sample", *INPUTS]
    assert list(experiments["sample"]) == [0, 1, 2, 3]
    assert experiments["cap"].tolist() == [1875, 2625, 1875, 2625]  # a whole-number field
    assert list(outcomes.columns[:3]) == ["sample", "scenario", "replication"]
    keys = outcomes[["sample", "scenario", "replication"]]
    expected = pd.DataFrame(
        [(s, o, r) for s in range(4) for o in OPTIONS for r in range(2)], columns=keys.columns
    )
    pd.testing.assert_frame_equal(keys, expected, check_dtype=False)
    assert {"total_cost_usd", "attacks", "days_over_cap"} <= set(outcomes.columns)
    assert not (outcomes.select_dtypes("number") < 0).any().any()  # counts, people, money
    means = swept.tables["means"]
    assert len(means) == 4 * len(OPTIONS)


def test_failures_table_is_written_even_when_empty(swept):
    failures = pd.read_csv(swept.out / "failures.csv")
    assert list(failures.columns) == ["sample", "scenario", "error"]
    assert failures.empty


def test_manifest_and_folder_of_a_finished_sweep(swept):
    manifest = json.loads((swept.out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["kind"] == "sweep"
    assert [manifest[k] for k in ("design", "samples", "replications")] == ["factorial", 4, 2]
    assert manifest["failures"] == 0
    assert manifest["experiment"]["name"] == "tiny"
    assert not (swept.out / "tasks").exists()  # checkpoints go once the tables are written
    for name in manifest["files"]:
        assert (swept.out / name).is_file(), name
    charts = {Path(f).name for f in manifest["files"]}
    assert {"scatter-total_cost_usd.png", "scatter-attacks.svg"} <= charts


def test_monthly_series_holds_every_month_of_every_task(swept):
    monthly = swept.tables["monthly"]
    assert list(monthly.columns) == ["sample", "scenario", "month", "cap_count_p90"]
    months = monthly["month"].unique()
    assert months[0] == "2021-06" and months[-1] == "2022-06"  # the scenarios' period
    assert len(monthly) == 4 * len(OPTIONS) * len(months)
    assert (monthly["cap_count_p90"] > 0).all()


# --- designs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("design", "samples", "levels", "expected"),
    [("lhs", 5, 3, 5), ("sobol", 4, 3, 4), ("factorial", 99, 3, 9)],
)
def test_designs_give_their_sample_counts_within_the_ranges(
    tmp_path, experiment_file, design, samples, levels, expected
):
    path = experiment_file(tmp_path, options=("status-quo",), outcomes={"attacks": "minimize"})
    sizes = {"samples": samples, "levels": levels, "replications": 1}
    result = explore.sweep(
        path, design=design, **sizes, workers=1, out=tmp_path / "out", formats=("png",)
    )
    experiments = result.sweep.experiments
    assert len(experiments) == expected
    assert len(result.sweep.outcomes) == expected  # one option, one replication
    assert experiments["threat.attacks_per_month"].between(2, 20).all()
    assert experiments["cap"].between(1500, 3000).all()
    if design == "factorial":  # three levels of each, every combination
        assert sorted(set(experiments["cap"])) == [1750, 2250, 2750]
        assert len(experiments.drop_duplicates(INPUTS)) == 9
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["samples"] == expected


# --- determinism and common random numbers -----------------------------------------------


def test_one_and_two_workers_give_identical_tables(swept, tiny, tmp_path):
    two = run_sweep(tiny, tmp_path / "two", workers=2, formats=("png",))
    assert json.loads((two.out / "manifest.json").read_text())["workers"] == 2
    for table in TABLES:
        pd.testing.assert_frame_equal(
            two.tables[table], swept.tables[table], check_exact=True, obj=table
        )
    for name in ("outcomes.csv", "experiments.csv", "monthly.csv"):
        assert (two.out / name).read_bytes() == (swept.out / name).read_bytes(), name


def test_samples_differing_only_in_a_lever_see_the_same_attacks(swept):
    # Attacks depend on the threat rate (and phases) alone; the cap changes who is there and
    # what it costs, not when attacks come.
    outcomes = swept.sweep.outcomes.set_index(["scenario", "sample"]).sort_index()
    experiments = swept.sweep.experiments.set_index("sample")

    def per_replication(option: str, sample: int, outcome: str) -> list:
        return outcomes.loc[(option, sample)].sort_values("replication")[outcome].tolist()

    for low_cap, high_cap in [(0, 1), (2, 3)]:
        rates = experiments.loc[[low_cap, high_cap], "threat.attacks_per_month"]
        assert rates.nunique() == 1
        assert experiments.loc[low_cap, "cap"] < experiments.loc[high_cap, "cap"]
        for option in OPTIONS:
            attacks = per_replication(option, low_cap, "attacks")
            assert attacks == per_replication(option, high_cap, "attacks"), option
            cost = per_replication(option, low_cap, "total_cost_usd")
            assert cost != per_replication(option, high_cap, "total_cost_usd"), "the lever acts"
    # A different threat does change them (the comparison above is not vacuous), and the
    # two replications are two different worlds.
    assert per_replication("status-quo", 0, "attacks") != per_replication(
        "status-quo", 2, "attacks"
    )
    assert len(set(per_replication("status-quo", 0, "attacks"))) == 2


# --- stop and resume ---------------------------------------------------------------------


def stop_after(tasks: int):
    """A progress callback that stops the sweep (like Ctrl-C) once ``tasks`` have finished."""

    def progress(done: int, total: int | None) -> None:
        if done >= tasks:
            raise KeyboardInterrupt

    return progress


def count_tasks(monkeypatch) -> list[tuple[int, int]]:
    """(sample, option) of every task run in this process from now on."""
    calls = []
    real = sim.ensemble.sweep._run_task

    def counting(task, *args):
        calls.append((task.sample, task.option))
        return real(task, *args)

    monkeypatch.setattr(sim.ensemble.sweep, "_run_task", counting)
    return calls


def saved_tasks(folder: Path) -> set[tuple[int, int]]:
    names = [p.name.split(".")[0] for p in (folder / "tasks").glob("*.json")]
    return {(int(s), int(o)) for s, o in (n.split("-") for n in names)}


@pytest.fixture
def interrupted(tiny, tmp_path) -> Path:
    folder = tmp_path / "stopped"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(tiny, folder, progress=stop_after(3), formats=("png",))
    return folder


def test_an_interrupted_sweep_keeps_its_finished_tasks(interrupted):
    assert json.loads((interrupted / "manifest.json").read_text())["status"] == "interrupted"
    assert len(saved_tasks(interrupted)) == 3
    assert not (interrupted / "outcomes.csv").exists()  # tables only once complete


def test_resume_runs_only_what_is_missing_and_equals_an_uninterrupted_sweep(
    interrupted, tiny, swept, monkeypatch
):
    saved = saved_tasks(interrupted)
    calls = count_tasks(monkeypatch)
    progress = []
    resumed = explore.sweep(
        tiny,
        **FACTORIAL,
        workers=1,
        resume=interrupted,
        formats=("png",),
        progress=lambda done, total: progress.append((done, total)),
    )
    everything = {(s, o) for s in range(4) for o in range(len(OPTIONS))}
    assert sorted(calls) == sorted(everything - saved)
    assert progress[0] == (len(saved), len(everything))  # starts from what was saved
    for table in TABLES:
        pd.testing.assert_frame_equal(
            resumed.tables[table], swept.tables[table], check_exact=True, obj=table
        )
    assert json.loads((interrupted / "manifest.json").read_text())["status"] == "complete"
    assert not (interrupted / "tasks").exists()


def test_a_complete_sweep_is_not_resumed(swept, tiny):
    with pytest.raises(OutputError, match="complete"):
        explore.sweep(tiny, **FACTORIAL, workers=1, resume=swept.out)


def test_resume_refuses_another_seed(interrupted, tiny):
    # As `sim run --resume` does: the saved tasks were run with seed 1 (and, for lhs or
    # sobol designs, at other points); mixing them with seed 2's would be silently wrong.
    # Today the saved tasks are reused as they are.
    with pytest.raises(OutputError, match="seed"):
        explore.sweep(
            tiny, **{**FACTORIAL, "seed": 2}, workers=1, resume=interrupted, formats=("png",)
        )


# --- the command -------------------------------------------------------------------------


def test_sim_sweep_writes_tables_and_charts(tiny, tmp_path):
    out = tmp_path / "cli"
    result = invoke(tiny, "--design lhs --samples 4 --replications 2 --seed 1 --workers 2", out)
    assert result.exit_code == 0, result.output
    assert "Results in" in result.output
    for table in ("experiments", "outcomes"):
        assert (out / f"{table}.csv").is_file() and (out / f"{table}.parquet").is_file()
    assert len(pd.read_csv(out / "outcomes.csv")) == 4 * len(OPTIONS) * 2
    for outcome in ("total_cost_usd", "attacks"):
        for fmt in ("png", "svg"):
            assert (out / "charts" / f"scatter-{outcome}.{fmt}").stat().st_size > 1000


def test_a_sweep_in_which_every_run_fails_reports_them(tiny, tmp_path, monkeypatch):
    # Today SweepResult.means() raises KeyError("['sample'] not found in axis") on an empty
    # outcomes table (sim/ensemble/sweep.py), so the failures are never written or shown.
    def failing(scenario, seed, replication):
        raise ScenarioError("injected failure", key="cap")

    monkeypatch.setattr(sim.ensemble.sweep, "replicate", failing)
    out = tmp_path / "out"
    options = "--design factorial --levels 2 -n 1 --workers 1 --format png"
    result = invoke(tiny, options, out)
    assert result.exit_code in (0, 2), repr(result.exception)
    assert "failed" in result.output
    if result.exit_code == 0:
        assert len(pd.read_csv(out / "failures.csv")) == 4 * len(OPTIONS)


def test_sim_sweep_refuses_an_unknown_design(tiny, tmp_path):
    result = invoke(tiny, "--design grid", tmp_path / "x")
    assert result.exit_code == 2
    assert "--design" in result.output and "Traceback" not in result.output


def test_sim_sweep_reports_a_bad_experiment_in_one_line(tmp_path, experiment_file):
    path = experiment_file(tmp_path, levers={"cap": [3000, 1500]})
    result = invoke(path, "", tmp_path / "x")
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"error: {path}:") and "levers.cap" in line
