"""The report of an optimisation folder (``sim optimize``): one self-contained HTML page.

It reads the folder's tables and manifest, CSV and JSON only (nothing is unpickled or
evaluated), and says what was asked, what was searched and how, the Pareto set in numbers
for people (the scores of the search beside the same objectives re-evaluated with fresh
replications), its charts, how the search converged, and what it does not tell you.
Everything from the folder (titles, descriptions, names, values) is escaped: text, never
markup. Charts are inlined as SVG, as in the report of a run (:mod:`sim.report.html`).

>>> write_optimization_report(Path("runs/iraq-options-optimize-20260101-120000"))
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from sim.errors import OutputError
from sim.report.html import STYLE, inline_svg
from sim.report.search import (
    limits_section,
    objectives_section,
    pareto_section,
    question,
    search_section,
    searched_section,
)
from sim.report.text import count, fixed, table
from sim.report.text import escape as _e
from sim.results.layout import atomic, damaged, folder_error, read_manifest

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "OptimizationFolder",
    "read_optimization",
    "render_optimization",
    "write_optimization_report",
]

TABLES = ("candidates", "pareto", "convergence")
# Option names (the first column) on one line: "option-01", not "option-" over "01".
_STYLE = "td:first-child { white-space: nowrap; }\n"
_MOST_ROWS = 12  # rows of the convergence table; longer searches are shown in steps


@dataclass(frozen=True)
class OptimizationFolder:
    """An optimisation folder as read back: its manifest and its three tables."""

    folder: Path
    manifest: dict
    candidates: pd.DataFrame
    pareto: pd.DataFrame
    convergence: pd.DataFrame

    @property
    def levers(self) -> list[str]:
        return [str(p) for p in self.manifest.get("levers") or []]

    @property
    def objectives(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in (self.manifest.get("objectives") or {}).items()}

    @property
    def experiment(self) -> Mapping:
        """The experiment as the manifest records it (``{}`` if only by name)."""
        experiment = self.manifest.get("experiment")
        return experiment if isinstance(experiment, Mapping) else {}

    @property
    def scenario(self) -> Mapping:
        """The scenario searched, resolved (its manifest entry's ``resolved``), or ``{}``."""
        entries = [e for e in self.manifest.get("scenarios") or [] if isinstance(e, Mapping)]
        entry = next((e for e in entries if e.get("name") == self.manifest.get("scenario")), None)
        resolved = (entry or (entries[0] if entries else {})).get("resolved")
        return resolved if isinstance(resolved, Mapping) else {}


def read_optimization(folder: Path) -> OptimizationFolder:
    """The manifest and tables of a complete optimisation folder, or ``OutputError``."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest.get("kind") != "optimize":
        raise OutputError(
            f"{folder}: not an optimisation folder (its manifest says kind "
            f"{manifest.get('kind')!r}, not 'optimize')"
        )
    if manifest.get("status") != "complete":
        raise OutputError(f"{folder}: the optimisation is {manifest.get('status')}, not complete")
    tables = {}
    for name in TABLES:
        path = folder / f"{name}.csv"
        if not path.is_file():
            raise OutputError(f"{folder}: {name}.csv is missing")
        try:  # cells as written: only an empty cell is missing (a choice may be "none")
            tables[name] = pd.read_csv(path, keep_default_na=False, na_values=[""])
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeError):
            raise damaged(path, "not a readable CSV table") from None
        except OSError as error:
            raise folder_error(folder, error, f"cannot read {name}.csv") from None
    return OptimizationFolder(folder, manifest, **tables)


def write_optimization_report(folder: Path, out: Path | None = None) -> Path:
    """Write the report of the optimisation in ``folder`` to ``out`` (default:
    ``folder/report.html``), whole or not at all, and return its path."""
    opt = read_optimization(folder)
    path = Path(out) if out is not None else opt.folder / "report.html"
    text = render_optimization(opt)
    try:
        return atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    except OSError as error:
        raise folder_error(path.parent, error, "cannot write the report") from None


def render_optimization(opt: OptimizationFolder, *, charts: bool = True) -> str:
    """The report as one HTML string (``charts=False``: without the charts)."""
    m = opt.manifest
    title = opt.scenario.get("title") or m.get("scenario") or "the scenario"
    heading = f"Designing an option: {title}"
    sections = [
        ("searched", "What was searched", searched_section(opt)),
        ("objectives", "Objectives and thresholds", objectives_section(opt)),
        ("search", "The search", search_section(opt)),
        ("pareto", "The Pareto set", pareto_section(opt)),
        ("charts", "Charts", _charts(opt) if charts else ""),
        ("convergence", "Convergence", _convergence(opt, charts)),
        ("limits", "What this does not tell you", limits_section(opt)),
        ("provenance", "Provenance", _provenance(opt)),
    ]
    nav = "".join(f'<li><a href="#{key}">{name}</a></li>' for key, name, _ in sections)
    body = "".join(
        f'<section id="{key}"><h2>{name}</h2>{content}</section>' for key, name, content in sections
    )
    meta = (
        f"{m.get('algorithm') or 'search'}, {count(m.get('budget'))} evaluations, "
        f"seed {m.get('seed')}; sim {m.get('sim_version')}; run {m.get('started_at', '')}; "
        f"report {dt.date.today().isoformat()}"
    )
    caveat = (
        "The options below are the best trade-offs the model finds under the scenario's "
        "stated assumptions, not a forecast or a recommendation: see “What this does not "
        "tell you”."
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(heading)}</title><style>{STYLE}{_STYLE}</style></head><body>"
        f'<header><h1>{_e(heading)}</h1><p class="lede">{_e(question(opt))}</p>'
        f'<p class="meta">{_e(meta)}</p><p class="note">{_e(caveat)}</p></header>'
        f"<nav><ol>{nav}</ol></nav>{body}</body></html>\n"
    )


# --- charts, convergence and provenance -------------------------------------------------


def _figure(key: str, caption: str, draw: Callable[[], Figure]) -> str:
    """A chart inlined as SVG with its caption; a note instead if it cannot be drawn."""
    try:
        drawing = inline_svg(draw(), f"{key}-")
    except Exception as error:  # one chart's bug must not cost the report
        message = " ".join(str(error).split())
        drawing = f'<p class="note">This chart could not be drawn: {_e(message)}</p>'
    return f'<figure id="chart-{key}">{drawing}<figcaption>{_e(caption)}</figcaption></figure>'


def _charts(opt: OptimizationFolder) -> str:
    from sim.plots.optimize import pareto_parallel, tradeoffs

    m, ways = opt.manifest, opt.objectives
    parallel = (
        _figure(
            "pareto",
            "The Pareto set in parallel coordinates: each option's levers and objectives",
            lambda: pareto_parallel(opt.pareto, opt.levers, ways, m),
        )
        if not opt.pareto.empty
        else '<p class="note">No chart of the Pareto set: it is empty.</p>'
    )
    return parallel + _figure(
        "tradeoffs",
        "Trade-offs between the objectives, two at a time, over every candidate evaluated",
        lambda: tradeoffs(opt.candidates, ways, m, pareto=opt.pareto),
    )


def _convergence(opt: OptimizationFolder, charts: bool) -> str:
    from sim.plots.optimize import convergence_chart

    c = opt.convergence.sort_values("evaluations").reset_index(drop=True)
    figure = ""
    if charts:
        figure = _figure(
            "convergence",
            "Hypervolume and the size of the Pareto set as the search went on",
            lambda: convergence_chart(opt.convergence, opt.manifest),
        )
    if c.empty:
        return figure + "<p>The search recorded no generations.</p>"
    first, last = c.iloc[0], c.iloc[-1]
    said = (
        f"<p>The hypervolume (how much of the space of objectives the Pareto set "
        f"dominates, measured from a fixed reference point; higher is better) went from "
        f"{fixed(first['hypervolume'], 3)} after {count(int(first['evaluations']))} "
        f"evaluations to {fixed(last['hypervolume'], 3)} after "
        f"{count(int(last['evaluations']))}. If it was still rising at the end, a larger "
        "budget may find better options.</p>"
    )
    step = max(1, math.ceil(len(c) / _MOST_ROWS))
    shown = c.iloc[sorted({*range(0, len(c), step), len(c) - 1})]
    rows = [
        [
            count(int(r["generation"])),
            count(int(r["evaluations"])),
            fixed(r["hypervolume"], 3),
            count(int(r["pareto_size"])),
        ]
        for _, r in shown.iterrows()
    ]
    return (
        figure
        + said
        + table(
            ["Generation", "Evaluations", "Hypervolume", "Options in the Pareto set"],
            rows,
            range(4),
        )
    )


def _provenance(opt: OptimizationFolder) -> str:
    m = opt.manifest
    rows = [
        [s.get("name"), str(s.get("hash") or "")[:16], ", ".join(s.get("files") or [])]
        for s in m.get("scenarios") or []
        if isinstance(s, Mapping)
    ]
    facts = [
        ["sim version", m.get("sim_version")],
        ["Python", m.get("python")],
        ["Packages", ", ".join(f"{k} {v}" for k, v in (m.get("packages") or {}).items()) or None],
        ["Run started", m.get("started_at")],
        [
            "Run time",
            f"{m['run_seconds']:,.1f} s" if isinstance(m.get("run_seconds"), int | float) else None,
        ],
        ["Command", " ".join(m.get("command") or []) or "(from Python)"],
    ]
    return (
        table(["Scenario", "Hash (SHA-256, first 16)", "Files"], rows)
        + table(["", ""], [[k, "not recorded" if v is None else v] for k, v in facts])
        + '<p class="note">The tables behind this page are in the folder: '
        "<code>candidates.csv</code> (every candidate evaluated), <code>pareto.csv</code>, "
        "<code>convergence.csv</code> and <code>manifest.json</code>.</p>"
    )
