"""From scenario files to a run folder: load, simulate, aggregate, chart, write.

``run_scenarios()`` is what ``sim run`` does, importable so notebooks and tests can do the
same without a shell. Every scenario is loaded and checked, and the output folder is
checked, before any simulation starts.

The folder's ``manifest.json`` says where a run stands (``status``: running, interrupted,
complete). While it runs, finished batches are saved under ``batches/``; the tables and
charts are written only at the end, each to a temporary name first. An interrupted run can
be completed with ``resume=True``; a run that fails with an error removes its folder.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim import plots
from sim.analysis.compare import differences, outcome_table
from sim.ensemble.checkpoint import BATCHES, iter_batches
from sim.ensemble.executors import default_workers, make_executor
from sim.ensemble.runner import Ensemble, EnsembleResult, Plan
from sim.errors import OutputError
from sim.results.layout import check_out_dir, default_run_dir, write_csv, write_json
from sim.results.manifest import build_manifest, scenario_hash
from sim.results.tables import TIMESERIES_COLUMNS, phases_table, series_table
from sim.scenario import Scenario, load_scenario

FORMATS = ("png", "svg", "pdf")


@dataclass
class RunOutput:
    """Where a run was written, and its tables."""

    out: Path
    scenarios: list[Scenario]
    result: EnsembleResult
    phases: pd.DataFrame
    outcomes: pd.DataFrame
    differences: pd.DataFrame
    manifest: dict
    files: list[Path] = field(default_factory=list)

    @property
    def summary(self) -> pd.DataFrame:
        return self.result.summary

    @property
    def timeseries(self) -> pd.DataFrame:
        return self.result.timeseries

    @property
    def events(self) -> pd.DataFrame:
        return self.result.events


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
) -> RunOutput:
    """Run every scenario and write the results to a new folder (or complete ``resume``)."""
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
    if resume is not None:
        target = resume
        manifest = _check_resumable(resume, scenarios, plan)
    else:
        target = out if out is not None else default_run_dir(runs_root, "-vs-".join(names))
        check_out_dir(target)
        target.mkdir(parents=True, exist_ok=True)
        manifest = build_manifest(
            scenarios,
            seed=plan.seed,
            replications=plan.replications,
            overrides=list(overrides),
            started_at=dt.datetime.now(dt.UTC),
            run_seconds=0.0,
            command=command,
        )
    workers_used = 1
    if executor == "processes" and workers is None and plan.replications is not None:
        # No more workers than batches: one batch runs fastest in this process.
        batches = len(scenarios) * -(-plan.replications // plan.batch_size)
        workers = min(default_workers(), batches)
    with make_executor(executor, workers, scheduler) as ex:
        workers_used = ex.workers
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
        write_json(manifest, target / "manifest.json")
        ensemble = Ensemble(scenarios, plan, ex, folder=target, progress=progress)
        try:
            ensemble.resume()
            result = ensemble.run()
        except KeyboardInterrupt:
            manifest.update(status="interrupted", replications_done=_done(ensemble))
            write_json(manifest, target / "manifest.json")
            raise
        except BaseException:
            if resume is None:
                shutil.rmtree(target, ignore_errors=True)
            raise
    return _write_outputs(
        target, scenarios, result, manifest, formats, keep_series, reference, workers_used
    )


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


def _write_outputs(
    target: Path,
    scenarios: list[Scenario],
    result: EnsembleResult,
    manifest: dict,
    formats: Sequence[str],
    keep_series: bool,
    reference: str | None,
    workers: int,
) -> RunOutput:
    phases = pd.concat([phases_table(s) for s in scenarios], ignore_index=True)
    outcomes = outcome_table(result.summary)
    diffs = differences(result.summary, reference) if len(scenarios) > 1 else pd.DataFrame()
    tables = {
        "summary.csv": result.summary,
        "outcomes.csv": outcomes,
        "bands.csv": result.bands,
        "timeseries.csv": result.timeseries,
        "events.csv": result.events,
        "phases.csv": phases,
    }
    if len(scenarios) > 1:
        tables["differences.csv"] = diffs
    files = [
        _atomic(target / name, lambda p, f=frame: write_csv(f, p)) for name, frame in tables.items()
    ]
    if keep_series:
        files.append(
            _atomic(target / "timeseries.parquet", lambda p: _write_series(target, scenarios, p))
        )
    files += _write_charts(target, scenarios, result, phases, diffs, formats, reference)
    shutil.rmtree(target / BATCHES, ignore_errors=True)
    manifest.update(
        status="complete",
        replications=result.replications,
        replications_done={s.name: result.replications for s in scenarios},
        precision_reached=result.precision,
        bands_exact=result.exact,
        run_seconds=round(result.seconds, 3),
        sim_events=result.sim_events,
        workers=workers,
        files=sorted(str(f.relative_to(target)) for f in files),
    )
    files.append(write_json(manifest, target / "manifest.json"))
    return RunOutput(target, scenarios, result, phases, outcomes, diffs, manifest, files)


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
    target: Path,
    scenarios: list[Scenario],
    result: EnsembleResult,
    phases: pd.DataFrame,
    diffs: pd.DataFrame,
    formats: Sequence[str],
    reference: str | None,
) -> list[Path]:
    """The standard charts of each scenario (fan charts when there are several replications)."""
    staging = target / ".charts.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    written: list[Path] = []
    several = len(scenarios) > 1
    many = result.replications > 1
    ref = reference or (scenarios[0].name if several else None)
    for s in scenarios:
        suffix = f"-{s.name}" if several else ""
        footer = _footer(s, result)
        other = ref if ref != s.name else None
        if many:
            charts = {
                "total-vs-cap": plots.total_fan(
                    result.bands, phases, scenario=s.name, reference=other, footer=footer
                ),
                "composition": plots.composition_fan(
                    result.bands, phases, scenario=s.name, reference=other, footer=footer
                ),
                "movements": plots.movements(
                    result.movements, phases, scenario=s.name, footer=footer
                ),
            }
        else:
            charts = {
                "total-vs-cap": plots.total_vs_cap(
                    result.timeseries, phases, scenario=s.name, footer=footer
                ),
                "composition": plots.composition(
                    result.timeseries, phases, scenario=s.name, footer=footer
                ),
                "movements": plots.movements(
                    result.timeseries, phases, scenario=s.name, footer=footer
                ),
            }
        for name, fig in charts.items():
            written += plots.save(fig, staging / f"{name}{suffix}", formats)
    if many:
        footer = (
            f"Source: sim model runs, {result.replications} replications, seed {result.plan.seed}"
        )
        written += plots.save(
            plots.outcome_distributions(result.summary, reference=ref, footer=footer),
            staging / "outcomes",
            formats,
        )
        if several:
            written += plots.save(
                plots.difference_chart(diffs, footer=footer), staging / "differences", formats
            )
    final = target / "charts"
    shutil.rmtree(final, ignore_errors=True)
    os.replace(staging, final)
    return [final / p.relative_to(staging) for p in written]


def _footer(s: Scenario, result: EnsembleResult) -> str:
    runs = f"{result.replications} replications" if result.replications > 1 else "1 replication"
    seed = result.plan.seed
    return f"Source: sim model run, scenario {s.name} ({s.title or s.name}), {runs}, seed {seed}"
