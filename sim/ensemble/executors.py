"""Where batches run: in this process, in local worker processes, or on a Dask cluster.

All three take the same batches and return the same results, so the numbers do not depend
on the executor or the number of workers; only the speed does.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

EXECUTORS = ("processes", "dask")


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Executor:
    """Runs functions somewhere and yields their futures as they finish."""

    name = "serial"

    def __init__(self, workers: int = 1) -> None:
        self.workers = workers

    @property
    def starting(self) -> bool:
        """True while no worker is ready yet (the caller may do some work itself meanwhile)."""
        return False

    def submit(self, fn: Callable, *args: Any) -> cf.Future:
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args))
        except Exception as exc:  # handed to the caller through the future
            future.set_exception(exc)
        return future

    def as_completed(self, futures: Iterable[Any]) -> Iterator[Any]:
        return iter(list(futures))

    def close(self) -> None:
        pass

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ProcessExecutor(Executor):
    """Local worker processes, started by a fork server (safe with threads).

    The fork server imports the model once, which takes a second or so; the workers are
    started in the background meanwhile, and ``starting`` stays true until the first is up.
    """

    name = "processes"

    def __init__(self, workers: int) -> None:
        super().__init__(workers)
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if context.get_start_method() == "forkserver":
            context.set_forkserver_preload(["sim.ensemble.worker"])
        self.pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=context)
        self.startup_seconds: float | None = None  # until the first worker was up
        # Submitting waits until a worker process exists, so the workers are asked for here.
        self._start = threading.Thread(target=self._start_workers, daemon=True)
        self._start.start()

    def _start_workers(self) -> None:
        began = time.perf_counter()
        with contextlib.suppress(RuntimeError):  # closed meanwhile
            calls = [self.pool.submit(os.getpid) for _ in range(self.workers)]
            cf.wait(calls, return_when=cf.FIRST_COMPLETED)
            self.startup_seconds = time.perf_counter() - began

    @property
    def starting(self) -> bool:
        return self._start.is_alive()

    def wait_started(self) -> None:
        """Wait until the first worker is up."""
        self._start.join()

    def submit(self, fn: Callable, *args: Any) -> cf.Future:
        return self.pool.submit(fn, *args)

    def as_completed(self, futures: Iterable[Any]) -> Iterator[Any]:
        return cf.as_completed(list(futures))

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self._start.join()


class DaskExecutor(Executor):
    """A dask.distributed cluster: the one at ``scheduler``, or a local one started here."""

    name = "dask"

    def __init__(self, workers: int, scheduler: str | None = None) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:
            raise ImportError(
                "the dask executor needs dask.distributed: pip install -e '.[dask]'"
            ) from exc
        self.cluster = None
        if scheduler:
            self.client = Client(scheduler)
            workers = len(self.client.scheduler_info().get("workers", {})) or workers
        else:
            self.cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=40,
            )
            self.client = Client(self.cluster)
        super().__init__(workers)

    def submit(self, fn: Callable, *args: Any) -> Any:
        return self.client.submit(fn, *args, pure=False)

    def as_completed(self, futures: Iterable[Any]) -> Iterator[Any]:
        from dask.distributed import as_completed

        return iter(as_completed(list(futures)))

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(kind: str, workers: int | None = None, scheduler: str | None = None) -> Executor:
    """``processes`` (``workers`` local processes; one means this process) or ``dask``."""
    workers = workers or default_workers()
    if kind == "dask":
        return DaskExecutor(workers, scheduler)
    if kind != "processes":
        raise ValueError(f"unknown executor {kind!r}; choose from {', '.join(EXECUTORS)}")
    return Executor(1) if workers == 1 else ProcessExecutor(workers)
