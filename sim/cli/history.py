"""sim backtest and sim calibrate: the model against history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from sim.cli import tables as cli_tables
from sim.cli.base import command, console, progress_bar, show_path
from sim.cli.options import (
    BacktestReplications,
    CandidateReplications,
    Executor,
    ExecutorName,
    FileSeed,
    Formats,
    Out,
    Overrides,
    Seed,
    Workers,
    expect_kind,
    whole_number,
)


@command()
def backtest(
    scenario: Annotated[
        Path, typer.Argument(metavar="SCENARIO", help="Historical scenario YAML file.")
    ],
    observed: Annotated[
        Path, typer.Option(metavar="CSV", help="Observed figures: columns date and us_troops.")
    ],
    overrides: Overrides = None,
    replications: BacktestReplications = 100,
    seed: Seed = 0,
    moment: Annotated[
        list[float] | None,
        typer.Option(
            metavar="TROOPS",
            help="Also time when the force first falls below this many (repeatable).",
        ),
    ] = None,
    executor: Executor = ExecutorName.processes,
    workers: Workers = None,
    out: Out = None,
    formats: Formats = "png,svg",
) -> None:
    """Compare the model's cap count with observed figures.

    Reports the MAPE, the largest error, the share of observed points inside the model's 90%
    band, the timing of key moments, and draws an overlay chart.
    """
    from sim.analysis.backtest import default_levels
    from sim.workflows.backtest import read_observed, run_backtest, write_backtest

    expect_kind("scenario", scenario)
    levels = sorted({*(moment or []), *default_levels(read_observed(observed))}, reverse=True)
    with progress_bar() as progress:
        result = run_backtest(
            scenario,
            observed,
            replications=replications,
            seed=seed,
            overrides=overrides or [],
            levels=levels,
            executor=executor.value,
            workers=workers,
            progress=progress,
        )
    folder = write_backtest(result, out, formats)
    m = result.metrics
    worst = m["largest_error"]
    console.print(
        f"Backtest of {result.scenario} against {observed} ({replications:,} replications)"
    )
    console.print(
        f"  MAPE on the total cap count: {m['mape_percent']:.1f}% over {m['points']} points"
        f" ({m['points_outside_run']} outside the run)"
    )
    if m["zero_point_errors"]:
        off = ", ".join(f"{e:,.0f}" for e in m["zero_point_errors"])
        console.print(f"  at zero points, off by: {off} troops")
    if worst:
        console.print(
            f"  largest error: {worst['error']:+,.0f} on {worst['date']} "
            f"(observed {worst['observed']:,.0f}, model {worst['model_median']:,.0f})"
        )
    console.print(
        f"  observed points inside the model's 90% band: {m['share_inside_90']:.0%}"
        f" (band width on average {m['band_width_percent']:.0f}% of the observed figure)"
    )
    for _, row in result.timing.iterrows():
        days = "n/a" if pd_isna(row["days_error"]) else f"{row['days_error']:+.0f} days"
        console.print(
            f"  first below {row['level']:,.0f}: observed {_day(row['observed_date'])}, "
            f"model {_day(row['model_date'])} ({days})"
        )
    show_path("Results in", folder)


@command()
def calibrate(
    calibration: Annotated[
        Path, typer.Argument(metavar="CALIBRATION", help="Calibration YAML file.")
    ],
    samples: Annotated[
        int | None,
        typer.Option(
            parser=whole_number(2),
            metavar="N",
            help="Candidates to try. Default: the calibration file's.",
        ),
    ] = None,
    replications: CandidateReplications = None,
    seed: FileSeed = None,
    executor: Executor = ExecutorName.processes,
    workers: Workers = None,
    out: Out = None,
    formats: Formats = "png,svg",
) -> None:
    """Fit a declared set of free parameters to one episode, and check them on another.

    Writes the fitted values as a scenario file to extend, and backtests the other episode
    with them (out of sample).
    """
    from sim.workflows.calibrate import calibrate as run_calibration

    expect_kind("calibration", calibration)
    with progress_bar() as progress:
        folder, table, metrics = run_calibration(
            calibration,
            samples=samples,
            replications=replications,
            seed=seed,
            executor=executor.value,
            workers=workers,
            out=out,
            formats=formats,
            progress=progress,
        )
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    console.print(cli_tables.candidates_table(table, manifest["replications"]))
    best = table.loc[table["mape_percent"].idxmin(), "candidate"]

    def scored(m: dict) -> str:
        return f"MAPE {m['mape_percent']:.1f}%, {m['share_inside_90']:.0%} inside the 90% band"

    console.print(
        f"Best candidate: {int(best)}. Its values, backtested again with more "
        "replications than the candidates had (so its MAPE differs from the "
        "table's):"
    )
    console.print(f"  Fitted episode: {scored(metrics['fit'])}")
    console.print(f"  The episode as written, for comparison: {scored(metrics['as_written'])}")
    if "check" in metrics:
        console.print(f"  Out of sample: {scored(metrics['check'])}")
    show_path("Calibrated values:", folder / "calibrated.yaml")


def pd_isna(value: object) -> bool:
    return value is None or value != value  # NaN is not equal to itself


def _day(value: object) -> str:
    return "never" if pd_isna(value) else str(value)[:10]
