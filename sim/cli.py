"""The ``sim`` command line: thin wrappers over importable functions.

This is the only module that prints, reads argv or exits. Every command runs inside one
error handler (``_handled``, entered by the app for each command): a user mistake (an
option value that does not parse, a bad scenario, an output folder in the way) becomes one
line on stderr and exit code 2; Ctrl-C or SIGTERM, one line saying where the run folder
stands and exit code 130; anything else is a bug and keeps its traceback. A scenario or
chart warning becomes one line on stderr, once, and the command carries on.

The options several commands share are defined once, in ``sim.cli_options``; the tables
the commands print are made in ``sim.cli_tables``. pandas, matplotlib and the model load
inside the commands that need them, so that ``sim --help`` starts at once.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import math
import signal
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from typer.core import TyperGroup

from sim import cli_tables
from sim.cli_options import (
    BacktestReplications,
    BaseSamples,
    BatchSize,
    Budget,
    CandidatePrecision,
    CandidateReplications,
    Design,
    DesignOption,
    Executor,
    ExecutorName,
    ExperimentFile,
    FileSeed,
    Formats,
    Futures,
    KeepSeries,
    MaxReplications,
    Method,
    MethodOption,
    Out,
    Overrides,
    Population,
    Precision,
    Reference,
    Replications,
    Resume,
    Robust,
    SampleReplications,
    Samples,
    Scenarios,
    Scheduler,
    SearchReplications,
    Seed,
    Workers,
    expect_kind,
    whole_number,
)
from sim.errors import ChartWarning, OutputError, ScenarioWarning, SimError

# click's UsageError (a bad option value, a missing argument, an unknown command): typer
# 0.29 vends its own copy of click, whose classes are reached through typer's.
_UsageError = typer.BadParameter.__base__
# The commands that write a run folder, and what an interrupted one has saved in it (backtest
# and calibrate write theirs whole, at the end). Typer stops the others (exit 130) silently.
_SAVED = {
    "run": "batches",
    "compare": "batches",
    "sweep": "tasks",
    "sensitivity": "tasks",
    "robustness": "tasks",
    "backtest": "nothing",
    "calibrate": "nothing",
    "optimize": "nothing",
}


@contextlib.contextmanager
def _handled(ctx: typer.Context) -> Iterator[None]:
    """The one error handler, around every command: see the module's docstring."""
    with warnings.catch_warnings():
        _show_warnings_once()
        try:
            yield
        except SimError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(code=2) from None
        except _UsageError as error:
            typer.echo(f"error: {_usage(error)}", err=True)
            raise typer.Exit(code=2) from None
        except KeyboardInterrupt as stop:
            if ctx.invoked_subcommand not in _SAVED:
                raise
            raise _interrupted(stop, _SAVED[ctx.invoked_subcommand]) from None


class _Commands(TyperGroup):
    """The app: each command runs inside ``_handled``."""

    def invoke(self, ctx: typer.Context) -> object:
        with _handled(ctx):
            return super().invoke(ctx)


app = typer.Typer(
    cls=_Commands,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Simulate force-posture policy options, written as YAML scenarios.",
)
console = Console()


def _command(name: str | None = None) -> Callable[[Callable], Callable]:
    """Register a command, its docstring as help with each paragraph on one line, so that
    the terminal wraps it (rich keeps the line breaks of the source)."""

    def register(function: Callable) -> Callable:
        paragraphs = inspect.cleandoc(function.__doc__ or "").split("\n\n")
        text = "\n\n".join(" ".join(p.split()) for p in paragraphs)
        app.command(name, help=text)(function)
        return function

    return register


def _usage(error: Exception) -> str:
    """A mistake on the command line in one line: the option, what is wrong, where to look."""
    param = getattr(error, "param", None)
    message = getattr(error, "message", "")
    if isinstance(error, typer.BadParameter) and message:  # not a missing one: that has none
        # "Value error, ": pydantic's, which typer 0.29 parses option values with
        text = message.removeprefix("Value error, ")
        if param is not None:
            name = max(param.opts, key=len) if param.param_type_name == "option" else param.name
            text = f"{name}: {text}"
    else:
        text = error.format_message()
    ctx = getattr(error, "ctx", None)
    where = f"; see {ctx.command_path} --help" if ctx is not None else ""
    return f"{text.rstrip('.')}{where}"


def _interrupted(stop: KeyboardInterrupt, saved: str) -> typer.Exit:
    """Ctrl-C or SIGTERM: one line saying where the run folder stands; exit 130."""
    folder = getattr(stop, "folder", None)
    if getattr(stop, "status", None) == "complete":
        text = (
            f"interrupted while drawing charts: the run is complete in {folder}; "
            f"`sim report {folder}` draws them"
        )
    elif folder is not None:
        text = (
            f"interrupted: finished {saved} are saved in {folder}; complete the run with "
            f"the same command and --resume {folder}"
        )
    else:
        text = "interrupted before the run folder was made; nothing was written"
    typer.echo(f"\n{text}", err=True)
    return typer.Exit(code=130)


def _stop_on_sigterm() -> None:
    """SIGTERM stops a command as Ctrl-C does, so its folder records where it stands."""

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)


def _note(text: str) -> None:
    """What a long run will take: on stderr, whether or not it is a terminal."""
    typer.echo(f"note: {text}", err=True)


def _show_warnings_once() -> None:
    # Each ScenarioWarning and ChartWarning is one line on stderr as it is issued, once (by
    # its text, so a scenario loaded twice warns once), instead of Python's own two-line
    # printing. Other warnings print as before. ``_handled`` restores Python's afterwards.
    warnings.simplefilter("always", ScenarioWarning)
    shown: set[str] = set()
    python_show = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if not isinstance(message, ScenarioWarning | ChartWarning):
            python_show(message, category, filename, lineno, file, line)
        elif str(message) not in shown:
            shown.add(str(message))
            typer.echo(f"warning: {message}", err=True)

    warnings.showwarning = show


# --- running scenarios -----------------------------------------------------------------------


@_command()
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


@_command()
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
    with _progress() as progress:
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
            notify=_note,
        )
    _print_outcomes(result)
    if report:
        _where("Report:", result.out / "report.html")


@_command("report")
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
        _where("Report:", write_optimization_report(folder, out))
        return
    from sim.workflows.comparison import load_results

    path = load_results(folder).report(out, reference=reference)
    _where("Report:", path)


def _where(text: str, path: Path) -> None:
    """Where something was written: the path whole on one line, for copying."""
    console.print(f"{text} [bold]{path}[/bold]", soft_wrap=True)


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
    _where("Results in", result.out)


class _progress:
    """A rich progress bar (done/total, rate, time left) fed by the runner."""

    def __init__(self, what: str = "replications") -> None:
        self.what = what

    def __enter__(self):
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            TextColumn(self.what),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.bar.start()
        self.task = self.bar.add_task("run", total=None, rate="")
        return self.update

    def update(self, done: int, total: int | None) -> None:
        elapsed = self.bar.tasks[0].elapsed or 0.0
        rate = f"{done / elapsed:,.1f}/s" if elapsed > 0 and done else ""
        self.bar.update(self.task, completed=done, total=total, rate=rate)

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()


# --- exploring an experiment -------------------------------------------------------------------


@_command()
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
    with _progress() as progress:
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
    _where("Results in", result.out)


@_command()
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
    with _progress() as progress:
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
    _where(
        f"All {len(indices):,} indices, with their confidence intervals, in",
        result.out / "indices.csv",
    )
    _where("Results in", result.out)


@_command()
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
    with _progress() as progress:
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
    _where("Results in", result.out)


def _balanced(samples: int) -> None:
    if samples & (samples - 1):
        power = 2 ** round(math.log2(samples))
        _note(
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


# --- searching levers ---------------------------------------------------------------------------


@_command()
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
    with _progress("candidates") as progress:
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
    _where("Results in", result.out)


# --- history -----------------------------------------------------------------------------------


@_command()
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
    with _progress() as progress:
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
    _where("Results in", folder)


@_command()
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
    with _progress() as progress:
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
    _where("Calibrated values:", folder / "calibrated.yaml")


def pd_isna(value: object) -> bool:
    return value is None or value != value  # NaN is not equal to itself


def _day(value: object) -> str:
    return "never" if pd_isna(value) else str(value)[:10]


# --- scenario files ------------------------------------------------------------------------------


@_command()
def validate(
    scenario: Annotated[Path, typer.Argument(metavar="SCENARIO", help="Scenario YAML file.")],
    overrides: Overrides = None,
) -> None:
    """Check a scenario file and report the first problem with its file, line and key."""
    from sim.scenario import load_scenario

    expect_kind("scenario", scenario)
    s = load_scenario(scenario, overrides or [])
    phases = len(s.policy.phases)
    typer.echo(
        f"{scenario}: valid scenario '{s.name}' ({len(s.unit_types)} unit types, "
        f"{phases} phase{'s' if phases != 1 else ''}, {s.start} to {s.end})"
    )


@_command("app")
def app_cmd(
    port: Annotated[
        int | None,
        typer.Option(
            min=1, max=65535, help="Port on 127.0.0.1 (default: a free one, printed at start)."
        ),
    ] = None,
    scenarios: Annotated[
        list[Path] | None,
        typer.Option(
            "--scenarios",
            metavar="DIR",
            help="Also offer the scenario files in DIR (repeat for more folders).",
        ),
    ] = None,
    workers: Workers = None,
) -> None:
    """Start the app: a local web page to pick an option, change its main settings, run it
    against a reference and download the charts, the report and the edited scenario file.

    It serves 127.0.0.1 only (this machine) and prints the address to open in a browser.
    It offers the scenario files in ./scenarios and in each --scenarios DIR. Stop it with
    Ctrl+C in this terminal.
    """
    from sim.app.serve import bind, find_options, serve

    folders = ([Path("scenarios")] if Path("scenarios").is_dir() else []) + list(scenarios or [])
    for folder in folders:
        if not folder.is_dir():
            raise OutputError(f"--scenarios {folder}: no such folder")
    if not folders:
        raise OutputError(
            "no ./scenarios folder here: run sim app where it is, or give --scenarios DIR"
        )
    options, skipped = find_options(folders)
    for line in skipped:
        _note(line)
    if not options:
        shown = ", ".join(str(f) for f in folders)
        raise OutputError(f"no scenario files that load in {shown}")
    try:
        sock = bind(port)
    except OSError as err:
        raise OutputError(f"--port {port}: cannot listen on 127.0.0.1 ({err.strerror})") from None
    serve(
        options, sock, workers=workers, announce=lambda line: console.print(line, highlight=False)
    )


@_command()
def schema(
    out: Annotated[
        Path | None, typer.Option(metavar="FILE", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Print the JSON Schema of scenario files (for editor completion and checking)."""
    from sim.scenario.jsonschema import scenario_json_schema

    text = json.dumps(scenario_json_schema(), indent=2) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"Schema written to {out}")


def main() -> None:
    _stop_on_sigterm()
    app()
