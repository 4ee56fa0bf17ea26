"""Charts of a run and ``save``: the tidy time series (and phases) in, a ``Figure`` out.

Each chart shows one scenario. With several replications in the frame, a chart shows
their mean (stacked charts) or their median with a 5-95% band (line charts) and says so
in its subtitle. Charts never run the model and never write files; :func:`save` does.
Charts of an ensemble's summary tables are in :mod:`sim.plots.fans` (quantile fans over
time) and :mod:`sim.plots.outcomes` (outcome distributions and differences).

>>> from sim.results.tables import phases_table
>>> run = sim.simulate(sim.load_scenario("scenarios/advisory.yaml"), seed=0)
>>> fig = composition(run.timeseries, phases_table(run.scenario))
>>> save(fig, "charts/advisory-composition")  # charts/advisory-composition.png and .svg
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import cbook
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import Bbox

from sim.plots.formats import FORMATS
from sim.plots.frames import (
    MEASURES,
    check_measure,
    draw_cap,
    footer_or,
    mean_wide,
    one_scenario,
    phases_of,
    replications,
    roles_of,
    run_source,
    title_or,
)
from sim.plots.placement import LABEL_BOX, finish, mark_phases, top_label
from sim.plots.style import (
    GAP_SHADE,
    LINES,
    REFERENCE_LINE,
    decorate,
    fill_kwargs,
    new_figure,
    role_label,
    role_styles,
    style_context,
    to_datenum,
)

__all__ = ["FORMATS", "MEASURES", "composition", "movements", "save", "total_vs_cap"]

DPI = 200
PAD_INCHES = 0.12  # the margin around the drawing
# No creation dates in the files, so that the same chart gives the same bytes.
_METADATA: dict[str, dict[str, None]] = {
    "png": {},
    "svg": {"Date": None},
    "pdf": {"CreationDate": None},
}
_LABELS = {
    "boots_on_ground": "Boots on the ground",
    "cap_count": "Cap count (official figure)",
}
_GAP_LABEL = "Gap: relief in place and temporary personnel"


def _draw_measure(ax: Axes, x: np.ndarray, per_rep: pd.DataFrame, measure: str) -> np.ndarray:
    """A daily total as a line; for several replications the median and a 5-95% band."""
    line, label = LINES[measure], _LABELS[measure]
    values = per_rep.to_numpy(float)
    if values.shape[1] == 1:
        ax.plot(x, values[:, 0], label=label, zorder=3, **line)
        return values[:, 0]
    low, median, high = np.nanquantile(values, [0.05, 0.5, 0.95], axis=1)
    ax.fill_between(  # outlined in the line's style, so that it reads in greyscale
        x,
        low,
        high,
        facecolor=line["color"],
        alpha=0.25,
        edgecolor=line["color"],
        linestyle=line["linestyle"],
        linewidth=0.7,
        zorder=2,
        label=f"{label.split(' (')[0]}, 5–95% of replications",
    )
    ax.plot(x, median, label=f"{label}, median", zorder=3, **line)
    return median


def _draw_weekly_bars(
    ax: Axes, left: np.ndarray, arrivals: pd.DataFrame, departures: pd.DataFrame
) -> None:
    """Arrivals stacked up from zero and departures down from it, a role to a layer."""
    styles = role_styles(arrivals.columns)
    up, down = np.zeros(len(left)), np.zeros(len(left))
    for role in arrivals.columns:
        a, d = arrivals[role].to_numpy(float), departures[role].to_numpy(float)
        common = {"width": 6.0, "align": "edge", "linewidth": 0.5, **fill_kwargs(styles[role])}
        # Zero-height bars would still draw their outline along the stack.
        arrive, leave = a > 0, d > 0
        label = {"label": role_label(role)}
        if arrive.any():
            ax.bar(left[arrive], a[arrive], bottom=up[arrive], **label, **common)
            label = {}
        if leave.any():
            ax.bar(left[leave], -d[leave], bottom=-down[leave], **label, **common)
        up, down = up + a, down + d
    ax.axhline(0, color="#333333", linewidth=0.8, zorder=3)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{abs(v):,.0f}"))


def _weekly_totals(ts: pd.DataFrame, scenario: str) -> pd.DataFrame:
    """A scenario's arrivals and departures per week, all roles (mean of replications)."""
    _, frame = one_scenario(ts, scenario)
    dates = pd.DatetimeIndex(frame["date"])
    week = (dates - pd.to_timedelta(dates.day_of_week, unit="D")).normalize()
    return frame.groupby(week)[["arrivals", "departures"]].sum() / replications(frame)


def _part_weeks(first: pd.Timestamp, last: pd.Timestamp) -> str:
    """Subtitle note when the run starts after a Monday or ends before a Sunday."""
    parts = [
        which
        for which, partial in (("first", first.day_of_week != 0), ("last", last.day_of_week != 6))
        if partial
    ]
    if not parts:
        return ""
    return f"; {' and '.join(parts)} week{'s' if len(parts) > 1 else ''} only partly in the run"


def _draw_stack(ax: Axes, x: np.ndarray, wide: pd.DataFrame) -> None:
    """Stacked areas, one per role (column of ``wide``), the first at the bottom."""
    styles = role_styles(wide.columns)
    bottom = np.zeros(len(wide))
    for role in wide.columns:
        top = bottom + wide[role].to_numpy(float)
        ax.fill_between(
            x, bottom, top, linewidth=0.5, label=role_label(role), **fill_kwargs(styles[role])
        )
        bottom = top


def _composition_subtitle(measure: str, n: int) -> str:
    subtitle = f"People by role at the end of each day, {MEASURES[measure]}"
    if measure == "cap_count":
        subtitle += " (excludes incoming units during a relief in place, and temporary personnel)"
    if n > 1:
        subtitle += f"; mean of {n} replications"
    return subtitle


def composition(
    ts: pd.DataFrame,
    phases: pd.DataFrame | None = None,
    *,
    scenario: str | None = None,
    measure: str = "cap_count",
    title: str | None = None,
    footer: str | None = None,
) -> Figure:
    """Stacked area of people by role per day, with the cap and the phases when given.

    ``measure`` is ``"cap_count"`` (what the official figure counts) or
    ``"boots_on_ground"`` (everyone present). With several replications the stack is the
    mean per date and role. ``footer=""`` leaves the footer out.
    """
    check_measure(measure)
    name, frame = one_scenario(ts, scenario)
    roles = roles_of(frame)
    wide = mean_wide(frame, "date", measure, roles)
    phases = phases_of(phases, name)
    n = replications(frame)
    with style_context():
        fig, ax = new_figure()
        x = to_datenum(wide.index)
        _draw_stack(ax, x, wide)
        draw_cap(ax, phases, wide.index[0], wide.index[-1])
        ax.set_xlim(x[0], x[-1])
        ax.set_ylim(bottom=0)
        decorate(
            fig,
            ax,
            title=title_or(title, f"Force composition by role: {name}"),
            subtitle=_composition_subtitle(measure, n),
            ylabel=f"People ({MEASURES[measure]})",
            footer=footer_or(footer, run_source(name)),
            legend_reverse=True,
        )
        return finish(fig, ax, mark_phases(ax, phases, wide.index[0], wide.index[-1]))


def total_vs_cap(
    ts: pd.DataFrame,
    phases: pd.DataFrame | None = None,
    *,
    scenario: str | None = None,
    title: str | None = None,
    footer: str | None = None,
) -> Figure:
    """Total boots on the ground and cap count per day, the gap between them shaded.

    With several replications each measure is drawn as its median per day with a band
    from the 5th to the 95th percentile of the replications.
    """
    name, frame = one_scenario(ts, scenario)
    phases = phases_of(phases, name)
    totals = frame.groupby(["date", "replication"])[list(_LABELS)].sum()
    n = replications(frame)
    with style_context():
        fig, ax = new_figure()
        dates = totals.index.unique("date")
        x = to_datenum(dates)
        middle = {
            measure: _draw_measure(ax, x, totals[measure].unstack("replication"), measure)
            for measure in _LABELS
        }
        ax.fill_between(
            x,
            middle["cap_count"],
            middle["boots_on_ground"],
            label=_GAP_LABEL,
            zorder=1,
            **GAP_SHADE,
        )
        draw_cap(ax, phases, dates[0], dates[-1])
        ax.set_xlim(x[0], x[-1])
        ax.set_ylim(bottom=0)  # counts of people: from zero, so heights compare
        subtitle = "People at the end of each day, all roles"
        if n > 1:
            subtitle += f"; lines are medians of {n} replications, bands 5–95%"
        decorate(
            fig,
            ax,
            title=title_or(title, f"Boots on the ground and the cap count: {name}"),
            subtitle=subtitle,
            ylabel="People (all roles)",
            footer=footer_or(footer, run_source(name)),
        )
        return finish(fig, ax, mark_phases(ax, phases, dates[0], dates[-1]))


def movements(
    ts: pd.DataFrame,
    phases: pd.DataFrame | None = None,
    *,
    scenario: str | None = None,
    reference: str | None = None,
    title: str | None = None,
    footer: str | None = None,
) -> Figure:
    """People arriving (bars above zero) and leaving (below zero) per ISO week, by role.

    Weeks run Monday to Sunday; each bar spans its week. With several replications the
    bars are the mean per week and role. With ``reference`` (another scenario in ``ts``),
    that scenario's weekly totals are drawn as a dashed outline for comparison.
    """
    ref = _weekly_totals(ts, reference) if reference is not None else None
    name, frame = one_scenario(ts, scenario)
    roles = roles_of(frame)
    phases = phases_of(phases, name)
    dates = pd.DatetimeIndex(frame["date"])
    frame = frame.assign(week=(dates - pd.to_timedelta(dates.day_of_week, unit="D")).normalize())
    arrivals = mean_wide(frame, "week", "arrivals", roles)
    departures = mean_wide(frame, "week", "departures", roles)
    first, last = dates.min(), dates.max()
    n = replications(frame)
    with style_context():
        fig, ax = new_figure()
        left = to_datenum(arrivals.index) + 0.5
        _draw_weekly_bars(ax, left, arrivals, departures)
        if ref is not None:
            x = to_datenum(ref.index) + 0.5
            label = f"{reference} (reference), all roles"
            ax.step(x, ref["arrivals"], where="post", label=label, **REFERENCE_LINE)
            ax.step(x, -ref["departures"], where="post", **REFERENCE_LINE)
        ax.set_xlim(left[0] - 1.5, left[-1] + 7.5)
        ax.use_sticky_edges = False  # zero-height bars would pin the y limits to the data
        ax.margins(y=0.08)
        start = left[0] - 0.5
        arrows = top_label(ax, start, "▲ Arrivals", fontsize=9, color="black")
        ax.text(
            start,
            0.0,
            " ▼ Departures",
            transform=ax.get_xaxis_transform(),
            va="bottom",
            bbox=LABEL_BOX,
        )
        subtitle = "People arriving and leaving per week (Monday to Sunday), by role"
        subtitle += _part_weeks(first, last)
        if n > 1:
            subtitle += f"; mean of {n} replications"
        decorate(
            fig,
            ax,
            title=title_or(title, f"Arrivals and departures per week: {name}"),
            subtitle=subtitle,
            ylabel="People per week",
            footer=footer_or(footer, run_source(name)),
            legend_reverse=True,
        )
        return finish(fig, ax, [arrows, *mark_phases(ax, phases, first, last)])


@contextmanager
def _laid_out(fig: Figure) -> Iterator[Bbox]:
    """The figure laid out once, and its drawing's extent with a margin, for every file.

    Left to itself, each ``savefig`` with a tight box lays the figure out and draws it
    twice; here the layout is done once and then held (the figure's own layout engine is
    put back after), and the extent is measured once, at the files' resolution.
    """
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
        fig.set_layout_engine("none")
    try:
        with cbook._setattr_cm(fig, dpi=DPI):
            bbox = fig.get_tightbbox(fig.canvas.get_renderer()).padded(PAD_INCHES)
        yield bbox
    finally:
        if engine is not None:
            fig.set_layout_engine(engine)


def save(fig: Figure, stem: str | Path, formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """Write ``fig`` as ``stem.png``, ``stem.svg``, ... and return the paths written.

    Formats are ``png`` (at 200 dpi), ``svg`` and ``pdf``; all are cropped to the drawing
    with a small margin. Creates missing parent folders. Raises ``ValueError`` for an
    unknown format before writing anything.
    """
    if isinstance(formats, str):
        formats = (formats,)
    wanted = list(dict.fromkeys(f.lower().lstrip(".") for f in formats))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown chart format {', '.join(unknown)}; use {', '.join(FORMATS)}")
    if not wanted:
        raise ValueError(f"no chart format given; use {', '.join(FORMATS)}")
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    with style_context(), _laid_out(fig) as bbox:
        for fmt in wanted:
            path = stem.with_name(f"{stem.name}.{fmt}")
            fig.savefig(path, format=fmt, dpi=DPI, bbox_inches=bbox, metadata=_METADATA[fmt])
            paths.append(path)
    return paths
