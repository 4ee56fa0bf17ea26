"""The app every command hangs on: the one error handler, the console, and the helpers
the commands share (registering a command, saying where a file was written, a note).

Every command runs inside one error handler (``_handled``, entered by the app for each
command): a user mistake (an option value that does not parse, a bad scenario, an output
folder in the way) becomes one line on stderr and exit code 2; Ctrl-C or SIGTERM, one line
saying where the run folder stands and exit code 130; anything else is a bug and keeps its
traceback. A scenario or chart warning becomes one line on stderr, once, and the command
carries on.
"""

from __future__ import annotations

import contextlib
import inspect
import signal
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import typer
from rich.console import Console
from typer.core import TyperGroup

from sim.errors import ChartWarning, ScenarioWarning, SimError

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


def command(name: str | None = None) -> Callable[[Callable], Callable]:
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


def tell(text: str) -> None:
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


def show_path(text: str, path: Path) -> None:
    """Where something was written: the path whole on one line, for copying."""
    console.print(f"{text} [bold]{path}[/bold]", soft_wrap=True)


class progress_bar:
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


def main() -> None:
    _stop_on_sigterm()
    app()
