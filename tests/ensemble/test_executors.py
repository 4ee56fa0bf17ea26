"""Executors: worker processes start in the background, and every executor runs what it is given."""

import os

import pytest

from sim.ensemble.executors import Executor, make_executor


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
