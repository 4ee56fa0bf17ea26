"""Fan charts of an ensemble: people per day across replications, as quantile bands.

The input is ``bands``, the per-day quantiles of each measure over the replications:
one row per scenario, date, role (``"total"`` for all roles) and measure, with columns
``replications``, ``mean``, ``q05``, ``q25``, ``q50``, ``q75``, ``q95``.

The median is drawn as a line, with the middle 50% and 90% of replications as bands.
When a reference scenario is named, it is drawn in grey on the chart: users asked for
the reference on every comparison chart. Charts never write files; ``save`` does.

>>> fig = total_fan(bands, phases, scenario="advisory", reference="status-quo")
>>> save(fig, "charts/advisory-fan")  # charts/advisory-fan.png and .svg
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from sim.plots.frames import (
    MEASURES,
    check_measure,
    count_text,
    draw_cap,
    footer_or,
    one_scenario,
    phases_of,
    roles_of,
    runs_source,
    title_or,
)
from sim.plots.style import (
    FEW_TICKS,
    FIGSIZE,
    FOOTER_SPACE,
    LINES,
    REFERENCE_LINE,
    apply_style,
    decorate,
    finish,
    line_kwargs,
    mark_phases,
    new_figure,
    role_label,
    role_styles,
    style_context,
    to_datenum,
)

__all__ = ["composition_fan", "total_fan"]

QUANTILES = ("q05", "q25", "q50", "q75", "q95")
_NAMES = {"boots_on_ground": "Boots on the ground", "cap_count": "Cap count"}
_OUTER, _INNER = 0.16, 0.38  # band opacity: 90% band lighter, 50% band darker
_FAN_HATCHES = {"cap_count": "////"}
_LEGEND = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "borderaxespad": 0}


def _reference(bands: pd.DataFrame, reference: str | None, name: str) -> pd.DataFrame | None:
    """The reference scenario's rows; ``None`` without one or when it is the charted one."""
    if reference is None:
        return None
    names = [str(n) for n in pd.unique(bands["scenario"])]
    if reference not in names:
        raise ValueError(f"no reference scenario '{reference}' in the bands ({', '.join(names)})")
    return None if reference == name else bands[bands["scenario"] == reference]


def _quantiles(frame: pd.DataFrame, role: str, measure: str) -> pd.DataFrame:
    """The quantile columns of one role and measure, one row per date in date order."""
    rows = frame[(frame["role"] == role) & (frame["measure"] == measure)]
    if rows.empty:
        raise ValueError(f"no rows for role '{role}' and measure '{measure}' in the bands")
    return rows.set_index("date").sort_index()[list(QUANTILES)].astype(float)


def _draw_reference(ax: Axes, ref: pd.DataFrame | None, measure: str, label: str) -> None:
    """The reference scenario's median total of ``measure``, thin, grey and dashed."""
    if ref is not None:
        r = _quantiles(ref, "total", measure)
        ax.plot(to_datenum(r.index), r["q50"], label=label, zorder=3.5, **REFERENCE_LINE)


def _is_reference(name: str, reference: str | None) -> str:
    return "; this is the reference scenario" if name == reference else ""


def _draw_fan(ax: Axes, q: pd.DataFrame, measure: str) -> None:
    """Median line with the middle 90% (light, outlined) and 50% (darker) of replications.

    The cap count's bands are hatched and each outer band is outlined in its line's style,
    so that where the two measures' bands overlap they can be told apart in greyscale.
    """
    line, name = LINES[measure], _NAMES[measure]
    x = to_datenum(q.index)
    colour = str(line["color"])
    hatch = _FAN_HATCHES.get(measure)
    for low, high, opacity, what in (
        ("q05", "q95", _OUTER, "90% (5–95%)"),
        ("q25", "q75", _INNER, "50% (25–75%)"),
    ):
        outer = low == "q05"
        ax.fill_between(
            x,
            q[low],
            q[high],
            facecolor=to_rgba(colour, opacity),
            edgecolor=to_rgba(colour, 0.6) if outer or hatch else "none",
            hatch=hatch,
            linestyle=line["linestyle"] if outer else "solid",  # dashes of width 0 fail in SVG
            linewidth=0.7 if outer else 0.0,
            zorder=2 if outer else 2.1,
            label=f"{name}, middle {what}",
        )
    ax.plot(x, q["q50"], label=f"{name}, median", zorder=3, **line)


def total_fan(
    bands: pd.DataFrame,
    phases: pd.DataFrame | None = None,
    *,
    scenario: str | None = None,
    reference: str | None = None,
    title: str | None = None,
    footer: str | None = None,
) -> Figure:
    """Total boots on the ground and cap count per day across replications, with the cap.

    Each measure is its median per day, with bands for the middle 50% and 90% of the
    replications. With ``reference`` (another scenario in ``bands``), that scenario's
    median cap count is drawn as a thin grey dashed line.
    """
    name, frame = one_scenario(bands, scenario)
    ref = _reference(bands, reference, name)
    phases = phases_of(phases, name)
    with style_context():
        fig, ax = new_figure()
        for measure in ("boots_on_ground", "cap_count"):
            q = _quantiles(frame, "total", measure)
            _draw_fan(ax, q, measure)
        _draw_reference(ax, ref, "cap_count", f"{reference} (reference), median cap count")
        first, last = q.index[0], q.index[-1]
        draw_cap(ax, phases, first, last)
        ax.set_xlim(*to_datenum([first, last]))
        n = count_text(frame["replications"])
        subtitle = f"People at the end of each day, all roles; medians of {n} replications"
        subtitle += " with the middle 50% and 90% of them shaded" + _is_reference(name, reference)
        default = f"Boots on the ground and the cap count, {n} replications: {name}"
        decorate(
            fig,
            ax,
            title=title_or(title, default),
            subtitle=subtitle,
            ylabel="People (all roles)",
            footer=footer_or(footer, runs_source(f"scenario {name}", n)),
        )
        return finish(fig, ax, mark_phases(ax, phases, first, last))


def _fan_figure() -> tuple[Figure, Axes, Axes]:
    """A detached figure of two date axes sharing x: a short one above a tall one."""
    fig = Figure(figsize=(FIGSIZE[0], FIGSIZE[1] + 1.5), layout="constrained")
    FigureCanvasAgg(fig)
    fig.get_layout_engine().set(rect=(0, FOOTER_SPACE, 1, 1 - FOOTER_SPACE))
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(1.0, 2.4))
    for ax in (top, bottom):
        apply_style(ax)
    top.set_xlabel("")
    top.tick_params(labelbottom=False)
    return fig, top, bottom


def _band(ax: Axes, x: np.ndarray, low: object, high: object, **kwargs: object) -> None:
    ax.fill_between(x, low, high, linewidth=0.0, **kwargs)


def _draw_roles(ax: Axes, frame: pd.DataFrame, measure: str) -> None:
    """A median line per role with its 5-95% band in the role's colour, and the legend."""
    roles = roles_of(frame[frame["role"] != "total"])
    styles = role_styles(roles)
    for role in roles:
        q = _quantiles(frame, role, measure)
        x = to_datenum(q.index)
        _band(ax, x, q["q05"], q["q95"], color=styles[role]["color"], alpha=0.25, zorder=2)
        ax.plot(x, q["q50"], label=role_label(role), zorder=3, **line_kwargs(styles[role]))
    ax.set_ylim(bottom=0)
    ax.set_ylabel(f"People by role ({MEASURES[measure]})")
    handles, labels = ax.get_legend_handles_labels()
    handles.append(Patch(facecolor="#888888", alpha=0.4, edgecolor="none"))
    labels.append("Middle 90% of replications\n(in the role's colour)")
    ax.legend(handles, labels, handlelength=3.2, **_LEGEND)


def _composition_fan_subtitle(measure: str, n: str, name: str, reference: str | None) -> str:
    subtitle = "\n".join(
        [
            f"People at the end of each day, {MEASURES[measure]}: all roles (top), "
            "each role (bottom)",
            f"Medians of {n} replications with the middle 90% shaded (top: also 50%)",
        ]
    )
    if reference not in (None, name):  # the reference is drawn on the upper panel
        subtitle += f"; the reference, {reference}, is drawn for all roles only"
    return subtitle + _is_reference(name, reference)


def composition_fan(
    bands: pd.DataFrame,
    phases: pd.DataFrame | None = None,
    *,
    scenario: str | None = None,
    measure: str = "cap_count",
    reference: str | None = None,
    title: str | None = None,
    footer: str | None = None,
) -> Figure:
    """People by role per day across replications, below the total for all roles and the cap.

    ``measure`` is ``"cap_count"`` or ``"boots_on_ground"``. The lower panel has a median
    line and a 5-95% band per role; the upper one the total's median with its middle 50%
    and 90%, the cap and, with ``reference``, that scenario's median total as a grey dashed
    line. The reference is not drawn role by role: ten lines would crowd the panel, and
    each role's line starts from the shared opening force anyway.
    """
    check_measure(measure)
    name, frame = one_scenario(bands, scenario)
    ref = _reference(bands, reference, name)
    phases = phases_of(phases, name)
    frame = frame[frame["measure"] == measure]
    total = _quantiles(frame, "total", measure)
    first, last = total.index[0], total.index[-1]
    n = count_text(frame["replications"])
    with style_context():
        fig, top, bottom = _fan_figure()
        _draw_fan(top, total, measure)
        _draw_reference(top, ref, measure, f"{reference} (reference), median")
        draw_cap(top, phases, first, last)
        top.yaxis.set_major_locator(MaxNLocator(**FEW_TICKS))
        _draw_roles(bottom, frame, measure)
        bottom.set_xlim(*to_datenum([first, last]))
        decorate(
            fig,
            top,
            title=title_or(title, f"Force composition by role, {n} replications: {name}"),
            subtitle=_composition_fan_subtitle(measure, n, name, reference),
            ylabel="People (all roles)",
            footer=footer_or(footer, runs_source(f"scenario {name}", n)),
        )
        top.legend(*top.get_legend_handles_labels(), handlelength=3.2, **_LEGEND)
        fig.align_ylabels([top, bottom])
        for label in mark_phases(bottom, phases, first, last):
            label.remove()  # named once, on the upper panel
        return finish(fig, top, mark_phases(top, phases, first, last))
