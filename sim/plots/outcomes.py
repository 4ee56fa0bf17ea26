"""Charts of an ensemble's outcomes: their spread by scenario, and paired differences.

The inputs are tidy tables over many replications:

* ``summary``: one row of outcomes per scenario and replication;
* ``differences``: each outcome's difference from a reference scenario, paired by
  replication (``mean``, ``q05``, ``q50``, ``q95``, ``ci_low``, ``ci_high``, ``n``).

Each chart has a panel per outcome and a row per scenario. The reference scenario is on
every chart: first and shaded on the distributions, as the zero line on the differences.
Charts never write files; ``save`` does.

>>> fig = outcome_distributions(summary, reference="status-quo")
>>> save(fig, "charts/outcomes")  # charts/outcomes.png and .svg
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.plots.frames import count_text, describe_outcome, footer_or, runs_source, title_or
from sim.plots.style import FEW_TICKS, REFERENCE_LINE, decorate_panels, new_panels, style_context
from sim.scenario.outcomes import CHARTED, OUTCOMES

__all__ = ["HEADLINE_OUTCOMES", "OUTCOMES", "difference_chart", "outcome_distributions"]

# The outcomes charted when none are asked for. Both names are the registry's
# (sim.scenario.outcomes), kept here because ``sim.plots`` offers them.
HEADLINE_OUTCOMES = CHARTED


def _number(value: float, _: object = None) -> str:
    """Tick label: thousands separators, no trailing zeros, no float noise, a true minus."""
    return f"{round(value, 6) + 0.0:,.10g}".replace("-", "\u2212")


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
    ax.xaxis.set_major_locator(MaxNLocator(**FEW_TICKS))
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
            label, unit, scale = describe_outcome(column)
            by_scenario = summary.groupby("scenario")[column]
            data = [by_scenario.get_group(s).dropna().to_numpy(float) * scale for s in names]
            _draw_boxes(ax, data, reference is not None)
            _panel_axes(ax, names, reference)
            ax.set_title(label, loc="left")
            ax.set_xlabel(unit[:1].upper() + unit[1:] if unit else "Value")
        n = count_text(summary.groupby("scenario")["replication"].nunique())
        handles, labels = zip(*_box_legend(reference), strict=True)
        return decorate_panels(
            fig,
            body,
            title=title_or(title, f"Outcomes over {n} replications, by scenario"),
            subtitle="Spread of each outcome across replications, one box per scenario; "
            "a box shrinks to a line where the replications agree closely",
            footer=footer_or(footer, runs_source(f"scenarios {', '.join(names)}", n)),
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


def _difference_legend(reference: str) -> list[tuple[Artist, str]]:
    bar = {"solid_capstyle": "butt"}
    return [
        (Line2D([], [], **bar, **_POINT), "Mean difference"),
        (Line2D([], [], **bar, **_CI), "95% confidence interval\nof the mean"),
        (Line2D([], [], **bar, **_SPREAD), "Middle 90% of the\nreplications' differences"),
        (Line2D([], [], **REFERENCE_LINE), f"{reference} (reference):\nno difference"),
    ]


def _one_reference(differences: pd.DataFrame) -> str:
    """The reference scenario of the differences; ``ValueError`` if there are several."""
    references = [str(r) for r in pd.unique(differences["reference"])]
    if len(references) != 1:
        raise ValueError(
            f"the differences are from {len(references)} references ({', '.join(references)}); "
            "chart the rows of one reference at a time"
        )
    return references[0]


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
    reference = _one_reference(differences)
    with_data = differences.dropna(subset=["mean"])
    chosen = _choose(list(pd.unique(with_data["outcome"])), outcomes)
    names = [s for s in _scenarios(differences, None) if s != reference]
    with style_context():
        fig, body, axes = new_panels(len(chosen))
        for ax, column in zip(axes, chosen, strict=True):
            label, unit, scale = describe_outcome(column)
            rows = with_data[(with_data["outcome"] == column) & with_data["scenario"].isin(names)]
            _draw_differences(ax, rows, names, scale)
            _zero_line(ax, reference)
            _panel_axes(ax, names)
            ax.set_title(label, loc="left")
            ax.set_xlabel(f"Difference ({unit})" if unit else "Difference")
        n = count_text(with_data.loc[with_data["outcome"].isin(chosen), "n"])
        handles, labels = zip(*_difference_legend(reference), strict=True)
        subtitle = f"Each outcome minus {reference}'s in the same replication (the same "
        subtitle += f"random numbers), over {n} replications"
        return decorate_panels(
            fig,
            body,
            title=title_or(title, f"Difference from {reference}, by scenario"),
            subtitle=subtitle,
            footer=footer_or(footer, runs_source(f"reference {reference}", n)),
            handles=handles,
            labels=labels,
        )
