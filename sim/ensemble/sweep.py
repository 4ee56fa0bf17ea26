"""Run an experiment's samples: every option, in every sampled future, many replications.

A sample is one point in the space of uncertainties and levers. Each (sample, option) is
one task: the option with the sample's values set, run for ``replications`` replications
with the same seed sequence in every sample and option (common random numbers across
levers and futures). Tasks run on the ensemble executors; a task that fails is recorded
with its error, never dropped silently. Results do not depend on the executor or workers:
tasks are keyed by (sample, option) and sorted before they are returned. With a folder, each
finished task is saved there as JSON data carrying the run's id (see ``checkpoint``), and a
resumed run reads back only those.

A test model (any picklable function of the sample's values returning outcomes) can take
the simulator's place, so sampling, failure handling and analysis are checked against
known answers.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.ensemble.checkpoint import decode, encode
from sim.ensemble.executors import Executor
from sim.ensemble.worker import replicate
from sim.errors import SimError
from sim.results.layout import atomic, damaged, read_json
from sim.scenario.experiment import Experiment
from sim.scenario.keys import as_key
from sim.scenario.loader import leaf_type
from sim.scenario.schema import Scenario
from sim.scenario.values import apply_values

TASKS = "tasks"
CHUNK = 10  # the most tasks sent to a worker in one call


@dataclass
class SweepResult:
    """Tidy tables of a sweep."""

    experiments: pd.DataFrame  # sample, then one column per input (its value)
    outcomes: pd.DataFrame  # sample, scenario, replication, then the outcomes
    monthly: pd.DataFrame  # sample, scenario, month, cap_count_p90 (mean over replications)
    failures: pd.DataFrame  # sample, scenario, error
    seconds: float

    def means(self) -> pd.DataFrame:
        """Each outcome's mean over replications, per sample and scenario."""
        if self.outcomes.empty:
            return pd.DataFrame(columns=["sample", "scenario"])
        numeric = self.outcomes.select_dtypes("number").columns.drop(["sample", "replication"])
        # Options stay in the experiment's order (rows come sorted by sample, then option).
        grouped = self.outcomes.groupby(["sample", "scenario"], sort=False)[list(numeric)]
        return grouped.mean().reset_index()


def sample_values(experiment: Experiment, design: np.ndarray) -> pd.DataFrame:
    """The inputs' values at each design point (rows of ``design`` in [0, 1))."""
    inputs = experiment.inputs
    rows = []
    for i, point in enumerate(design):
        row: dict[str, Any] = {"sample": i}
        for (path, spec), u in zip(inputs.items(), point, strict=True):
            row[path] = spec.value(float(u), leaf_type(as_key(path)) is int)
        rows.append(row)
    return pd.DataFrame(rows)


@dataclass
class _Task:
    sample: int
    option: int
    values: dict[str, Any]


def _run_task(
    task: _Task,
    scenario: Scenario | None,
    seed: int,
    replications: range,
    model: Callable[[dict], dict] | None,
) -> dict:
    """Run one (sample, option); never raises for a user-level failure, records it."""
    rows, monthly = [], []
    try:
        if model is not None:
            return {
                "task": task,
                "rows": [{"replication": 0, **model(task.values)}],
                "monthly": [],
                "error": None,
            }
        concrete = apply_values(scenario, task.values)
        for k in replications:
            as_run, rec, row = replicate(concrete, seed, k)
            rows.append(row)
            monthly.append(_monthly_p90(rec.cap_count.sum(axis=1), as_run))
        months = pd.concat(monthly).groupby(level=0).mean()
        per_month = [{"month": m, "cap_count_p90": v} for m, v in months.items()]
        return {"task": task, "rows": rows, "monthly": per_month, "error": None}
    except (SimError, ValueError, ArithmeticError) as exc:
        return {"task": task, "rows": [], "monthly": [], "error": f"{type(exc).__name__}: {exc}"}


def _monthly_p90(total: np.ndarray, scenario: Scenario) -> pd.Series:
    days = pd.date_range(pd.Timestamp(scenario.start), periods=len(total), freq="D")
    series = pd.Series(total, index=days.to_period("M").astype(str))
    return series.groupby(level=0).quantile(0.9)


def run_sweep(
    experiment: Experiment,
    scenarios: list[Scenario],
    design: np.ndarray,
    executor: Executor,
    *,
    replications: int | None = None,
    seed: int | None = None,
    folder: Path | None = None,
    run_id: str = "",
    progress: Callable[[int, int | None], None] | None = None,
    model: Callable[[dict], dict] | None = None,
    first: int = 0,
) -> SweepResult:
    """Run every (sample, option) of ``design``; see the module docstring.

    Each task runs replications ``first`` to ``first + replications - 1`` (a search adds
    replications to a candidate this way; ``folder`` keeps only runs from ``first`` 0).
    """
    began = time.perf_counter()
    replications = replications or experiment.replications
    numbers = range(first, first + replications)
    seed = experiment.seed if seed is None else seed
    experiments = sample_values(experiment, design)
    options = scenarios if model is None else [None]
    tasks = []
    for i, row in experiments.iterrows():
        for j, scenario in enumerate(options):
            name = scenario.name if scenario is not None else "model"
            values = {
                path: row[path]
                for path, spec in experiment.inputs.items()
                if spec.scenarios is None or name in spec.scenarios
            }
            tasks.append(_Task(int(i), j, values))
    done = _saved(folder, run_id, tasks)
    results = [done[(t.sample, t.option)] for t in tasks if (t.sample, t.option) in done]
    todo = [t for t in tasks if (t.sample, t.option) not in done]
    window = max(2 * executor.workers, 2)
    # Several tasks to a call (fewer round trips, each option sent once a call), but enough
    # calls that the workers finish together.
    size = max(1, min(CHUNK, -(-len(todo) // (4 * executor.workers))))
    pending: list = []
    if progress:
        progress(len(results), len(tasks))
    while todo or pending:
        while todo and len(pending) < window:
            group, todo = todo[:size], todo[size:]
            needed = {t.option: options[t.option] for t in group}
            pending.append(executor.submit(_run_tasks, group, needed, seed, numbers, model))
        future = next(executor.as_completed(pending))
        pending.remove(future)
        for result in future.result():
            if folder is not None:
                _save(folder, result, run_id)
            results.append(result)
            if progress:
                progress(len(results), len(tasks))
    return _tables(results, experiments, options, time.perf_counter() - began)


def _run_tasks(
    group: list[_Task],
    options: dict[int, Scenario | None],
    seed: int,
    replications: range,
    model: Callable[[dict], dict] | None,
) -> list[dict]:
    """Run a few tasks in one call (``options``: the scenario of each option they need)."""
    return [_run_task(t, options[t.option], seed, replications, model) for t in group]


def _tables(
    results: list[dict], experiments: pd.DataFrame, options: list, seconds: float
) -> SweepResult:
    results = sorted(results, key=lambda r: (r["task"].sample, r["task"].option))
    names = [o.name if o is not None else "model" for o in options]
    rows, monthly, failures = [], [], []
    for r in results:
        t = r["task"]
        base = {"sample": t.sample, "scenario": names[t.option]}
        if r["error"] is not None:
            failures.append({**base, "error": r["error"]})
        rows += [{**base, **{k: v for k, v in row.items() if k != "scenario"}} for row in r["rows"]]
        monthly += [{**base, **m} for m in r["monthly"]]
    outcomes = pd.DataFrame(rows)
    if outcomes.empty:
        outcomes = pd.DataFrame(columns=["sample", "scenario", "replication"])
    return SweepResult(
        experiments=experiments,
        outcomes=outcomes,
        monthly=pd.DataFrame(monthly, columns=["sample", "scenario", "month", "cap_count_p90"]),
        failures=pd.DataFrame(failures, columns=["sample", "scenario", "error"]),
        seconds=seconds,
    )


def _save(folder: Path, result: dict, run_id: str) -> None:
    """A finished task as JSON data (its numbers and error, not its lever values)."""
    t = result["task"]
    path = folder / TASKS / f"{t.sample:06d}-{t.option:02d}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "run_id": run_id,
        "sample": t.sample,
        "option": t.option,
        **encode({k: result[k] for k in ("rows", "monthly", "error")}),
    }
    text = json.dumps(data)
    atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _saved(folder: Path | None, run_id: str, tasks: list[_Task]) -> dict[tuple[int, int], dict]:
    """Tasks of this run finished before it was interrupted, each checked, from ``folder``."""
    if folder is None or not (folder / TASKS).is_dir():
        return {}
    wanted = {(t.sample, t.option): t for t in tasks}
    done = {}
    for path in sorted((folder / TASKS).glob("*.json")):
        data = read_json(path)
        if not isinstance(data, dict) or data.get("run_id") != run_id:
            raise damaged(path, "it belongs to another run")
        task = wanted.get((data.get("sample"), data.get("option")))
        rows, monthly, error = (decode(data.get(k), path) for k in ("rows", "monthly", "error"))
        if task is None or path.name != f"{task.sample:06d}-{task.option:02d}.json":
            raise damaged(path, "no such task")
        if not (_records(rows) and _records(monthly) and isinstance(error, str | None)):
            raise damaged(path, "not a task's results")
        done[(task.sample, task.option)] = {
            "task": task,
            "rows": rows,
            "monthly": monthly,
            "error": error,
        }
    return done


def _records(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(r, dict) for r in value)
