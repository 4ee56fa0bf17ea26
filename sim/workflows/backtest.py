"""Check the model against history: what ``sim backtest`` does, importable.

A backtest runs a historical scenario (written from what was announced at the time) as an
ensemble and scores its total cap count against the observed figures at the observed
dates. The measures themselves are pure functions in ``sim.analysis.backtest``, the chart
is ``sim.plots.backtest``; calibration, which runs many backtests, is
``sim.workflows.calibrate``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis import backtest as bt
from sim.errors import ScenarioError
from sim.results.layout import default_run_dir, staged_dir, write_csv, write_json

Progress = Callable[[int, int | None], None] | None


@dataclass
class Backtest:
    """A backtest's tables and figures."""

    scenario: str
    points: pd.DataFrame  # one row per observed figure
    metrics: dict[str, Any]
    timing: pd.DataFrame  # when the force first fell below each level
    band: pd.DataFrame  # the model's total cap count per day: date, mean, q05, q50, q95
    phases: pd.DataFrame
    observed: pd.DataFrame
    manifest: dict
    out: Path | None = None


def read_observed(path: str | Path) -> pd.DataFrame:
    """An observed series: a CSV with columns date and us_troops (and an optional note)."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise ScenarioError("no such file", file=path) from None
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ScenarioError(f"not a readable CSV ({exc})", file=path) from None
    missing = [c for c in ("date", "us_troops") if c not in frame]
    if missing:
        raise ScenarioError(
            "needs the columns date and us_troops", file=path, line=1, key=missing[0]
        )
    dates = pd.to_datetime(frame["date"].str.strip(), errors="coerce", format="ISO8601")
    troops = pd.to_numeric(frame["us_troops"].str.strip(), errors="coerce")
    for key, bad, what in (
        ("date", dates.isna(), "a date as YYYY-MM-DD"),
        ("us_troops", troops.isna() | (troops < 0), "a number of people"),
    ):
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            shown = frame[key].iloc[row]
            raise ScenarioError(f"{shown!r} is not {what}", file=path, line=row + 2, key=key)
    frame = frame.assign(date=dates, us_troops=troops)
    return frame.sort_values("date", ignore_index=True)


def run_backtest(
    scenario: str | Path,
    observed: str | Path,
    *,
    replications: int = 100,
    seed: int = 0,
    overrides: Sequence[str] = (),
    levels: Sequence[float] | None = None,
    executor: str = "processes",
    workers: int | None = None,
    progress: Progress = None,
) -> Backtest:
    """Run ``scenario`` ``replications`` times and score it against ``observed``."""
    from sim.ensemble.runner import Plan
    from sim.workflows.run import run_scenarios

    seen = read_observed(observed)
    run = run_scenarios(
        [scenario],
        overrides=overrides,
        plan=Plan(seed=seed, replications=replications),
        executor=executor,
        workers=workers,
        write=False,
        progress=progress,
    )
    bands = run.comparison.bands
    band = bands[(bands["role"] == "total") & (bands["measure"] == "cap_count")]
    band = band[["date", "mean", "q05", "q50", "q95"]].reset_index(drop=True)
    points = bt.compare_points(band, seen)
    timing = bt.timing(band, seen, list(levels) if levels else bt.default_levels(seen))
    manifest = {**run.comparison.manifest, "kind": "backtest", "observed": str(observed)}
    name = run.comparison.scenarios[0]
    return Backtest(
        name, points, bt.metrics(points), timing, band, run.comparison.phases, seen, manifest
    )


def write_backtest(
    result: Backtest,
    out: Path | None,
    formats: Sequence[str] = ("png", "svg"),
    runs_root: Path = Path("runs"),
) -> Path:
    """The backtest's folder: points, timing, band, metrics, manifest and the overlay chart."""
    from sim import plots

    target = out or default_run_dir(runs_root, f"{result.scenario}-backtest")
    with staged_dir(target) as tmp:
        write_csv(result.points, tmp / "backtest.csv")
        write_csv(result.timing, tmp / "timing.csv")
        write_csv(result.band, tmp / "band.csv")
        write_json({**result.metrics, "timing": _records(result.timing)}, tmp / "metrics.json")
        fig = plots.backtest_chart(
            result.band, result.observed, result.phases, scenario=result.scenario
        )
        if formats:
            plots.save(fig, tmp / "charts" / "backtest", formats)
        write_json({**result.manifest, "status": "complete"}, tmp / "manifest.json")
    result.out = target
    return target


def _records(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.to_json(orient="records", date_format="iso"))
