"""One run of the app: the edited option (and its reference) through ``run_scenarios``, on
the ensemble executors, then its charts, in a folder of its own; the report is written
when it is first asked for (it draws every chart of the comparison again).

Runs in a worker thread of the server; the page reads ``Progress`` while it runs and sets
its ``cancel`` to stop it at the next finished batch.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim import plots  # a lazy package: matplotlib loads when a chart is drawn
from sim.analysis.cap import after_cap_binds
from sim.app.controls import Option, edited_name, export_yaml
from sim.ensemble.runner import Plan
from sim.scenario.keys import Key
from sim.workflows.comparison import Comparison
from sim.workflows.run import run_scenarios

DRAWING = threading.Lock()  # matplotlib draws one figure at a time in a process
CHARTS = {"total": "total-vs-cap", "composition": "composition"}


class Cancelled(Exception):
    """The user cancelled the run."""


@dataclass
class Progress:
    """What a run has done, read by the page while it runs (plain values: no lock needed)."""

    done: int = 0
    total: int = 0  # replications of all the options run
    options: int = 1
    stage: str = "idle"  # idle, running, drawing, done, cancelled, failed
    cancel: threading.Event = field(default_factory=threading.Event)

    def update(self, done: int, total: int | None) -> None:
        if self.cancel.is_set():
            raise Cancelled
        self.done, self.total = done, total or self.total


@dataclass(frozen=True)
class Request:
    """What to run: an option with the user's changes, a reference, replications and seed."""

    option: Option
    changed: dict[Key, Any]
    reference: Option | None
    replications: int
    seed: int
    workers: int | None = None


@dataclass
class Result:
    """A finished run: its folder (charts, report, scenario file) and its tables."""

    request: Request
    folder: Path
    name: str  # the edited option's scenario name
    comparison: Comparison
    cap: pd.DataFrame
    files: dict[str, Path]
    finished: dt.datetime

    def file(self, key: str) -> Path:
        """One of the run's files (``report`` is written on the first call)."""
        if key == "report" and key not in self.files:
            with DRAWING:
                self.files[key] = self.comparison.report(self.folder / "report.html")
        return self.files[key]

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def execute(request: Request, progress: Progress) -> Result:
    """Run ``request``; raise ``Cancelled`` if ``progress.cancel`` is set before the end."""
    folder = Path(tempfile.mkdtemp(prefix="sim-app-"))
    try:
        return _execute(request, progress, folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _execute(request: Request, progress: Progress, folder: Path) -> Result:
    option, name = request.option, edited_name(request.option)
    edited = folder / f"{name}.yaml"
    text = export_yaml(
        option, request.changed, edited, seed=request.seed, replications=request.replications
    )
    edited.write_text(text, encoding="utf-8")
    paths = [edited] + ([request.reference.path] if request.reference else [])
    progress.stage, progress.done = "running", 0
    progress.options, progress.total = len(paths), request.replications * len(paths)
    output = run_scenarios(
        paths,
        plan=Plan(replications=request.replications, seed=request.seed),
        workers=request.workers,
        write=False,
        reference=request.reference.name if request.reference else None,
        progress=progress.update,
    )
    if progress.cancel.is_set():
        raise Cancelled
    progress.stage = "drawing"
    c = output.comparison
    files: dict[str, Path] = {}
    with DRAWING:
        for kind, stem in CHARTS.items():
            draw = c.plot_total if kind == "total" else c.plot_composition
            for path in plots.save(draw(name), folder / stem, ("png", "svg")):
                files[f"{kind}.{path.suffix[1:]}"] = path
    progress.stage = "done"
    return Result(
        request=request,
        folder=folder,
        name=name,
        comparison=c,
        cap=after_cap_binds(c.bands, c.phases, name),
        files=files,
        finished=dt.datetime.now(),
    )
