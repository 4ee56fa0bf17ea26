"""Check the model against history, and calibrate its free parameters to one episode.

What ``sim backtest`` and ``sim calibrate`` do, importable. A backtest runs a historical
scenario (written from what was announced at the time) as an ensemble and scores its total
cap count against the observed figures at the observed dates. Calibration tries values of a
small, declared set of free parameters on one episode, keeps the best fit, and then runs
the other episode with those values, out of sample.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from sim.analysis import backtest as bt
from sim.errors import OutputError, ScenarioError
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
        raise ScenarioError("needs the columns date and us_troops", file=path, line=1,
                            key=missing[0])  # fmt: skip
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
    from sim.pipeline import run_scenarios

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


class Episode(BaseModel):
    """A historical scenario and the observed figures to score it against."""

    model_config = ConfigDict(extra="forbid")
    scenario: str
    observed: str


class Calibration(BaseModel):
    """Free parameters to fit on one episode (``fit``) and check on another (``check``)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z][a-z0-9_\-]*$")
    description: str = ""
    fit: Episode
    check: Episode | None = None
    parameters: dict[str, tuple[float, float]] = Field(min_length=1)
    samples: int = Field(default=16, ge=2, le=10_000)
    replications: int = Field(default=10, ge=1, le=10_000)
    seed: int = Field(default=0, ge=0)


def load_calibration(path: str | Path) -> Calibration:
    from sim.scenario.loader import read_document, validate_model

    doc = read_document(Path(path))
    doc.data.setdefault("name", Path(path).stem.lower())

    def rules(c: Calibration) -> list[tuple[tuple, str]]:
        return [
            (("parameters", k), f"low ({lo}) must be below high ({hi})")
            for k, (lo, hi) in c.parameters.items()
            if not lo < hi
        ]

    return validate_model(doc, Calibration, rules)


def calibrate(
    path: str | Path,
    *,
    samples: int | None = None,
    replications: int | None = None,
    seed: int | None = None,
    executor: str = "processes",
    workers: int | None = None,
    out: Path | None = None,
    formats: Sequence[str] = ("png", "svg"),
    progress: Progress = None,
    runs_root: Path = Path("runs"),
) -> tuple[Path, pd.DataFrame, dict[str, dict]]:
    """Fit the parameters on ``fit`` (lowest MAPE over a Latin hypercube of candidates),
    write the calibrated YAML, and backtest ``fit`` and ``check`` with the best values.

    Returns the folder, the candidates table and the metrics of the final backtests: ``fit``
    (best values), ``as_written`` (the fit episode without them, scored the same way, so a
    fit that does not beat its own scenario shows it) and ``check`` (out of sample, if any).
    """
    from sim.analysis.sensitivity import design
    from sim.scenario.values import as_key

    path = Path(path)
    c = load_calibration(path)
    here = path.parent
    fit_scenario, fit_observed = here / c.fit.scenario, here / c.fit.observed
    samples, reps = samples or c.samples, replications or c.replications
    seed = c.seed if seed is None else seed
    names = list(c.parameters)
    points = design("lhs", len(names), samples, seed=seed)
    from sim.scenario.loader import leaf_type

    rows = []
    for i, u in enumerate(points):
        values = {}
        for name, x in zip(names, u, strict=True):
            lo, hi = c.parameters[name]
            v = lo + float(x) * (hi - lo)
            values[name] = round(v) if leaf_type(as_key(name)) is int else v
        try:
            result = run_backtest(
                fit_scenario,
                fit_observed,
                replications=reps,
                seed=seed,
                overrides=[f"{k}={v}" for k, v in values.items()],
                executor=executor,
                workers=workers,
            )
            mape, inside = result.metrics["mape_percent"], result.metrics["share_inside_90"]
        except ScenarioError as exc:
            mape, inside = np.nan, np.nan
            values["error"] = str(exc)
        rows.append({"candidate": i, **values, "mape_percent": mape, "share_inside_90": inside})
        if progress:
            progress(i + 1, samples)
    table = pd.DataFrame(rows)
    if table["mape_percent"].isna().all():
        raise OutputError("every candidate failed; see the errors in the candidates table")
    best = table.loc[table["mape_percent"].idxmin(), names].to_dict()
    overrides = [f"{k}={v}" for k, v in best.items()]
    final = {"replications": max(reps, 50), "seed": seed, "executor": executor, "workers": workers}
    fit = run_backtest(fit_scenario, fit_observed, overrides=overrides, **final)
    # The episode as written, scored the same way: does the fit beat no calibration at all?
    baseline = run_backtest(fit_scenario, fit_observed, **final)
    check = None
    if c.check is not None:
        check = run_backtest(
            here / c.check.scenario, here / c.check.observed, overrides=overrides, **final
        )
    target = out or default_run_dir(runs_root, f"{c.name}-calibration")
    with staged_dir(target) as tmp:
        write_csv(table, tmp / "candidates.csv")
        (tmp / "calibrated.yaml").write_text(_calibrated_yaml(c, best, fit_scenario, target, table))
        for label, result in (("fit", fit), ("check", check)):
            if result is None:
                continue
            write_csv(result.points, tmp / f"{label}-backtest.csv")
            from sim import plots

            fig = plots.backtest_chart(
                result.band, result.observed, result.phases, scenario=result.scenario
            )
            if formats:
                plots.save(fig, tmp / "charts" / f"{label}-backtest", formats)
        summary = {
            "name": c.name,
            "parameters": best,
            "fit": {"scenario": str(fit_scenario), **fit.metrics},
            "as_written": {"scenario": str(fit_scenario), **baseline.metrics},
            "check": None
            if check is None
            else {"scenario": str(here / c.check.scenario), **check.metrics},
            "candidates": len(table),
            "replications": reps,
            "seed": seed,
            "written": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        write_json({**summary, "status": "complete"}, tmp / "manifest.json")
    metrics = {"fit": fit.metrics, "as_written": baseline.metrics}
    if check is not None:
        metrics["check"] = check.metrics
    return target, table, metrics


def _calibrated_yaml(
    c: Calibration, best: dict, fit_scenario: Path, target: Path, table: pd.DataFrame
) -> str:
    """A scenario file that extends the fitted episode with the fitted values."""
    import os

    lines = [
        f"# Written by `sim calibrate` ({c.name}), {dt.date.today().isoformat()}: the free",
        f"# parameters that best fit {c.fit.scenario} to {c.fit.observed}",
        f"# (lowest MAPE of {len(table)} candidates). Other scenarios may `extends:` this file.",
        f"extends: {os.path.relpath(fit_scenario.resolve(), target.resolve())}",
    ]
    nested: dict = {}
    for key, value in best.items():
        node = nested
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    lines += _yaml_lines(nested, 0)
    return "\n".join(lines) + "\n"


def _yaml_lines(node: dict, depth: int) -> list[str]:
    out = []
    for key, value in node.items():
        if isinstance(value, dict):
            out.append("  " * depth + f"{key}:")
            out += _yaml_lines(value, depth + 1)
        else:
            out.append("  " * depth + f"{key}: {value:g}  # calibrated")
    return out
