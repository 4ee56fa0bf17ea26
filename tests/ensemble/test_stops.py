"""Wherever a run stops, its folder says so (issue 13): while the tables are written, on a
full disk, while the charts are drawn, and on a bug with a folder the user made."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pandas as pd
import pytest

import sim.workflows.finish
import sim.workflows.run
from sim.ensemble.runner import Plan
from sim.errors import OutputError, RunInterrupted
from sim.workflows.comparison import load_results
from sim.workflows.run import run_scenarios

from ..conftest import ADVISORY, SHORT_ADVISORY

PLAN = Plan(seed=4, replications=6, batch_size=2)


def run(folder: Path, *, resume: bool = False, **options):
    return run_scenarios(
        [ADVISORY],
        overrides=SHORT_ADVISORY,
        plan=PLAN,
        workers=1,
        out=None if resume else folder,
        resume=folder if resume else None,
        formats=("png",),
        **options,
    )


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def leftovers(folder: Path) -> list[str]:
    """Tables and temporary files in ``folder`` (batches and the manifest aside)."""
    return sorted(p.name for p in folder.iterdir() if p.suffix in (".csv", ".tmp", ".parquet"))


def fail_on_second_table(monkeypatch, error: BaseException) -> None:
    real, calls = sim.workflows.run.write_csv, []

    def write_csv(frame, path):
        calls.append(path)
        if len(calls) == 2:
            path.write_text("half a table")  # what a full disk leaves
            raise error
        return real(frame, path)

    monkeypatch.setattr(sim.workflows.run, "write_csv", write_csv)


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sim.workflows.finish.plots, "save_all", lambda *args, **kwargs: [])
        return run(tmp_path_factory.mktemp("whole") / "run")


def test_ctrl_c_while_writing_tables_leaves_interrupted_and_resumable(
    tmp_path, monkeypatch, no_charts, whole
):
    folder = tmp_path / "run"
    fail_on_second_table(monkeypatch, KeyboardInterrupt())
    with pytest.raises(RunInterrupted) as stop:
        run(folder)
    assert stop.value.status == "interrupted"
    assert manifest(folder)["status"] == "interrupted"
    assert leftovers(folder) == []  # no table of a run that is not complete
    assert (folder / "batches").is_dir()
    monkeypatch.undo()
    monkeypatch.setattr(sim.workflows.finish.plots, "save_all", lambda *args, **kwargs: [])
    resumed = run(folder, resume=True)
    assert manifest(folder)["status"] == "complete"
    pd.testing.assert_frame_equal(resumed.summary, whole.summary, check_exact=True)


def test_a_full_disk_is_one_line_and_the_run_can_be_completed(tmp_path, monkeypatch, no_charts):
    folder = tmp_path / "run"
    fail_on_second_table(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    with pytest.raises(OutputError) as caught:
        run(folder)
    assert str(caught.value) == (f"{folder}: could not write the results: No space left on device")
    assert manifest(folder)["status"] == "failed"
    assert leftovers(folder) == []
    assert (folder / "batches").is_dir()
    monkeypatch.undo()
    monkeypatch.setattr(sim.workflows.finish.plots, "save_all", lambda *args, **kwargs: [])
    run(folder, resume=True)
    assert manifest(folder)["status"] == "complete"


def test_ctrl_c_while_drawing_charts_leaves_a_complete_run_that_says_so(tmp_path, monkeypatch):
    folder = tmp_path / "run"
    comparison = sim.workflows.comparison.Comparison
    real = comparison.chart_makers

    def makers(self):
        drawn = dict(real(self))
        first = next(iter(drawn))

        def stop():
            raise KeyboardInterrupt

        return {first: drawn[first], "stopped-here": stop, **drawn}

    monkeypatch.setattr(comparison, "chart_makers", makers)
    with pytest.raises(RunInterrupted) as stop:
        run(folder)
    assert stop.value.status == "complete"
    m = manifest(folder)
    assert m["status"] == "complete"
    assert {f["error"] for f in m["charts_failed"]} == {"interrupted"}
    assert m["charts_failed"][0]["chart"] == "stopped-here"
    assert not (folder / "batches").exists()
    assert not (folder / "charts").exists() or not any((folder / "charts").iterdir())
    load_results(folder)  # the tables are whole


def test_a_bug_leaves_the_users_empty_folder_in_place(tmp_path, monkeypatch, no_charts):
    folder = tmp_path / "mine"
    folder.mkdir()

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(sim.workflows.run, "phases_table", broken)
    with pytest.raises(RuntimeError):
        run(folder)
    assert folder.is_dir()
    assert list(folder.iterdir()) == []


def test_a_long_run_is_announced_with_its_time_and_disk(tmp_path, monkeypatch, no_charts):
    notes: list[str] = []
    monkeypatch.setattr(sim.workflows.run, "LONG_SECONDS", 0)
    monkeypatch.setattr(sim.workflows.run, "LARGE_BYTES", 0)
    monkeypatch.setattr(sim.workflows.run, "ESTIMATE_AFTER", 2)
    run(tmp_path / "run", keep_series=True, notify=notes.append)
    assert len(notes) == 2
    assert notes[0].startswith("--keep-series will write about ")
    assert "free there" in notes[0]
    assert notes[1].startswith("6 replications will take about ")


def test_a_short_run_is_not_announced(tmp_path, no_charts):
    notes: list[str] = []
    run(tmp_path / "run", keep_series=True, notify=notes.append)
    assert notes == []
