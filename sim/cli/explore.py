"""sim sweep, sim sensitivity, sim robustness and sim optimize: an experiment's inputs
explored, and the search for good options."""

from __future__ import annotations

import math
from typing import Annotated

import typer

from sim.cli import tables as cli_tables
from sim.cli.base import command, console, progress_bar, show_path, tell
from sim.cli.options import (
    BaseSamples,
    Budget,
    CandidatePrecision,
    Design,
    DesignOption,
    Executor,
    ExecutorName,
    ExperimentFile,
    FileSeed,
    Formats,
    Futures,
    Method,
    MethodOption,
    Out,
    Population,
    Resume,
    Robust,
    SampleReplications,
    Samples,
    Scheduler,
    SearchReplications,
    Workers,
    expect_kind,
    whole_number,
)


@command()
def sweep(
    experiment: ExperimentFile,
    design: DesignOption = Design.lhs,
    samples: Samples = 100,
    levels: Annotated[
        int,
        typer.Option(
            parser=whole_number(2), metavar="N", help="Levels per input, with --design factorial."
        ),
    ] = 3,
    replications: SampleReplications = None,
    seed: FileSeed = None,
    executor: Executor = ExecutorName.processes,
    workers: Workers = None,
    scheduler: Scheduler = None,
    out: Out = None,
    resume: Resume = None,
    formats: Formats = "png,svg",
) -> None:
    """Run every option across a designed set of futures and levers.

    Writes the experiments and outcomes tables, in CSV and Parquet.
    """
    from sim.workflows import explore

    expect_kind("experiment", experiment)
    if design == Design.sobol:
        _balanced(samples)
    with progress_bar() as progress:
        result = explore.sweep(
            experiment,
            design=design.value,
            samples=samples,
            levels=levels,
            replications=replications,
            seed=seed,
            executor=executor.value,
            workers=workers,
            scheduler=scheduler,
            out=out,
            resume=resume,
            formats=formats,
            progress=progress,
        )
    _print_exploration(result)
    show_path("Results in", result.out)


@command()
def sensitivity(
    experiment: ExperimentFile,
    method: MethodOption = Method.sobol,
    outcome: Annotated[
        list[str] | None,
        typer.Option(
            metavar="NAME", help="Outcome to analyse (repeatable). Default: all those declared."
        ),
    ] = None,
    samples: BaseSamples = 64,
    replications: SampleReplications = None,
    seed: FileSeed = None,
    executor: Executor = ExecutorName.processes,
    workers: Workers = None,
    scheduler: Scheduler = None,
    out: Out = None,
    resume: Resume = None,
    formats: Formats = "png,svg",
) -> None:
    """Sensitivity indices (SALib) of each outcome for each option, over time, and a tornado."""
    from sim.workflows import explore

    expect_kind("experiment", experiment)
    if method == Method.sobol:
        _balanced(samples)
    with progress_bar() as progress:
        result = explore.sensitivity(
            experiment,
            method=method.value,
            outcomes=outcome,
            samples=samples,
            replications=replications,
            seed=seed,
            executor=executor.value,
            workers=workers,
            scheduler=scheduler,
            out=out,
            resume=resume,
            formats=formats,
            progress=progress,
        )
    _print_exploration(result)
    indices = result.tables["indices"]
    console.print(cli_tables.indices_table(indices, method.value))
    for note in cli_tables.indices_notes(indices, method.value, samples):
        console.print(f"Note: {note}")
    show_path(
        f"All {len(indices):,} indices, with their confidence intervals, in",
        result.out / "indices.csv",
    )
    show_path("Results in", result.out)


@command()
def robustness(
    experiment: ExperimentFile,
    design: DesignOption = Design.lhs,
    samples: Samples = 100,
    replications: SampleReplications = None,
    seed: FileSeed = None,
    executor: Executor = ExecutorName.processes,
    workers: Workers = None,
    scheduler: Scheduler = None,
    out: Out = None,
    resume: Resume = None,
    formats: Formats = "png,svg",
) -> None:
    """Regret of each option across futures, and the share of futures meeting the thresholds.

    Also finds the ranges of the uncertainties that make each option fail (rules.csv).
    """
    from sim.workflows import explore

    expect_kind("experiment", experiment)
    if design == Design.sobol:
        _balanced(samples)
    with progress_bar() as progress:
        result = explore.robustness(
            experiment,
            design=design.value,
            samples=samples,
            replications=replications,
            seed=seed,
            executor=executor.value,
            workers=workers,
            scheduler=scheduler,
            out=out,
            resume=resume,
            formats=formats,
            progress=progress,
        )
    _print_exploration(result)
    satisficing, regret = result.tables["satisficing"], result.tables["regret_summary"]
    if not satisficing.empty:
        console.print(cli_tables.satisficing_table(satisficing, result.experiment.thresholds))
    if not regret.empty:
        console.print(cli_tables.regret_table(regret))
    show_path("Results in", result.out)


def _balanced(samples: int) -> None:
    if samples & (samples - 1):
        power = 2 ** round(math.log2(samples))
        tell(
            f"--samples {samples} is not a power of 2: a Sobol sample is evenly spread only "
            f"at powers of 2 (--samples {power}, for example)"
        )


def _print_exploration(result) -> None:
    """Failed runs, and the notes of the exploration."""
    failures = result.sweep.failures
    if len(failures):
        console.print(f"[bold]{len(failures)} run(s) failed[/bold] (see failures.csv):")
        for _, row in failures.head(5).iterrows():
            console.print(f"  sample {row['sample']} {row['scenario']}: {row['error']}")
        if len(failures) > 5:
            console.print(f"  and {len(failures) - 5} more")
    for note in result.notes:
        console.print(note)


@command()
def optimize(
    experiment: ExperimentFile,
    scenario: Annotated[
        str, typer.Option(metavar="NAME", help="The option whose levers are searched.")
    ],
    budget: Budget,
    seed: FileSeed = None,
    robust: Robust = False,
    futures: Futures = None,
    replications: SearchReplications = None,
    precision: CandidatePrecision = None,
    population: Population = None,
    executor: Executor = ExecutorName.processes,
    workers: Workers = None,
    scheduler: Scheduler = None,
    out: Out = None,
    formats: Formats = "png,svg",
) -> None:
    """Search an option's levers for the settings that nothing beats on every outcome at once.

    The experiment's outcomes are the objectives (in their directions) and its thresholds
    the constraints; uncertainties are held at their reference values, or with --robust
    sampled as futures that every candidate meets. The Pareto set is run again with fresh
    replications, and each of its options is written as a scenario (pareto/option-NN.yaml).
    """
    from sim.workflows.optimize import optimize as search

    expect_kind("experiment", experiment)
    if futures is not None and not robust:
        raise typer.BadParameter("--futures needs --robust (futures are sampled only then)")
    with progress_bar("candidates") as progress:
        result = search(
            experiment,
            scenario=scenario,
            budget=budget,
            seed=seed,
            robust=robust,
            futures=futures or 50,
            replications=replications,
            precision=precision,
            population=population,
            executor=executor.value,
            workers=workers,
            scheduler=scheduler,
            out=out,
            formats=formats,
            progress=progress,
        )
    m = result.manifest
    console.print(cli_tables.pareto_table(result.tables["pareto"], m["objectives"], m["levers"]))
    counts = m["counts"]
    console.print(
        f"{m['algorithm']}: {counts['evaluated']:,} candidates ({counts['feasible']:,} feasible); "
        f"Pareto set of {counts['pareto']}, of which {counts['stays']} stay unbeaten when run "
        f"again with fresh replications; hypervolume "
        f"{result.tables['convergence']['hypervolume'].iloc[-1]:.4g}."
    )
    for note in result.notes:
        console.print(f"Note: {note}")
    show_path("Results in", result.out)
