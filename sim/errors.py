"""User-facing error and warning types: one per kind of user mistake.

The CLI turns each error into one clear line and a non-zero exit, and each warning into one
line before it carries on; anything else that escapes is a bug and keeps its traceback.
"""

from __future__ import annotations

from pathlib import Path


class SimError(Exception):
    """Base class for mistakes a user can make; never raised for bugs."""


class ScenarioError(SimError):
    """A scenario file (or an override of it) is not a valid scenario.

    Carries where the problem is: ``file`` (a path, or ``"--set"`` for an override),
    ``line`` (1-based, ``None`` when no line applies) and ``key`` (the dotted path of the
    offending key, ``None`` for problems of the whole file such as bad YAML).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        key: str | None = None,
        more: int = 0,
    ) -> None:
        self.more = more
        _locate(self, message, file, line, key)
        super().__init__(self.__str__())

    def __str__(self) -> str:
        text = _located(self.file, self.line, self.key, self.message)
        if self.more:
            text += f" (and {self.more} more problem{'s' if self.more > 1 else ''})"
        return text


class ScenarioWarning(UserWarning):
    """A valid scenario that will not do what it says (a target whole units cannot meet).

    Issued with ``warnings.warn`` when the scenario is loaded, and kept on the scenario
    (``Scenario.warnings``). Carries ``file``, ``line`` and ``key`` as ``ScenarioError`` does,
    and reads the same: ``file:line: key: message``.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        _locate(self, message, file, line, key)
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return _located(self.file, self.line, self.key, self.message)


class ChartWarning(UserWarning):
    """Charts of a complete run that could not be drawn; its tables are all written.

    Issued by the run once its tables and manifest are written; reads as one line: which
    charts, why, and how to draw them again.
    """


def _locate(
    target: object, message: str, file: str | Path | None, line: int | None, key: str | None
) -> None:
    """Set where a problem is, and its message as one line, on an error or a warning."""
    target.message = " ".join(str(message).split())  # type: ignore[attr-defined]
    target.file = str(file) if file is not None else None  # type: ignore[attr-defined]
    target.line = line  # type: ignore[attr-defined]
    target.key = key  # type: ignore[attr-defined]


def _located(file: str | None, line: int | None, key: str | None, message: str) -> str:
    """``file:line: key: message``, leaving out what is not known."""
    where = file or "<scenario>"
    if line is not None:
        where += f":{line}"
    return f"{where}: {key}: {message}" if key else f"{where}: {message}"


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
