"""Workers never outlive the driver: after ``kill -9`` of the process that started them, every
process it started exits (issue 13, defect 8).

A driver in a subprocess keeps two workers busy, is killed, and the test waits (generously)
for the rest of its process tree to go.
"""

from __future__ import annotations

import contextlib
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

psutil = pytest.importorskip("psutil")  # comes with dask.distributed

ROOT = Path(__file__).resolve().parents[2]
# Up: the executor is made, its workers exist and are busy for far longer than the test.
DRIVER = """
import sys, time
from sim.ensemble.executors import make_executor

ex = make_executor(sys.argv[1], 2)
if hasattr(ex, "wait_started"):
    ex.wait_started()
busy = [ex.submit(time.sleep, 600) for _ in range(4)]
print("up", flush=True)
time.sleep(600)
"""
GONE_WITHIN = 10.0  # seconds; a bound for a stuck process, not a measure of speed


def start_driver(kind: str) -> subprocess.Popen:
    driver = subprocess.Popen(
        [sys.executable, "-c", DRIVER, kind], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    ready, _, _ = select.select([driver.stdout], [], [], 120)
    line = driver.stdout.readline() if ready else ""
    if line.strip() != "up":
        driver.kill()
        driver.wait()
        pytest.fail(f"the driver did not start its {kind} workers (exit {driver.poll()})")
    return driver


def alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def describe(process: psutil.Process) -> str:
    try:
        return f"{process.pid}: {' '.join(process.cmdline())[:100]}"
    except psutil.NoSuchProcess:
        return f"{process.pid}: (gone)"


@pytest.mark.parametrize("kind", ["processes", "dask"])
def test_workers_exit_when_the_driver_is_killed(kind):
    if kind == "dask":
        pytest.importorskip("dask.distributed")
    driver = start_driver(kind)
    started = psutil.Process(driver.pid).children(recursive=True)
    assert len(started) >= 2, started  # at least the two workers
    driver.kill()
    driver.wait()
    deadline = time.monotonic() + GONE_WITHIN
    while any(alive(p) for p in started) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [p for p in started if alive(p)]
    described = [describe(p) for p in left]
    for process in left:  # not to leave them behind when the test fails
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    assert not left, described
