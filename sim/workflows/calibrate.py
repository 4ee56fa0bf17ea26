"""Calibrate a historical scenario's free parameters on one episode, check them on another.

What ``sim calibrate`` does, importable. Calibration tries values of a small, declared set
of free parameters on one episode (a Latin hypercube of candidates, each backtested), keeps
the best fit, writes it as a scenario that extends the episode, and then runs the other
episode with those values, out of sample.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from sim.errors import OutputError, ScenarioError
from sim.results.layout import check_out_dir, default_run_dir, staged_dir, write_csv, write_json
from sim.scenario.overlay import overlay_yaml
from sim.workflows.backtest import Progress, run_backtest


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
    from sim.scenario.keys import as_key

    path = Path(path)
    c = load_calibration(path)
    if out is not None:
        check_out_dir(out)  # before any candidate runs, not after them all
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
        header = [
            f"Written by `sim calibrate` ({c.name}), {dt.date.today().isoformat()}: the free",
            f"parameters that best fit {c.fit.scenario} to {c.fit.observed}",
            f"(lowest MAPE of {len(table)} candidates). Other scenarios may `extends:` this file.",
        ]
        text = overlay_yaml(
            fit_scenario, target / "calibrated.yaml", best, note="calibrated", header=header
        )
        (tmp / "calibrated.yaml").write_text(text, encoding="utf-8")
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
