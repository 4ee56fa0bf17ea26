"""The options the ``sim`` commands share, each defined once: its type, choices, parsing, help.

One meaning, one type: ``Replications`` is a run's (a whole number, or ``auto``),
``SampleReplications`` an exploration's, and so on, and every command that takes one uses
the same type, so the option reads, checks and explains itself the same way everywhere.
A value that does not parse raises ``ValueError`` with what is wrong in words; typer names
the option and the CLI prints it as one line. A file argument of the wrong kind (an
experiment given to ``sim validate``) is told apart by its top-level keys (``expect_kind``).

Nothing heavy is imported here: ``sim --help`` loads this module. So the names of the
designs, methods and executors are written out again here, beside the modules that use
them (which import pandas or multiprocessing); tests/cli/test_options.py checks that the
copies agree.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from sim.errors import ScenarioError
from sim.plots.formats import FORMATS

DESIGNS = ("lhs", "sobol", "factorial")  # as sim.analysis.sensitivity.DESIGNS
METHODS = ("sobol", "morris")  # as sim.analysis.sensitivity.METHODS
EXECUTORS = ("processes", "dask")  # as sim.ensemble.executors.EXECUTORS

Design = enum.StrEnum("Design", {name: name for name in DESIGNS})
Method = enum.StrEnum("Method", {name: name for name in METHODS})
ExecutorName = enum.StrEnum("ExecutorName", {name: name for name in EXECUTORS})

AUTO = "auto"


def whole_number(minimum: int) -> Callable[[object], int]:
    """A parser of whole numbers of at least ``minimum``."""

    def parse(value: object) -> int:
        return _whole(str(value), minimum)

    return parse


def replications_or_auto(value: object) -> int | None:
    """``-n`` of a run: a whole number of at least 1, or ``auto`` (None: until --precision)."""
    text = str(value).strip()
    if text.lower() == AUTO:
        return None
    return _whole(text, 1, alternative=f" (or {AUTO})")


def _whole(text: str, minimum: int, alternative: str = "") -> int:
    try:
        number = int(text)
    except ValueError:
        raise ValueError(f"expected a whole number{alternative}, got {text!r}") from None
    if number < minimum:
        raise ValueError(f"must be at least {minimum}{alternative}, got {number}")
    return number


def positive(value: object) -> float:
    """A number above 0."""
    try:
        number = float(str(value))
    except ValueError:
        raise ValueError(f"expected a number, got {str(value)!r}") from None
    if not number > 0:  # NaN is not either
        raise ValueError(f"must be above 0, got {value}")
    return number


def chart_formats(value: object) -> list[str]:
    """``--format``: the chart formats asked for, comma-separated; ``none``: no charts (``[]``)."""
    wanted = [f.strip().lower() for f in str(value).split(",") if f.strip()]
    if wanted == ["none"]:
        return []
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        raise ValueError(
            f"unknown format {', '.join(bad) or '(none given)'}; "
            f"choose from {', '.join(FORMATS)}, or none"
        )
    return wanted


# Top-level keys that only one kind of file has (each kind's schema forbids the others'),
# and the commands that take it.
KINDS = {
    "scenario": (
        {
            "extends",
            "start",
            "end",
            "cap",
            "policy",
            "unit_types",
            "initial_force",
            "threat",
            "airlift",
            "cost",
        },
        "sim validate, run, compare or backtest",
    ),
    "experiment": (
        {"scenarios", "uncertainties", "levers", "outcomes", "thresholds"},
        "sim sweep, sensitivity, robustness or optimize",
    ),
    "calibration": ({"fit", "check", "parameters"}, "sim calibrate"),
}


def expect_kind(kind: str, *paths: Path) -> None:
    """Refuse a file of another kind (an experiment given to ``sim validate``), known by its
    top-level keys, rather than list every key it lacks as the kind expected."""
    for path in paths:
        found = file_kind(path)
        if found not in (None, kind):
            raise ScenarioError(
                f"this is {_a(found)}, not {_a(kind)}; use it with {KINDS[found][1]}", file=path
            )


def _a(kind: str) -> str:
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} file"


def file_kind(path: Path) -> str | None:
    """What kind of file ``path`` is, by two or more of its top-level keys (None: unclear)."""
    from ruamel.yaml import YAML, YAMLError

    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError):
        return None  # its loader will say what is wrong, where
    if not isinstance(data, dict):
        return None
    for kind, (keys, _) in KINDS.items():
        if len(keys & set(data)) >= 2:
            return kind
    return None


# --- what is run -----------------------------------------------------------------------------

Scenarios = Annotated[list[Path], typer.Argument(metavar="SCENARIO", help="Scenario YAML file(s).")]
ExperimentFile = Annotated[Path, typer.Argument(metavar="EXPERIMENT", help="Experiment YAML file.")]
Overrides = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY=VALUE",
        help="Override a scenario value, e.g. --set cap=2000 (the value is read as YAML). "
        "Repeatable.",
    ),
]

# --- how many times, with which seed ------------------------------------------------------------

Replications = Annotated[
    int | None,
    typer.Option(
        "--replications",
        "-n",
        parser=replications_or_auto,
        metavar="N|auto",
        help="Replications per scenario, or auto: until every mean is known to --precision.",
    ),
]
SampleReplications = Annotated[
    int | None,
    typer.Option(
        "--replications",
        "-n",
        parser=whole_number(1),
        metavar="N",
        help="Replications per sample and option. Default: the experiment file's.",
    ),
]
BacktestReplications = Annotated[
    int,
    typer.Option(
        "--replications",
        "-n",
        parser=whole_number(1),
        metavar="N",
        help="Replications of the scenario.",
    ),
]
CandidateReplications = Annotated[
    int | None,
    typer.Option(
        "--replications",
        "-n",
        parser=whole_number(1),
        metavar="N",
        help="Replications per candidate. Default: the calibration file's.",
    ),
]
Precision = Annotated[
    float,
    typer.Option(
        parser=positive,
        metavar="SHARE",
        help="With -n auto: the 95% confidence interval of each mean, as a share of the mean "
        "(0.02: within 2%).",
    ),
]
MaxReplications = Annotated[
    int,
    typer.Option(
        parser=whole_number(1),
        metavar="N",
        help="With -n auto: stop here if --precision is not reached.",
    ),
]
BatchSize = Annotated[
    int,
    typer.Option(
        parser=whole_number(1), metavar="N", help="Replications per batch (what --resume keeps)."
    ),
]
Seed = Annotated[
    int, typer.Option(parser=whole_number(0), metavar="N", help="Seed of the random streams.")
]
FileSeed = Annotated[
    int | None,
    typer.Option(
        parser=whole_number(0), metavar="N", help="Seed of the random streams. Default: the file's."
    ),
]

# --- designs ---------------------------------------------------------------------------------

DesignOption = Annotated[
    Design,
    typer.Option(
        "--design",
        help="How futures are sampled. lhs: a Latin hypercube; sobol: a Sobol sequence; "
        "factorial: every level of every input (--samples is then ignored).",
    ),
]
MethodOption = Annotated[
    Method,
    typer.Option(
        "--method",
        help="sobol: Sobol indices (shares of the variance); morris: Morris elementary "
        "effects (a cheaper screening).",
    ),
]
Samples = Annotated[
    int,
    typer.Option(
        parser=whole_number(1),
        metavar="N",
        help="Futures to sample (with --design sobol, best a power of 2).",
    ),
]
BaseSamples = Annotated[
    int,
    typer.Option(
        "--samples",
        parser=whole_number(1),
        metavar="N",
        help="Base samples: sobol runs N x (inputs + 2) futures, best with N a power of 2; "
        "morris runs N trajectories of inputs + 1 futures.",
    ),
]

# --- where it runs, where it goes ---------------------------------------------------------------

Executor = Annotated[ExecutorName, typer.Option(help="Where replications run.")]
Workers = Annotated[
    int | None,
    typer.Option(
        parser=whole_number(1), metavar="N", help="Worker processes. Default: all local cores."
    ),
]
Scheduler = Annotated[
    str | None,
    typer.Option(
        metavar="ADDRESS",
        help="Dask scheduler to use (with --executor dask). Default: start a local cluster.",
    ),
]
Out = Annotated[
    Path | None,
    typer.Option(metavar="FOLDER", help="New or empty output folder. Default: runs/NAME-TIME/."),
]
Resume = Annotated[
    Path | None,
    typer.Option(
        metavar="FOLDER",
        help="Complete the interrupted run in this folder (same command, same options).",
    ),
]
# ``Any``: typer would read a list annotation as an option given once per format.
Formats = Annotated[
    Any,
    typer.Option(
        "--format",
        parser=chart_formats,
        metavar="LIST",
        help=f"Chart formats, comma-separated: {', '.join(FORMATS)}; or none for tables only "
        "(`sim report FOLDER` draws the charts later).",
    ),
]
KeepSeries = Annotated[
    bool,
    typer.Option(
        "--keep-series",
        metavar="",
        show_default=False,
        help="Also write every replication's daily series (Parquet).",
    ),
]
Reference = Annotated[
    str | None,
    typer.Option(metavar="NAME", help="Scenario the others are compared with. Default: the first."),
]

# --- searching levers --------------------------------------------------------------------------

Budget = Annotated[
    int,
    typer.Option(
        parser=whole_number(1),
        metavar="N",
        help="Candidates to evaluate in all (lever settings; each runs its replications).",
    ),
]
Population = Annotated[
    int | None,
    typer.Option(
        parser=whole_number(2),
        metavar="N",
        help="Candidates per generation. Default: a tenth of the budget, 10 to 100.",
    ),
]
Robust = Annotated[
    bool,
    typer.Option(
        "--robust",
        metavar="",
        show_default=False,
        help="Score each candidate across sampled futures of the uncertainties, by the "
        "experiment's robustness measure (robustness: {measure: ...}; default mean).",
    ),
]
Futures = Annotated[
    int | None,
    typer.Option(
        parser=whole_number(1),
        metavar="K",
        help="With --robust: futures to sample (a Latin hypercube), the same for every "
        "candidate. Default: 50.",
    ),
]
CandidatePrecision = Annotated[
    float | None,
    typer.Option(
        parser=positive,
        metavar="SHARE",
        help="Double a candidate's replications (up to 8 times -n) until the 95% confidence "
        "interval of each objective's mean is within this share of it (0.05: within 5%).",
    ),
]
SearchReplications = Annotated[
    int | None,
    typer.Option(
        "--replications",
        "-n",
        parser=whole_number(1),
        metavar="N",
        help="Replications per candidate (in each future; the first number, with --precision). "
        "Default: the experiment file's.",
    ),
]
