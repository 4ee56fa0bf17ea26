"""The backtest chart: the model's cap count across replications against observed figures."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from sim.plots.frames import footer_or, phases_of, title_or
from sim.plots.placement import finish, mark_phases
from sim.plots.style import LINES, decorate, new_figure, style_context, to_datenum

OBSERVED = {
    "marker": "o",
    "markersize": 6,
    "color": "#000000",
    "markerfacecolor": "white",
    "markeredgewidth": 1.6,
    "linestyle": "none",
    "zorder": 6,
}


def backtest_chart(
    band: pd.DataFrame,
    observed: pd.DataFrame,
    phases: pd.DataFrame | None = None,
    *,
    scenario: str,
    title: str | None = None,
    footer: str | None = None,
) -> Figure:
    """The model's median total cap count and its 90% band, the observed figures as
    points, the announcements (the phases' starts) as dashed lines and their deadlines as
    dotted ones, each named (see :func:`sim.plots.placement.mark_phases`).

    ``band``: date, q05, q50, q95 (the total cap count across replications);
    ``observed``: date, us_troops.
    """
    if band.empty:
        raise ValueError("no model band to draw")
    phases = phases_of(phases, scenario)
    dates = pd.to_datetime(band["date"])
    first, last = dates.min(), dates.max()
    line = LINES["cap_count"]
    colour = str(line["color"])
    with style_context():
        fig, ax = new_figure()
        x = to_datenum(dates)
        ax.fill_between(
            x,
            band["q05"],
            band["q95"],
            color=colour,
            alpha=0.25,
            linewidth=0,
            label="Model, middle 90% of replications",
        )
        ax.plot(x, band["q50"], label="Model, median cap count", **line)
        seen = observed[(pd.to_datetime(observed["date"]) >= first)]
        ax.plot(
            to_datenum(pd.to_datetime(seen["date"])),
            seen["us_troops"],
            label="Observed (official figures)",
            **OBSERVED,
        )
        ax.set_xlim(x[0], x[-1])
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
        decorate(
            fig,
            ax,
            title=title_or(title, f"Model against history: {scenario}"),
            subtitle="Cap count (what official figures count); dashed lines mark the "
            "announcements the scenario is written from, dotted lines their deadlines",
            ylabel="People (cap count)",
            footer=footer_or(
                footer,
                f"Sources: sim model runs, scenario {scenario}; observed "
                "figures from seeds/data (press reports of official statements)",
            ),
        )
        return finish(fig, ax, mark_phases(ax, phases, first, last))
