"""From scenario files to a run folder: load, simulate, tabulate, chart, write.

``run_scenarios()`` is what ``sim run`` does, importable so notebooks and tests can do the
same without a shell. Every scenario is loaded and checked, and the output folder is
checked, before any simulation starts.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim import plots
from sim.api import simulate
from sim.results.layout import check_out_dir, default_run_dir, staged_dir, write_csv, write_json
from sim.results.manifest import build_manifest
from sim.results.tables import phases_table
from sim.scenario import Scenario, load_scenario

FORMATS = ("png", "svg", "pdf")


@dataclass
class RunOutput:
    """Where a run was written, and its tables."""

    out: Path
    scenarios: list[Scenario]
    timeseries: pd.DataFrame
    events: pd.DataFrame
    summary: pd.DataFrame
    phases: pd.DataFrame
    manifest: dict
    files: list[Path] = field(default_factory=list)


def run_scenarios(
    paths: Sequence[str | Path],
    *,
    overrides: Sequence[str] = (),
    seed: int = 0,
    replications: int = 1,
    out: Path | None = None,
    runs_root: Path = Path("runs"),
    formats: Sequence[str] = ("png", "svg"),
    command: list[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RunOutput:
    """Run every scenario ``replications`` times and write the results to a new folder."""
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown chart format(s): {', '.join(unknown)}")
    scenarios = [load_scenario(p, list(overrides)) for p in paths]
    name = "-vs-".join(s.name for s in scenarios)
    target = out if out is not None else default_run_dir(runs_root, name)
    check_out_dir(target)

    started, began = dt.datetime.now(dt.UTC), time.perf_counter()
    runs = []
    total = len(scenarios) * replications
    for s in scenarios:
        for k in range(replications):
            runs.append(simulate(s, seed=seed, replication=k))
            if progress:
                progress(len(runs), total)
    timeseries = pd.concat([r.timeseries for r in runs], ignore_index=True)
    events = pd.concat([r.events for r in runs], ignore_index=True)
    summary = pd.concat([r.summary for r in runs], ignore_index=True)
    phases = pd.concat([phases_table(s) for s in scenarios], ignore_index=True)
    manifest = build_manifest(
        scenarios,
        seed=seed,
        replications=replications,
        overrides=list(overrides),
        started_at=started,
        run_seconds=time.perf_counter() - began,
        command=command,
    )

    with staged_dir(target) as tmp:
        files = [
            write_csv(timeseries, tmp / "timeseries.csv"),
            write_csv(summary, tmp / "summary.csv"),
            write_csv(events, tmp / "events.csv"),
            write_csv(phases, tmp / "phases.csv"),
        ]
        files += write_charts(timeseries, phases, scenarios, tmp / "charts", formats)
        manifest["files"] = sorted(str(f.relative_to(tmp)) for f in files)
        files.append(write_json(manifest, tmp / "manifest.json"))
    files = [target / f.relative_to(tmp) for f in files]
    return RunOutput(target, scenarios, timeseries, events, summary, phases, manifest, files)


def write_charts(
    timeseries: pd.DataFrame,
    phases: pd.DataFrame,
    scenarios: list[Scenario],
    folder: Path,
    formats: Sequence[str],
) -> list[Path]:
    """The standard charts of each scenario, in each format."""
    written: list[Path] = []
    several = len(scenarios) > 1
    for s in scenarios:
        suffix = f"-{s.name}" if several else ""
        footer = f"Source: sim model run, scenario {s.name} ({s.title or s.name})"
        for chart, draw in (
            ("composition", plots.composition),
            ("total-vs-cap", plots.total_vs_cap),
            ("movements", plots.movements),
        ):
            fig = draw(timeseries, phases, scenario=s.name, footer=footer)
            written += plots.save(fig, folder / f"{chart}{suffix}", formats)
    return written
