"""The result of running options side by side (``Comparison``), made from a run's tables or
read back from its folder, with the charts drawn from it.

    >>> import sim
    >>> cmp = sim.compare(["scenarios/status-quo.yaml", "scenarios/advisory.yaml"],
    ...                   replications=200, seed=7)
    >>> cmp.summary          # one row per scenario and replication
    >>> cmp.differences      # each option minus the reference, paired by replication
    >>> fig = cmp.plot_total("advisory")   # a matplotlib Figure, to restyle or save
    >>> same = sim.load_results("runs/status-quo-vs-advisory-20261127-120000")

A ``Comparison`` is the same object whether it was just run or read back from a run
folder; every chart method returns a Figure and never writes a file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from sim import plots  # a lazy package: matplotlib loads when a chart is drawn
from sim.analysis.statistics import differences, outcome_table
from sim.errors import AnalysisError, OutputError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

TABLES = (
    "summary",
    "outcomes",
    "differences",
    "bands",
    "movements",
    "timeseries",
    "events",
    "phases",
)
_DATES = {
    "bands": ["date"],
    "movements": ["date"],
    "timeseries": ["date"],
    "events": ["date"],
    "phases": ["start", "deadline", "announced"],
}


@dataclass
class Comparison:
    """The tables of a run of one or more scenarios, and the charts made from them."""

    summary: pd.DataFrame
    outcomes: pd.DataFrame
    differences: pd.DataFrame
    bands: pd.DataFrame
    movements: pd.DataFrame
    timeseries: pd.DataFrame
    events: pd.DataFrame
    phases: pd.DataFrame
    manifest: dict
    folder: Path | None = None

    @property
    def scenarios(self) -> list[str]:
        return [s["name"] for s in self.manifest["scenarios"]]

    @property
    def reference(self) -> str:
        return self.manifest.get("reference") or self.scenarios[0]

    @property
    def replications(self) -> int:
        return int(self.summary.groupby("scenario").size().min())

    def scenario(self, name: str) -> dict:
        """The resolved scenario ``name`` as recorded in the manifest."""
        for s in self.manifest["scenarios"]:
            if s["name"] == name:
                return s
        raise KeyError(f"no scenario {name!r} (have {', '.join(self.scenarios)})")

    def with_reference(self, name: str) -> Comparison:
        """The same runs with the other options compared with ``name``: differences (paired
        by replication) worked out again, and the charts and report drawn against it."""
        if name not in self.scenarios:
            have = ", ".join(self.scenarios)
            raise AnalysisError(f"no scenario {name!r} to compare with (have {have})")
        diffs = differences(self.summary, name) if len(self.scenarios) > 1 else pd.DataFrame()
        manifest = {**self.manifest, "reference": name}
        return dataclasses.replace(self, differences=diffs, manifest=manifest)

    def footer(self, name: str | None = None) -> str:
        runs = f"{self.replications:,} replication{'s' if self.replications > 1 else ''}"
        seed = self.manifest.get("seed")
        if name is None:
            return f"Source: sim model runs, {runs}, seed {seed}"
        title = self.scenario(name)["resolved"].get("title") or name
        return f"Source: sim model run, scenario {name} ({title}), {runs}, seed {seed}"

    def _other(self, name: str) -> str | None:
        return self.reference if len(self.scenarios) > 1 and name != self.reference else None

    def plot_total(self, scenario: str | None = None, **options: object) -> Figure:
        """Boots on the ground and cap count against the cap (a fan chart over replications)."""
        name = scenario or self.scenarios[0]
        if self.replications > 1:
            return plots.total_fan(
                self.bands,
                self.phases,
                scenario=name,
                reference=self._other(name),
                footer=self.footer(name),
                **options,
            )
        return plots.total_vs_cap(
            self.timeseries, self.phases, scenario=name, footer=self.footer(name), **options
        )

    def plot_composition(self, scenario: str | None = None, **options: object) -> Figure:
        """People by role over time (median and bands over replications)."""
        name = scenario or self.scenarios[0]
        if self.replications > 1:
            return plots.composition_fan(
                self.bands,
                self.phases,
                scenario=name,
                reference=self._other(name),
                footer=self.footer(name),
                **options,
            )
        return plots.composition(
            self.timeseries, self.phases, scenario=name, footer=self.footer(name), **options
        )

    def plot_movements(self, scenario: str | None = None, **options: object) -> Figure:
        """People arriving and leaving per week (mean over replications)."""
        name = scenario or self.scenarios[0]
        frame = self.movements if self.replications > 1 else self.timeseries
        return plots.movements(
            frame,
            self.phases,
            scenario=name,
            reference=self._other(name),
            footer=self.footer(name),
            **options,
        )

    def plot_outcomes(self, outcomes: Sequence[str] | None = None, **options: object) -> Figure:
        """The spread of each headline outcome across replications, per scenario."""
        return plots.outcome_distributions(
            self.summary, outcomes, reference=self.reference, footer=self.footer(), **options
        )

    def plot_differences(self, outcomes: Sequence[str] | None = None, **options: object) -> Figure:
        """Each option's difference from the reference, with its intervals."""
        if self.differences.empty:
            raise ValueError("a comparison needs two or more scenarios")
        return plots.difference_chart(self.differences, outcomes, footer=self.footer(), **options)

    def charts(self) -> dict[str, Figure]:
        """Every standard chart, by file stem (as a run folder's ``charts/`` holds them)."""
        return {stem: draw() for stem, draw in self.chart_makers().items()}

    def chart_makers(self) -> dict[str, Callable[[], Figure]]:
        """What :meth:`charts` draws, one function per chart, so that each can fail alone."""
        several = len(self.scenarios) > 1
        makers: dict[str, Callable[[], Figure]] = {}
        for name in self.scenarios:
            suffix = f"-{name}" if several else ""
            makers[f"total-vs-cap{suffix}"] = partial(self.plot_total, name)
            makers[f"composition{suffix}"] = partial(self.plot_composition, name)
            makers[f"movements{suffix}"] = partial(self.plot_movements, name)
        if self.replications > 1:
            makers["outcomes"] = self.plot_outcomes
        if several and self.replications > 1:
            makers["differences"] = self.plot_differences
        return makers

    def report(self, path: str | Path | None = None, reference: str | None = None) -> Path:
        """Write the self-contained HTML report (default: ``report.html`` in the run folder),
        with the options compared with ``reference`` (default: the run's)."""
        from sim.report import write_report

        if reference is not None:
            return self.with_reference(reference).report(path)
        if path is None:
            if self.folder is None:
                raise ValueError("give a path for the report (this comparison has no folder)")
            path = self.folder / "report.html"
        return write_report(self, Path(path))


def build_comparison(
    summary: pd.DataFrame,
    bands: pd.DataFrame,
    movements: pd.DataFrame,
    timeseries: pd.DataFrame,
    events: pd.DataFrame,
    phases: pd.DataFrame,
    manifest: dict,
    reference: str | None = None,
    folder: Path | None = None,
) -> Comparison:
    """A Comparison from the tables of a run, computing outcomes and differences."""
    names = [s["name"] for s in manifest["scenarios"]]
    reference = reference or manifest.get("reference") or names[0]
    manifest = {**manifest, "reference": reference}
    diffs = differences(summary, reference) if len(names) > 1 else pd.DataFrame()
    return Comparison(
        summary,
        outcome_table(summary),
        diffs,
        bands,
        movements,
        timeseries,
        events,
        phases,
        manifest,
        folder,
    )


def load_results(folder: str | Path) -> Comparison:
    """The Comparison of an earlier run, read from its folder (nothing is run again)."""
    from sim.results.layout import read_manifest

    folder = Path(folder)
    manifest = read_manifest(folder)
    status = manifest.get("status")
    if status != "complete":
        raise OutputError(f"{folder}: the run is {status}, not complete")
    written = set(manifest.get("files") or [])
    tables = {}
    for name in TABLES:
        file = folder / f"{name}.csv"
        if not file.is_file():
            if f"{name}.csv" in written or name in ("summary", "outcomes", "phases"):
                raise OutputError(f"{folder}: {name}.csv is missing")
            tables[name] = pd.DataFrame()
            continue
        frame = pd.read_csv(file, parse_dates=_DATES.get(name, []))
        tables[name] = _restore(name, frame, manifest)
    return Comparison(**tables, manifest=manifest, folder=folder)


def _restore(name: str, frame: pd.DataFrame, manifest: dict) -> pd.DataFrame:
    """Undo what CSV loses: role order, date columns and their unit, empty text."""
    for column in _DATES.get(name, []):
        frame[column] = frame[column].astype("datetime64[s]")
    text = {
        "events": ("unit", "unit_type", "role", "detail"),
        "phases": ("deadline_status", "superseded_by"),
    }
    for column in text.get(name, ()):
        if column in frame:
            frame[column] = (
                frame[column].astype(object).where(frame[column].notna(), "").astype(str)
            )
    if name in ("timeseries", "movements") and "role" in frame:
        roles: list[str] = []
        for s in manifest["scenarios"]:
            roles += [r for r in s["resolved"]["roles"] if r not in roles]
        frame["role"] = pd.Categorical(frame["role"], categories=roles)
    if name == "summary":
        for column in frame.columns:
            if _is_date(column):
                frame[column] = pd.to_datetime(frame[column])
    return frame


def _is_date(column: str) -> bool:
    """Is ``column`` of the summary an outcome given as a date (the registry says)?"""
    from sim.scenario.outcomes import outcome_info

    try:
        return not outcome_info(column).numeric
    except KeyError:  # an input, or the scenario and replication
        return False
