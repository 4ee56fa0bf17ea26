"""Stop and resume: finished batches are kept, and a resumed run equals an uninterrupted one."""

import json

import pandas as pd
import pytest

import sim
import sim.ensemble.runner
import sim.workflows.finish
from sim.ensemble.checkpoint import load_batch, save_batch, saved_batches
from sim.ensemble.runner import Plan
from sim.ensemble.worker import replicate_batch
from sim.errors import OutputError
from sim.workflows.run import run_scenarios

from ..conftest import ADVISORY, SHORT_ADVISORY, UNCERTAIN, pins

OVERRIDES = [*SHORT_ADVISORY, *UNCERTAIN]
PLAN = Plan(seed=5, replications=20, batch_size=4)  # five batches


def run(folder, *, plan=PLAN, overrides=OVERRIDES, workers=1, resume=False, progress=None):
    return run_scenarios(
        [ADVISORY],
        overrides=overrides,
        plan=plan,
        workers=workers,
        out=None if resume else folder,
        resume=folder if resume else None,
        formats=("png",),
        progress=progress,
    )


def stop_after(batches: int, size: int = PLAN.batch_size):
    """A progress callback that stops the run (like Ctrl-C) once ``batches`` have finished."""

    def progress(done: int, total: int | None) -> None:
        if done >= batches * size:
            raise KeyboardInterrupt

    return progress


def manifest(folder):
    return json.loads((folder / "manifest.json").read_text())


def run_id(folder) -> str:
    return manifest(folder)["run_id"]


def scenarios():
    return [sim.load_scenario(ADVISORY, OVERRIDES)]


def count_batches(monkeypatch) -> list[tuple[int, int]]:
    """(first replication, count) of every batch run in this process from now on."""
    calls = []
    real = sim.ensemble.runner.replicate_batch

    def counting(scenario, index, seed, first, count):
        calls.append((first, count))
        return real(scenario, index, seed, first, count)

    monkeypatch.setattr(sim.ensemble.runner, "replicate_batch", counting)
    return calls


def saved_replications(folder) -> list[int]:
    """The replications in the batch files of ``folder``."""
    return [
        k
        for _, first, path in saved_batches(folder)
        for k in range(first, first + len(load_batch(path, run_id(folder), scenarios()).rows))
    ]


@pytest.fixture
def interrupted(tmp_path, no_charts):
    folder = tmp_path / "stopped"
    with pytest.raises(KeyboardInterrupt):
        run(folder, progress=stop_after(2))
    return folder


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("whole") / "run"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sim.workflows.finish.plots, "save_all", lambda *args, **kwargs: [])
        return run(folder)


def test_an_interrupted_run_leaves_its_finished_batches(interrupted):
    m = manifest(interrupted)
    assert m["status"] == "interrupted"
    assert m["replications_done"] == {"advisory": 8}
    assert [first for _, first, _ in saved_batches(interrupted)] == [0, 4]
    assert not (interrupted / "summary.csv").exists()  # tables only when the run completes


def test_resume_runs_only_the_missing_batches(interrupted, uninterrupted, monkeypatch):
    calls = count_batches(monkeypatch)
    resumed = run(interrupted, resume=True)
    assert calls == [(8, 4), (12, 4), (16, 4)]
    for table in ("summary", "bands", "movements", "timeseries", "events"):
        pd.testing.assert_frame_equal(
            getattr(resumed.result, table),
            getattr(uninterrupted.result, table),
            check_exact=True,
            obj=table,
        )
    assert resumed.manifest["status"] == "complete"
    assert resumed.manifest["replications"] == 20
    assert manifest(interrupted)["status"] == "complete"
    assert not (interrupted / "batches").exists()
    written = pd.read_csv(interrupted / "summary.csv")
    assert list(written["replication"]) == list(range(20))


def test_resume_after_processes_in_this_process(tmp_path, no_charts, uninterrupted, monkeypatch):
    """Stopped with two worker processes (any batches may be done, of any size: some ran in
    this process while the workers started, and the last are smaller), finished here."""
    folder = tmp_path / "stopped"
    with pytest.raises(KeyboardInterrupt):
        run(folder, workers=2, progress=stop_after(2))
    assert manifest(folder)["status"] == "interrupted"
    saved = saved_replications(folder)
    assert len(saved) >= 8
    calls = count_batches(monkeypatch)
    resumed = run(folder, resume=True)
    ran = [k for first, count in calls for k in range(first, first + count)]
    assert sorted(saved + ran) == list(range(20))  # each one once
    pd.testing.assert_frame_equal(resumed.summary, uninterrupted.summary, check_exact=True)
    pd.testing.assert_frame_equal(
        resumed.result.bands, uninterrupted.result.bands, check_exact=True
    )


def test_resume_runs_the_gaps_between_saved_batches(interrupted, uninterrupted, monkeypatch):
    """Saved batches need not fall on multiples of the batch size (with workers the last are
    smaller): a resumed run runs the replications missing, wherever they are."""
    scenario = sim.load_scenario(ADVISORY, OVERRIDES)
    batch = replicate_batch(scenario, 0, PLAN.seed, 10, 4)
    save_batch(interrupted, batch, run_id(interrupted))  # 0-7 and 10-13 saved
    calls = count_batches(monkeypatch)
    resumed = run(interrupted, resume=True)
    assert calls == [(8, 2), (14, 4), (18, 2)]
    pd.testing.assert_frame_equal(resumed.summary, uninterrupted.summary, check_exact=True)
    pd.testing.assert_frame_equal(
        resumed.result.bands, uninterrupted.result.bands, check_exact=True
    )


def test_a_complete_run_is_not_resumed(uninterrupted, no_charts):
    with pytest.raises(OutputError, match="complete"):
        run(uninterrupted.out, resume=True)


def test_resume_refuses_another_seed(interrupted):
    with pytest.raises(OutputError, match="seed"):
        run(interrupted, plan=Plan(seed=6, replications=20, batch_size=4), resume=True)
    assert manifest(interrupted)["status"] == "interrupted"  # left as it was


def test_resume_refuses_other_replications_or_batches(interrupted):
    with pytest.raises(OutputError):
        run(interrupted, plan=Plan(seed=5, replications=24, batch_size=4), resume=True)
    with pytest.raises(OutputError, match="batch"):
        run(interrupted, plan=Plan(seed=5, replications=20, batch_size=5), resume=True)


def test_resume_refuses_another_scenario(interrupted):
    with pytest.raises(OutputError, match="scenario"):
        run(interrupted, overrides=[*OVERRIDES, "cap=2400"], resume=True)


def test_resume_refuses_another_distribution(interrupted):
    """Same median, other spread: the draws differ, so the saved batches do not fit."""
    other = [
        *SHORT_ADVISORY,
        UNCERTAIN[0],
        "unit_types.adviser_team.lead_time_days={distribution: uniform, low: 60, high: 120}",
    ]
    with pytest.raises(OutputError, match="scenario"):
        run(interrupted, overrides=other, resume=True)


def test_resume_needs_a_run_folder(tmp_path):
    with pytest.raises(OutputError, match="manifest"):
        run(tmp_path, resume=True)


def test_a_resumed_automatic_run_stops_where_an_uninterrupted_one_does(tmp_path, no_charts):
    """With ``replications=None`` the stop is decided at whole rounds, resumed or not.

    Here the headline means are precise enough at 40 replications but not at 20; 30 would
    do too, so a resumed run that judges the 30 it finds saved stops too early.
    """
    overrides = [*SHORT_ADVISORY, *pins(ADVISORY, *SHORT_ADVISORY)]
    overrides.append("threat.casualties_per_attack=2")
    plan = Plan(seed=3, replications=None, precision=0.07, batch_size=10, round_size=20)
    whole = run(tmp_path / "whole", plan=plan, overrides=overrides)
    assert whole.result.replications == 40
    folder = tmp_path / "stopped"
    with pytest.raises(KeyboardInterrupt):
        run(folder, plan=plan, overrides=overrides, progress=stop_after(3, 10))  # in round two
    assert [first for _, first, _ in saved_batches(folder)] == [0, 10, 20]
    resumed = run(folder, plan=plan, overrides=overrides, resume=True)
    assert resumed.result.replications == 40
    pd.testing.assert_frame_equal(resumed.summary, whole.summary, check_exact=True)
