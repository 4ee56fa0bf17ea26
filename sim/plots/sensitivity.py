"""Charts of what drives an exploration's outcomes: sweeps, sensitivity indices, tornadoes.

The inputs are the tidy tables :mod:`sim.workflows.explore` writes. Options are their ``scenario``
column; each sampled future is a ``sample``.

* ``experiments`` (a row per sample, a column per input) and ``means`` (each outcome's mean
  over replications per sample and option): :func:`outcome_scatter`;
* ``indices`` (Sobol ``S1``/``ST`` or Morris ``mu_star``/``sigma`` per input), overall
  and per month: :func:`sensitivity_chart`, :func:`sensitivity_over_time`;
* ``tornado`` (the outcome with one input at each end of its range): :func:`tornado`.

Inputs are written in words (:mod:`sim.plots.labels`): given the exploration's
``manifest``, in the scenarios' own words ("End of the combat mission: announced"), else
from the path alone. Regret and scenario discovery are in :mod:`sim.plots.robustness`.
Each chart raises ``ValueError`` for an empty table or an option or outcome it does not
hold. Charts never write files; ``save`` does.

>>> fig = tornado(tables["tornado"], scenario="advisory", outcome="total_cost_usd",
...               manifest=manifest)
>>> save(fig, "charts/tornado-advisory-total_cost_usd")  # .png and .svg
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from matplotlib.text import Annotation
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.plots.frames import (
    amount_text,
    amount_ticks,
    axis_text,
    describe_outcome,
    exploration_source,
    footer_or,
    input_unit,
    names_of,
    require_columns,
    select_rows,
    title_or,
)
from sim.plots.labels import input_labels, option_label
from sim.plots.placement import finish, fit_texts, label_points
from sim.plots.style import (
    ROLE_COLOURS,
    YearDateFormatter,
    decorate,
    decorate_wrapped,
    legend_below,
    line_kwargs,
    new_figure,
    new_panels,
    one_panel,
    role_style,
    role_styles,
    style_context,
    to_datenum,
    wrap_subtitle,
)

__all__ = ["outcome_scatter", "sensitivity_chart", "sensitivity_over_time", "tornado"]

_MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*", "h", "<", ">", "p")
# Two-series bars: dark and solid against light and hatched, apart in greyscale too.
_DARK = {"facecolor": "#00507D", "edgecolor": "#00507D", "linewidth": 0.6}
_LIGHT = {"facecolor": "#89CBF0", "edgecolor": "#333333", "hatch": "////", "linewidth": 0.6}
_DIAGONAL = {"color": "#6A6A6A", "linestyle": (0, (3, 2)), "linewidth": 1.0}
_ERRORBAR = {"fmt": "none", "ecolor": "#222222", "elinewidth": 0.9, "capsize": 2.5, "zorder": 4}
_LEGEND_CI = "95% confidence interval"
_SOBOL_AXIS = (-0.25, 1.25)  # 0-1, with room for estimates a little outside it
_DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}")
_METHODS = {
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
    "morris": ("mu_star", "mu_star_conf", "sigma"),
}


# --- names, series and layout ------------------------------------------------------------


def _lower(text: str) -> str:
    """``Total cost`` -> ``total cost``, but ``US$`` stays."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


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
    """Rows top to bottom named on the y axis (the inputs' words), grid lines on the x axis."""
    ax.set_yticks(range(len(names)), names)
    ax.set_ylim(len(names) - 0.45, -0.55)
    ax.grid(True, axis="x")
    ax.yaxis.grid(False)
    ax.tick_params(axis="y", length=0)


def _legend_below(body: SubFigure, axes: Sequence[Axes]) -> None:
    """One legend for several panels, below them."""
    pairs = [pair for ax in axes for pair in zip(*ax.get_legend_handles_labels(), strict=True)]
    if len(pairs) > 1:
        handles, labels = zip(*pairs, strict=True)
        legend_below(body, handles, labels)


def _fit_and_decorate(
    fig: Figure, body: SubFigure, ax: Axes, texts: Sequence[Annotation], **heading: str
) -> Figure:
    """Widen ``ax`` until its value labels fit inside it (clear of the names of the rows
    and of the legend), then give the chart its title, subtitle and footer."""
    fig.get_layout_engine().execute(fig)
    fit_texts(ax, texts)
    return decorate_wrapped(fig, body, **heading)


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


def _input_axis(ax: Axes, name: str, values: pd.Series, words: str) -> None:
    """An input's panel: named in words at the top, its values (and unit) along x."""
    kind, _, choices = _input_values(values)
    unit = input_unit(name, kind)
    ax.set_title(words, loc="left", fontsize=8.5)
    ax.set_xlabel(unit[:1].upper() + unit[1:] if unit else "Value")
    ax.grid(True, axis="x")
    if kind == "date":
        locator = mdates.AutoDateLocator(minticks=3, maxticks=5)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(YearDateFormatter(locator))
    elif kind == "choice":
        ax.set_xticks(
            range(len(choices)), [amount_text(c) if _is_number(c) else c for c in choices]
        )
        ax.set_xlim(-0.5, len(choices) - 0.5)
        ax.xaxis.grid(False)
    else:
        amount_ticks(ax, "x", unit)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.number) and not isinstance(value, bool)


def outcome_scatter(
    experiments: pd.DataFrame,
    means: pd.DataFrame,
    outcome: str,
    *,
    inputs: Sequence[str],
    manifest: Mapping | None = None,
    title: str | None = None,
    footer: str | None = None,
) -> Figure:
    """A panel per input: the outcome in each sampled future against the input's value.

    Each point is one (sample, option): the outcome's mean over the replications. Inputs
    that are dates get a date axis; choices stand side by side, one option next to another.
    Each panel names its input in words (from ``manifest``'s scenarios when given).
    """
    inputs = [inputs] if isinstance(inputs, str) else list(inputs)
    if not inputs:
        raise ValueError("no inputs to chart")
    require_columns(experiments, ["sample", *inputs], "experiments")
    require_columns(means, ["sample", "scenario"], "means")
    if outcome not in means.columns:
        raise ValueError(f"no outcome '{outcome}' in the means table")
    label, unit, scale = describe_outcome(outcome)
    names = names_of(means)
    data = means[["sample", "scenario", outcome]].merge(
        experiments[["sample", *inputs]], on="sample", how="left"
    )
    y = data[outcome].to_numpy(float) * scale
    words = input_labels(inputs, manifest)
    with style_context():
        fig, body, axes = new_panels(len(inputs), ncols=min(3, len(inputs)))
        for ax, name in zip(axes, inputs, strict=True):
            _draw_points(ax, data, name, y, names)
            _input_axis(ax, name, data[name], words[name])
            if ax.get_subplotspec().is_first_col():
                ax.set_ylabel(axis_text(label, unit))
        _legend_in_blank(body, axes[0])
        n = data["sample"].nunique()
        return decorate_wrapped(
            fig,
            body,
            title=title_or(title, f"{label} across {n} sampled futures, by input"),
            subtitle="Each point is one option in one sampled future (the mean of its "
            "replications), placed by the value the input took there",
            footer=footer_or(
                footer, exploration_source(f"{n} sampled futures; options {', '.join(names)}")
            ),
        )


def _draw_points(ax: Axes, data: pd.DataFrame, name: str, y: np.ndarray, names: list[str]) -> None:
    """One input's panel: a marker style per option; options side by side on choices.

    Options often share a value in a future, so each option's markers are smaller than the
    last's and drawn over them: equal points nest instead of hiding one another.
    """
    kind, x, _ = _input_values(data[name])
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
    amount_ticks(ax, "y")


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
) -> list[Annotation]:
    """Each bar's value right of its end (error bar included); at ``limit`` when beyond it."""
    labels = []
    for end, row, text in zip(ends, y, texts, strict=True):
        beyond = end > limit
        label = ax.annotate(
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
        label.set_in_layout(False)  # kept inside the axes by fit_texts
        labels.append(label)
    return labels


def _index_text(value: float) -> str:
    return f"{value:.2f}".replace("-", "\u2212") if np.isfinite(value) else "n/a"


def _draw_sobol(ax: Axes, rows: pd.DataFrame) -> tuple[bool, list[Annotation]]:
    """First-order (dark) and total (light, hatched) bars per input, with their 95% CIs.

    The axis spans 0-1 and a little either side; returns whether any estimate or interval
    runs off it (as estimates from few samples can), and the bars' value labels.
    """
    y = np.arange(len(rows))
    values = rows[["S1", "ST"]].to_numpy(float)
    halves = rows[["S1_conf", "ST_conf"]].fillna(0).to_numpy(float)
    span = np.concatenate([values - halves, values + halves])
    low = max(_SOBOL_AXIS[0], min(0.0, np.nanmin(span)))
    high = min(_SOBOL_AXIS[1], max(1.0, np.nanmax(span)))
    labels = []
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
        labels += _label_bars(ax, np.maximum(value + half, 0.0), y + shift, texts, high)
    ax.set_xlim(low - 0.02, high + 0.12)  # room for the labels
    ax.axvline(0.0, color="#222222", linewidth=0.8, zorder=3.5)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: amount_text(v)))
    ax.set_xlabel("Share of the outcome's variance")
    return bool(np.nanmin(span) < low or np.nanmax(span) > high), labels


def _draw_mu_bars(ax: Axes, rows: pd.DataFrame, unit: str, scale: float) -> list[Annotation]:
    """mu* per input as bars with their 95% confidence intervals; the bars' value labels."""
    y = np.arange(len(rows))
    mu = rows["mu_star"].to_numpy(float) * scale
    half = rows["mu_star_conf"].fillna(0).to_numpy(float) * scale
    ax.barh(y, mu, height=0.6, label="μ*: mean absolute elementary effect", zorder=3, **_DARK)
    ax.errorbar(mu, y, xerr=half, label=_LEGEND_CI, **_ERRORBAR)
    labels = _label_bars(ax, mu + half, y, [amount_text(v, unit) for v in mu])
    ax.set_xlim(0, 1.25 * np.nanmax(mu + half, initial=0.0) or 1.0)
    _bar_axes(ax, list(rows["words"]))
    amount_ticks(ax, "x")
    ax.set_xlabel(axis_text("μ*", unit))
    ax.set_ylabel("Input")
    return labels


def _draw_mu_sigma(ax: Axes, rows: pd.DataFrame, unit: str, scale: float) -> None:
    """The classic Morris plot: sigma against mu* and the line sigma = mu* (the points are
    named once the figure is laid out: see :func:`sim.plots.placement.label_points`)."""
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
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.grid(True, axis="both")
    amount_ticks(ax, "x")
    amount_ticks(ax, "y")
    ax.set_xlabel(axis_text("μ*", unit))
    ax.set_ylabel(axis_text("σ", unit))  # the subtitle says what σ is


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
    manifest: Mapping | None = None,
    title: str | None = None,
    footer: str | None = None,
) -> Figure:
    """How much each input drives one outcome of one option: Sobol or Morris indices.

    ``method="sobol"``: first-order and total indices as grouped bars with 95% confidence
    intervals, inputs sorted by their total index. ``method="morris"``: mu* as bars with
    its confidence interval, and sigma against mu* (the classic Morris plot). Inputs are
    named in words (from ``manifest``'s scenarios when given).
    """
    columns = _method(method)
    require_columns(indices, ["scenario", "outcome", "input", *columns], "indices")
    rows = select_rows(indices, "indices", scenario=scenario, outcome=outcome)
    label, unit, scale = describe_outcome(outcome)
    rows = rows.sort_values(columns[2 if method == "sobol" else 0], ascending=False)
    rows = rows.reset_index(drop=True)
    rows["words"] = rows["input"].map(input_labels(rows["input"], manifest, scenario))
    name = method.capitalize()
    heading = {
        "title": title_or(title, f"What drives {_lower(label)}: {scenario} ({name} indices)"),
        "footer": footer_or(
            footer,
            exploration_source(
                f"{name} sensitivity analysis; option {option_label(scenario, manifest)}"
            ),
        ),
    }
    with style_context():
        if method == "sobol":
            fig, body, ax = one_panel(2 * len(rows))
            off, texts = _draw_sobol(ax, rows)
            _bar_axes(ax, list(rows["words"]))
            ax.set_ylabel("Input")
            _legend_below(body, [ax])
            subtitle = "Share of the variance of the outcome due to each input alone (first-order) "
            subtitle += "and with its interactions (total); lines: 95% confidence intervals"
            subtitle += _groups_note(rows)
            if off:
                subtitle += "; some estimates or their intervals run off the axis (▸): more "
                subtitle += "samples would narrow them"
            return _fit_and_decorate(fig, body, ax, texts, subtitle=subtitle, **heading)
        height = max(3.0, 0.4 * len(rows) + 1.2)
        fig, body, axes = new_panels(2, ncols=2, sharey=False, row_height=height)
        texts = _draw_mu_bars(axes[0], rows, unit, scale)
        _draw_mu_sigma(axes[1], rows, unit, scale)
        _legend_below(body, axes)
        subtitle = "μ*: how far the outcome moves as the input moves across its range; "
        subtitle += "σ: how much that effect varies with the other inputs" + _groups_note(rows)
        fig = _fit_and_decorate(fig, body, axes[0], texts, subtitle=subtitle, **heading)
        mu, sigma = (rows[c].to_numpy(float) * scale for c in ("mu_star", "sigma"))
        label_points(axes[1], mu, sigma, rows["words"])
        return fig


def sensitivity_over_time(
    table: pd.DataFrame,
    *,
    scenario: str,
    method: str,
    manifest: Mapping | None = None,
    title: str | None = None,
    footer: str | None = None,
) -> Figure:
    """Each input's index on each month's outcome, a line per input across the run.

    The monthly outcome is the 90th percentile of the daily cap count (what
    :func:`sim.workflows.explore.sensitivity` computes), unless the table names another in an
    ``outcome`` column. Sobol charts the first-order index ``S1``, Morris ``mu_star``.
    """
    index = "S1" if _method(method)[0] == "S1" else "mu_star"
    require_columns(table, ["scenario", "month", "input", index], "indices over time")
    rows = select_rows(table, "indices over time", scenario=scenario)
    outcomes = names_of(rows, "outcome") if "outcome" in rows else ["cap_count_p90"]
    if len(outcomes) > 1:
        raise ValueError(f"the table holds {len(outcomes)} outcomes; chart one at a time")
    label, unit, scale = describe_outcome(outcomes[0])
    wide = rows.pivot_table(index="month", columns="input", values=index, aggfunc="mean", sort=True)
    wide = wide[wide.mean().sort_values(ascending=False).index] * (1 if index == "S1" else scale)
    wide = wide.rename(columns=input_labels(wide.columns, manifest, scenario))
    with style_context():
        fig, ax = new_figure()
        _draw_lines(ax, wide)
        ylabel, what, note = _index_axis(ax, wide, index, unit)
        decorate(
            fig,
            ax,
            title=title_or(title, f"How the inputs' influence shifts over the run: {scenario}"),
            subtitle=wrap_subtitle(
                f"Each input's {what} on the month's {_lower(label)}, by month{note}"
            ),
            ylabel=ylabel,
            footer=footer_or(
                footer,
                exploration_source(
                    f"sensitivity by month; option {option_label(scenario, manifest)}"
                ),
            ),
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
        amount_ticks(ax, "y")
        return axis_text("μ*", unit), "Morris μ*", ""
    ax.axhline(0, color="#222222", linewidth=0.8, zorder=2)
    low, high = np.nanmin(wide.to_numpy()), np.nanmax(wide.to_numpy())
    ax.set_ylim(min(0.0, low - 0.05), max(1.0, high + 0.05))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: amount_text(v)))
    note = ""
    if low < -0.05 or high > 1.05:
        note = "; estimates outside 0–1 mean too few samples to pin the index down"
    return "First-order index (share of the variance)", "first-order Sobol index", note


# --- tornado -----------------------------------------------------------------------------


def _draw_swings(ax: Axes, rows: pd.DataFrame, unit: str, scale: float) -> list[Annotation]:
    """Per input a bar from the centre to the low end and one to the high end, labelled;
    the labels."""
    labels = []
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
            label = ax.annotate(
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
            label.set_in_layout(False)  # kept inside the axes by fit_texts
            labels.append(label)
    return labels


def _swing_labels(centre: float, ends: dict[str, float], unit: str) -> list[tuple[float, str]]:
    """Where to write the outcome at each end: beyond each bar, or once when they overlap."""
    low, high = ends["low"], ends["high"]
    if low == centre and high == centre:
        return [(centre, "no change")]
    if (low - centre) * (high - centre) >= 0:  # the same side: one label, beyond the longer
        far = max(low, high, key=lambda v: abs(v - centre))
        return [(far, f"low {amount_text(low, unit)} · high {amount_text(high, unit)}")]
    return [(low, amount_text(low, unit)), (high, amount_text(high, unit))]


def tornado(
    table: pd.DataFrame,
    *,
    scenario: str,
    outcome: str,
    manifest: Mapping | None = None,
    title: str | None = None,
    footer: str | None = None,
) -> Figure:
    """The outcome with each input at the low or high end of its range, the others centred.

    A row per input, sorted by swing (largest at the top); bars run from the centre value
    (the vertical line: every input at the centre of its range) to the outcome at the low
    end (light, hatched) and at the high end (dark) of the input's range. Inputs are named
    in words (from ``manifest``'s scenarios when given); the values at the bars' ends stay
    inside the axes, clear of the names.
    """
    columns = ["scenario", "outcome", "input", "centre", "low", "high", "swing"]
    require_columns(table, columns, "tornado")
    rows = select_rows(table, "tornado", scenario=scenario, outcome=outcome)
    rows = rows.sort_values("swing", ascending=False, ignore_index=True)
    label, unit, scale = describe_outcome(outcome)
    centre = float(rows["centre"].iloc[0]) * scale
    with style_context():
        fig, body, ax = one_panel(len(rows))
        texts = _draw_swings(ax, rows, unit, scale)
        ax.axvline(
            centre,
            color="#000000",
            linewidth=1.1,
            zorder=4,
            label=f"Every input at the centre of its range: {amount_text(centre, unit)}",
        )
        values = rows[["centre", "low", "high"]].to_numpy(float) * scale
        low, high = np.nanmin(values), np.nanmax(values)
        pad = 0.3 * (high - low) or abs(centre) * 0.1 or 1.0
        ax.set_xlim(low - pad, high + pad)
        _bar_axes(ax, list(rows["input"].map(input_labels(rows["input"], manifest, scenario))))
        amount_ticks(ax, "x")
        ax.set_xlabel(axis_text(label, unit))
        ax.set_ylabel("Input")
        handles, names = ax.get_legend_handles_labels()
        order = sorted(range(len(names)), key=lambda i: ("lowest" not in names[i], i))
        legend_below(body, [handles[i] for i in order], [names[i] for i in order])
        option = option_label(scenario, manifest)
        return _fit_and_decorate(
            fig,
            body,
            ax,
            texts,
            title=title_or(title, f"Which inputs swing {_lower(label)}: {scenario}"),
            subtitle="The outcome with one input at the low or the high end of its range and every "
            "other input at the centre of its range; largest swing at the top",
            footer=footer_or(footer, exploration_source(f"one input at a time; option {option}")),
        )
