"""User-facing error and warning types: one per kind of user mistake.

The CLI turns each error into one clear line and a non-zero exit, and each warning into one
line before it carries on; anything else that escapes is a bug and keeps its traceback.
"""

from __future__ import annotations

from pathlib import Path


class SimError(Exception):
    """Base class for mistakes a user can make; never raised for bugs."""


class _Located:
    """A message with where it applies: ``file`` (a path, or ``"--set"`` for an override),
    ``line`` (1-based, ``None`` when no line applies) and ``key`` (the dotted path of the
    key, ``None`` for the whole file); it reads ``file:line: key: message``."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        key: str | None = None,
        more: int = 0,
    ) -> None:
        self.message = " ".join(str(message).split())  # one line
        self.file = str(file) if file is not None else None
        self.line = line
        self.key = key
        self.more = more
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = self.file or "<scenario>"
        if self.line is not None:
            where += f":{self.line}"
        text = f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"
        if self.more:
            text += f" (and {self.more} more problem{'s' if self.more > 1 else ''})"
        return text


class ScenarioError(_Located, SimError):
    """A scenario file (or an override of it) is not a valid scenario, at ``file``,
    ``line`` and ``key``; ``more`` counts the other problems found with it."""


class ScenarioWarning(_Located, UserWarning):
    """A valid scenario that will not do what it says (a target whole units cannot meet).

    Issued with ``warnings.warn`` when the scenario is loaded, and kept on the scenario
    (``Scenario.warnings``). Located and read as ``ScenarioError`` is.
    """


class ChartWarning(UserWarning):
    """Charts of a complete run that could not be drawn; its tables are all written.

    Issued by the run once its tables and manifest are written; reads as one line: which
    charts, why, and how to draw them again.
    """


class AnalysisError(SimError, ValueError):
    """The runs cannot support the analysis asked for (for example, too many failed)."""


class OutputError(SimError):
    """The output folder cannot be used (it exists and is not empty, or is not writable)."""


class ExecutorError(SimError):
    """The workers cannot be reached or started (for example, no scheduler at ``--scheduler``)."""


class RunInterrupted(KeyboardInterrupt):
    """A run stopped by Ctrl-C or SIGTERM, after its folder recorded where it stands.

    ``folder`` is the run folder; ``status`` what its manifest says: ``interrupted`` (the
    finished batches are saved, ``--resume`` completes the run) or ``complete`` (stopped
    while drawing charts: the tables are all written, ``sim report`` draws the charts).
    """

    def __init__(self, folder: Path, status: str) -> None:
        super().__init__(f"{folder}: {status}")
        self.folder = folder
        self.status = status
