"""Search an experiment's levers for the options nothing beats on every outcome at once.

What ``sim optimize`` does, importable. It loads and checks the experiment, claims the
output folder, runs the search (``sim.workflows.search``: pymoo over the levers that apply
to one scenario, every candidate through the ensemble executors), runs the Pareto set
again with fresh replications, and writes:

- ``candidates.csv``: ``candidate``, ``generation``, one column per lever (its value), one
  per objective (the score the search used), ``<objective>_ci`` (half-width of the 95%
  confidence interval of the mean; empty across futures), ``replications``, ``feasible``
  (every threshold met, as the search constrains it) and ``pareto`` (in the final set);
- ``pareto.csv``: ``option`` (``option-01`` ...: best first on the first objective),
  ``candidate``, the levers, the objectives, ``fresh_<objective>`` (with fresh
  replications), ``stays`` (still feasible and not beaten by another option once
  re-evaluated) and ``file``;
- ``convergence.csv``: per generation, ``evaluations`` so far, the ``hypervolume`` of the
  feasible non-dominated set so far (objectives normalised by the bounds over every
  candidate, reference point 1.1 in each) and its size, ``pareto_size``;
- ``pareto/option-NN.yaml``: each option as a scenario that extends the one searched,
  with its levers (and the uncertainties held at a reference) set, so ``sim run`` at the
  seed and replications its header gives reproduces its scores;
- ``failures.csv`` (candidates whose runs failed, if any), ``manifest.json`` and charts.

Two candidates with the same lever values (only a caller can give the same setting twice)
are one option. A search cannot be resumed: stopped or failed before its tables are
written, it leaves no folder behind.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis import pareto as par
from sim.ensemble.executors import make_executor
from sim.errors import ScenarioError
from sim.results.layout import (
    RunFolder,
    atomic,
    default_run_dir,
    write_csv,
    write_json,
)
from sim.results.manifest import build_manifest
from sim.scenario.experiment import Experiment, load_experiment
from sim.scenario.overlay import overlay_yaml
from sim.workflows.finish import finish
from sim.workflows.search import FRESH_SEED, PRECISION_CAP, Progress, Search, run_search
from sim.workflows.space import Space, make_space


@dataclass
class Optimization:
    """What a search wrote, as tables (``candidates``, ``pareto``, ``convergence``)."""

    out: Path
    experiment: Experiment
    manifest: dict
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def default_population(budget: int) -> int:
    """A tenth of the budget, between 10 and 100 candidates a generation."""
    return int(min(100, max(10, budget // 10)))


def optimize(
    path: str | Path,
    *,
    scenario: str,
    budget: int,
    seed: int | None = None,
    robust: bool = False,
    futures: int = 50,
    replications: int | None = None,
    precision: float | None = None,
    population: int | None = None,
    executor: str = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    out: Path | None = None,
    formats: Sequence[str] = ("png", "svg"),
    progress: Progress = None,
    runs_root: Path = Path("runs"),
) -> Optimization:
    """Search the levers of ``scenario`` for its Pareto set; see the module docstring."""
    if budget < 1 or futures < 1:
        raise ValueError("budget and futures must be 1 or more")
    began = time.perf_counter()
    path = Path(path)
    experiment, scenarios = load_experiment(path)
    _check(path, experiment, [s.name for s in scenarios], scenario, robust)
    seed = experiment.seed if seed is None else seed
    space = make_space(
        experiment,
        scenarios,
        scenario,
        replications=replications,
        precision=precision,
        robust=robust,
        futures=futures,
        seed=seed,
        file=str(path),
    )
    population = population or default_population(budget)
    target = out or default_run_dir(runs_root, f"{experiment.name}-optimize-{scenario}")
    folder = RunFolder.claim(target)
    manifest: dict = {}
    # A search cannot be resumed: stopped or failed before the end, it leaves nothing (the
    # guard removes what it created, as it does for a run that has no manifest yet).
    with folder.guard({}):
        manifest.update(_manifest(experiment, space, budget, population, seed))
        manifest.update(status="running", run_id=folder.run_id)
        write_json(manifest, folder.path / "manifest.json")
        with make_executor(executor, workers, scheduler) as ex:
            manifest.update(executor=ex.name, workers=ex.workers)
            search, algorithm = run_search(
                space, ex, budget=budget, population=population, seed=seed, progress=progress
            )
            manifest["algorithm"] = algorithm
            tables = _tables(search)
        base = path.parent / experiment.scenarios[[s.name for s in scenarios].index(scenario)]
        options = _option_files(tables, space, base, folder.path, seed, experiment.name)
        manifest["counts"] = _counts(search, tables)
        notes = _notes(search, manifest)
        manifest["notes"] = notes
        manifest["run_seconds"] = round(time.perf_counter() - began, 3)
        charts, skipped = _charts(tables, manifest)
        notes += skipped
        _finish(folder, manifest, tables, options, charts, formats)
        return Optimization(folder.path, experiment, manifest, tables, notes)


def _check(
    path: Path, experiment: Experiment, names: list[str], scenario: str, robust: bool
) -> None:
    """There is something to search for ``scenario``: else a ``ScenarioError`` saying where."""
    from sim.scenario.loader import read_document

    def applies(inputs: dict) -> bool:
        return any(s.scenarios is None or scenario in s.scenarios for s in inputs.values())

    if scenario not in names:
        raise ScenarioError(
            f"--scenario {scenario}: not an option of the experiment (have {', '.join(names)})",
            file=path,
        )
    if not applies(experiment.levers):
        file, line = read_document(path).locate(("levers",))
        what = "no levers" if not experiment.levers else f"no lever that applies to '{scenario}'"
        raise ScenarioError(
            f"{what}: sim optimize searches an option's levers", file=file, line=line, key="levers"
        )
    if robust and not applies(experiment.uncertainties):
        file, line = read_document(path).locate(("uncertainties",))
        raise ScenarioError(
            f"no uncertainty that applies to '{scenario}': --robust has no futures to sample",
            file=file,
            line=line,
            key="uncertainties",
        )


def _manifest(
    experiment: Experiment, space: Space, budget: int, population: int, seed: int
) -> dict:
    scenarios = [space.scenario] if space.scenario is not None else []
    base = build_manifest(
        scenarios,
        seed=seed,
        replications=space.replications,
        overrides=[],
        started_at=dt.datetime.now(dt.UTC),
        run_seconds=0.0,
    )
    base["packages"]["pymoo"] = metadata.version("pymoo")
    held = space.held
    name = space.scenario.name if space.scenario is not None else None
    as_written = [
        p
        for p, spec in experiment.uncertainties.items()
        if p not in held and (spec.scenarios is None or name in spec.scenarios)
    ]
    return {
        **base,
        "kind": "optimize",
        "experiment": experiment.model_dump(mode="json"),
        "scenario": name,
        "levers": list(space.levers),
        "objectives": space.scores,
        "outcomes": space.objectives,
        "thresholds": {o: t.model_dump() for o, t in space.thresholds.items()},
        "population": population,
        "budget": budget,
        "robust": (
            {"measure": space.measure, "futures": space.n_futures, "design": "lhs", "seed": seed}
            if space.futures is not None
            else None
        ),
        "uncertainties_held": {p: _json(v) for p, v in held.items()},
        "uncertainties_as_written": as_written if space.futures is None else [],
        "precision": space.precision,
        "max_replications": PRECISION_CAP * space.replications if space.precision else None,
        "fresh_seed": seed + FRESH_SEED,
        "hypervolume_reference": par.REFERENCE_POINT,
    }


def _json(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def _tables(search: Search) -> dict[str, pd.DataFrame]:
    """Candidates, the Pareto set (run again with fresh replications), convergence."""
    space = search.space
    names = list(space.scores)
    ways = list(space.scores.values())
    scored = search.score(range(len(search))).table
    levers = pd.DataFrame(search.rows, columns=["candidate", "generation", *space.levers])
    candidates = pd.concat([levers, scored], axis=1)
    candidates["replications"] = [m.replications for m in search.measured]
    feasible = candidates["feasible"].to_numpy(bool)
    best = np.zeros(len(candidates), dtype=bool)
    best[feasible] = par.non_dominated(candidates.loc[feasible, names], ways)
    # one option per lever setting (a repeated setting was one run, so its scores are equal)
    best &= ~candidates[list(space.levers)].astype(str).duplicated().to_numpy()
    candidates["pareto"] = best
    ci = [f"{o}_ci" for o in space.objectives]
    candidates = candidates[
        [
            "candidate",
            "generation",
            *space.levers,
            *names,
            *ci,
            "replications",
            "feasible",
            "pareto",
        ]
    ]
    ids = _ranked(candidates[best], names[0], ways[0])
    failures = pd.DataFrame(
        [{"candidate": i, "error": m.error} for i, m in enumerate(search.measured) if m.error],
        columns=["candidate", "error"],
    )
    return {
        "candidates": candidates,
        "pareto": _pareto(search, candidates, ids),
        "convergence": par.convergence(candidates, space.scores),
        "failures": failures,
    }


def _ranked(front: pd.DataFrame, first: str, way: str) -> list[int]:
    """The Pareto set's candidates, best first on the first objective."""
    order = front.sort_values([first, "candidate"], ascending=[way == "minimize", True])
    return [int(c) for c in order["candidate"]]


def _pareto(search: Search, candidates: pd.DataFrame, ids: list[int]) -> pd.DataFrame:
    """The options, each run again with fresh replications (as many as it had)."""
    space = search.space
    names = list(space.scores)
    rows = candidates.set_index("candidate").loc[ids].reset_index()
    u = np.array([search.points[i] for i in ids]).reshape(len(ids), len(space.levers))
    counts = [search.measured[i].replications for i in ids]
    fresh = search.measure(u, search.seed + FRESH_SEED, replications=counts)
    best = None
    if fresh:  # regret of the fresh runs: against the best of them in each future
        stacked = np.stack([m.means for m in fresh])
        ways = list(space.objectives.values())
        best = np.column_stack(
            [par.best_by_future(stacked[:, :, j], w) for j, w in enumerate(ways)]
        )
    again = search.score(ids, measured=fresh, best=best).table
    stays = again["feasible"].to_numpy(bool).copy()
    stays[stays] = par.non_dominated(again.loc[stays, names], list(space.scores.values()))
    table = rows[["candidate", *space.levers, *names]].copy()
    table.insert(0, "option", [f"option-{k:02d}" for k in range(1, len(ids) + 1)])
    for name in names:
        table[f"fresh_{name}"] = again[name].to_numpy()
    table["stays"] = stays
    table["file"] = [f"pareto/{option}.yaml" for option in table["option"]]
    return table


def _option_files(
    tables: dict[str, pd.DataFrame], space: Space, base: Path, target: Path, seed: int, name: str
) -> dict[Path, str]:
    """The scenario file of each option (path in the folder -> text)."""
    replications = tables["candidates"].set_index("candidate")["replications"]
    files = {}
    for row in tables["pareto"].to_dict("records"):
        changes = {lever: row[lever] for lever in space.levers}
        path = target / row["file"]
        scores = ", ".join(f"{o} {_figure(row[o])}" for o in space.scores)
        if space.futures is None:
            changes |= space.held
            n = int(replications[row["candidate"]])
            how = [
                f"Its scores are means over {n} replications at seed {seed}, reproduced (in the "
                "run folder) by",
                f"  sim run {row['file']} --seed {seed} -n {n}",
            ]
        else:
            how = [
                f"Its scores are the {space.measure} across {space.n_futures} sampled futures "
                "(sim optimize --robust);",
                "this file sets its levers only, and the uncertainties are as the scenario "
                "writes them.",
            ]
        header = [
            f"Written by `sim optimize` ({name}, scenario {base.name}), "
            f"{dt.date.today().isoformat()}:",
            f"{row['option']} of the Pareto set (candidate {row['candidate']}): {scores}.",
            *how,
        ]
        files[path] = overlay_yaml(base, path, changes, note="set by sim optimize", header=header)
    return files


def _counts(search: Search, tables: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Candidates evaluated (and with settings of their own), replications run, failed,
    feasible, in the Pareto set, and staying there when run again."""
    return {
        "evaluated": len(search),
        "distinct": search.distinct,
        "replications_run": search.runs,
        "failed": len(tables["failures"]),
        "feasible": int(tables["candidates"]["feasible"].sum()),
        "pareto": len(tables["pareto"]),
        "stays": int(tables["pareto"]["stays"].sum()),
    }


def _figure(value: float) -> str:
    """A score as written in a header: whole above 1,000, else to 4 significant digits."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def _notes(search: Search, manifest: dict) -> list[str]:
    counts = manifest["counts"]
    notes = []
    distinct = {id(m): m for m in search.measured}.values()  # a repeated setting is one run
    short = sum(1 for m in distinct if not m.precise)
    if short:
        notes.append(
            f"{short} candidate(s) stopped at {manifest['max_replications']} replications "
            f"without reaching --precision {manifest['precision']}"
        )
    if counts["failed"]:
        notes.append(f"{counts['failed']} candidate(s) failed to run; see failures.csv")
    if not counts["feasible"]:
        notes.append("no candidate met every threshold: the Pareto set is empty")
    return notes


def _charts(tables: dict[str, pd.DataFrame], manifest: dict) -> tuple[dict, list[str]]:
    """The charts to draw (looked up only when drawn), and notes of those left out."""
    if importlib.util.find_spec("sim.plots.optimize") is None:
        return {}, ["no charts: sim.plots.optimize is not installed"]
    levers, objectives = manifest["levers"], manifest["objectives"]
    pareto, candidates = tables["pareto"], tables["candidates"]
    charts = {
        "tradeoffs": partial(_chart, "tradeoffs", candidates, objectives, manifest, pareto=pareto),
        "convergence": partial(_chart, "convergence_chart", tables["convergence"], manifest),
    }
    if len(objectives) < 2:
        del charts["tradeoffs"]
    if pareto.empty:
        return charts, ["no chart of the Pareto set: it is empty"]
    charts["pareto"] = partial(_chart, "pareto_parallel", pareto, levers, objectives, manifest)
    return charts, []


def _chart(name: str, *args: object, **options: object) -> object:
    """Draw ``sim.plots.optimize.<name>`` (matplotlib loads only then)."""
    from sim.plots import optimize as charts

    return getattr(charts, name)(*args, **options)


def _finish(
    folder: RunFolder,
    manifest: dict,
    tables: dict[str, pd.DataFrame],
    options: dict[Path, str],
    charts: dict,
    formats: Sequence[str],
) -> list[Path]:
    """Tables and option files, then the manifest saying complete, then the charts."""
    target = folder.path

    def write(files: list[Path]) -> None:
        for name, frame in tables.items():
            if name != "failures" or not frame.empty:
                files.append(atomic(target / f"{name}.csv", partial(write_csv, frame)))
        if options:
            (target / "pareto").mkdir()
        for path, text in options.items():
            files.append(atomic(path, partial(Path.write_text, data=text, encoding="utf-8")))

    return finish(folder, manifest, write, charts, formats)
