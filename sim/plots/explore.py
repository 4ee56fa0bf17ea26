"""Charts of an exploration: sweeps, sensitivity indices, tornadoes, regret, discovered boxes.

The inputs are the tidy tables :mod:`sim.explore` writes. Options are their ``scenario``
column; each sampled future is a ``sample``.

* ``experiments`` (a row per sample, a column per input) and ``means`` (each outcome's mean
  over replications per sample and option): :func:`outcome_scatter`;
* ``indices`` (Sobol ``S1``/``ST`` or Morris ``mu_star``/``sigma`` per input), overall
  and per month: :func:`sensitivity_chart`, :func:`sensitivity_over_time`;
* ``tornado`` (the outcome with one input at each end of its range): :func:`tornado`;
* ``regret_summary`` and the ``rules`` of scenario discovery: :func:`regret_heatmap`,
  :func:`discovered_boxes`.

Each chart raises ``ValueError`` for an empty table or an option or outcome it does not
hold. Charts never write files; ``save`` does.

>>> fig = tornado(tables["tornado"], scenario="advisory", outcome="total_cost_usd")
>>> save(fig, "charts/tornado-advisory-total_cost_usd")  # .png and .svg
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Sequence

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure, SubFigure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.plots.frames import footer_or, title_or
from sim.plots.outcomes import OUTCOMES
from sim.plots.style import (
    FEW_TICKS,
    ROLE_COLOURS,
    decorate,
    decorate_panels,
    finish,
    line_kwargs,
    new_figure,
    new_panels,
    role_label,
    role_style,
    role_styles,
    style_context,
    to_datenum,
)

__all__ = [
    "discovered_boxes",
    "outcome_scatter",
    "regret_heatmap",
    "sensitivity_chart",
    "sensitivity_over_time",
    "tornado",
]

SOURCE = "Source: sim exploration"
_MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*", "h", "<", ">", "p")
# Two-series bars: dark and solid against light and hatched, apart in greyscale too.
_DARK = {"facecolor": "#00507D", "edgecolor": "#00507D", "linewidth": 0.6}
_LIGHT = {"facecolor": "#89CBF0", "edgecolor": "#333333", "hatch": "////", "linewidth": 0.6}
_DIAGONAL = {"color": "#6A6A6A", "linestyle": (0, (3, 2)), "linewidth": 1.0}
_ERRORBAR = {"fmt": "none", "ecolor": "#222222", "elinewidth": 0.9, "capsize": 2.5, "zorder": 4}
_LEGEND_CI = "95% confidence interval"
# Futures that meet the thresholds hollow, failures filled: apart in greyscale too.
_MET = {"s": 24, "marker": "o", "facecolor": "white", "edgecolor": "#00507D", "linewidth": 1.0}
_FAILED = {"s": 40, "marker": "X", "facecolor": "#D55E00", "edgecolor": "#222222", "linewidth": 0.5}
_SOBOL_AXIS = (-0.25, 1.25)  # 0-1, with room for estimates a little outside it
_DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}")
_CONDITION = re.compile(r"^\s*(\S+)\s*(<=|>)\s*([-+0-9.eE]+)\s*$")
_CMAP = "cividis_r"  # light to dark, even steps in grey and for colour-blind readers
_NO_BOX = ("no future fails", "every future fails", "everywhere")
_METHODS = {
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
    "morris": ("mu_star", "mu_star_conf", "sigma"),
}


# --- names, units and numbers ------------------------------------------------------------


def _outcome(column: str) -> tuple[str, str, float]:
    """(name on the chart, unit, factor from the table's unit to the chart's)."""
    if column in OUTCOMES:
        return OUTCOMES[column]
    if column == "cap_count_p90":  # the monthly outcome of sim.explore.sensitivity
        return "90th-percentile cap count", "people", 1.0
    label = role_label(column.removesuffix("_usd"))
    for test, unit, scale in (
        (column.endswith("_usd"), "US$ million", 1e-6),
        ("person_days" in column or column.endswith("adviser_days"), "person-days", 1.0),
        (column.endswith("_days") or column.endswith("_days_late"), "days", 1.0),
        ("cap_count" in column or "boots_on_ground" in column, "people", 1.0),
        (column in ("casualties", "attacks") or column.endswith("_count"), "count", 1.0),
    ):
        if test:
            return label, unit, scale
    return label, "", 1.0


def _axis_text(label: str, unit: str) -> str:
    return f"{label} ({unit})" if unit else label


def _lower(text: str) -> str:
    """``Total cost`` -> ``total cost``, but ``US$`` stays."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _amount(value: float, unit: str = "") -> str:
    """A number for a label: a few significant digits, ``$412M`` for money, a true minus."""
    if not np.isfinite(value):
        return "n/a"
    if value == 0:
        return "0"
    size = abs(value)
    if 0 < size < 0.01:
        text = f"{value:.2g}"
    else:
        text = f"{value:,.{0 if size >= 100 else 1 if size >= 10 else 2}f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
    if unit == "US$ million":
        text = f"-${text[1:]}M" if text.startswith("-") else f"${text}M"
    return text.replace("-", "\u2212")


def _ticks(ax: Axes, axis: str = "x", unit: str = "") -> None:
    """Few ticks with readable numbers (``$1.5M`` for an input in dollars)."""
    scale = 1e-6 if unit == "US$" else 1.0
    money = "US$ million" if unit == "US$" else ""
    which = ax.xaxis if axis == "x" else ax.yaxis
    which.set_major_locator(MaxNLocator(**FEW_TICKS))
    which.set_major_formatter(FuncFormatter(lambda v, _: _amount(v * scale, money)))


def _input_unit(name: str, kind: str = "number") -> str:
    """The unit of an input, guessed from its name (``threat.attacks_per_month``)."""
    last = name.rsplit(".", 1)[-1]
    if kind == "date":
        return "date"
    if kind == "days since":
        return "days after the earliest date sampled"
    for test, unit in (
        (last.endswith("_usd"), "US$"),
        (last.endswith("_days") or last == "days", "days"),
        (last.endswith("probability"), "probability"),
        (last == "cap" or last.endswith("_cap"), "people"),
        ("_per_" in last, last.replace("_", " ")),  # attacks_per_month: a unit of its own
    ):
        if test:
            return unit
    return ""


# --- picking rows ------------------------------------------------------------------------


def _require(table: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """``ValueError`` for an empty table or one without ``columns``."""
    if table is None or table.empty:
        raise ValueError(f"the {what} table is empty: nothing to chart")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"the {what} table has no column {', '.join(missing)}")


def _names(table: pd.DataFrame, column: str = "scenario") -> list[str]:
    return [str(n) for n in pd.unique(table[column])]


def _select(table: pd.DataFrame, what: str, **keys: str) -> pd.DataFrame:
    """The rows whose columns equal ``keys`` (``scenario=``, ``outcome=``), or ``ValueError``."""
    for column, value in keys.items():
        names = _names(table, column)
        if value not in names:
            raise ValueError(
                f"no {column} '{value}' in the {what} table (there are {', '.join(names)})"
            )
        table = table[table[column].astype(str) == value]
    return table


def _method(method: str) -> tuple[str, ...]:
    if method not in _METHODS:
        raise ValueError(f"unknown method '{method}'; use {' or '.join(_METHODS)}")
    return _METHODS[method]


def _series(n: int) -> list[tuple[dict[str, str], str]]:
    """``n`` (fill style, marker) pairs: the role colours first, at distinct grey levels."""
    styles = [role_style(r) for r in list(ROLE_COLOURS)[:n]]
    styles += role_styles([f"series {i}" for i in range(len(styles), n)]).values()
    return [(s, _MARKERS[i % len(_MARKERS)]) for i, s in enumerate(styles)]


def _bar_axes(ax: Axes, names: Sequence[str]) -> None:
    """Rows top to bottom named on the y axis, grid lines on the x axis."""
    ax.set_yticks(range(len(names)), names)
    ax.set_ylim(len(names) - 0.45, -0.55)
    ax.grid(True, axis="x")
    ax.yaxis.grid(False)
    ax.tick_params(axis="y", length=0)


def _one_panel(rows: float) -> tuple[Figure, SubFigure, Axes]:
    """A detached figure with one panel, tall enough for ``rows`` bars or rows of cells."""
    fig, body, (ax,) = new_panels(1, ncols=1, row_height=max(2.6, 0.3 * rows + 1.0))
    return fig, body, ax


def _legend_right(ax: Axes, key: Callable[[str], object] | None = None) -> None:
    """The legend right of the axes, at the top (below the subtitle, never over it).

    One entry per label, in drawing order or sorted by ``key``.
    """
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    if key is not None:
        unique = {label: unique[label] for label in sorted(unique, key=key)}
    if len(unique) > 1:
        ax.legend(
            unique.values(),
            unique.keys(),
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            borderaxespad=0,
        )


def _legend_below(body: SubFigure, axes: Sequence[Axes]) -> None:
    """One legend for several panels, below them."""
    pairs = [pair for ax in axes for pair in zip(*ax.get_legend_handles_labels(), strict=True)]
    if len(pairs) > 1:
        handles, labels = zip(*pairs, strict=True)
        body.legend(handles, labels, loc="outside lower center", ncols=min(3, len(pairs)))


def _decorate(fig: Figure, body: SubFigure, *, title: str, subtitle: str, footer: str) -> Figure:
    """Title, subtitle (wrapped to the width of the chart) and footer; legends are drawn."""
    return decorate_panels(
        fig, body, title=title, subtitle=_wrap(subtitle), footer=footer, handles=[], labels=[]
    )


def _wrap(text: str) -> str:
    """A subtitle in lines no wider than a chart."""
    return "\n".join(textwrap.wrap(text, 110))


# --- outcomes against inputs -------------------------------------------------------------


def _input_values(values: pd.Series) -> tuple[str, np.ndarray, list[object]]:
    """How to place an input on an axis: ``number``, ``date`` or ``choice`` (with its choices).

    Numbers with few distinct values, each met several times (choices, or the levels of a
    full-factorial design), are drawn as choices, so that options can stand side by side.
    """
    present = values.dropna()
    if pd.api.types.is_datetime64_any_dtype(values) or (
        not pd.api.types.is_numeric_dtype(values)
        and len(present)
        and all(_DATE_TEXT.match(str(v)) for v in present)
    ):
        return "date", to_datenum(values), []
    distinct = sorted(pd.unique(present), key=lambda v: (isinstance(v, str), v))
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    if numeric and (len(distinct) > 6 or len(present) < 3 * len(distinct)):
        return "number", values.to_numpy(float), []
    codes = {v: i for i, v in enumerate(distinct)}
    return "choice", np.array([codes.get(v, np.nan) for v in values], float), distinct


def _input_axis(ax: Axes, name: str, kind: str, choices: list[object]) -> None:
    unit = _input_unit(name, kind)
    ax.set_title(name, loc="left", fontsize=8.5)
    ax.set_xlabel(unit[:1].upper() + unit[1:] if unit else "Value")
    ax.grid(True, axis="x")
    if kind == "date":
        locator = mdates.AutoDateLocator(minticks=3, maxticks=5)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    elif kind == "choice":
        ax.set_xticks(range(len(choices)), [_amount(c) if _is_number(c) else c for c in choices])
        ax.set_xlim(-0.5, len(choices) - 0.5)
        ax.xaxis.grid(False)
    else:
        _ticks(ax, "x", unit)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.number) and not isinstance(value, bool)


def outcome_scatter(
    experiments: pd.DataFrame,
    means: pd.DataFrame,
    outcome: str,
    *,
    inputs: Sequence[str],
    title: str | None = None,
    footer: str | None = None,
) -> Figure:
    """A panel per input: the outcome in each sampled future against the input's value.

    Each point is one (sample, option): the outcome's mean over the replications. Inputs
    that are dates get a date axis; choices stand side by side, one option next to another.
    """
    inputs = [inputs] if isinstance(inputs, str) else list(inputs)
    if not inputs:
        raise ValueError("no inputs to chart")
    _require(experiments, ["sample", *inputs], "experiments")
    _require(means, ["sample", "scenario"], "means")
    if outcome not in means.columns:
        raise ValueError(f"no outcome '{outcome}' in the means table")
    label, unit, scale = _outcome(outcome)
    names = _names(means)
    data = means[["sample", "scenario", outcome]].merge(
        experiments[["sample", *inputs]], on="sample", how="left"
    )
    y = data[outcome].to_numpy(float) * scale
    with style_context():
        fig, body, axes = new_panels(len(inputs), ncols=min(3, len(inputs)))
        for ax, name in zip(axes, inputs, strict=True):
            _draw_points(ax, data, name, y, names)
            if ax.get_subplotspec().is_first_col():
                ax.set_ylabel(_axis_text(label, unit))
        _legend_in_blank(body, axes[0])
        n = data["sample"].nunique()
        return _decorate(
            fig,
            body,
            title=title_or(title, f"{label} across {n} sampled futures, by input"),
            subtitle="Each point is one option in one sampled future (the mean of its "
            "replications), placed by the value the input took there",
            footer=footer_or(footer, f"{SOURCE}, {n} sampled futures; options {', '.join(names)}"),
        )


def _draw_points(ax: Axes, data: pd.DataFrame, name: str, y: np.ndarray, names: list[str]) -> None:
    """One input's panel: a marker style per option; options side by side on choices.

    Options often share a value in a future, so each option's markers are smaller than the
    last's and drawn over them: equal points nest instead of hiding one another.
    """
    kind, x, choices = _input_values(data[name])
    width = min(0.7 / len(names), 0.22) if kind == "choice" else 0.0
    sizes = np.linspace(36, 12, len(names)) if len(names) > 1 else [20]
    for j, (scenario, (style, marker)) in enumerate(zip(names, _series(len(names)), strict=True)):
        mine = (data["scenario"].astype(str) == scenario).to_numpy()
        shift = (j - (len(names) - 1) / 2) * width
        ax.scatter(
            x[mine] + shift,
            y[mine],
            s=sizes[j],
            marker=marker,
            label=scenario,
            zorder=3 + 0.01 * j,
            facecolor=style["color"],
            edgecolor="#222222",
            linewidth=0.5,
        )
    _input_axis(ax, name, kind, choices)
    _ticks(ax, "y")


def _legend_in_blank(body: SubFigure, ax: Axes) -> None:
    """The legend in the first blank cell of the panels, else below them."""
    handles, labels = ax.get_legend_handles_labels()
    blank = [cell for cell in body.axes if not cell.axison]
    if blank and len(handles) > 1:
        blank[0].legend(handles, labels, loc="upper left", borderaxespad=0)
    else:
        _legend_below(body, [ax])


# --- sensitivity indices -----------------------------------------------------------------


def _label_bars(
    ax: Axes, ends: np.ndarray, y: np.ndarray, texts: Sequence[str], limit: float = np.inf
) -> None:
    """Each bar's value right of its end (error bar included); at ``limit`` when beyond it."""
    for end, row, text in zip(ends, y, texts, strict=True):
        beyond = end > limit
        ax.annotate(
            f"{text} \u25b8" if beyond else text,
            (min(end, limit), row),
            xytext=(-3 if beyond else 4, 0),
            textcoords="offset points",
            ha="right" if beyond else "left",
            va="center",
            fontsize=7.5,
            parse_math=False,  # amounts hold dollar signs, not TeX
            color="#222222",
            zorder=5,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 0.5},
        )


def _index_text(value: float) -> str:
    return f"{value:.2f}".replace("-", "\u2212") if np.isfinite(value) else "n/a"


def _draw_sobol(ax: Axes, rows: pd.DataFrame) -> bool:
    """First-order (dark) and total (light, hatched) bars per input, with their 95% CIs.

    The axis spans 0-1 and a little either side; returns whether any estimate or interval
    runs off it (as estimates from few samples can).
    """
    y = np.arange(len(rows))
    values = rows[["S1", "ST"]].to_numpy(float)
    halves = rows[["S1_conf", "ST_conf"]].fillna(0).to_numpy(float)
    span = np.concatenate([values - halves, values + halves])
    low = max(_SOBOL_AXIS[0], min(0.0, np.nanmin(span)))
    high = min(_SOBOL_AXIS[1], max(1.0, np.nanmax(span)))
    for shift, (index, conf, name, style) in zip(
        (-0.2, 0.2),
        (
            ("S1", "S1_conf", "First-order index: the input alone", _DARK),
            ("ST", "ST_conf", "Total index: with its interactions", _LIGHT),
        ),
        strict=True,
    ):
        value, half = rows[index].to_numpy(float), rows[conf].fillna(0).to_numpy(float)
        ax.barh(y + shift, value, height=0.38, label=name, zorder=3, **style)
        ax.errorbar(
            value, y + shift, xerr=half, label=_LEGEND_CI if shift > 0 else None, **_ERRORBAR
        )
        texts = [_index_text(v) for v in value]
        _label_bars(ax, np.maximum(value + half, 0.0), y + shift, texts, high)
    ax.set_xlim(low - 0.02, high + 0.12)  # room for the labels
    ax.axvline(0.0, color="#222222", linewidth=0.8, zorder=3.5)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _amount(v)))
    ax.set_xlabel("Share of the outcome's variance")
    return bool(np.nanmin(span) < low or np.nanmax(span) > high)


def _draw_mu_bars(ax: Axes, rows: pd.DataFrame, unit: str, scale: float) -> None:
    """mu* per input as bars with their 95% confidence intervals."""
    y = np.arange(len(rows))
    mu = rows["mu_star"].to_numpy(float) * scale
    half = rows["mu_star_conf"].fillna(0).to_numpy(float) * scale
    ax.barh(y, mu, height=0.6, label="μ*: mean absolute elementary effect", zorder=3, **_DARK)
    ax.errorbar(mu, y, xerr=half, label=_LEGEND_CI, **_ERRORBAR)
    _label_bars(ax, mu + half, y, [_amount(v, unit) for v in mu])
    ax.set_xlim(0, 1.25 * np.nanmax(mu + half, initial=0.0) or 1.0)
    _bar_axes(ax, list(rows["input"]))
    _ticks(ax, "x")
    ax.set_xlabel(_axis_text("μ*", unit))
    ax.set_ylabel("Input")


def _draw_mu_sigma(ax: Axes, rows: pd.DataFrame, unit: str, scale: float) -> None:
    """The classic Morris plot: sigma against mu*, each point named, and the line sigma = mu*."""
    mu = rows["mu_star"].to_numpy(float) * scale
    sigma = rows["sigma"].to_numpy(float) * scale
    top = 1.1 * max(np.nanmax(mu, initial=0.0), np.nanmax(sigma, initial=0.0)) or 1.0
    ax.plot(
        [0, top],
        [0, top],
        **_DIAGONAL,
        zorder=2,
        label="σ = μ*: above the line, the input's effect\ndepends on the other inputs",
    )
    ax.scatter(
        mu,
        sigma,
        s=28,
        marker="o",
        facecolor=_DARK["facecolor"],
        edgecolor="#222222",
        linewidth=0.5,
        zorder=3,
    )
    for x, s, name in zip(mu, sigma, rows["input"], strict=True):
        left = x > 0.55 * top  # names of points on the right go to their left
        ax.annotate(
            str(name),
            (x, s),
            xytext=(-4 if left else 4, 3),
            textcoords="offset points",
            ha="right" if left else "left",
            fontsize=7.5,
            parse_math=False,  # amounts hold dollar signs, not TeX
            color="#222222",
        )
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.grid(True, axis="both")
    _ticks(ax, "x")
    _ticks(ax, "y")
    ax.set_xlabel(_axis_text("μ*", unit))
    ax.set_ylabel(_axis_text("σ: spread of the elementary effects", unit))


def _groups_note(rows: pd.DataFrame) -> str:
    if "groups" not in rows or rows["groups"].isna().all():
        return ""
    note = f"; estimated from {int(rows['groups'].max())} sample groups"
    dropped = int(rows["dropped"].max()) if "dropped" in rows else 0
    return note + (f" ({dropped} left out for failed runs)" if dropped else "")


def sensitivity_chart(
    indices: pd.DataFrame,
    *,
    scenario: str,
    outcome: str,
    method: str,
    title: str | None = None,
    footer: str | None = None,
) -> Figure:
    """How much each input drives one outcome of one option: Sobol or Morris indices.

    ``method="sobol"``: first-order and total indices as grouped bars with 95% confidence
    intervals, inputs sorted by their total index. ``method="morris"``: mu* as bars with
    its confidence interval, and sigma against mu* (the classic Morris plot).
    """
    columns = _method(method)
    _require(indices, ["scenario", "outcome", "input", *columns], "indices")
    rows = _select(indices, "indices", scenario=scenario, outcome=outcome)
    label, unit, scale = _outcome(outcome)
    rows = rows.sort_values(columns[2 if method == "sobol" else 0], ascending=False)
    rows = rows.reset_index(drop=True)
    note = ""
    with style_context():
        if method == "sobol":
            fig, body, ax = _one_panel(2 * len(rows))
            off = _draw_sobol(ax, rows)
            _bar_axes(ax, list(rows["input"]))
            ax.set_ylabel("Input")
            _legend_right(ax)
            subtitle = "Share of the variance of the outcome due to each input alone (first-order) "
            subtitle += "and with its interactions (total); lines: 95% confidence intervals"
            if off:
                note = "; some estimates or their intervals run off the axis (▸): more samples "
                note += "would narrow them"
        else:
            height = max(3.0, 0.4 * len(rows) + 1.2)
            fig, body, axes = new_panels(2, ncols=2, sharey=False, row_height=height)
            _draw_mu_bars(axes[0], rows, unit, scale)
            _draw_mu_sigma(axes[1], rows, unit, scale)
            _legend_below(body, axes)
            subtitle = "μ*: how far the outcome moves as the input moves across its range; "
            subtitle += "σ: how much that effect varies with the other inputs"
        name = method.capitalize()
        return _decorate(
            fig,
            body,
            title=title_or(title, f"What drives {_lower(label)}: {scenario} ({name} indices)"),
            subtitle=subtitle + _groups_note(rows) + note,
            footer=footer_or(footer, f"{SOURCE}, {name} sensitivity analysis; option {scenario}"),
        )


def sensitivity_over_time(
    table: pd.DataFrame,
    *,
    scenario: str,
    method: str,
    title: str | None = None,
    footer: str | None = None,
) -> Figure:
    """Each input's index on each month's outcome, a line per input across the run.

    The monthly outcome is the 90th percentile of the daily cap count (what
    :func:`sim.explore.sensitivity` computes), unless the table names another in an
    ``outcome`` column. Sobol charts the first-order index ``S1``, Morris ``mu_star``.
    """
    index = "S1" if _method(method)[0] == "S1" else "mu_star"
    _require(table, ["scenario", "month", "input", index], "indices over time")
    rows = _select(table, "indices over time", scenario=scenario)
    outcomes = _names(rows, "outcome") if "outcome" in rows else ["cap_count_p90"]
    if len(outcomes) > 1:
        raise ValueError(f"the table holds {len(outcomes)} outcomes; chart one at a time")
    label, unit, scale = _outcome(outcomes[0])
    wide = rows.pivot_table(index="month", columns="input", values=index, aggfunc="mean", sort=True)
    wide = wide[wide.mean().sort_values(ascending=False).index] * (1 if index == "S1" else scale)
    with style_context():
        fig, ax = new_figure()
        _draw_lines(ax, wide)
        ylabel, what, note = _index_axis(ax, wide, index, unit)
        decorate(
            fig,
            ax,
            title=title_or(title, f"How the inputs' influence shifts over the run: {scenario}"),
            subtitle=_wrap(f"Each input's {what} on the month's {_lower(label)}, by month{note}"),
            ylabel=ylabel,
            footer=footer_or(footer, f"{SOURCE}, sensitivity by month; option {scenario}"),
        )
        return finish(fig, ax, [])


def _draw_lines(ax: Axes, wide: pd.DataFrame) -> None:
    """A line per input (column of ``wide``) over the months (its index, ``YYYY-MM``)."""
    x = to_datenum(pd.to_datetime(wide.index.astype(str)))
    for name, (style, marker) in zip(wide.columns, _series(wide.shape[1]), strict=True):
        ax.plot(
            x,
            wide[name],
            marker=marker,
            markersize=4.5,
            markeredgecolor="#222222",
            markeredgewidth=0.4,
            label=str(name),
            zorder=3,
            **line_kwargs(style, 1.5),
        )
    ax.set_xlim(x[0] - 10, x[-1] + 10)
    ax.set_xlabel("Month")


def _index_axis(ax: Axes, wide: pd.DataFrame, index: str, unit: str) -> tuple[str, str, str]:
    """The y axis of an index over time; its label, the index's name and a note on it."""
    if index != "S1":
        ax.set_ylim(bottom=0)
        _ticks(ax, "y")
        return _axis_text("μ*", unit), "Morris μ*", ""
    ax.axhline(0, color="#222222", linewidth=0.8, zorder=2)
    low, high = np.nanmin(wide.to_numpy()), np.nanmax(wide.to_numpy())
    ax.set_ylim(min(0.0, low - 0.05), max(1.0, high + 0.05))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _amount(v)))
    note = ""
    if low < -0.05 or high > 1.05:
        note = "; estimates outside 0–1 mean too few samples to pin the index down"
    return "First-order index (share of the variance)", "first-order Sobol index", note


# --- tornado -----------------------------------------------------------------------------


def _draw_swings(ax: Axes, rows: pd.DataFrame, unit: str, scale: float) -> None:
    """Per input a bar from the centre to the low end and one to the high end, labelled."""
    for y, row in enumerate(rows.itertuples(index=False)):
        centre = row.centre * scale
        ends = {"low": row.low * scale, "high": row.high * scale}
        # Both ends on the same side: the longer bar first, the shorter drawn over it.
        for side in sorted(ends, key=lambda s: -abs(ends[s] - centre)):
            style, name = (_LIGHT, "lowest") if side == "low" else (_DARK, "highest")
            ax.barh(
                y,
                ends[side] - centre,
                left=centre,
                height=0.62,
                zorder=3,
                label=f"Input at the {name} end of its range",
                **style,
            )
        for x, text in _swing_labels(centre, ends, unit):
            right = x >= centre
            ax.annotate(
                text,
                (x, y),
                ha="left" if right else "right",
                xytext=(4 if right else -4, 0),
                textcoords="offset points",
                va="center",
                fontsize=7.5,
                parse_math=False,  # amounts hold dollar signs, not TeX
                color="#222222",
                zorder=5,
            )


def _swing_labels(centre: float, ends: dict[str, float], unit: str) -> list[tuple[float, str]]:
    """Where to write the outcome at each end: beyond each bar, or once when they overlap."""
    low, high = ends["low"], ends["high"]
    if low == centre and high == centre:
        return [(centre, "no change")]
    if (low - centre) * (high - centre) >= 0:  # the same side: one label, beyond the longer
        far = max(low, high, key=lambda v: abs(v - centre))
        return [(far, f"low {_amount(low, unit)} · high {_amount(high, unit)}")]
    return [(low, _amount(low, unit)), (high, _amount(high, unit))]


def tornado(
    table: pd.DataFrame,
    *,
    scenario: str,
    outcome: str,
    title: str | None = None,
    footer: str | None = None,
) -> Figure:
    """The outcome with each input at the low or high end of its range, the others centred.

    A row per input, sorted by swing (largest at the top); bars run from the centre value
    (the vertical line: every input at the centre of its range) to the outcome at the low
    end (light, hatched) and at the high end (dark) of the input's range.
    """
    columns = ["scenario", "outcome", "input", "centre", "low", "high", "swing"]
    _require(table, columns, "tornado")
    rows = _select(table, "tornado", scenario=scenario, outcome=outcome)
    rows = rows.sort_values("swing", ascending=False, ignore_index=True)
    label, unit, scale = _outcome(outcome)
    centre = float(rows["centre"].iloc[0]) * scale
    with style_context():
        fig, body, ax = _one_panel(len(rows))
        _draw_swings(ax, rows, unit, scale)
        ax.axvline(
            centre,
            color="#000000",
            linewidth=1.1,
            zorder=4,
            label=f"Every input at the centre of its range: {_amount(centre, unit)}",
        )
        values = rows[["centre", "low", "high"]].to_numpy(float) * scale
        low, high = np.nanmin(values), np.nanmax(values)
        pad = 0.3 * (high - low) or abs(centre) * 0.1 or 1.0
        ax.set_xlim(low - pad, high + pad)
        _bar_axes(ax, list(rows["input"]))
        _ticks(ax, "x")
        ax.set_xlabel(_axis_text(label, unit))
        ax.set_ylabel("Input")
        _legend_right(ax, key=lambda text: ("lowest" not in text, "highest" not in text))
        return _decorate(
            fig,
            body,
            title=title_or(title, f"Which inputs swing {_lower(label)}: {scenario}"),
            subtitle="The outcome with one input at the low or the high end of its range and every "
            "other input at the centre of its range; largest swing at the top",
            footer=footer_or(footer, f"{SOURCE}, one input at a time; option {scenario}"),
        )


# --- regret ------------------------------------------------------------------------------


def _regret_grid(summary: pd.DataFrame) -> tuple[list[str], list[str], pd.DataFrame]:
    names, outcomes = _names(summary), _names(summary, "outcome")
    grid = summary.pivot_table(index="scenario", columns="outcome", aggfunc="first", sort=False)
    return names, outcomes, grid.reindex(index=names).reindex(columns=outcomes, level=1)


def regret_heatmap(
    summary: pd.DataFrame, *, title: str | None = None, footer: str | None = None
) -> Figure:
    """Options by outcomes, shaded by each option's maximum regret over the sampled futures.

    The shade is the maximum regret as a share of the largest on that outcome (0: never
    behind the best option, 1: the worst of the options). Each cell gives the maximum
    regret itself and the share of futures in which the option was the best.
    """
    _require(summary, ["scenario", "outcome", "max_regret", "share_best"], "regret summary")
    names, outcomes, grid = _regret_grid(summary)
    raw = grid["max_regret"].to_numpy(float)
    worst = np.nanmax(np.where(np.isnan(raw), -np.inf, raw), axis=0)
    shade = np.divide(raw, worst, out=np.zeros_like(raw), where=worst > 0)
    shade[np.isnan(raw)] = np.nan
    with style_context():
        fig, body, ax = _one_panel(1.6 * len(names))
        mesh = ax.pcolormesh(
            np.ma.masked_invalid(shade),
            cmap=colormaps[_CMAP],
            vmin=0,
            vmax=1,
            edgecolors="white",
            linewidth=2,
        )
        _annotate_cells(ax, shade, raw, grid["share_best"].to_numpy(float), outcomes)
        _heat_axes(ax, names, outcomes)
        bar = body.colorbar(mesh, ax=ax, shrink=0.9, pad=0.02)
        bar.set_label(
            "Maximum regret, as a share of the\nlargest on the outcome (0 = never behind)"
        )
        bar.outline.set_visible(False)
        return _decorate(
            fig,
            body,
            title=title_or(title, "Regret: how far each option falls behind the best"),
            subtitle="In each sampled future, an option's regret is how much worse it does than "
            "the best option in that future; the cells show the worst over all futures",
            footer=footer_or(footer, f"{SOURCE}, regret over the sampled futures"),
        )


def _annotate_cells(
    ax: Axes, shade: np.ndarray, raw: np.ndarray, best: np.ndarray, outcomes: list[str]
) -> None:
    """Each cell's maximum regret (in the outcome's unit) and how often the option is best,
    in white on dark cells and black on light ones."""
    cmap = colormaps[_CMAP]
    for (i, j), value in np.ndenumerate(shade):
        _, unit, scale = _outcome(outcomes[j])
        regret = _amount(raw[i, j] * scale, unit)
        text = f"{regret}\nbest in {best[i, j]:.0%}" if np.isfinite(value) else "n/a"
        dark = np.isfinite(value) and _grey(cmap(value)) < 0.5
        ax.text(
            j + 0.5,
            i + 0.5,
            text,
            ha="center",
            va="center",
            fontsize=8.5,
            parse_math=False,
            color="white" if dark else "#111111",
        )


def _heat_axes(ax: Axes, names: list[str], outcomes: list[str]) -> None:
    """Outcomes along the bottom, options down the side, no grid, no frame."""
    labels = [_axis_text(*_outcome(o)[:2]) for o in outcomes]
    ax.set_xticks(np.arange(len(outcomes)) + 0.5, labels)
    ax.set_yticks(np.arange(len(names)) + 0.5, names)
    ax.set_xlim(0, len(outcomes))
    ax.set_ylim(len(names), 0)
    ax.tick_params(length=0)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel("Outcome (cell: maximum regret; share of futures where the option is best)")
    ax.set_ylabel("Option")


def _grey(colour: object) -> float:
    r, g, b, _ = to_rgba(colour)
    return 0.299 * r + 0.587 * g + 0.114 * b


# --- scenario discovery ------------------------------------------------------------------


def _parse_rule(rule: str) -> dict[str, list[float]]:
    """``a > 1 and b <= 2`` -> ``{"a": [1, inf], "b": [-inf, 2]}`` (bounds per input)."""
    bounds: dict[str, list[float]] = {}
    if rule.strip() in _NO_BOX:
        return bounds
    for part in rule.split(" and "):
        match = _CONDITION.match(part)
        if match is None:
            raise ValueError(f"cannot read the condition '{part}' of the rule '{rule}'")
        name, op, value = match[1], match[2], float(match[3])
        low, high = bounds.setdefault(name, [-np.inf, np.inf])
        bounds[name] = [low, min(high, value)] if op == "<=" else [max(low, value), high]
    return bounds


def _limits(values: np.ndarray) -> tuple[float, float]:
    low, high = float(np.nanmin(values)), float(np.nanmax(values))
    pad = 0.05 * (high - low) or 1.0
    return low - pad, high + pad


def _futures(
    inputs: pd.DataFrame, means: pd.DataFrame, ok: pd.Series, scenario: str
) -> tuple[pd.DataFrame, np.ndarray]:
    """The option's futures (a row of inputs each) and whether each met the thresholds."""
    if len(ok) != len(means):
        raise ValueError(f"ok has {len(ok)} rows, the means {len(means)}: they must align")
    mine = (means["scenario"].astype(str) == scenario).to_numpy()
    samples = means.loc[mine, "sample"].to_numpy()
    missing = sorted(set(samples) - set(inputs.index))
    if missing:
        raise ValueError(f"samples {missing[:5]} of the means have no row in the inputs")
    return inputs.loc[samples], np.asarray(ok, dtype=bool)[mine]


def _rule_text(rule: pd.Series | None, bounds: dict, shown: Sequence[str]) -> str:
    if rule is None:
        return "no rule found: the failures are scattered"
    text = str(rule["rule"])
    if text in _NO_BOX:
        return (
            f"{text}, so there is no rule box"
            if text != "everywhere"
            else "most futures fail everywhere"
        )
    others = [n for n in bounds if n not in shown]
    more = f"; the rule also bounds {', '.join(others)}" if others else ""
    share = f"coverage {rule['coverage']:.0%}, density {rule['density']:.0%}"
    return f"where failures concentrate: {text} ({share}){more}"


def discovered_boxes(
    inputs: pd.DataFrame,
    means: pd.DataFrame,
    ok: pd.Series,
    rules: pd.DataFrame,
    *,
    scenario: str,
    title: str | None = None,
    footer: str | None = None,
) -> Figure:
    """The option's futures over two inputs, met or failed, and the box of its top rule.

    The two inputs are the first two the top rule (highest coverage) names, else the
    first inputs. The box is the rule's ranges for them (open sides reach the axes);
    its coverage is the share of all failures inside it, its density the share of the
    futures inside it that fail.
    """
    _require(inputs, [], "inputs")
    _require(means, ["sample", "scenario"], "means")
    _select(means, "means", scenario=scenario)
    futures, met = _futures(inputs, means, ok, scenario)
    mine = rules[rules["scenario"].astype(str) == scenario] if not rules.empty else rules
    top = mine.iloc[0] if len(mine) else None
    bounds = _parse_rule(str(top["rule"])) if top is not None else {}
    unknown = [n for n in bounds if n not in inputs.columns]
    if unknown:
        raise ValueError(f"the rule names {', '.join(unknown)}, which are not among the inputs")
    shown = list(dict.fromkeys([*bounds, *inputs.columns]))[:2]
    with style_context():
        fig, body, ax = _one_panel(12)
        _draw_futures(ax, futures, met, shown)
        if top is not None and bounds:
            _draw_box(ax, bounds, shown, top)
        _legend_right(ax)
        n = len(futures)
        return _decorate(
            fig,
            body,
            title=title_or(title, f"Where {scenario} fails its thresholds"),
            subtitle=f"{n} sampled futures; {_rule_text(top, bounds, shown)}",
            footer=footer_or(footer, f"{SOURCE}, scenario discovery; option {scenario}"),
        )


def _draw_futures(ax: Axes, futures: pd.DataFrame, met: np.ndarray, shown: list[str]) -> None:
    x = futures[shown[0]].to_numpy(float)
    y = (
        futures[shown[1]].to_numpy(float)
        if len(shown) > 1
        else np.arange(len(futures), dtype=float)
    )
    for mask, label, style in (
        (met, "Meets every threshold", _MET),
        (~met, "Fails a threshold", _FAILED),
    ):
        ax.scatter(x[mask], y[mask], zorder=3, label=f"{label} ({int(mask.sum())})", **style)
    ax.set_xlim(*_limits(x))
    ax.set_ylim(*_limits(y))
    ax.grid(True, axis="both")
    for axis, name in zip("xy", [*shown, None][:2], strict=True):
        unit = _input_unit(name, "days since" if _dated(name) else "number") if name else ""
        text = _axis_text(name, unit) if name else "Sampled future"
        (ax.set_xlabel if axis == "x" else ax.set_ylabel)(text)
        _ticks(ax, axis, unit)


def _dated(name: str) -> bool:
    """Whether an input looks like a date (converted to days before it gets here)."""
    last = name.rsplit(".", 1)[-1]
    return last in ("start", "end", "date", "deadline") or last.endswith("_date")


def _draw_box(ax: Axes, bounds: dict, shown: list[str], rule: pd.Series) -> None:
    """The rule's box over the two inputs shown; its open sides run off the axes (clipped),
    so that only the cut points are drawn as edges."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    wide, tall = x1 - x0, y1 - y0
    bx = bounds.get(shown[0], [-np.inf, np.inf])
    by = bounds.get(shown[1], [-np.inf, np.inf]) if len(shown) > 1 else [-np.inf, np.inf]
    left, right = max(bx[0], x0 - wide), min(bx[1], x1 + wide)
    bottom, top = max(by[0], y0 - tall), min(by[1], y1 + tall)
    label = f"Rule box: {rule['coverage']:.0%} of the failures inside (coverage),\n"
    label += f"{rule['density']:.0%} of the futures inside fail (density)"
    ax.add_patch(
        Rectangle(
            (left, bottom),
            right - left,
            top - bottom,
            label=label,
            zorder=2,
            facecolor=to_rgba("#D55E00", 0.08),
            edgecolor="#000000",
            linewidth=1.4,
            linestyle=(0, (5, 2)),
        )
    )
