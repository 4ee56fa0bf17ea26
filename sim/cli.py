"""The ``sim`` command line: thin wrappers over importable functions.

This is the only module that prints, reads argv or exits. A user mistake (a bad scenario,
an output folder in the way) becomes one line on stderr and exit code 2; anything else is a
bug and keeps its traceback. A scenario warning (a target whole units cannot meet) becomes
one line on stderr, once, and the command carries on.
"""

from __future__ import annotations

import json
import signal
import sys
import warnings
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from sim.errors import ChartWarning, ScenarioWarning, SimError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Simulate force-posture policy options, written as YAML scenarios.",
)
console = Console()

Overrides = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY=VALUE",
        help="Override a scenario value, e.g. --set cap=2000 (value parsed as YAML).",
    ),
]


def _fail(error: Exception) -> typer.Exit:
    typer.echo(f"error: {error}", err=True)
    return typer.Exit(code=2)


def _interrupted(stop: KeyboardInterrupt, saved: str) -> typer.Exit:
    """Ctrl-C or SIGTERM: one line saying where the run folder stands; exit 130."""
    folder = getattr(stop, "folder", None)
    if getattr(stop, "status", None) == "complete":
        text = (f"interrupted while drawing charts: the run is complete in {folder}; "
                f"`sim report {folder}` draws them")  # fmt: skip
    elif folder is not None:
        text = (f"interrupted: finished {saved} are saved in {folder}; complete the run with "
                f"the same command and --resume {folder}")  # fmt: skip
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


def _warn(warning: ScenarioWarning | ChartWarning) -> None:
    typer.echo(f"warning: {warning}", err=True)


@app.callback()
def _show_warnings(ctx: typer.Context) -> None:
    # Every command: each ScenarioWarning goes to _warn as it is issued, once (by its text,
    # so a scenario loaded twice warns once), instead of Python's own two-line printing.
    # Other warnings print as before. The capture ends with the command.
    ctx.with_resource(warnings.catch_warnings())
    warnings.simplefilter("always", ScenarioWarning)
    shown: set[str] = set()
    python_show = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if not isinstance(message, ScenarioWarning | ChartWarning):
            python_show(message, category, filename, lineno, file, line)
        elif str(message) not in shown:
            shown.add(str(message))
            _warn(message)

    warnings.showwarning = show


Scenarios = Annotated[list[Path], typer.Argument(help="Scenario YAML file(s).")]
Seed = Annotated[int, typer.Option(help="Seed of the random streams.", min=0)]
Replications = Annotated[
    str,
    typer.Option(
        "--replications", "-n", help="Replications per scenario, or 'auto' (see --precision)."
    ),
]
Precision = Annotated[
    float,
    typer.Option(help="With -n auto: relative half-width of the 95% CI of each mean.", min=1e-6),
]
MaxReplications = Annotated[
    int, typer.Option(help="With -n auto: stop here if precision is not reached.", min=1)
]
Executor = Annotated[str, typer.Option(help="Where replications run: processes or dask.")]
Workers = Annotated[
    int | None, typer.Option(help="Worker processes (default: all local cores).", min=1)
]
Scheduler = Annotated[
    str | None, typer.Option(help="Dask scheduler address (default: start a local cluster).")
]
Out = Annotated[
    Path | None, typer.Option(help="New or empty output folder. Default: runs/<name>-<time>/")
]
Resume = Annotated[Path | None, typer.Option(help="Complete the interrupted run in this folder.")]
KeepSeries = Annotated[
    bool, typer.Option(help="Also write every replication's daily series (Parquet).")
]
Reference = Annotated[
    str | None, typer.Option(help="Scenario the others are compared with (default: first).")
]
BatchSize = Annotated[int, typer.Option(help="Replications per batch.", min=1)]
Formats = Annotated[
    str,
    typer.Option(
        "--format",
        help="Chart formats, comma-separated: png, svg, pdf; or none (tables only: "
        "`sim report FOLDER` draws them into report.html).",
    ),
]


@app.command()
def run(
    scenarios: Scenarios,
    overrides: Overrides = None,
    seed: Seed = 0,
    replications: Replications = "1",
    precision: Precision = 0.02,
    max_replications: MaxReplications = 10_000,
    executor: Executor = "processes",
    workers: Workers = None,
    scheduler: Scheduler = None,
    out: Out = None,
    resume: Resume = None,
    keep_series: KeepSeries = False,
    reference: Reference = None,
    batch_size: BatchSize = 20,
    formats: Formats = "png,svg",
    report: Annotated[bool, typer.Option(help="Also write report.html.")] = False,
) -> None:
    """Run scenario(s) and write tables, charts and a manifest to a new folder."""
    _run(**locals())


@app.command()
def compare(
    scenarios: Scenarios,
    overrides: Overrides = None,
    seed: Seed = 0,
    replications: Replications = "200",
    precision: Precision = 0.02,
    max_replications: MaxReplications = 10_000,
    executor: Executor = "processes",
    workers: Workers = None,
    scheduler: Scheduler = None,
    out: Out = None,
    resume: Resume = None,
    keep_series: KeepSeries = False,
    reference: Reference = None,
    batch_size: BatchSize = 20,
    formats: Formats = "png,svg",
) -> None:
    """Run two or more options side by side in the same random worlds, and write a
    comparison folder with its report.html."""
    if len(scenarios) < 2:
        raise _fail(ValueError("compare needs two or more scenario files"))
    _run(**locals(), report=True)


def _run(
    *,
    scenarios: list[Path],
    overrides: list[str] | None,
    seed: int,
    replications: str,
    precision: float,
    max_replications: int,
    executor: str,
    workers: int | None,
    scheduler: str | None,
    out: Path | None,
    resume: Path | None,
    keep_series: bool,
    reference: str | None,
    batch_size: int,
    formats: str,
    report: bool,
) -> None:
    from sim.ensemble.runner import Plan
    from sim.workflows.run import run_scenarios

    wanted = _formats(formats)
    if executor not in ("processes", "dask"):
        raise _fail(ValueError(f"--executor: unknown executor {executor!r}; processes or dask"))
    if replications.strip().lower() == "auto":
        plan = Plan(seed=seed, replications=None, precision=precision,
                    max_replications=max_replications, batch_size=batch_size)  # fmt: skip
    elif replications.strip().isdigit() and int(replications) >= 1:
        plan = Plan(seed=seed, replications=int(replications), batch_size=batch_size)
    else:
        raise _fail(
            ValueError(f"--replications: expected a whole number or 'auto', got {replications!r}")
        )
    try:
        with _progress() as progress:
            result = run_scenarios(
                scenarios,
                overrides=overrides or [],
                plan=plan,
                executor=executor,
                workers=workers,
                scheduler=scheduler,
                out=out,
                resume=resume,
                keep_series=keep_series,
                reference=reference,
                formats=wanted,
                command=["sim", *sys.argv[1:]],
                progress=progress,
                report=report,
                notify=_note,
            )
    except SimError as error:
        raise _fail(error) from None
    except KeyboardInterrupt as stop:
        raise _interrupted(stop, "batches") from None
    _print_outcomes(result)
    if report:
        console.print(f"Report: [bold]{result.out / 'report.html'}[/bold]")


@app.command("report")
def report_cmd(
    folder: Annotated[Path, typer.Argument(help="A run or comparison folder.")],
    out: Annotated[
        Path | None, typer.Option(help="Where to write it (default: FOLDER/report.html).")
    ] = None,
) -> None:
    """Turn a run or comparison folder into report.html: one self-contained file."""
    from sim.workflows.comparison import load_results

    try:
        path = load_results(folder).report(out)
    except SimError as error:
        raise _fail(error) from None
    console.print(f"Report: [bold]{path}[/bold]")


def _print_outcomes(result) -> None:
    from sim.analysis.summary import difference_headline, headline

    n = result.result.replications
    title = "Main outcomes" + (f": mean (5-95% range) of {n:,} replications" if n > 1 else "")
    _print_table(title, headline(result.summary, result.phases))
    if len(result.differences):
        reference = result.differences["reference"].iloc[0]
        title = f"Difference from {reference}, paired by replication: mean (5-95% range)"
        _print_table(title, difference_headline(result.summary, reference))
    reached = result.manifest.get("precision_reached") or {}
    if reached:
        worst = max(reached, key=reached.get)
        console.print(
            f"{n:,} replications; widest 95% confidence interval: {worst} "
            f"+/- {reached[worst]:.2%} of its mean"
        )
    console.print(f"Results in [bold]{result.out}[/bold]")


def _print_table(title: str, cells) -> None:
    table = Table(title=title, title_justify="left")
    table.add_column("Outcome")
    for name in cells.columns:
        table.add_column(str(name), justify="right")
    for label, row in cells.iterrows():
        table.add_row(str(label), *(str(v) for v in row))
    console.print(table)


class _progress:
    """A rich progress bar (done/total, rate, time left) fed by the runner."""

    def __enter__(self):
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            TextColumn("replications"),
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


ExperimentFile = Annotated[Path, typer.Argument(help="Experiment YAML file.")]
Samples = Annotated[int, typer.Option(help="Points in the design (base samples for Sobol).", min=1)]
SweepReplications = Annotated[
    int | None,
    typer.Option(
        "--replications", "-n", help="Replications per sample (default: the file's).", min=1
    ),
]
SweepSeed = Annotated[int | None, typer.Option(help="Seed (default: the file's).", min=0)]


@app.command()
def sweep(
    experiment: ExperimentFile,
    design: Annotated[
        str, typer.Option(help="lhs, sobol (a Sobol sequence) or factorial.")
    ] = "lhs",
    samples: Samples = 100,
    levels: Annotated[int, typer.Option(help="Levels per input (factorial).", min=2)] = 3,
    replications: SweepReplications = None,
    seed: SweepSeed = None,
    executor: Executor = "processes",
    workers: Workers = None,
    scheduler: Scheduler = None,
    out: Out = None,
    resume: Resume = None,
    formats: Formats = "png,svg",
) -> None:
    """Run every option across a designed set of futures and levers (experiments and
    outcomes tables, in CSV and Parquet)."""
    from sim.workflows import explore

    _explore(explore.sweep, experiment, design=design, samples=samples, levels=levels,
             replications=replications, seed=seed, executor=executor, workers=workers,
             scheduler=scheduler, out=out, resume=resume, formats=formats)  # fmt: skip


@app.command()
def sensitivity(
    experiment: ExperimentFile,
    method: Annotated[str, typer.Option(help="sobol or morris.")] = "sobol",
    outcome: Annotated[
        list[str] | None, typer.Option(help="Outcome(s) to analyse (default: all declared).")
    ] = None,
    samples: Samples = 64,
    replications: SweepReplications = None,
    seed: SweepSeed = None,
    executor: Executor = "processes",
    workers: Workers = None,
    scheduler: Scheduler = None,
    out: Out = None,
    resume: Resume = None,
    formats: Formats = "png,svg",
) -> None:
    """Sensitivity indices (SALib) of each outcome for each option, over time, and a tornado."""
    from sim.workflows import explore

    if method not in ("sobol", "morris"):
        raise _fail(ValueError(f"--method: unknown method {method!r}; sobol or morris"))
    _explore(explore.sensitivity, experiment, method=method, outcomes=outcome, samples=samples,
             replications=replications, seed=seed, executor=executor, workers=workers,
             scheduler=scheduler, out=out, resume=resume, formats=formats)  # fmt: skip


@app.command()
def robustness(
    experiment: ExperimentFile,
    design: Annotated[str, typer.Option(help="lhs, sobol or factorial.")] = "lhs",
    samples: Samples = 100,
    replications: SweepReplications = None,
    seed: SweepSeed = None,
    executor: Executor = "processes",
    workers: Workers = None,
    scheduler: Scheduler = None,
    out: Out = None,
    resume: Resume = None,
    formats: Formats = "png,svg",
) -> None:
    """Regret of each option across futures, the share meeting the thresholds, and the
    ranges of the uncertainties that make each option fail."""
    from sim.workflows import explore

    _explore(explore.robustness, experiment, design=design, samples=samples,
             replications=replications, seed=seed, executor=executor, workers=workers,
             scheduler=scheduler, out=out, resume=resume, formats=formats)  # fmt: skip


def _explore(run, experiment: Path, formats: str, **options) -> None:
    wanted = _formats(formats)
    if options.get("design") not in (None, "lhs", "sobol", "factorial"):
        raise _fail(ValueError(f"--design: unknown design {options['design']!r}"))
    try:
        with _progress() as progress:
            result = run(experiment, formats=wanted, progress=progress, **options)
    except SimError as error:
        raise _fail(error) from None
    except KeyboardInterrupt as stop:
        raise _interrupted(stop, "tasks") from None
    failures = result.sweep.failures
    if len(failures):
        console.print(f"[bold]{len(failures)} run(s) failed[/bold] (see failures.csv):")
        for _, row in failures.head(5).iterrows():
            console.print(f"  sample {row['sample']} {row['scenario']}: {row['error']}")
        if len(failures) > 5:
            console.print(f"  and {len(failures) - 5} more")
    for note in result.notes:
        console.print(note)
    for name in ("satisficing", "regret_summary", "indices"):
        frame = result.tables.get(name)
        if frame is not None and not frame.empty:
            console.print(f"[bold]{name}[/bold]")
            console.print(frame.round(3).to_string(index=False))
    console.print(f"Results in [bold]{result.out}[/bold]")


@app.command()
def backtest(
    scenario: Annotated[Path, typer.Argument(help="Historical scenario YAML file.")],
    observed: Annotated[Path, typer.Option(help="CSV of observed figures: date, us_troops.")],
    overrides: Overrides = None,
    replications: Annotated[int, typer.Option("--replications", "-n", min=1)] = 100,
    seed: Seed = 0,
    moment: Annotated[
        list[float] | None,
        typer.Option(help="Also time when the force first falls below this many (repeatable)."),
    ] = None,
    executor: Executor = "processes",
    workers: Workers = None,
    out: Out = None,
    formats: Formats = "png,svg",
) -> None:
    """Compare the model's cap count with observed figures: MAPE, largest error, share of
    points inside the 90% band, timing of key moments, and an overlay chart."""
    from sim.analysis.backtest import default_levels
    from sim.workflows.backtest import read_observed, run_backtest, write_backtest

    wanted = _formats(formats)
    try:
        levels = sorted({*(moment or []), *default_levels(read_observed(observed))}, reverse=True)
        with _progress() as progress:
            result = run_backtest(
                scenario,
                observed,
                replications=replications,
                seed=seed,
                overrides=overrides or [],
                levels=levels,
                executor=executor,
                workers=workers,
                progress=progress,
            )
        folder = write_backtest(result, out, wanted)
    except SimError as error:
        raise _fail(error) from None
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
    console.print(f"Results in [bold]{folder}[/bold]")


@app.command()
def calibrate(
    calibration: Annotated[Path, typer.Argument(help="Calibration YAML file.")],
    samples: Annotated[int | None, typer.Option(help="Candidates to try.", min=2)] = None,
    replications: Annotated[int | None, typer.Option("--replications", "-n", min=1)] = None,
    seed: SweepSeed = None,
    executor: Executor = "processes",
    workers: Workers = None,
    out: Out = None,
    formats: Formats = "png,svg",
) -> None:
    """Fit a declared set of free parameters to one episode, write them as a scenario file
    to extend, and backtest the other episode with them (out of sample)."""
    from sim.workflows.calibrate import calibrate as run_calibration

    wanted = _formats(formats)
    try:
        with _progress() as progress:
            folder, table, metrics = run_calibration(
                calibration,
                samples=samples,
                replications=replications,
                seed=seed,
                executor=executor,
                workers=workers,
                out=out,
                formats=wanted,
                progress=progress,
            )
    except SimError as error:
        raise _fail(error) from None
    best = table.loc[table["mape_percent"].idxmin()]
    console.print(table.round(3).to_string(index=False))

    def scored(m: dict) -> str:
        return f"MAPE {m['mape_percent']:.1f}%, {m['share_inside_90']:.0%} inside the 90% band"

    console.print(f"Best candidate {int(best['candidate'])}, fitted: {scored(metrics['fit'])}")
    console.print(f"The fitted episode as written, for comparison: {scored(metrics['as_written'])}")
    if "check" in metrics:
        console.print(f"Out of sample: {scored(metrics['check'])}")
    console.print(f"Calibrated values: [bold]{folder / 'calibrated.yaml'}[/bold]")


def _formats(formats: str) -> list[str]:
    """``--format``: the chart formats asked for; ``none``: no charts (an empty list)."""
    from sim.plots.formats import FORMATS

    wanted = [f.strip().lower() for f in formats.split(",") if f.strip()]
    if wanted == ["none"]:
        return []
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        raise _fail(ValueError(f"--format: unknown format {', '.join(bad) or '(none given)'}; "
                               f"choose from {', '.join(FORMATS)}, or none"))  # fmt: skip
    return wanted


def pd_isna(value: object) -> bool:
    return value is None or value != value  # NaN is not equal to itself


def _day(value: object) -> str:
    return "never" if pd_isna(value) else str(value)[:10]


@app.command()
def validate(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    overrides: Overrides = None,
) -> None:
    """Check a scenario file and report the first problem with its file, line and key."""
    from sim.scenario import load_scenario

    try:
        s = load_scenario(scenario, overrides or [])
    except SimError as error:
        raise _fail(error) from None
    phases = len(s.policy.phases)
    typer.echo(
        f"{scenario}: valid scenario '{s.name}' ({len(s.unit_types)} unit types, "
        f"{phases} phase{'s' if phases != 1 else ''}, {s.start} to {s.end})"
    )


@app.command()
def schema(
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
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
