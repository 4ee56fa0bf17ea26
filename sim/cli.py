"""The ``sim`` command line: thin wrappers over importable functions.

This is the only module that prints, reads argv or exits. A user mistake (a bad scenario,
an output folder in the way) becomes one line on stderr and exit code 2; anything else is a
bug and keeps its traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from sim.errors import SimError

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


@app.command()
def run(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario YAML file(s).")],
    overrides: Overrides = None,
    seed: Annotated[int, typer.Option(help="Seed of the random streams.", min=0)] = 0,
    replications: Annotated[
        int, typer.Option("--replications", "-n", help="Replications per scenario.", min=1)
    ] = 1,
    out: Annotated[
        Path | None,
        typer.Option(help="New or empty output folder. Default: runs/<name>-<time>/"),
    ] = None,
    formats: Annotated[
        str, typer.Option("--format", help="Chart formats, comma-separated: png, svg, pdf.")
    ] = "png,svg",
) -> None:
    """Run scenario(s) and write tables, charts and a manifest to a new folder."""
    from sim.analysis.summary import headline
    from sim.pipeline import FORMATS, run_scenarios

    wanted = [f.strip().lower() for f in formats.split(",") if f.strip()]
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        raise _fail(ValueError(f"--format: unknown format {', '.join(bad) or '(none)'}; "
                               f"choose from {', '.join(FORMATS)}"))  # fmt: skip
    try:
        result = run_scenarios(
            scenarios,
            overrides=overrides or [],
            seed=seed,
            replications=replications,
            out=out,
            formats=wanted,
            command=["sim", *sys.argv[1:]],
        )
    except SimError as error:
        raise _fail(error) from None
    table = Table(title="Main outcomes", show_lines=False)
    cells = headline(result.summary)
    table.add_column("Outcome")
    for name in cells.columns:
        table.add_column(str(name), justify="right")
    for label, row in cells.iterrows():
        table.add_row(str(label), *(str(v) for v in row))
    console.print(table)
    console.print(f"Results in [bold]{result.out}[/bold]")


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
    app()
