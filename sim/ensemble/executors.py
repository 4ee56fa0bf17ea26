"""Where batches run: in this process, in local worker processes, or on a Dask cluster.

All three take the same batches and return the same results, so the numbers do not depend
on the executor or the number of workers; only the speed does.

Workers never outlive the process that started them, however it ends (even ``kill -9``):
local workers watch a pipe only that process writes to, and Dask's local workers are
watched by their nanny the same way. A scheduler named by address must answer within
``CONNECT_TIMEOUT`` seconds, or the run stops with an ``ExecutorError``.

New workers never run the caller's script again (see ``_main_left_alone``), so ``sim``'s
functions can be called from a plain script without an ``if __name__ == "__main__":``
guard.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import gc
import importlib.machinery
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from typing import Any

from sim.errors import ExecutorError

EXECUTORS = ("processes", "dask")
CONNECT_TIMEOUT = 10.0  # seconds a scheduler named by address has to answer


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
    Each worker exits as soon as this process is gone (see ``_exit_with_driver``); the fork
    server and the resource tracker then follow, as nothing holds their pipes any more.
    """

    name = "processes"

    def __init__(self, workers: int) -> None:
        super().__init__(workers)
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if context.get_start_method() == "forkserver":
            context.set_forkserver_preload(["sim.ensemble.worker"])
        # Only this process holds the writing end, so the workers' reading end sees the end of
        # the file when this process ends. A worker's parent is the fork server, so neither
        # its parent pid nor PR_SET_PDEATHSIG would tell it that this process died.
        self._alive_r, self._alive_w = context.Pipe(duplex=False)
        self.pool = cf.ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_start_worker,
            initargs=(self._alive_r,),
        )
        self.startup_seconds: float | None = None  # until the first worker was up
        # Submitting waits until a worker process exists, so the workers are asked for here.
        self._start = threading.Thread(target=self._start_workers, daemon=True)
        self._start.start()

    def _start_workers(self) -> None:
        began = time.perf_counter()
        with contextlib.suppress(RuntimeError):  # closed meanwhile
            calls = [self.submit(os.getpid) for _ in range(self.workers)]
            cf.wait(calls, return_when=cf.FIRST_COMPLETED)
            self.startup_seconds = time.perf_counter() - began

    @property
    def starting(self) -> bool:
        return self._start.is_alive()

    def wait_started(self) -> None:
        """Wait until the first worker is up."""
        self._start.join()

    def submit(self, fn: Callable, *args: Any) -> cf.Future:
        with _main_left_alone():  # a submit may start a worker
            return self.pool.submit(fn, *args)

    def as_completed(self, futures: Iterable[Any]) -> Iterator[Any]:
        return cf.as_completed(list(futures))

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self._start.join()
        self._alive_w.close()
        self._alive_r.close()


_MAIN_LOCK = threading.Lock()


@contextlib.contextmanager
def _main_left_alone() -> Iterator[None]:
    """While this is open, a worker process started here does not import ``__main__``.

    A worker started by a fork server or by spawning imports the starting process's main
    module, so that functions defined there can be sent to it. ``sim`` sends only functions
    of its own package, and a user's script without an ``if __name__ == "__main__":`` guard
    would run again in every worker, and fail there. For the moment a worker starts, the
    main module is named ``__main__``, which multiprocessing never imports again.
    """
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    with _MAIN_LOCK:
        spec = getattr(main, "__spec__", None)
        main.__spec__ = importlib.machinery.ModuleSpec("__main__", None)
        try:
            yield
        finally:
            main.__spec__ = spec


def _start_worker(alive: Connection) -> None:
    """In a new worker: exit with the driver, and leave what is imported to the collector.

    ``gc.freeze`` moves every object alive now (the imported modules) out of the garbage
    collector's sight, so the full collections that each replication's objects set off do
    not walk them again (about half the collector's time per replication). Results do not
    depend on it.
    """
    gc.freeze()
    _exit_with_driver(alive)


def _exit_with_driver(alive: Connection) -> None:
    """In a worker: end this process as soon as the driver is gone (``alive`` reads EOF)."""
    threading.Thread(
        target=_wait_for_eof, args=(alive,), name="exit-with-driver", daemon=True
    ).start()


def _wait_for_eof(alive: Connection) -> None:
    # Nothing is ever sent: the read returns only when the driver's end is closed.
    with contextlib.suppress(EOFError, OSError):
        alive.recv_bytes()
    os._exit(1)  # no clean-up: nobody is left to hand results to


class DaskExecutor(Executor):
    """A dask.distributed cluster: the one at ``scheduler``, or a local one started here.

    The local cluster's worker processes exit when this process ends, however it ends: each
    nanny watches a pipe from this process (dask.distributed does this itself).
    """

    name = "dask"

    def __init__(self, workers: int, scheduler: str | None = None) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:
            raise ExecutorError(
                "the dask executor needs dask.distributed: pip install -e '.[dask]'"
            ) from exc
        self.cluster = None
        if scheduler:
            self.client = _connect(Client, scheduler)
            workers = len(self.client.scheduler_info().get("workers", {})) or workers
        else:
            try:
                with _main_left_alone():  # returns once the workers are up
                    self.cluster = LocalCluster(
                        n_workers=workers,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                        silence_logs=40,
                    )
            except (OSError, RuntimeError) as exc:
                size = f"{workers} worker{'s' if workers != 1 else ''}"
                raise ExecutorError(
                    f"a local Dask cluster of {size} could not start ({_one_line(exc)}); "
                    "run with the processes executor, or name a running scheduler"
                ) from exc
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


def _connect(client: Callable[..., Any], scheduler: str) -> Any:
    """A ``Client`` of the scheduler at ``scheduler``, or ``ExecutorError`` within about
    ``CONNECT_TIMEOUT`` seconds.

    A handshake comes first, bounded as a whole: ``Client`` bounds only the connection
    itself, and waits for ever on a server that accepts it and never answers (a dashboard
    port, dask/distributed#8071).
    """
    timeout = CONNECT_TIMEOUT
    try:
        _handshake(scheduler, timeout)
        return client(scheduler, timeout=timeout)
    except ValueError as exc:  # not an address (no port, unknown scheme, ...)
        raise ExecutorError(
            f"--scheduler {scheduler}: not a scheduler address ({_one_line(exc)})"
        ) from exc
    except OSError as exc:  # refused, unreachable or timed out (TimeoutError is an OSError)
        raise ExecutorError(
            f"no Dask scheduler answered at {scheduler} within {timeout:g} s; start one there "
            "(dask scheduler) or correct the address, or leave out --scheduler for a local cluster"
        ) from exc
    except Exception as exc:  # something answered that does not speak Dask's protocol
        raise ExecutorError(
            f"{scheduler} answered, but not as a Dask scheduler ({_one_line(exc)}); "
            "check the address and port (the scheduler's, not its dashboard's)"
        ) from exc


def _handshake(address: str, timeout: float) -> None:
    """Open and close a Dask connection to ``address``; ``TimeoutError`` after ``timeout`` s."""
    import asyncio  # here, as dask is: worker processes import this module and need neither

    from distributed.comm import connect

    async def handshake() -> None:
        comm = await asyncio.wait_for(connect(address, timeout=timeout), timeout)
        await comm.close()

    # In a thread of its own so that it has its own event loop, whatever the caller runs.
    with cf.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, handshake()).result()


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def make_executor(kind: str, workers: int | None = None, scheduler: str | None = None) -> Executor:
    """``processes`` (``workers`` local processes; one means this process) or ``dask``."""
    workers = workers or default_workers()
    if kind == "dask":
        return DaskExecutor(workers, scheduler)
    if kind != "processes":
        raise ValueError(f"unknown executor {kind!r}; choose from {', '.join(EXECUTORS)}")
    return Executor(1) if workers == 1 else ProcessExecutor(workers)
