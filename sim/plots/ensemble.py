"""Charts of an ensemble of replications: quantile fans, outcome distributions, differences.

The inputs are tidy tables over many replications:

* ``bands``: per-day quantiles of each measure, one row per scenario, date, role
  (``"total"`` for all roles) and measure, with columns ``replications``, ``mean``,
  ``q05``, ``q25``, ``q50``, ``q75``, ``q95``;
* ``summary``: one row of outcomes per scenario and replication;
* ``differences``: each outcome's difference from a reference scenario, paired by
  replication (``mean``, ``q05``, ``q50``, ``q95``, ``ci_low``, ``ci_high``, ``n``).

Time charts draw the median as a line, with the middle 50% and 90% of replications as
bands. When a reference scenario is named, it is drawn in grey on the chart: users asked
for the reference on every comparison chart. Charts never write files; ``save`` does.

>>> fig = total_fan(bands, phases, scenario="advisory", reference="status-quo")
>>> save(fig, "charts/advisory-fan")  # charts/advisory-fan.png and .svg
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.plots.charts import MEASURES, _draw_cap, _one_scenario, _phases_of, _roles
from sim.plots.style import (
    FIGSIZE,
    FOOTER_SPACE,
    LINES,
    REFERENCE_LINE,
    apply_style,
    decorate,
    decorate_panels,
    finish,
    line_kwargs,
    mark_phases,
    new_figure,
    new_panels,
    role_label,
    role_styles,
    style_context,
    to_datenum,
)

__all__ = [
    "HEADLINE_OUTCOMES",
    "OUTCOMES",
    "composition_fan",
    "difference_chart",
    "outcome_distributions",
    "total_fan",
]

QUANTILES = ("q05", "q25", "q50", "q75", "q95")
HEADLINE_OUTCOMES = (
    "total_cost_usd",
    "mean_cap_count",
    "peak_boots_on_ground",
    "adviser_days",
    "casualties",
)
# Outcome column -> (name on the chart, unit, factor from the table's unit to the chart's).
OUTCOMES: dict[str, tuple[str, str, float]] = {
    "total_cost_usd": ("Total cost", "US$ million", 1e-6),
    "troop_cost_usd": ("Troop cost", "US$ million", 1e-6),
    "base_cost_usd": ("Base cost", "US$ million", 1e-6),
    "mean_cap_count": ("Mean cap count", "people", 1.0),
    "peak_cap_count": ("Peak cap count", "people", 1.0),
    "final_cap_count": ("Final cap count", "people", 1.0),
    "mean_boots_on_ground": ("Mean boots on the ground", "people", 1.0),
    "peak_boots_on_ground": ("Peak boots on the ground", "people", 1.0),
    "adviser_days": ("Adviser-days delivered", "person-days", 1.0),
    "exposed_person_days": ("Exposure: people in the country", "person-days", 1.0),
    "casualties": ("Casualties", "count", 1.0),
    "attacks": ("Attacks", "count", 1.0),
    "days_over_cap": ("Days over the cap", "days", 1.0),
    "shortfalls": ("Planning shortfalls", "count", 1.0),
}
_NAMES = {"boots_on_ground": "Boots on the ground", "cap_count": "Cap count"}
_OUTER, _INNER = 0.16, 0.38  # band opacity: 90% band lighter, 50% band darker
_FAN_HATCHES = {"cap_count": "////"}
_STEPS = [1, 2, 2.5, 5, 10]  # tick steps for axes with few ticks
_LEGEND = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "borderaxespad": 0}


def _outcome(column: str) -> tuple[str, str, float]:
    if column in OUTCOMES:
        return OUTCOMES[column]
    if column.endswith("_days_late"):
        return f"Days late: {column.removesuffix('_days_late').replace('_', ' ')}", "days", 1.0
    if column.endswith("_usd"):
        return role_label(column.removesuffix("_usd")), "US$ million", 1e-6
    return role_label(column), "", 1.0


def _number(value: float, _: object = None) -> str:
    """Tick label: thousands separators, no trailing zeros, no float noise, a true minus."""
    return f"{round(value, 6) + 0.0:,.10g}".replace("-", "\u2212")


def _footer(footer: str | None, what: str, n: int | str) -> str:
    if footer is not None:
        return footer
    return f"Source: sim model runs, {n} replications per scenario; {what}"


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


def _title(title: str | None, default: str) -> str:
    return default if title is None else title


def _count(values: pd.Series) -> str:
    """A number of replications for a subtitle: ``20``, or ``18–20`` where it varies."""
    low, high = int(values.min()), int(values.max())
    return str(high) if low == high else f"{low}–{high}"


def _band(ax: Axes, x: np.ndarray, low: object, high: object, **kwargs: object) -> None:
    ax.fill_between(x, low, high, linewidth=0.0, **kwargs)


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
    name, frame = _one_scenario(bands, scenario)
    ref = _reference(bands, reference, name)
    phases = _phases_of(phases, name)
    with style_context():
        fig, ax = new_figure()
        for measure in ("boots_on_ground", "cap_count"):
            q = _quantiles(frame, "total", measure)
            _draw_fan(ax, q, measure)
        _draw_reference(ax, ref, "cap_count", f"{reference} (reference), median cap count")
        first, last = q.index[0], q.index[-1]
        _draw_cap(ax, phases, first, last)
        ax.set_xlim(*to_datenum([first, last]))
        n = _count(frame["replications"])
        subtitle = f"People at the end of each day, all roles; medians of {n} replications"
        subtitle += " with the middle 50% and 90% of them shaded" + _is_reference(name, reference)
        decorate(
            fig,
            ax,
            title=_title(title, f"Boots on the ground and the cap count, {n} replications: {name}"),
            subtitle=subtitle,
            ylabel="People (all roles)",
            footer=_footer(footer, f"scenario {name}", n),
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


def _draw_roles(ax: Axes, frame: pd.DataFrame, measure: str) -> None:
    """A median line per role with its 5-95% band in the role's colour, and the legend."""
    roles = _roles(frame[frame["role"] != "total"])
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
    if measure not in MEASURES:
        raise ValueError(f"unknown measure '{measure}'; use one of {', '.join(MEASURES)}")
    name, frame = _one_scenario(bands, scenario)
    ref = _reference(bands, reference, name)
    phases = _phases_of(phases, name)
    frame = frame[frame["measure"] == measure]
    total = _quantiles(frame, "total", measure)
    first, last = total.index[0], total.index[-1]
    n = _count(frame["replications"])
    with style_context():
        fig, top, bottom = _fan_figure()
        _draw_fan(top, total, measure)
        _draw_reference(top, ref, measure, f"{reference} (reference), median")
        _draw_cap(top, phases, first, last)
        top.yaxis.set_major_locator(MaxNLocator(nbins=4, steps=_STEPS))
        _draw_roles(bottom, frame, measure)
        bottom.set_xlim(*to_datenum([first, last]))
        subtitle = "\n".join(
            [
                f"People at the end of each day, {MEASURES[measure]}: all roles (top), "
                "each role (bottom)",
                f"Medians of {n} replications with the middle 90% shaded (top: also 50%)",
            ]
        )
        if ref is not None:
            subtitle += f"; the reference, {reference}, is drawn for all roles only"
        decorate(
            fig,
            top,
            title=_title(title, f"Force composition by role, {n} replications: {name}"),
            subtitle=subtitle + _is_reference(name, reference),
            ylabel="People (all roles)",
            footer=_footer(footer, f"scenario {name}", n),
        )
        top.legend(*top.get_legend_handles_labels(), handlelength=3.2, **_LEGEND)
        fig.align_ylabels([top, bottom])
        for label in mark_phases(bottom, phases, first, last):
            label.remove()  # named once, on the upper panel
        return finish(fig, top, mark_phases(top, phases, first, last))


def _scenarios(frame: pd.DataFrame, reference: str | None) -> list[str]:
    """Scenarios in the frame's order, the reference first."""
    names = [str(n) for n in pd.unique(frame["scenario"])]
    if not names:
        raise ValueError("the table is empty: nothing to chart")
    if reference is None:
        return names
    if reference not in names:
        raise ValueError(f"no reference scenario '{reference}' in the table ({', '.join(names)})")
    return [reference, *(n for n in names if n != reference)]


def _choose(available: Sequence[str], outcomes: Sequence[str] | None) -> list[str]:
    """The requested outcomes (all must exist), or the headline ones that exist."""
    if outcomes is None:
        chosen = [o for o in HEADLINE_OUTCOMES if o in available] or list(available)
    else:
        chosen = [outcomes] if isinstance(outcomes, str) else list(outcomes)
        missing = [o for o in chosen if o not in available]
        if missing:
            raise ValueError(
                f"no outcome {', '.join(missing)} in the table; there are {', '.join(available)}"
            )
    if not chosen:
        raise ValueError("no numeric outcomes in the table: nothing to chart")
    return chosen


def _panel_axes(ax: Axes, rows: Sequence[str], reference: str | None = None) -> None:
    """Rows top to bottom, named on the y axis; numbers and grid lines on the x axis."""
    ax.set_yticks(range(len(rows)), [f"{r}\n(reference)" if r == reference else r for r in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4, steps=_STEPS))
    ax.xaxis.set_major_formatter(FuncFormatter(_number))
    ax.grid(True, axis="x")
    ax.yaxis.grid(False)
    ax.tick_params(axis="y", length=0)


_BOX = {"facecolor": "white", "edgecolor": "#222222", "linewidth": 0.9}
_REFERENCE_BOX = {"facecolor": "#D0D0D0", "edgecolor": "#222222", "linewidth": 0.9, "hatch": ".."}
_MEDIAN = {"color": "#000000", "linewidth": 2.0}
_MEAN = {
    "marker": "D",
    "markersize": 4.5,
    "markerfacecolor": "#D55E00",
    "markeredgecolor": "#222222",
}
_FLIER = {"marker": "o", "markersize": 3, "markerfacecolor": "none", "markeredgecolor": "#555555"}
_WHISKER = {"color": "#222222", "linewidth": 0.9}


def _draw_boxes(ax: Axes, data: list[np.ndarray], reference: bool) -> None:
    parts = ax.boxplot(
        data,
        positions=range(len(data)),
        orientation="horizontal",
        whis=(5, 95),
        widths=0.55,
        patch_artist=True,
        showmeans=True,
        medianprops=_MEDIAN,
        meanprops={**_MEAN, "linestyle": "none"},
        flierprops={**_FLIER, "linestyle": "none"},
        whiskerprops=_WHISKER,
        capprops=_WHISKER,
        manage_ticks=False,
    )
    for i, box in enumerate(parts["boxes"]):
        box.set(**(_REFERENCE_BOX if reference and i == 0 else _BOX))
    if reference:  # the reference's median across the panel, for comparison
        ax.axvline(np.median(data[0]), zorder=0.5, **REFERENCE_LINE)


def _box_legend(reference: str | None) -> list[tuple[Artist, str]]:
    entries: list[tuple[Artist, str]] = [
        (Patch(**_BOX), "Middle 50% of replications"),
        (Line2D([], [], **_MEDIAN), "Median"),
        (Line2D([], [], linestyle="none", **_MEAN), "Mean"),
        (Line2D([], [], **_WHISKER), "Whiskers: 5–95% of replications"),
        (Line2D([], [], linestyle="none", **_FLIER), "Replications outside 5–95%"),
    ]
    if reference is not None:
        entries.append((Patch(**_REFERENCE_BOX), f"{reference} (reference)"))
        entries.append((Line2D([], [], **REFERENCE_LINE), f"{reference} (reference), median"))
    return entries


def outcome_distributions(
    summary: pd.DataFrame,
    outcomes: Sequence[str] | None = None,
    *,
    reference: str | None = None,
    title: str | None = None,
    footer: str | None = None,
) -> Figure:
    """A panel per outcome, a box per scenario: the spread of the outcome over replications.

    Boxes span the middle 50% of replications and whiskers 5-95%, the line is the
    median and the diamond the mean. Scenarios keep the frame's order, the reference first
    (shaded, with its median as a dashed line across the panel). The default outcomes are
    :data:`HEADLINE_OUTCOMES` present in ``summary``.
    """
    numeric = [
        c
        for c in summary.columns
        if c not in ("scenario", "replication") and pd.api.types.is_numeric_dtype(summary[c])
    ]
    chosen = _choose(numeric, outcomes)
    names = _scenarios(summary, reference)
    with style_context():
        fig, body, axes = new_panels(len(chosen))
        for ax, column in zip(axes, chosen, strict=True):
            label, unit, scale = _outcome(column)
            by_scenario = summary.groupby("scenario")[column]
            data = [by_scenario.get_group(s).dropna().to_numpy(float) * scale for s in names]
            _draw_boxes(ax, data, reference is not None)
            _panel_axes(ax, names, reference)
            ax.set_title(label, loc="left")
            ax.set_xlabel(unit[:1].upper() + unit[1:] if unit else "Value")
        n = _count(summary.groupby("scenario")["replication"].nunique())
        handles, labels = zip(*_box_legend(reference), strict=True)
        return decorate_panels(
            fig,
            body,
            title=_title(title, f"Outcomes over {n} replications, by scenario"),
            subtitle="Spread of each outcome across replications, one box per scenario; "
            "a box shrinks to a line where the replications agree closely",
            footer=_footer(footer, f"scenarios {', '.join(names)}", n),
            handles=handles,
            labels=labels,
        )


_SPREAD = {"color": "#222222", "linewidth": 1.1}
_CI = {"color": "#7FA7C9", "linewidth": 7.0}
_POINT = {"marker": "o", "markersize": 5.5, "color": "#000000", "linestyle": "none"}


def _draw_differences(ax: Axes, rows: pd.DataFrame, names: list[str], scale: float) -> None:
    """Per scenario: the CI as a thick bar, the 5-95% range as a thin line, the mean a dot."""
    y = [names.index(s) for s in rows["scenario"]]
    # The thin line over the thick bar: with heavy tails the CI can be the wider of the two.
    ax.hlines(y, rows["ci_low"] * scale, rows["ci_high"] * scale, zorder=2, **_CI)
    ax.hlines(y, rows["q05"] * scale, rows["q95"] * scale, zorder=3, **_SPREAD)
    ax.plot(rows["mean"] * scale, y, zorder=4, label="Mean difference", **_POINT)
    values = rows[["q05", "q95", "ci_low", "ci_high", "mean"]].to_numpy(float) * scale
    low, high = min(np.nanmin(values, initial=0.0), 0.0), max(np.nanmax(values, initial=0.0), 0.0)
    pad = 0.1 * (high - low) or 1.0
    ax.set_xlim(low - pad, high + pad)


def _zero_line(ax: Axes, reference: str) -> None:
    """The reference at zero difference: a grey dashed line named on its roomier side."""
    ax.axvline(0.0, zorder=1.5, **REFERENCE_LINE)
    low, high = ax.get_xlim()
    left = high < -low
    ax.text(
        0.0,
        0.99,
        f"{reference} " if left else f" {reference}",
        transform=ax.get_xaxis_transform(),
        ha="right" if left else "left",
        va="top",
        fontsize=7.5,
        color=REFERENCE_LINE["color"],
    )


def difference_chart(
    differences: pd.DataFrame,
    outcomes: Sequence[str] | None = None,
    *,
    title: str | None = None,
    footer: str | None = None,
) -> Figure:
    """A panel per outcome: each scenario's difference from the reference, paired by replication.

    The dot is the mean difference, the thick bar its 95% confidence interval and the
    thin line the middle 90% (5-95%) of the replications' differences. The zero line is
    the reference scenario. The default outcomes are :data:`HEADLINE_OUTCOMES` present.
    """
    references = [str(r) for r in pd.unique(differences["reference"])]
    if len(references) != 1:
        raise ValueError(
            f"the differences are from {len(references)} references ({', '.join(references)}); "
            "chart the rows of one reference at a time"
        )
    (reference,) = references
    with_data = differences.dropna(subset=["mean"])
    chosen = _choose(list(pd.unique(with_data["outcome"])), outcomes)
    names = [s for s in _scenarios(differences, None) if s != reference]
    with style_context():
        fig, body, axes = new_panels(len(chosen))
        for ax, column in zip(axes, chosen, strict=True):
            label, unit, scale = _outcome(column)
            rows = with_data[(with_data["outcome"] == column) & with_data["scenario"].isin(names)]
            _draw_differences(ax, rows, names, scale)
            _zero_line(ax, reference)
            _panel_axes(ax, names)
            ax.set_title(label, loc="left")
            ax.set_xlabel(f"Difference ({unit})" if unit else "Difference")
        n = _count(with_data.loc[with_data["outcome"].isin(chosen), "n"])
        handles = [Line2D([], [], solid_capstyle="butt", **s) for s in (_POINT, _CI, _SPREAD)]
        handles.append(Line2D([], [], **REFERENCE_LINE))
        labels = [
            "Mean difference",
            "95% confidence interval\nof the mean",
            "Middle 90% of the\nreplications' differences",
            f"{reference} (reference):\nno difference",
        ]
        subtitle = f"Each outcome minus {reference}'s in the same replication (the same "
        subtitle += f"random numbers), over {n} replications"
        return decorate_panels(
            fig,
            body,
            title=_title(title, f"Difference from {reference}, by scenario"),
            subtitle=subtitle,
            footer=_footer(footer, f"reference {reference}", n),
            handles=handles,
            labels=labels,
        )
