"""Runs as separate processes (issue 13): two runs racing for one folder, and SIGTERM.

Two ``sim run`` into one ``--out``, started together: exactly one proceeds, the other
exits 2 with one line, and the folder holds one scenario's manifest, tables and phases.
SIGTERM stops a run as Ctrl-C does: ``interrupted``, exit 130, resumable.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.workflows.comparison import load_results

SIM = [sys.executable, "-c", "from sim.cli import main; main()"]


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*SIM, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=300)
    return proc.returncode, out, err


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("executor", ["processes", "dask"])
def test_two_runs_into_one_folder_never_mix(tmp_path, executor):
    out = tmp_path / "same"
    common = [
        "-n",
        "4",
        "--executor",
        executor,
        "--workers",
        "1",
        "--format",
        "png",
        "--out",
        str(out),
    ]
    runs = {
        "advisory": start("run", "scenarios/advisory.yaml", "--seed", "1", *common),
        "status-quo": start("run", "scenarios/status-quo.yaml", "--seed", "2", *common),
    }
    results = {name: finish(p) for name, p in runs.items()}
    codes = sorted(code for code, _, _ in results.values())
    assert codes == [0, 2], results
    (winner,) = [name for name, (code, _, _) in results.items() if code == 0]
    (_, _, refused) = next(r for r in results.values() if r[0] == 2)
    assert len(lines(refused)) == 1, refused
    assert lines(refused)[0].startswith(f"error: {out}: ")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert [s["name"] for s in manifest["scenarios"]] == [winner]
    for table in ("summary", "outcomes", "phases", "bands", "timeseries", "events"):
        assert set(pd.read_csv(out / f"{table}.csv")["scenario"]) == {winner}, table
    assert load_results(out).manifest["run_id"] == manifest["run_id"]


def test_sigterm_leaves_an_interrupted_run_that_resumes(tmp_path):
    out = tmp_path / "run"
    args = ["run", "scenarios/advisory.yaml", "-n", "400", "--workers", "1", "--format", "png"]
    proc = start(*args, "--out", str(out))
    deadline = time.monotonic() + 120
    # two saved batches: the first is then counted too (one process saves, counts, runs on)
    while len(list((out / "batches").glob("*.npz"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    code, _, err = finish(proc)
    assert code == 130, err
    assert f"--resume {out}" in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    assert 0 < manifest["replications_done"]["advisory"] < 400
    assert list((out / "batches").glob("*.npz"))


def test_a_refused_folder_is_left_as_it_was(tmp_path):
    out = tmp_path / "taken"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    proc = start("run", "scenarios/advisory.yaml", "-n", "1", "--out", str(out))
    code, _, err = finish(proc)
    assert code == 2
    assert lines(err) == [
        f"error: {out}: exists and is not empty; choose a new folder "
        "(results are never overwritten)"
    ]
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def test_an_out_under_a_file_is_one_line(tmp_path):
    (tmp_path / "afile").write_text("x")
    out = Path(tmp_path / "afile" / "sub")
    proc = start("run", "scenarios/advisory.yaml", "-n", "1", "--out", str(out))
    code, _, err = finish(proc)
    assert (code, lines(err)) == (2, [f"error: {out}: cannot create the folder: Not a directory"])
