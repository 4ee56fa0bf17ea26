"""Explore an experiment: sweeps, sensitivity analysis and robustness, written to folders.

What ``sim sweep``, ``sim sensitivity`` and ``sim robustness`` do, importable. Each loads
and checks the experiment and its scenarios first, runs through the ensemble executors
(saving finished tasks under ``tasks/`` so an interrupted run can be resumed), then writes
tidy tables (CSV, and Parquet for the large ones), charts and a manifest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis import robustness as rob
from sim.analysis import sensitivity as sens
from sim.ensemble.executors import make_executor
from sim.ensemble.sweep import TASKS, SweepResult, run_sweep
from sim.errors import OutputError
from sim.results.layout import (
    RunFolder,
    atomic,
    default_run_dir,
    write_csv,
    write_json,
)
from sim.results.manifest import build_manifest
from sim.scenario.experiment import Experiment, load_experiment
from sim.workflows.finish import finish

Progress = Callable[[int, int | None], None] | None


@dataclass
class Exploration:
    """What an exploration wrote, as tables."""

    out: Path
    experiment: Experiment
    sweep: SweepResult
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _start(
    path: Path,
    out: Path | None,
    resume: Path | None,
    kind: str,
    runs_root: Path,
    plan: dict,
    outcomes: Sequence[str] | None = None,
) -> tuple[Experiment, list, RunFolder]:
    """Load and check everything, then claim the output folder (or reopen it, to resume)."""
    experiment, scenarios = load_experiment(path)
    unknown = [o for o in outcomes or [] if o not in experiment.outcomes]
    if unknown:
        raise OutputError(
            f"--outcome {unknown[0]}: not an outcome of the experiment "
            f"(have {', '.join(experiment.outcomes)})"
        )
    plan = {**plan, "seed": experiment.seed if plan.get("seed") is None else plan["seed"]}
    if resume is None:
        target = out or default_run_dir(runs_root, f"{experiment.name}-{kind}")
        return experiment, scenarios, RunFolder.claim(target)
    folder = RunFolder.reopen(resume)
    if folder.previous.get("plan") != plan:
        folder.release()
        raise OutputError(
            f"{resume}: that run had {folder.previous.get('plan')}; this one asks for {plan}"
        )
    return experiment, scenarios, folder


def _sweep_points(
    experiment: Experiment,
    scenarios: list,
    x: np.ndarray,
    folder: RunFolder,
    options: dict,
    manifest: dict,
) -> SweepResult:
    manifest.update(status="running", run_id=folder.run_id)
    write_json(manifest, folder.path / "manifest.json")
    with make_executor(options["executor"], options["workers"], options["scheduler"]) as ex:
        manifest.update(executor=ex.name, workers=ex.workers)
        return run_sweep(
            experiment,
            scenarios,
            x,
            ex,
            replications=options["replications"],
            seed=options["seed"],
            folder=folder.path,
            run_id=folder.run_id,
            progress=options["progress"],
        )


def _manifest(experiment: Experiment, scenarios: list, kind: str, **details: object) -> dict:
    base = build_manifest(
        scenarios,
        seed=int(details.get("seed", 0)),
        replications=None,
        overrides=[],
        started_at=dt.datetime.now(dt.UTC),
        run_seconds=0.0,
    )
    return {**base, "kind": kind, "experiment": experiment.model_dump(mode="json"), **details}


def _finish(
    folder: RunFolder,
    manifest: dict,
    tables: dict[str, pd.DataFrame],
    charts: dict[str, Callable],
    formats: Sequence[str],
    sweep: SweepResult,
) -> list[Path]:
    """Tables (and Parquet copies of the big ones), then the manifest, then the charts."""
    target = folder.path

    def write(files: list[Path]) -> None:
        for name, frame in tables.items():
            files.append(atomic(target / f"{name}.csv", partial(write_csv, frame)))
            if name in ("experiments", "outcomes"):
                files.append(
                    atomic(target / f"{name}.parquet", partial(frame.to_parquet, index=False))
                )
        manifest.update(run_seconds=round(sweep.seconds, 3), failures=len(sweep.failures))

    return finish(folder, manifest, write, charts, formats, scratch=TASKS)


def _run_design(
    experiment: Experiment,
    scenarios: list,
    folder: RunFolder,
    plan: dict,
    run: dict,
    manifest: dict,
    design: str,
    samples: int,
    levels: int = 3,
) -> SweepResult:
    """Every option at the points of ``design`` (at the seed in ``run``), as sweep and
    robustness run them."""
    x = sens.design(design, len(experiment.inputs), samples, seed=run["seed"], levels=levels)
    return _execute(
        experiment,
        scenarios,
        x,
        folder,
        {**plan, "seed": run["seed"]},
        run,
        manifest,
        design=design,
        samples=len(x),
    )


def _options(
    executor: str,
    workers: int | None,
    scheduler: str | None,
    replications: int | None,
    seed: int,
    progress: Progress,
) -> dict:
    """How a sweep over a design runs: where, how many replications, which seed."""
    return {
        "executor": executor,
        "workers": workers,
        "scheduler": scheduler,
        "replications": replications,
        "seed": seed,
        "progress": progress,
    }


def _execute(
    experiment: Experiment,
    scenarios: list,
    x: np.ndarray,
    folder: RunFolder,
    plan: dict,
    run: dict,
    manifest: dict,
    **details: object,
) -> SweepResult:
    """Write the manifest of a sweep over the design ``x`` (into ``manifest``), then run it."""
    manifest.update(
        _manifest(
            experiment,
            scenarios,
            plan["kind"],
            plan=plan,
            seed=run["seed"],
            replications=run["replications"] or experiment.replications,
            **details,
        )
    )
    return _sweep_points(experiment, scenarios, x, folder, run, manifest)


def sweep(
    path: str | Path,
    *,
    design: str = "lhs",
    samples: int = 100,
    levels: int = 3,
    replications: int | None = None,
    seed: int | None = None,
    executor: str = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    out: Path | None = None,
    resume: Path | None = None,
    formats: Sequence[str] = ("png", "svg"),
    progress: Progress = None,
    runs_root: Path = Path("runs"),
) -> Exploration:
    """Run every option across a designed set of futures and levers."""

    plan = {
        "kind": "sweep",
        "design": design,
        "samples": samples,
        "levels": levels,
        "replications": replications,
        "seed": seed,
    }
    experiment, scenarios, folder = _start(Path(path), out, resume, "sweep", runs_root, plan)
    manifest: dict = {}
    with folder.guard(manifest):
        seed = experiment.seed if seed is None else seed
        run = _options(executor, workers, scheduler, replications, seed, progress)
        result = _run_design(
            experiment, scenarios, folder, plan, run, manifest, design, samples, levels
        )
        means = result.means()
        tables = {
            "experiments": result.experiments,
            "outcomes": result.outcomes,
            "means": means,
            "monthly": result.monthly,
            "failures": result.failures,
        }
        charts = {}
        for outcome in experiment.outcomes:
            if outcome in means:
                charts[f"scatter-{outcome}"] = partial(
                    _chart,
                    "outcome_scatter",
                    result.experiments,
                    means,
                    outcome,
                    inputs=list(experiment.inputs),
                    manifest=manifest,
                )
        _finish(folder, manifest, tables, charts, formats, result)
        return Exploration(folder.path, experiment, result, tables)


def sensitivity(
    path: str | Path,
    *,
    method: str = "sobol",
    outcomes: Sequence[str] | None = None,
    samples: int = 64,
    replications: int | None = None,
    seed: int | None = None,
    executor: str = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    out: Path | None = None,
    resume: Path | None = None,
    formats: Sequence[str] = ("png", "svg"),
    progress: Progress = None,
    runs_root: Path = Path("runs"),
) -> Exploration:
    """Sobol or Morris indices of each outcome, per option, and over time; a tornado."""

    plan = {
        "kind": "sensitivity",
        "method": method,
        "samples": samples,
        "outcomes": list(outcomes or []),
        "replications": replications,
        "seed": seed,
    }
    experiment, scenarios, folder = _start(
        Path(path), out, resume, f"{method}", runs_root, plan, outcomes
    )
    manifest: dict = {}
    with folder.guard(manifest):
        seed = experiment.seed if seed is None else seed
        names = list(experiment.inputs)
        wanted = list(outcomes or experiment.outcomes)
        x = sens.method_design(method, len(names), samples, seed=seed)
        oat = sens.one_at_a_time(len(names))
        design = np.vstack([x, oat])
        run = _options(executor, workers, scheduler, replications, seed, progress)
        result = _execute(
            experiment,
            scenarios,
            design,
            folder,
            {**plan, "seed": seed},
            run,
            manifest,
            method=method,
            samples=samples,
            runs=len(design),
        )
        means = result.means()
        indices, over_time, swings, notes = [], [], [], []
        n = len(x)
        for scenario in dict.fromkeys(means["scenario"]):
            rows = _by_sample(means[means["scenario"] == scenario], len(design))
            for outcome in wanted:
                y = (
                    rows[outcome].to_numpy(dtype=float)
                    if outcome in rows
                    else np.full(len(design), np.nan)
                )
                idx = _indices(method, x, y[:n], names, seed)
                notes.append(
                    f"{scenario}/{outcome}: {idx.groups} groups used, {idx.dropped} left out"
                    f" for {len(idx.failed_rows)} failed runs"
                )
                indices.append(
                    idx.table.assign(
                        scenario=scenario, outcome=outcome, groups=idx.groups, dropped=idx.dropped
                    )
                )
                swing = sens.swings(y[n:], names).assign(scenario=scenario, outcome=outcome)
                lost = swing.loc[swing["swing"].isna(), "input"].tolist()
                if lost:
                    notes.append(
                        f"{scenario}/{outcome}: {', '.join(lost)} left out of the tornado "
                        "(a one-at-a-time run failed)"
                    )
                swings.append(swing)
            monthly = result.monthly[result.monthly["scenario"] == scenario]
            for month, group in monthly.groupby("month"):
                y = _by_sample(group, len(design))["cap_count_p90"].to_numpy(dtype=float)[:n]
                if np.nanstd(y) > 0:
                    idx = _indices(method, x, y, names, seed)
                    over_time.append(idx.table.assign(scenario=scenario, month=month))
        tables = {
            "experiments": result.experiments,
            "outcomes": result.outcomes,
            "means": means,
            "failures": result.failures,
            "indices": _front(pd.concat(indices), ["scenario", "outcome"]),
            "indices_over_time": _front(pd.concat(over_time), ["scenario", "month"])
            if over_time
            else pd.DataFrame(),
            "tornado": _front(pd.concat(swings), ["scenario", "outcome"]),
        }
        charts = {}
        for scenario in dict.fromkeys(means["scenario"]):
            for outcome in wanted:
                charts[f"{method}-{scenario}-{outcome}"] = partial(
                    _chart,
                    "sensitivity_chart",
                    tables["indices"],
                    scenario=scenario,
                    outcome=outcome,
                    method=method,
                    manifest=manifest,
                )
                charts[f"tornado-{scenario}-{outcome}"] = partial(
                    _chart,
                    "tornado",
                    tables["tornado"].dropna(subset=["swing"]),
                    scenario=scenario,
                    outcome=outcome,
                    manifest=manifest,
                )
            over = tables["indices_over_time"]
            if not over.empty and (over["scenario"] == scenario).any():
                charts[f"over-time-{scenario}"] = partial(
                    _chart,
                    "sensitivity_over_time",
                    over,
                    scenario=scenario,
                    method=method,
                    manifest=manifest,
                )
            else:  # the monthly cap count did not vary across the samples in any month
                notes.append(
                    f"{scenario}: no sensitivity over time (the monthly cap count never varies)"
                )
        manifest["notes"] = notes
        _finish(folder, manifest, tables, charts, formats, result)
        return Exploration(folder.path, experiment, result, tables, notes)


def _chart(name: str, *args: object, **options: object) -> object:
    """Draw the chart ``plots.<name>``: looked up only when drawn (matplotlib loads then)."""
    from sim import plots

    return getattr(plots, name)(*args, **options)


def _indices(method: str, x: np.ndarray, y: np.ndarray, names: list[str], seed: int):
    if method == "sobol":
        return sens.sobol_indices(x, y, names, seed=seed)
    return sens.morris_indices(x, y, names, seed=seed)


def _by_sample(frame: pd.DataFrame, n: int) -> pd.DataFrame:
    """One row per design point, in order; NaN where the run failed."""
    return frame.set_index("sample").reindex(range(n))


def _front(frame: pd.DataFrame, first: list[str]) -> pd.DataFrame:
    return frame[first + [c for c in frame.columns if c not in first]].reset_index(drop=True)


def robustness(
    path: str | Path,
    *,
    design: str = "lhs",
    samples: int = 100,
    replications: int | None = None,
    seed: int | None = None,
    executor: str = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    out: Path | None = None,
    resume: Path | None = None,
    formats: Sequence[str] = ("png", "svg"),
    progress: Progress = None,
    runs_root: Path = Path("runs"),
) -> Exploration:
    """Regret of each option in each future, the share of futures meeting the thresholds,
    and the input ranges that make each option fail."""

    plan = {
        "kind": "robustness",
        "design": design,
        "samples": samples,
        "replications": replications,
        "seed": seed,
    }
    experiment, scenarios, folder = _start(Path(path), out, resume, "robustness", runs_root, plan)
    manifest: dict = {}
    with folder.guard(manifest):
        seed = experiment.seed if seed is None else seed
        run = _options(executor, workers, scheduler, replications, seed, progress)
        result = _run_design(experiment, scenarios, folder, plan, run, manifest, design, samples)
        means = result.means()
        regret = rob.regret(means, experiment.outcomes)
        numeric = _numeric_inputs(result.experiments, list(experiment.inputs))
        rules = []
        if experiment.thresholds:
            ok = rob.meets(means, experiment.thresholds)
            for scenario in dict.fromkeys(means["scenario"]):
                mine = means["scenario"] == scenario
                failed = ~ok[mine].to_numpy()
                futures = numeric.set_index(result.experiments["sample"]).loc[
                    means.loc[mine, "sample"]
                ]
                rules.append(
                    rob.discover(futures.reset_index(drop=True), failed).assign(scenario=scenario)
                )
        tables = {
            "experiments": result.experiments,
            "outcomes": result.outcomes,
            "means": means,
            "failures": result.failures,
            "regret": regret,
            "regret_summary": rob.regret_summary(regret) if not regret.empty else pd.DataFrame(),
            "satisficing": rob.satisficing(means, experiment.thresholds)
            if experiment.thresholds
            else pd.DataFrame(),
            "rules": _front(pd.concat(rules), ["scenario"]) if rules else pd.DataFrame(),
        }
        charts = {"regret": partial(_chart, "regret_heatmap", tables["regret_summary"])}
        if experiment.thresholds:
            ok = rob.meets(means, experiment.thresholds)
            for scenario in dict.fromkeys(means["scenario"]):
                charts[f"boxes-{scenario}"] = partial(
                    _chart,
                    "discovered_boxes",
                    numeric,
                    means,
                    ok,
                    tables["rules"],
                    scenario=scenario,
                    manifest=manifest,
                )
        _finish(folder, manifest, tables, charts, formats, result)
        return Exploration(folder.path, experiment, result, tables)


def _numeric_inputs(experiments: pd.DataFrame, inputs: list[str]) -> pd.DataFrame:
    """Inputs as numbers: dates as days since the earliest, choices as their index."""
    out = {}
    for name in inputs:
        col = experiments[name]
        if pd.api.types.is_numeric_dtype(col):
            out[name] = col.astype(float)
        else:
            try:
                days = pd.to_datetime(col)
                out[name] = (days - days.min()).dt.days.astype(float)
            except (ValueError, TypeError):
                out[name] = col.astype("category").cat.codes.astype(float)
    return pd.DataFrame(out)
