"""A run folder is data: resuming one prepared by someone else runs no code (issue 13).

Resume used to unpickle ``batches/*.pkl.gz`` (and sweeps ``tasks/*.pkl.gz``), and a copied
genuine manifest passed its checks. Now batches are ``.npz`` read without pickle and JSON,
carrying the run's id; anything else is refused with one line naming the file.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import pickle
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.ensemble import checkpoint
from sim.ensemble.runner import Plan
from sim.ensemble.worker import replicate_batch
from sim.errors import OutputError
from sim.workflows.run import run_scenarios

from ..conftest import ADVISORY, SHORT_ADVISORY

PLAN = Plan(seed=3, replications=8, batch_size=2)
MARKER = "pwned-by-a-batch-file"


class _Payload:
    """Unpickling this runs ``os.system``: what a hostile batch file would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def run(folder: Path, *, resume: bool = False, progress=None):
    return run_scenarios(
        [ADVISORY],
        overrides=SHORT_ADVISORY,
        plan=PLAN,
        workers=1,
        out=None if resume else folder,
        resume=folder if resume else None,
        formats=("png",),
        progress=progress,
    )


def stop_after(replications: int):
    def progress(done, total):
        if done >= replications:
            raise KeyboardInterrupt

    return progress


@pytest.fixture
def stopped(tmp_path, no_charts) -> Path:
    folder = tmp_path / "stopped"
    with pytest.raises(KeyboardInterrupt):
        run(folder, progress=stop_after(4))
    assert sorted(p.name for p in (folder / "batches").iterdir()) == [
        "000-00000000.npz",
        "000-00000002.npz",
    ]
    return folder


def run_id(folder: Path) -> str:
    return json.loads((folder / "manifest.json").read_text())["run_id"]


def pickled(payload: object) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb") as fh:
        pickle.dump(payload, fh)
    return buffer.getvalue()


def npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def meta(folder: Path, **changes) -> np.ndarray:
    good = {
        "format": 1,
        "run_id": run_id(folder),
        "index": 0,
        "first": 0,
        "rows": [
            {"scenario": "advisory", "replication": 0},
            {"scenario": "advisory", "replication": 1},
        ],
        "sim_events": 1,
        "seconds": 0.1,
    }
    return np.array(json.dumps({**good, **changes}))


def counts(stopped: Path) -> np.ndarray:
    with np.load(stopped / "batches" / "000-00000000.npz") as data:
        return data["counts"]


HOSTILE = {
    "a pickle named as a batch": lambda d, m: pickled(_Payload(m)),
    "an object array (pickle inside npz)": lambda d, m: npz(
        counts=np.array([_Payload(m)], dtype=object), meta=meta(d)
    ),
    "another run's batch": lambda d, m: npz(counts=counts(d), meta=meta(d, run_id="0" * 32)),
    "counts of the wrong shape": lambda d, m: npz(counts=np.zeros((2, 1), np.int32), meta=meta(d)),
    "impossible counts": lambda d, m: npz(counts=counts(d) - 5, meta=meta(d)),
    "rows of another replication": lambda d, m: npz(
        counts=counts(d), meta=meta(d, rows=[{"scenario": "advisory", "replication": 7}] * 2)
    ),
    "not JSON": lambda d, m: npz(counts=counts(d), meta=np.array("{not json")),
    "garbage": lambda d, m: os.urandom(200),
}


@pytest.mark.parametrize("make", list(HOSTILE.values()), ids=list(HOSTILE))
def test_resume_refuses_a_hostile_batch_and_runs_nothing_foreign(stopped, tmp_path, make):
    marker = tmp_path / MARKER
    (stopped / "batches" / "000-00000000.npz").write_bytes(make(stopped, marker))
    with pytest.raises(OutputError, match=r"000-00000000\.npz: not a file this run wrote"):
        run(stopped, resume=True)
    assert not marker.exists()
    assert json.loads((stopped / "manifest.json").read_text())["status"] == "failed"


def test_old_pickle_batches_are_never_read(stopped, tmp_path, no_charts):
    marker = tmp_path / MARKER
    (stopped / "batches" / "000-00000004.pkl.gz").write_bytes(pickled(_Payload(marker)))
    resumed = run(stopped, resume=True)
    assert not marker.exists()
    assert resumed.manifest["status"] == "complete"


def test_a_manifest_that_is_not_a_run_is_refused(stopped):
    (stopped / "manifest.json").write_text('["a list", {"run_id": 1}]')
    with pytest.raises(OutputError, match="not a file this run wrote"):
        run(stopped, resume=True)
    (stopped / "manifest.json").write_text('{"status": "interrupted"}')
    with pytest.raises(OutputError, match="names no run"):
        run(stopped, resume=True)


def test_a_batch_round_trips_with_dates_and_missing_values(tmp_path):
    scenario = sim.load_scenario(ADVISORY, SHORT_ADVISORY)
    batch = replicate_batch(scenario, 0, 3, 0, 2)
    checkpoint.save_batch(tmp_path, batch, "a" * 32)
    (path,) = [p for _, _, p in checkpoint.saved_batches(tmp_path)]
    back = checkpoint.load_batch(path, "a" * 32, [scenario])
    assert back.rows == batch.rows or _same_rows(back.rows, batch.rows)
    assert np.array_equal(back.counts, batch.counts)
    assert {type(v).__name__ for v in back.rows[0].values()} == {
        type(v).__name__ for v in batch.rows[0].values()
    }


def _same_rows(a: list[dict], b: list[dict]) -> bool:
    """Equal, NaN and NaT counting as equal to themselves."""
    import pandas as pd

    return all(
        ra.keys() == rb.keys()
        and all((pd.isna(ra[k]) and pd.isna(rb[k])) or ra[k] == rb[k] for k in ra)
        for ra, rb in zip(a, b, strict=True)
    )


def test_a_hostile_sweep_task_is_refused_and_pickles_never_read(tmp_path):
    from sim.ensemble.sweep import _saved, _Task

    tasks = [_Task(0, 0, {})]
    folder = tmp_path / "sweep"
    (folder / "tasks").mkdir(parents=True)
    marker = tmp_path / MARKER
    (folder / "tasks" / "000000-00.pkl.gz").write_bytes(pickled(_Payload(marker)))
    assert _saved(folder, "b" * 32, tasks) == {}  # not read at all
    assert not marker.exists()
    task = {"run_id": "b" * 32, "sample": 0, "option": 0, "rows": "x", "monthly": [], "error": None}
    (folder / "tasks" / "000000-00.json").write_text(json.dumps(task))
    with pytest.raises(OutputError, match=r"000000-00\.json: not a file this run wrote"):
        _saved(folder, "b" * 32, tasks)
    with pytest.raises(OutputError, match="another run"):
        _saved(folder, "c" * 32, tasks)
