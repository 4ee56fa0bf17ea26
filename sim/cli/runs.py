"""sim run, sim compare and sim report: options side by side, and their report."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from sim.cli import tables as cli_tables
from sim.cli.base import command, console, progress_bar, show_path, tell
from sim.cli.options import (
    BatchSize,
    Executor,
    ExecutorName,
    Formats,
    KeepSeries,
    MaxReplications,
    Out,
    Overrides,
    Precision,
    Reference,
    Replications,
    Resume,
    Scenarios,
    Scheduler,
    Seed,
    Workers,
    expect_kind,
)
from sim.errors import OutputError


@command()
def run(
    scenarios: Scenarios,
    overrides: Overrides = None,
    seed: Seed = 0,
    replications: Replications = 1,
    precision: Precision = 0.02,
    max_replications: MaxReplications = 10_000,
    executor: Executor = ExecutorName.processes,
    workers: Workers = None,
    scheduler: Scheduler = None,
    out: Out = None,
    resume: Resume = None,
    keep_series: KeepSeries = False,
    reference: Reference = None,
    batch_size: BatchSize = 20,
    formats: Formats = "png,svg",
    report: Annotated[
        bool,
        typer.Option("--report", metavar="", show_default=False, help="Also write report.html."),
    ] = False,
) -> None:
    """Run scenario(s) and write tables, charts and a manifest to a new folder."""
    plan = _plan(seed, replications, precision, max_replications, batch_size)
    _run_and_print(
        scenarios,
        overrides=overrides,
        plan=plan,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        out=out,
        resume=resume,
        keep_series=keep_series,
        reference=reference,
        formats=formats,
        report=report,
    )


@command()
def compare(
    scenarios: Scenarios,
    overrides: Overrides = None,
    seed: Seed = 0,
    replications: Replications = 200,
    precision: Precision = 0.02,
    max_replications: MaxReplications = 10_000,
    executor: Executor = ExecutorName.processes,
    workers: Workers = None,
    scheduler: Scheduler = None,
    out: Out = None,
    resume: Resume = None,
    keep_series: KeepSeries = False,
    reference: Reference = None,
    batch_size: BatchSize = 20,
    formats: Formats = "png,svg",
) -> None:
    """Run two or more options side by side in the same random worlds.

    Writes a comparison folder with its report.html: each outcome of each option, and its
    difference from the reference option, paired by replication.
    """
    if len(scenarios) < 2:
        raise typer.BadParameter("compare needs two or more scenario files")
    plan = _plan(seed, replications, precision, max_replications, batch_size)
    _run_and_print(
        scenarios,
        overrides=overrides,
        plan=plan,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        out=out,
        resume=resume,
        keep_series=keep_series,
        reference=reference,
        formats=formats,
        report=True,
    )


def _plan(
    seed: int, replications: int | None, precision: float, max_replications: int, batch_size: int
):
    """The replications to run: ``replications`` of them, or (None) until ``precision``."""
    from sim.ensemble.runner import Plan

    if replications is None:
        return Plan(
            seed=seed,
            replications=None,
            precision=precision,
            max_replications=max_replications,
            batch_size=batch_size,
        )
    return Plan(seed=seed, replications=replications, batch_size=batch_size)


def _run_and_print(
    scenarios: list[Path],
    *,
    overrides: list[str] | None,
    plan,
    executor: ExecutorName,
    workers: int | None,
    scheduler: str | None,
    out: Path | None,
    resume: Path | None,
    keep_series: bool,
    reference: str | None,
    formats: list[str],
    report: bool,
) -> None:
    """Run the scenarios of ``sim run`` or ``sim compare`` and print their main outcomes."""
    from sim.workflows.run import run_scenarios

    expect_kind("scenario", *scenarios)
    with progress_bar() as progress:
        result = run_scenarios(
            scenarios,
            overrides=overrides or [],
            plan=plan,
            executor=executor.value,
            workers=workers,
            scheduler=scheduler,
            out=out,
            resume=resume,
            keep_series=keep_series,
            reference=reference,
            formats=formats,
            command=["sim", *sys.argv[1:]],
            progress=progress,
            report=report,
            notify=tell,
        )
    _print_outcomes(result)
    if report:
        show_path("Report:", result.out / "report.html")


@command("report")
def report_cmd(
    folder: Annotated[
        Path,
        typer.Argument(metavar="FOLDER", help="A run, comparison or optimisation folder."),
    ],
    out: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Where to write it. Default: FOLDER/report.html."),
    ] = None,
    reference: Reference = None,
) -> None:
    """Turn a run, comparison or optimisation folder into report.html: one self-contained
    file. With --reference, the options of a comparison are compared with another of them."""
    from sim.results.layout import read_manifest

    if read_manifest(folder).get("kind") == "optimize":
        from sim.report import write_optimization_report

        if reference is not None:
            raise OutputError(
                f"{folder}: --reference is for run and comparison folders; "
                "this is a search (sim optimize)"
            )
        show_path("Report:", write_optimization_report(folder, out))
        return
    from sim.workflows.comparison import load_results

    path = load_results(folder).report(out, reference=reference)
    show_path("Report:", path)


def _print_outcomes(result) -> None:
    from sim.analysis.summary import difference_headline, headline

    n = result.result.replications
    title = "Main outcomes" + (f": mean (5-95% range) of {n:,} replications" if n > 1 else "")
    console.print(cli_tables.text_table(title, headline(result.summary, result.phases)))
    if len(result.differences):
        reference = result.differences["reference"].iloc[0]
        title = f"Difference from {reference}, paired by replication: mean (5-95% range)"
        console.print(cli_tables.text_table(title, difference_headline(result.summary, reference)))
    reached = result.manifest.get("precision_reached") or {}
    if reached:
        worst = max(reached, key=reached.get)
        console.print(
            f"{n:,} replications; widest 95% confidence interval: {worst} "
            f"+/- {reached[worst]:.2%} of its mean"
        )
    show_path("Results in", result.out)
