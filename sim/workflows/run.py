"""From scenario files to a run folder: load, simulate, aggregate, chart, write.

``run_scenarios()`` is what ``sim run`` does, importable so notebooks and tests can do the
same without a shell. Every scenario is loaded and checked, and the output folder is
checked, before any simulation starts.

The folder's ``manifest.json`` says where a run stands (``status``: running, interrupted,
complete). While it runs, finished batches are saved under ``batches/``; the tables are
written only at the end, each to a temporary name first, and the run is complete once they
are. The charts come after them: a chart that cannot be drawn is listed in the manifest
(``charts_failed``) and never costs the tables. An interrupted run can be completed with
``resume``; a run that fails with an error during the simulation removes its folder.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.ensemble.checkpoint import BATCHES, iter_batches
from sim.ensemble.executors import default_workers, make_executor
from sim.ensemble.runner import Ensemble, EnsembleResult, Plan
from sim.errors import OutputError
from sim.plots.formats import FORMATS
from sim.results.layout import (
    RunFolder,
    atomic,
    default_run_dir,
    write_csv,
    write_json,
)
from sim.results.manifest import build_manifest, scenario_hash
from sim.results.tables import TIMESERIES_COLUMNS, phases_table, series_table
from sim.scenario import Scenario, load_scenario
from sim.workflows.comparison import TABLES, Comparison, build_comparison
from sim.workflows.finish import finish


@dataclass
class RunOutput:
    """Where a run was written (``out`` is None when nothing was written), and its tables."""

    out: Path | None
    scenarios: list[Scenario]
    result: EnsembleResult
    comparison: Comparison
    files: list[Path] = field(default_factory=list)
    charts_failed: list[dict[str, str]] = field(default_factory=list)

    def __getattr__(self, name: str) -> object:
        # summary, outcomes, differences, bands, phases, manifest... come from the comparison
        if name in ("result", "comparison"):
            raise AttributeError(name)
        return getattr(self.comparison, name)


def run_scenarios(
    paths: Sequence[str | Path],
    *,
    overrides: Sequence[str] = (),
    plan: Plan | None = None,
    executor: str = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    out: Path | None = None,
    resume: Path | None = None,
    keep_series: bool = False,
    reference: str | None = None,
    runs_root: Path = Path("runs"),
    formats: Sequence[str] = ("png", "svg"),
    command: list[str] | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    write: bool = True,
    report: bool = False,
    notify: Callable[[str], None] | None = None,
) -> RunOutput:
    """Run every scenario; write the results to a new folder (or complete ``resume``).

    With ``write=False`` nothing is written and the results are only returned. ``notify``
    is told, in a sentence, what a long run will take (time, disk) before it is far along.
    """
    plan = plan or Plan()
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown chart format(s): {', '.join(unknown)}")
    scenarios = [load_scenario(p, list(overrides)) for p in paths]
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise OutputError(f"two scenarios have the same name ({', '.join(names)}); rename one")
    if reference is not None and reference not in names:
        raise OutputError(f"--reference {reference}: no such scenario (have {', '.join(names)})")
    folder: RunFolder | None = None
    if resume is not None:
        folder = RunFolder.reopen(resume)
        manifest = folder.previous
        try:
            _check_resumable(resume, manifest, scenarios, plan)
        except BaseException:
            folder.release()
            raise
    else:
        manifest = build_manifest(
            scenarios,
            seed=plan.seed,
            replications=plan.replications,
            overrides=list(overrides),
            started_at=dt.datetime.now(dt.UTC),
            run_seconds=0.0,
            command=command,
        )
        if write:
            # Claimed (made, locked) before anything else: no other run can write here now.
            folder = RunFolder.claim(
                out if out is not None else default_run_dir(runs_root, "-vs-".join(names))
            )
            manifest["run_id"] = folder.run_id
    manifest["reference"] = reference or names[0]
    if executor == "processes" and workers is None and plan.replications is not None:
        # No more workers than batches: one batch runs fastest in this process.
        batches = len(scenarios) * -(-plan.replications // plan.batch_size)
        workers = min(default_workers(), batches)
    if notify is not None:
        progress = _estimating(progress, notify, scenarios, plan, keep_series, folder)
    if folder is None:
        return _run_ensemble(
            scenarios, plan, manifest, executor, workers, scheduler, None, reference, progress
        )
    with folder.guard(manifest):
        output = _run_ensemble(
            scenarios, plan, manifest, executor, workers, scheduler, folder, reference, progress
        )
        _write_folder(folder, output, formats, keep_series, report)
    return output


def _run_ensemble(
    scenarios: list[Scenario],
    plan: Plan,
    manifest: dict,
    executor: str,
    workers: int | None,
    scheduler: str | None,
    folder: RunFolder | None,
    reference: str | None,
    progress: Callable[[int, int | None], None] | None,
) -> RunOutput:
    """Run the ensemble (saving batches in ``folder`` as they finish) and build the tables."""
    target = folder.path if folder is not None else None
    with make_executor(executor, workers, scheduler) as ex:
        manifest.update(
            status="running",
            executor=ex.name if ex.name != "serial" else "processes",
            workers=ex.workers,
            scheduler=scheduler,
            plan={
                "replications": plan.replications,
                "precision": plan.precision,
                "max_replications": plan.max_replications,
                "batch_size": plan.batch_size,
                "round_size": plan.round_size,
            },
        )
        if target is not None:
            write_json(manifest, target / "manifest.json")
        ensemble = Ensemble(
            scenarios,
            plan,
            ex,
            folder=target,
            progress=progress,
            run_id=folder.run_id if folder is not None else "",
        )
        try:
            ensemble.resume()
            result = ensemble.run()
        finally:
            manifest["replications_done"] = _done(ensemble)
    phases = pd.concat([phases_table(s) for s in scenarios], ignore_index=True)
    final = {
        **manifest,
        "replications": result.replications,
        "replications_done": {s.name: result.replications for s in scenarios},
        "precision_reached": result.precision,
        "bands_exact": result.exact,
        "run_seconds": round(result.seconds, 3),
        "sim_events": result.sim_events,
    }  # the status stays "running" until the tables are written
    comparison = build_comparison(
        result.summary,
        result.bands,
        result.movements,
        result.timeseries,
        result.events,
        phases,
        final,
        reference,
        target,
    )
    return RunOutput(target, scenarios, result, comparison)


LONG_SECONDS = 60  # a run expected to take longer is announced with an estimate
LARGE_BYTES = 1 << 30  # so is a run expected to write more than this
ESTIMATE_AFTER = 20  # replications done (or 3 s gone) before the time is estimated
SERIES_BYTES = 4  # about what timeseries.parquet takes per row (a day and role of a run)


def _estimating(
    progress: Callable[[int, int | None], None] | None,
    notify: Callable[[str], None],
    scenarios: list[Scenario],
    plan: Plan,
    keep_series: bool,
    folder: RunFolder | None,
) -> Callable[[int, int | None], None]:
    """``progress``, and once a few replications have run, ``notify`` of a long run's time.

    The disk a kept series needs is known before the run and said at once (with the free
    space, when the folder is known); the time is the rate so far (start-up included, so an
    overestimate) times what is left.
    """
    if keep_series and plan.replications is not None:
        rows = plan.replications * sum(
            ((s.end - s.start).days + 1) * len(s.roles) for s in scenarios
        )
        size = rows * SERIES_BYTES
        if size > LARGE_BYTES:
            free = shutil.disk_usage(folder.path).free if folder is not None else None
            room = f" ({_bytes(free)} free there)" if free is not None else ""
            notify(f"--keep-series will write about {_bytes(size)} to timeseries.parquet{room}")
    began, said = time.perf_counter(), False

    def wrapped(done: int, total: int | None) -> None:
        nonlocal said
        if progress is not None:
            progress(done, total)
        elapsed = time.perf_counter() - began
        if said or not total or done == 0 or (done < ESTIMATE_AFTER and elapsed < 3):
            return
        said = True
        left = elapsed / done * (total - done)
        if elapsed + left > LONG_SECONDS:
            notify(
                f"{total:,} replications will take about {_duration(elapsed + left)} "
                f"at the rate so far ({done:,} in {elapsed:.0f} s)"
            )

    return wrapped


def _bytes(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:,.1f} TB"  # pragma: no cover - the loop returns


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _done(ensemble: Ensemble) -> dict[str, int]:
    return {a.scenario.name: a.n for a in ensemble.aggregates}


def _check_resumable(folder: Path, manifest: dict, scenarios: list[Scenario], plan: Plan) -> None:
    """Refuse to resume a run of other scenarios, seed, replications or batches."""
    listed = manifest.get("scenarios")
    hashes = (
        [e.get("hash") for e in listed]
        if isinstance(listed, list) and all(isinstance(e, dict) for e in listed)
        else None
    )
    if hashes != [scenario_hash(s) for s in scenarios]:
        raise OutputError(f"{folder}: the scenarios (or --set values) differ from that run's")
    was = manifest.get("plan") if isinstance(manifest.get("plan"), dict) else {}
    now = {"replications": plan.replications, "precision": plan.precision}
    if manifest.get("seed") != plan.seed or any(was.get(k) != v for k, v in now.items()):
        raise OutputError(f"{folder}: the seed or replications differ from that run's")
    if was.get("batch_size", plan.batch_size) != plan.batch_size:
        raise OutputError(f"{folder}: the batch size differs from that run's")


def _write_folder(
    folder: RunFolder,
    output: RunOutput,
    formats: Sequence[str],
    keep_series: bool,
    report: bool,
) -> None:
    """Tables, then the manifest saying the run is complete, then charts (and the report).

    Until the manifest says complete, the batches stay: a run stopped while writing the
    tables removes the ones it wrote and can be resumed. The charts come last and each may
    fail alone: a chart that cannot be drawn (or was not, the run being stopped) is named in
    the manifest's ``charts_failed`` and in ``output.charts_failed``, with a warning, and
    never costs the finished replications.
    """
    target, comparison = folder.path, output.comparison

    def write(files: list[Path]) -> None:
        for name in TABLES:
            frame = getattr(comparison, name)
            if name == "differences" and frame.empty:
                continue
            files.append(atomic(target / f"{name}.csv", lambda p, f=frame: write_csv(f, p)))
        if keep_series:
            path = target / "timeseries.parquet"
            run_id, scenarios = comparison.manifest["run_id"], output.scenarios
            files.append(atomic(path, lambda p: _write_series(target, run_id, scenarios, p)))

    def add_report(files: list[Path]) -> None:
        if report:
            files.append(comparison.report(target / "report.html"))

    finish(
        folder,
        comparison.manifest,
        write,
        comparison.chart_makers() if formats else None,
        formats,
        files=output.files,
        failed=output.charts_failed,
        scratch=BATCHES,
        after=add_report,
        redraw=True,
    )


def _write_series(folder: Path, run_id: str, scenarios: list[Scenario], path: Path) -> None:
    """Every replication's daily counts, batch by batch, into one Parquet file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = None
    try:
        for batch in iter_batches(folder, run_id, scenarios):
            frame = series_table(batch.counts, scenarios[batch.index], batch.first)
            table = pa.Table.from_pandas(frame[TIMESERIES_COLUMNS], preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table.cast(writer.schema))
    finally:
        if writer is not None:
            writer.close()


def compare(
    paths: Sequence[str | Path],
    replications: int | None = 100,
    seed: int = 0,
    *,
    overrides: Sequence[str] = (),
    reference: str | None = None,
    precision: float | None = None,
    out: str | Path | None = None,
    **options: object,
) -> Comparison:
    """Run the scenarios side by side (common random numbers) and return the comparison.

    ``replications=None`` with ``precision`` adds replications until the headline means
    are known to that relative precision. With ``out``, the run is also written to that
    folder (as ``sim run`` would); other options (``executor``, ``workers``,
    ``scheduler``, ``formats``) are passed on.
    """
    plan = Plan(seed=seed, replications=replications, precision=precision)
    if replications is None and precision is None:
        raise ValueError("give replications, or replications=None and a precision")
    result = run_scenarios(
        paths,
        overrides=overrides,
        plan=plan,
        out=Path(out) if out is not None else None,
        reference=reference,
        write=out is not None,
        **options,
    )
    return result.comparison
