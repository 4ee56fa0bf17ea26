"""Executors: worker processes start in the background, every executor runs what it is given,
and one that cannot reach or start its workers says so in one line."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from sim.ensemble import executors
from sim.ensemble.executors import Executor, make_executor
from sim.errors import ExecutorError


def test_in_process_there_is_nothing_to_wait_for():
    ex = make_executor("processes", 1)
    assert type(ex) is Executor
    assert not ex.starting
    assert ex.submit(os.getpid).result() == os.getpid()


def test_worker_processes_start_in_the_background():
    with make_executor("processes", 2) as ex:
        ex.wait_started()
        assert not ex.starting
        assert ex.startup_seconds >= 0
        pids = {f.result() for f in [ex.submit(os.getpid) for _ in range(4)]}
        assert os.getpid() not in pids


def test_closing_before_the_workers_are_up_is_quiet():
    ex = make_executor("processes", 2)
    ex.close()
    assert not ex.starting


def test_an_error_in_a_worker_reaches_the_caller():
    with make_executor("processes", 2) as ex, pytest.raises(ZeroDivisionError):
        ex.submit(divmod, 1, 0).result()


# Dask: a scheduler that cannot be reached, or a cluster that cannot start, is one line.


@pytest.fixture
def quick_connect(monkeypatch):
    """A one-second wait for a scheduler, to keep these tests short."""
    pytest.importorskip("dask.distributed")
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", 1.0)


def one_line(caught: pytest.ExceptionInfo) -> str:
    text = str(caught.value)
    assert "\n" not in text
    return text


def test_no_scheduler_at_the_address_is_an_executor_error(quick_connect):
    with socket.socket() as taken:  # a port nothing listens on, kept so until the end
        taken.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{taken.getsockname()[1]}"
        with pytest.raises(ExecutorError) as caught:
            make_executor("dask", 1, address)
    assert f"no Dask scheduler answered at {address} within 1 s" in one_line(caught)


def test_a_server_that_never_answers_is_not_waited_for(quick_connect):
    # It accepts the connection and says nothing, as a dashboard does (dask/distributed#8071).
    with socket.create_server(("127.0.0.1", 0)) as silent:
        address = f"tcp://127.0.0.1:{silent.getsockname()[1]}"
        with pytest.raises(ExecutorError) as caught:
            make_executor("dask", 1, address)
    assert f"no Dask scheduler answered at {address} within 1 s" in one_line(caught)


def test_a_malformed_scheduler_address_is_an_executor_error(quick_connect):
    with pytest.raises(ExecutorError) as caught:
        make_executor("dask", 1, "nonsense")
    assert "not a scheduler address" in one_line(caught)


def test_without_dask_the_dask_executor_is_an_executor_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # import fails
    with pytest.raises(ExecutorError) as caught:
        make_executor("dask", 1)
    assert "pip install" in one_line(caught)


def test_a_local_cluster_that_cannot_start_is_an_executor_error(monkeypatch):
    distributed = pytest.importorskip("dask.distributed")

    def cannot_start(**kwargs):
        raise RuntimeError("Nanny failed to start.")

    monkeypatch.setattr(distributed, "LocalCluster", cannot_start)
    with pytest.raises(ExecutorError) as caught:
        make_executor("dask", 2)
    assert "local Dask cluster of 2 workers could not start" in one_line(caught)


SCRIPT = """\
import sim

print("top of the script")
cmp = sim.compare(
    [{advisory!r}],
    replications=4,
    seed=1,
    executor={executor!r},
    workers=2,
)
print("rows", len(cmp.summary))
"""


@pytest.mark.parametrize("executor", ["processes", "dask"])
def test_a_plain_script_without_a_main_guard_runs_once(tmp_path, executor):
    # A worker normally imports the script that started it; without an
    # `if __name__ == "__main__":` guard the script would run again in each worker.
    if executor == "dask":
        pytest.importorskip("dask.distributed")
    advisory = str(Path(__file__).resolve().parents[2] / "scenarios" / "advisory.yaml")
    script = tmp_path / "plain.py"
    script.write_text(SCRIPT.format(advisory=advisory, executor=executor), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("top of the script") == 1
    assert "rows 4" in done.stdout
    assert "Traceback" not in done.stderr
