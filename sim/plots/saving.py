"""Saving a run's charts: each may fail alone, and two are drawn at once where they can be.

``save_all`` draws every chart of a run into a staging folder that then replaces the
charts folder whole. On Linux with more than one core and several charts, a forked
copy of this process draws every other chart meanwhile (it needs no imports and no data
sent: it has this process's memory), which roughly halves the wait for the charts of a
short run. The copy only draws and writes files; if it fails or does not finish, this
process draws its charts itself, so the result never depends on it.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import signal
import sys
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from matplotlib.figure import Figure

from sim.plots.charts import save

Makers = list[tuple[str, Callable[[], Figure]]]
_RESULT = ".forked.json"
WAIT_SECONDS = 30  # the least the forked copy is waited for before its charts are redrawn


def save_all(
    makers: Mapping[str, Callable[[], Figure]],
    folder: Path,
    formats: Sequence[str],
    failed: list[dict[str, str]],
) -> list[Path]:
    """Draw and save each chart (``stem -> function making the figure``) into ``folder``.

    The charts are written to a staging folder beside it, which then replaces ``folder``
    whole. A chart that raises is skipped and added to ``failed`` (its stem and the error,
    on one line); the others are still written. Stopped (Ctrl-C), the charts not drawn are
    added to ``failed`` as ``interrupted`` and nothing is put in place.
    """
    staging = folder.with_name(f".{folder.name}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    items = list(makers.items())
    theirs = items[1::2] if _can_fork(len(items)) else []
    mine = [item for item in items if item not in theirs]
    pid = _fork_drawing(theirs, staging, formats) if theirs else None
    results: dict[str, list[str] | str] = {}
    began = time.monotonic()
    try:
        for k, (stem, draw) in enumerate(mine):
            try:
                results[stem] = _draw(stem, draw, staging, formats)
            except KeyboardInterrupt:
                failed += [{"chart": name, "error": "interrupted"} for name, _ in mine[k:]]
                raise
        if pid is not None:
            # A copy still at work long after this process finished its share is stuck (it
            # never should be): it is ended and its charts drawn here.
            patience = max(WAIT_SECONDS, 5 * (time.monotonic() - began))
            results.update(_collect(pid, staging, theirs, formats, patience))
    except KeyboardInterrupt:
        failed += [{"chart": name, "error": "interrupted"} for name, _ in theirs]
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        if pid is not None:
            _end(pid)
    written = []
    for stem, _ in items:  # in the order given, whoever drew them
        outcome = results[stem]
        if isinstance(outcome, str):
            failed.append({"chart": stem, "error": outcome})
        else:
            written += [folder / name for name in outcome]
    for leftover in (_RESULT, f"{_RESULT}.tmp"):
        (staging / leftover).unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(staging, folder)
    return written


def _draw(stem: str, draw: Callable[[], Figure], staging: Path, formats: Sequence[str]):
    """File names written for one chart, or its error on one line."""
    try:
        return [p.name for p in save(draw(), staging / stem, formats)]
    except Exception as error:  # a chart bug must not cost the run its tables
        for stale in staging.glob(f"{glob.escape(stem)}.*"):
            stale.unlink()
        message = " ".join(str(error).split())
        return f"{type(error).__name__}: {message}"


def _can_fork(charts: int) -> bool:
    return charts > 1 and sys.platform == "linux" and len(os.sched_getaffinity(0)) > 1


def _fork_drawing(theirs: Makers, staging: Path, formats: Sequence[str]) -> int | None:
    """A forked copy that draws ``theirs`` and writes what it did as JSON; its pid."""
    try:
        pid = os.fork()
    except OSError:
        return None
    if pid:
        return pid
    code = 1
    try:  # the copy: draw, say what was done, and leave without running anything else
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - never closed: _exit
        warnings.simplefilter("ignore")
        done = {stem: _draw(stem, draw, staging, formats) for stem, draw in theirs}
        tmp = staging / f"{_RESULT}.tmp"
        tmp.write_text(json.dumps(done), encoding="utf-8")
        os.replace(tmp, staging / _RESULT)
        code = 0
    finally:
        os._exit(code)


def _collect(
    pid: int, staging: Path, theirs: Makers, formats: Sequence[str], patience: float
) -> dict:
    """What the copy drew; whatever it did not (it failed, or took too long) drawn here."""
    deadline = time.monotonic() + patience
    done, status = 0, None
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.01)
    results = {}
    path = staging / _RESULT
    if not done:
        _end(pid)
    if status == 0 and path.is_file():
        with contextlib.suppress(ValueError):
            results = json.loads(path.read_text(encoding="utf-8"))
    for stem, draw in theirs:
        if stem not in results:
            results[stem] = _draw(stem, draw, staging, formats)
    return results


def _end(pid: int) -> None:
    """Make sure the copy is gone (killed if it still runs) and reaped."""
    with contextlib.suppress(ChildProcessError, ProcessLookupError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if not done:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
