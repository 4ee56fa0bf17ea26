"""`sim sweep` against EMA Workbench on the same design: wall time, run time, same outcomes.

    pip install -e '.[bench]'        # EMA Workbench 2.5.3 (installs on Python 3.11)
    python benchmarks/vs_ema_workbench.py [--samples 20 500] [--repeat 3] [--workers 2]

The design is the advisory option across the five uncertainties of
experiments/iraq-options.yaml (threat, airlift, adviser lead time, tour extensions, cost),
a Latin hypercube, one replication per sample, written to a temporary experiment file.

- sim: the whole `sim sweep` command, as a user waits for it (start-up, imports, worker
  start-up, runs, tables, manifest and charts), with its default charts and, when
  `sim sweep --help` offers it, with `--format none`. "runs" is the manifest's
  `run_seconds`.
- EMA: a Python process, as a user would run it, that imports EMA Workbench and sim, builds
  a `Model` whose function runs one (sample, option) the way sim's worker does
  (`apply_values`, then `replicate` with the same seed), runs it on a `MultiprocessingEvaluator`
  over the points sim sampled (read from sim's experiments table, so both run exactly the
  same points) and saves the results with `save_results`. "EMA s" is that whole process;
  "pool+runs" the `with MultiprocessingEvaluator(...)` block (pool start-up included);
  "runs" the `perform_experiments` call alone.

Each figure is the median of ``--repeat`` runs, the tools taking turns. Outcomes agree when
every declared outcome of every sample is identical in EMA's results and in every sim run
(same seed, same values). A command that fails or takes over ``TIMEOUT`` stops the
benchmark with its output (EMA Workbench 2.5.3 waits forever when a model run raises).
It prints its figures; it asserts nothing. The machine should be otherwise idle.
"""

from __future__ import annotations

import argparse
import importlib.metadata as metadata
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "advisory.yaml"
SEED = 1
TIMEOUT = 900  # seconds any one command may take
# The five uncertainties of experiments/iraq-options.yaml, with its ranges.
UNCERTAINTIES: dict[str, list | dict] = {
    "threat.attacks_per_month": [2, 20],
    "airlift.sorties_per_week": [1.5, 6],
    "unit_types.adviser_team.lead_time_days": [60, 150],
    "tour_extension_days": {"choices": [0, 30, 60]},
    "cost.default_per_troop_year_usd": [850000, 2100000],
}
OUTCOMES = {
    "total_cost_usd": "minimize",
    "adviser_days": "maximize",
    "casualties": "minimize",
    "days_over_cap": "minimize",
}


def write_experiment(folder: Path) -> Path:
    """The experiment file both tools run (JSON is YAML)."""
    experiment = {
        "name": "vs-ema-workbench",
        "scenarios": [str(SCENARIO)],
        "uncertainties": UNCERTAINTIES,
        "outcomes": OUTCOMES,
        "replications": 1,
        "seed": SEED,
    }
    path = folder / "experiment.yaml"
    path.write_text(json.dumps(experiment, indent=2), encoding="utf-8")
    return path


def sim_command() -> list[str]:
    return [str(Path(sys.executable).with_name("sim"))]


def has_format_none() -> bool:
    """Whether `sim sweep --format` takes `none` (read from its help)."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    text = subprocess.run(
        [*sim_command(), "sweep", "--help"], capture_output=True, text=True, env=env, check=True
    ).stdout
    entry = re.search(r"--format(.*?)(?=\n\W*--|\Z)", text, re.DOTALL)
    return entry is not None and re.search(r"\bnone\b", entry.group(1)) is not None


def run(command: list[str]) -> float:
    """Wall time of a command; a failure or a hang stops the benchmark with its output."""
    began = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as hung:
        # EMA Workbench 2.5.3 waits forever when a model run raises: its result reader stops.
        raise SystemExit(f"{' '.join(command)}: no end after {TIMEOUT} s\n{hung.stderr}") from None
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - began


def run_sim(experiment: Path, out: Path, samples: int, workers: int, extra: list[str]) -> dict:
    """Wall time of one `sim sweep` command, and its manifest's run time."""
    command = [
        *sim_command(),
        "sweep",
        str(experiment),
        "--samples",
        str(samples),
        "--workers",
        str(workers),
        "--out",
        str(out),
        *extra,
    ]
    wall = run(command)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {"wall": wall, "runs": manifest["run_seconds"]}


def write_points(sim_out: Path, path: Path, workers: int) -> None:
    """The points sim sampled, from its experiments table, for the EMA process."""
    import pandas as pd

    frame = pd.read_parquet(sim_out / "experiments.parquet").sort_values("sample")
    points = frame[list(UNCERTAINTIES)].to_dict("records")
    path.write_text(json.dumps({"workers": workers, "points": points}), encoding="utf-8")


def run_ema(points: Path, out: Path) -> dict:
    """Wall time of one EMA Workbench process, with the timings it reports itself."""
    command = [sys.executable, __file__, "--ema", str(points), str(out)]
    wall = run(command)
    return {"wall": wall, **json.loads((out / "timings.json").read_text(encoding="utf-8"))}


def outcomes_by_sample(out: Path) -> dict[str, list]:
    """Each declared outcome, in sample order, from a sim run folder or an EMA one."""
    if (out / "outcomes.json").exists():  # written by the EMA process
        return json.loads((out / "outcomes.json").read_text(encoding="utf-8"))
    import pandas as pd

    frame = pd.read_parquet(out / "outcomes.parquet").sort_values("sample")
    return {name: frame[name].tolist() for name in OUTCOMES}


def disagreements(reference: Path, other: Path) -> list[str]:
    """Outcomes of ``other`` that are not identical to those of ``reference``, by sample."""
    ours, theirs = outcomes_by_sample(reference), outcomes_by_sample(other)
    problems = []
    for name in OUTCOMES:
        if len(ours[name]) != len(theirs[name]):
            problems.append(f"{other.name}: {len(theirs[name])} samples, not {len(ours[name])}")
            continue
        problems += [
            f"{other.name}, sample {i}, {name}: {b!r}, not {a!r}"
            for i, (a, b) in enumerate(zip(ours[name], theirs[name], strict=True))
            if a != b
        ]
    return problems


# In the EMA process: the model function and what it needs, set before the pool forks.
_OPTION = None


def _ema_model(**values: object) -> dict:
    from sim.ensemble.worker import replicate
    from sim.scenario.values import apply_values

    _, _, row = replicate(apply_values(_OPTION, values), SEED, 0)
    return {name: row[name] for name in OUTCOMES}


def _parameter(ema: ModuleType, name: str, bounds: list | dict) -> object:
    """EMA's parameter for one of sim's inputs (its type says how EMA tables its values)."""
    from sim.scenario.keys import as_key
    from sim.scenario.loader import leaf_type

    if isinstance(bounds, dict):
        return ema.CategoricalParameter(name, bounds["choices"])
    if leaf_type(as_key(name)) is int:
        return ema.IntegerParameter(name, *bounds)
    return ema.RealParameter(name, *bounds)


def ema_process(points: Path, out: Path) -> None:
    """Run the points with EMA Workbench, as a user would script it; save timings, outcomes."""
    global _OPTION
    began = time.perf_counter()
    import ema_workbench as ema

    import sim

    spec = json.loads(points.read_text(encoding="utf-8"))
    _OPTION = sim.load_scenario(SCENARIO)
    model = ema.Model("sim", function=_ema_model)
    model.uncertainties = [_parameter(ema, name, bounds) for name, bounds in UNCERTAINTIES.items()]
    model.outcomes = [ema.ScalarOutcome(name) for name in OUTCOMES]
    scenarios = [ema.Scenario(str(i), **p) for i, p in enumerate(spec["points"])]
    ready = time.perf_counter()
    with ema.MultiprocessingEvaluator(model, n_processes=spec["workers"]) as evaluator:
        started = time.perf_counter()
        experiments, outcomes = evaluator.perform_experiments(scenarios)
        ran = time.perf_counter()
    closed = time.perf_counter()
    ema.save_results((experiments, outcomes), str(out / "results.tar.gz"))
    saved = time.perf_counter()
    order = experiments["scenario"].astype(int).argsort().to_numpy()
    by_sample = {name: outcomes[name][order].tolist() for name in OUTCOMES}
    (out / "outcomes.json").write_text(json.dumps(by_sample), encoding="utf-8")
    timings = {
        "imports": ready - began,
        "pool_and_runs": closed - ready,
        "runs": ran - started,
        "save": saved - closed,
    }
    (out / "timings.json").write_text(json.dumps(timings), encoding="utf-8")


def measure(folder: Path, samples: int, repeat: int, workers: int, none: bool) -> dict:
    """Median figures over ``repeat`` turns of each tool, and whether outcomes agree."""
    experiment = write_experiment(folder)
    variants = {"sim": []} | ({"sim --format none": ["--format", "none"]} if none else {})
    figures: dict[str, list[dict]] = {name: [] for name in [*variants, "EMA"]}
    problems: list[str] = []
    points = folder / f"points-{samples}.json"
    first: Path | None = None  # sim's first run: its points and outcomes are the reference
    for turn in range(repeat):
        for name, extra in variants.items():
            out = folder / f"{name.replace(' ', '')}-{samples}-{turn}"
            figures[name].append(run_sim(experiment, out, samples, workers, extra))
            if first is None:
                first = out
                write_points(out, points, workers)
            else:
                problems += disagreements(first, out)
        ema_out = folder / f"ema-{samples}-{turn}"
        ema_out.mkdir()
        figures["EMA"].append(run_ema(points, ema_out))
        problems += disagreements(first, ema_out)
    median = {
        name: {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        for name, runs in figures.items()
    }
    return {"samples": samples, "median": median, "problems": problems}


def machine() -> str:
    def version(package: str) -> str:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return "not installed"

    packages = ", ".join(
        f"{p} {version(p)}" for p in ("sim", "ema_workbench", "simpy", "numpy", "pandas")
    )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{platform.machine()}, {os.cpu_count()} cores (load {load}), "
        f"Python {platform.python_version()}; {packages}"
    )


HEADER = (
    f"{'samples':>7}  {'sim command':<18} {'sim s':>6} {'EMA s':>6} {'ratio':>6}  "
    f"{'EMA pool+runs s':>15} {'ratio':>6}  {'runs: sim s':>11} {'EMA s':>6}  agree"
)


def report(result: dict) -> None:
    m, n = result["median"], result["samples"]
    ema = m["EMA"]
    agree = "yes" if not result["problems"] else f"NO ({len(result['problems'])} differ)"
    for name in [k for k in m if k != "EMA"]:
        wall = m[name]["wall"]
        print(
            f"{n:>7}  {name:<18} {wall:6.2f} {ema['wall']:6.2f} {wall / ema['wall']:5.2f}x  "
            f"{ema['pool_and_runs']:15.2f} {wall / ema['pool_and_runs']:5.2f}x  "
            f"{m[name]['runs']:11.2f} {ema['runs']:6.2f}  {agree}"
        )
    other = ema["wall"] - ema["imports"] - ema["pool_and_runs"] - ema["save"]
    print(
        f"{'':>7}  EMA process: imports and set-up {ema['imports']:.2f} s, pool and runs "
        f"{ema['pool_and_runs']:.2f} s, save_results {ema['save']:.2f} s, "
        f"interpreter start-up and exit {other:.2f} s"
    )
    for problem in result["problems"][:5]:
        print(f"{'':>7}  differs: {problem}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, nargs="+", default=[20, 500])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the median counts")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="a new folder to keep every run in")
    parser.add_argument("--ema", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ema:
        ema_process(*args.ema)
        return
    none = has_format_none()
    print(f"machine: {machine()}")
    print(
        f"design: {SCENARIO.relative_to(ROOT)}, {len(UNCERTAINTIES)} uncertainties, LHS, 1 "
        f"replication, seed {SEED}, {args.workers} workers; median of {args.repeat}"
    )
    if not none:
        print("`sim sweep --format none` is not available yet: sim runs with its default charts")
    print(f"\n{HEADER}")
    with tempfile.TemporaryDirectory(prefix="vs-ema-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for samples in args.samples:
            report(measure(folder, samples, args.repeat, args.workers, none))
    print(
        f"\nload average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
        "(figures are trustworthy only on an otherwise idle machine)"
    )


if __name__ == "__main__":
    main()
