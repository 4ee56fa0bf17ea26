"""sim validate, sim schema and sim app: scenario files checked, described, and edited
on a local web page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from sim.cli.base import command, console, tell
from sim.cli.options import (
    Overrides,
    Workers,
    expect_kind,
)
from sim.errors import OutputError


@command()
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


@command("app")
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
        tell(line)
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


@command()
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
