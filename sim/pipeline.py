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
import json
import os
import shutil
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim import plots
from sim.comparison import TABLES, Comparison, build_comparison
from sim.ensemble.checkpoint import BATCHES, iter_batches
from sim.ensemble.executors import default_workers, make_executor
from sim.ensemble.runner import Ensemble, EnsembleResult, Plan
from sim.errors import ChartWarning, OutputError
from sim.results.layout import check_out_dir, default_run_dir, write_csv, write_json
from sim.results.manifest import build_manifest, scenario_hash
from sim.results.tables import TIMESERIES_COLUMNS, phases_table, series_table
from sim.scenario import Scenario, load_scenario

FORMATS = plots.FORMATS


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
) -> RunOutput:
    """Run every scenario; write the results to a new folder (or complete ``resume``).

    With ``write=False`` nothing is written and the results are only returned.
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
    target: Path | None = None
    if resume is not None:
        target = resume
        manifest = _check_resumable(resume, scenarios, plan)
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
            target = out if out is not None else default_run_dir(runs_root, "-vs-".join(names))
            check_out_dir(target)
            target.mkdir(parents=True, exist_ok=True)
    manifest["reference"] = reference or names[0]
    if executor == "processes" and workers is None and plan.replications is not None:
        # No more workers than batches: one batch runs fastest in this process.
        batches = len(scenarios) * -(-plan.replications // plan.batch_size)
        workers = min(default_workers(), batches)
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
        ensemble = Ensemble(scenarios, plan, ex, folder=target, progress=progress)
        try:
            ensemble.resume()
            result = ensemble.run()
        except KeyboardInterrupt:
            if target is not None:
                manifest.update(status="interrupted", replications_done=_done(ensemble))
                write_json(manifest, target / "manifest.json")
            raise
        except BaseException:
            if target is not None and resume is None:
                shutil.rmtree(target, ignore_errors=True)
            raise
    manifest.update(
        status="complete",
        replications=result.replications,
        replications_done={s.name: result.replications for s in scenarios},
        precision_reached=result.precision,
        bands_exact=result.exact,
        run_seconds=round(result.seconds, 3),
        sim_events=result.sim_events,
    )
    phases = pd.concat([phases_table(s) for s in scenarios], ignore_index=True)
    comparison = build_comparison(
        result.summary, result.bands, result.movements, result.timeseries, result.events,
        phases, manifest, reference, target,
    )  # fmt: skip
    output = RunOutput(target, scenarios, result, comparison)
    if target is not None:
        _write_folder(target, output, formats, keep_series, report)
    return output


def _done(ensemble: Ensemble) -> dict[str, int]:
    return {a.scenario.name: a.n for a in ensemble.aggregates}


def _check_resumable(folder: Path, scenarios: list[Scenario], plan: Plan) -> dict:
    path = folder / "manifest.json"
    if not path.is_file():
        raise OutputError(f"{folder}: not a run folder (no manifest.json) and nothing to resume")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("status") == "complete":
        raise OutputError(f"{folder}: that run is complete; there is nothing to resume")
    hashes = [s["hash"] for s in manifest.get("scenarios", [])]
    if hashes != [scenario_hash(s) for s in scenarios]:
        raise OutputError(f"{folder}: the scenarios (or --set values) differ from that run's")
    was = manifest.get("plan", {})
    now = {"replications": plan.replications, "precision": plan.precision}
    if manifest.get("seed") != plan.seed or any(was.get(k) != v for k, v in now.items()):
        raise OutputError(f"{folder}: the seed or replications differ from that run's")
    if was.get("batch_size", plan.batch_size) != plan.batch_size:
        raise OutputError(f"{folder}: the batch size differs from that run's")
    return manifest


def _write_folder(
    target: Path,
    output: RunOutput,
    formats: Sequence[str],
    keep_series: bool,
    report: bool,
) -> None:
    """Tables, then the manifest saying the run is complete, then charts (and the report).

    The charts come last and each may fail alone: a chart that cannot be drawn is named in
    the manifest's ``charts_failed`` and in ``output.charts_failed``, with a warning, and
    never costs the finished replications.
    """
    comparison = output.comparison
    files = output.files
    for name in TABLES:
        frame = getattr(comparison, name)
        if name == "differences" and frame.empty:
            continue
        files.append(_atomic(target / f"{name}.csv", lambda p, f=frame: write_csv(f, p)))
    if keep_series:
        path = target / "timeseries.parquet"
        files.append(_atomic(path, lambda p: _write_series(target, output.scenarios, p)))
    shutil.rmtree(target / BATCHES, ignore_errors=True)
    manifest = comparison.manifest
    _write_manifest(manifest, target, files)  # complete: from here on the tables are safe
    try:
        files += _write_charts(target, comparison, formats, output.charts_failed)
        if report:
            files.append(comparison.report(target / "report.html"))
    finally:
        if output.charts_failed:
            manifest["charts_failed"] = output.charts_failed
            warnings.warn(_chart_warning(target, output.charts_failed), stacklevel=3)
        files.append(_write_manifest(manifest, target, files))


def _chart_warning(folder: Path, failed: Sequence[dict[str, str]]) -> ChartWarning:
    charts = "; ".join(f"{f['chart']} ({f['error']})" for f in failed)
    return ChartWarning(
        f"chart{'s' if len(failed) > 1 else ''} not drawn: {charts}. The run is complete "
        f"(tables and manifest in {folder}); once fixed, `sim report {folder}` draws the "
        "charts again in report.html"
    )


def _write_manifest(manifest: dict, target: Path, files: list[Path]) -> Path:
    listed = [f for f in files if f.name != "manifest.json"]
    manifest["files"] = sorted(str(f.relative_to(target)) for f in listed)
    return write_json(manifest, target / "manifest.json")


def _atomic(path: Path, write: Callable[[Path], object]) -> Path:
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    os.replace(tmp, path)
    return path


def _write_series(folder: Path, scenarios: list[Scenario], path: Path) -> None:
    """Every replication's daily counts, batch by batch, into one Parquet file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = None
    try:
        for batch in iter_batches(folder):
            frame = series_table(batch.counts, scenarios[batch.index], batch.first)
            table = pa.Table.from_pandas(frame[TIMESERIES_COLUMNS], preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table.cast(writer.schema))
    finally:
        if writer is not None:
            writer.close()


def _write_charts(
    target: Path, comparison: Comparison, formats: Sequence[str], failed: list[dict[str, str]]
) -> list[Path]:
    """The standard charts, written to a staging folder then moved into place.

    A chart that raises is skipped and added to ``failed`` (its stem and the error, on
    one line); the others are still written.
    """
    staging = target / ".charts.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    written: list[Path] = []
    for stem, draw in comparison.chart_makers().items():
        try:
            written += plots.save(draw(), staging / stem, formats)
        except Exception as error:  # a chart bug must not cost the run its tables
            for stale in staging.glob(f"{stem}.*"):
                stale.unlink()
            message = " ".join(str(error).split())
            failed.append({"chart": stem, "error": f"{type(error).__name__}: {message}"})
    final = target / "charts"
    shutil.rmtree(final, ignore_errors=True)
    os.replace(staging, final)
    return [final / p.relative_to(staging) for p in written]
