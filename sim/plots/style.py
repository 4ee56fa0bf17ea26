"""The house look of every chart: role palette and hatches, fonts, dated axes, legends.

Charts must read in a black-and-white printout and for colour-blind readers, so each role
has a colour from the Okabe-Ito palette (darkened or lightened so that the five default
roles sit at clearly different grey levels) and a hatch of its own, and lines differ in
line style as well as colour. Roles outside the default list get a style from a fixed
cycle, chosen from the role's name so that a role looks the same on every chart.

The chart functions in :mod:`sim.plots.charts` and :mod:`sim.plots.fans` draw with these
helpers: ``new_figure`` -> draw -> ``decorate`` (title, labels, footer, the legend below
the plot) -> ``mark_phases`` -> ``finish`` (the last two in :mod:`sim.plots.placement`,
which keeps labels from overprinting one another). Charts of several panels
(:mod:`sim.plots.outcomes`) use ``new_panels`` and ``decorate_panels`` instead; the
exploration charts (:mod:`sim.plots.sensitivity`, :mod:`sim.plots.robustness`)
``one_panel`` or ``new_panels``, ``legend_below`` and ``decorate_wrapped``.

Dated axes name the year at their first tick and wherever it changes
(:class:`YearDateFormatter`), so a chart read on its own says when it is.
"""

from __future__ import annotations

import datetime as dt
import textwrap
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure, SubFigure
from matplotlib.patheffects import Normal, Stroke
from matplotlib.ticker import FuncFormatter

__all__ = [
    "FEW_TICKS",
    "LINES",
    "REFERENCE_LINE",
    "ROLE_COLOURS",
    "ROLE_HATCHES",
    "YearDateFormatter",
    "apply_style",
    "decorate",
    "decorate_panels",
    "decorate_wrapped",
    "fill_kwargs",
    "legend_below",
    "line_kwargs",
    "new_figure",
    "new_panels",
    "one_panel",
    "role_label",
    "role_style",
    "role_styles",
    "style_context",
    "to_datenum",
    "wrap_subtitle",
]

# Okabe-Ito hues; grey levels (0.299 R + 0.587 G + 0.114 B) 0.24, 0.47, 0.62, 0.74, 0.84.
ROLE_COLOURS: dict[str, str] = {
    "combat": "#00507D",  # blue, darkened
    "advisory": "#D55E00",  # vermillion
    "logistics": "#59C0A4",  # bluish green, lightened
    "force_protection": "#89CBF0",  # sky blue, lightened
    "headquarters": "#F0E442",  # yellow
}
ROLE_HATCHES: dict[str, str] = {
    "combat": "//",
    "advisory": "..",
    "logistics": "\\\\",
    "force_protection": "xx",
    "headquarters": "--",
}
# For roles outside the default list. 4 colours x 5 hatches: the pairs (i % 4, i % 5)
# are all different for i < 20, so 20 extra roles can be told apart.
EXTRA_COLOURS = ("#CC79A7", "#E69F00", "#0072B2", "#999999")
EXTRA_HATCHES = ("||", "++", "oo", "**", "OO")

# Series other than roles: each differs from the others in line style, not only colour.
LINES: dict[str, dict[str, object]] = {
    "boots_on_ground": {"color": "#00507D", "linestyle": "-", "linewidth": 1.8},
    "cap_count": {"color": "#D55E00", "linestyle": (0, (5, 2)), "linewidth": 1.8},
    "cap": {"color": "#000000", "linestyle": (0, (7, 2, 1.5, 2)), "linewidth": 1.4},
}
# The reference scenario on a comparison chart: thin, grey, short dashes.
REFERENCE_LINE: dict[str, object] = {"color": "#6A6A6A", "linestyle": (0, (3, 2)), "linewidth": 1.1}
# A role's line style follows its hatch, so that (colour, line style) pairs are as distinct
# as (colour, hatch) pairs; none is the cap's dash-dot.
_HATCH_LINESTYLES: dict[str, object] = {
    "//": "-",
    "..": (0, (5, 1.5)),
    "\\\\": (0, (1, 1.2)),
    "xx": (0, (6, 1.5, 1, 1.5, 1, 1.5)),
    "--": (0, (2.5, 1.5)),
    "||": "-",
    "++": (0, (5, 1.5)),
    "oo": (0, (1, 1.2)),
    "**": (0, (6, 1.5, 1, 1.5, 1, 1.5)),
    "OO": (0, (2.5, 1.5)),
}
GAP_SHADE = {"facecolor": "#BBBBBB", "alpha": 0.45, "edgecolor": "none"}
FOOTER_COLOUR = "#666666"
SUBTITLE_COLOUR = "#444444"
FIGSIZE = (10.0, 5.5)
FEW_TICKS = {"nbins": 4, "steps": [1, 2, 2.5, 5, 10]}  # MaxNLocator for short axes
FOOTER_SPACE = 0.035  # share of the figure height kept free for the footer

RC: dict[str, object] = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 9.5,
    "axes.labelsize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "axes.axisbelow": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "legend.fontsize": 8.5,
    "legend.frameon": False,
    "figure.titlesize": 13,
    "figure.titleweight": "bold",
    "hatch.linewidth": 0.6,
    "pdf.fonttype": 42,  # TrueType, so text stays text in the PDF
    "svg.hashsalt": "sim",  # fixed ids: the same chart gives the same SVG
    # Titles, labels, phase and scenario names and footers are the user's text, and a
    # dollar sign is money: no text is ever read as mathtext or sent to TeX.
    "text.parse_math": False,
    "text.usetex": False,
}


@contextmanager
def style_context() -> Iterator[None]:
    """Matplotlib settings for drawing and saving a chart (a ``rc_context``)."""
    with mpl.rc_context(RC):
        yield


def role_label(role: str) -> str:
    """How a role is written on a chart: ``force_protection`` -> ``Force protection``."""
    text = str(role).replace("_", " ")
    return text[:1].upper() + text[1:]


def _grey(colour: str) -> float:
    """Grey level of a colour in a black-and-white printout, 0 (black) to 1 (white)."""
    return float(np.dot(to_rgb(colour), [0.299, 0.587, 0.114]))


def _hatch_colour(colour: str) -> str:
    """Dark hatching on light fills, light hatching on dark fills."""
    return "#333333" if _grey(colour) > 0.45 else "#FFFFFF"


def _style(colour: str, hatch: str) -> dict[str, str]:
    return {"color": colour, "hatch": hatch, "edgecolor": _hatch_colour(colour)}


def _extra(index: int) -> dict[str, str]:
    return _style(EXTRA_COLOURS[index % len(EXTRA_COLOURS)], EXTRA_HATCHES[index % 5])


def _extra_index(role: str) -> int:
    # crc32, not hash(): the same role must get the same style in every Python process.
    return zlib.crc32(str(role).encode()) % (len(EXTRA_COLOURS) * len(EXTRA_HATCHES))


def role_style(role: str) -> dict[str, str]:
    """Fill style of one role: ``color``, ``hatch`` and ``edgecolor`` (the hatch colour).

    Draw with ``**fill_kwargs(s)``: given as ``color``, recent matplotlib would draw the
    hatch in the fill colour, where it cannot be seen. A role outside :data:`ROLE_COLOURS`
    gets a style from a fixed cycle picked by its name; two such roles may collide, which
    :func:`role_styles` resolves for the roles of one chart.
    """
    if role in ROLE_COLOURS:
        return _style(ROLE_COLOURS[role], ROLE_HATCHES[role])
    return _extra(_extra_index(role))


def fill_kwargs(style: dict[str, str]) -> dict[str, str]:
    """A role style as keyword arguments for ``fill_between`` and ``bar``."""
    return {"facecolor": style["color"], "edgecolor": style["edgecolor"], "hatch": style["hatch"]}


def line_kwargs(style: dict[str, str], linewidth: float = 1.8) -> dict[str, object]:
    """A role style as keyword arguments for ``plot``: its colour and a line style of its own.

    Light colours (yellow, sky blue) get a dark outline, or the line would vanish on white.
    """
    kwargs: dict[str, object] = {
        "color": style["color"],
        "linestyle": _HATCH_LINESTYLES.get(style["hatch"], "-"),
        "linewidth": linewidth,
    }
    if _grey(style["color"]) > 0.6:
        outline = Stroke(linewidth=linewidth + 1.2, foreground="#444444")
        kwargs["path_effects"] = [outline, Normal()]
    return kwargs


def role_styles(roles: Iterable[str]) -> dict[str, dict[str, str]]:
    """Styles for the roles on one chart, no two the same; see :func:`role_style`."""
    n_extra = len(EXTRA_COLOURS) * len(EXTRA_HATCHES)
    styles: dict[str, dict[str, str]] = {}
    taken: set[int] = set()
    for role in roles:
        if role in ROLE_COLOURS:
            styles[role] = role_style(role)
            continue
        index = _extra_index(role)
        for step in range(n_extra):
            if (index + step) % n_extra not in taken:
                index = (index + step) % n_extra
                break
        taken.add(index)
        styles[role] = _extra(index)
    return styles


def to_datenum(values: object) -> np.ndarray:
    """Dates (datetime64, Timestamps, strings) as matplotlib date numbers (days)."""
    stamps = pd.to_datetime(pd.Series(np.atleast_1d(values)))
    return mdates.date2num(stamps.to_numpy(dtype="datetime64[ns]"))


def new_figure() -> tuple[Figure, Axes]:
    """A detached figure (not in pyplot's list) with one axes, drawn with Agg.

    The axes sit in a subfigure, which the layout keeps clear of the footer: a legend
    below the axes (:func:`legend_below`) goes at the foot of the subfigure, above it.
    """
    fig = Figure(figsize=FIGSIZE, layout="constrained")
    FigureCanvasAgg(fig)
    fig.get_layout_engine().set(rect=(0, FOOTER_SPACE, 1, 1 - FOOTER_SPACE))
    ax = fig.subfigures().add_subplot()
    apply_style(ax)
    return fig, ax


class YearDateFormatter(mdates.ConciseDateFormatter):
    """Concise date labels that name the year at the first tick and wherever it changes.

    ``ConciseDateFormatter`` alone writes a year only at a January tick, so a run from
    June 2021 to June 2022 showed "Jun ... Dec 2022 Feb ..." and never 2021. Here the
    first tick and the first tick of each new year carry it on a second line ("Jun" over
    "2021"; day ticks also get their month: "Jul 5" over "2021").
    """

    def __init__(self, locator: mdates.DateLocator) -> None:
        super().__init__(
            locator,
            formats=["%Y", "%b", "%d", "%H:%M", "%H:%M", "%S.%f"],
            zero_formats=["", "%b", "%b", "%b %d", "%H:%M", "%H:%M"],
            show_offset=False,
        )

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        labels = super().format_ticks(values)
        dates = [mdates.num2date(v) for v in values]  # in the default time zone, as the labels
        out = []
        for i, (label, date) in enumerate(zip(labels, dates, strict=True)):
            if label.isdigit() and len(label) <= 2:  # a day of the month: no leading zero
                label = str(int(label))
            if i == 0 or date.year != dates[i - 1].year:
                out.append(_with_year(label, date))
            else:
                out.append(label)
        return out


def _with_year(label: str, date: dt.datetime) -> str:
    """A tick label that names its year (and its month, if it gave only the day)."""
    year = str(date.year)
    if label == year:
        return label
    if label.isdigit():  # a day number alone would not say which month
        return f"{date:%b} {label}\n{year}"
    if ":" in label:  # a time of day
        return f"{label}\n{date:%b} {date.day} {year}"
    return f"{label}\n{year}"


def apply_style(ax: Axes) -> None:
    """Dated x axis (the year at the first tick and at each change), thousands separators
    on the y axis."""
    ax.xaxis_date()
    locator = mdates.AutoDateLocator(minticks=5, maxticks=14)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(YearDateFormatter(locator))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_xlabel("Date")


def decorate(
    fig: Figure,
    ax: Axes,
    *,
    title: str,
    subtitle: str | None,
    ylabel: str,
    footer: str | None,
    legend_reverse: bool = False,
) -> None:
    """Title, subtitle, y label, footer and (for two series or more) the legend below."""
    fig.suptitle(title, x=0.01, ha="left")
    if subtitle:
        ax.set_title(subtitle, loc="left", color=SUBTITLE_COLOUR, pad=8)
    ax.set_ylabel(ylabel)
    if footer:
        fig.text(0.005, 0.008, footer, ha="left", va="bottom", fontsize=7.5, color=FOOTER_COLOUR)
    handles, labels = ax.get_legend_handles_labels()
    if legend_reverse:  # stacked series: top of the stack first, as on the chart
        handles, labels = handles[::-1], labels[::-1]
    legend_below(ax.get_figure(root=False), handles, labels)


def legend_below(
    where: Figure | SubFigure,
    handles: Sequence[Artist],
    labels: Sequence[str],
    **options: object,
) -> None:
    """One legend below the plots, the full width free for the data (two entries or more).

    Entries with the same label are shown once. Short labels go four to a row, long
    ones two or three.
    """
    unique = dict(zip(labels, handles, strict=True))
    if len(unique) < 2:
        return
    longest = max(len(line) for label in unique for line in label.split("\n"))
    per_row = 2 if longest > 45 else 3 if longest > 28 else 4
    options = {"ncols": min(per_row, len(unique)), **options}
    where.legend(list(unique.values()), list(unique), loc="outside lower center", **options)


def new_panels(
    n: int, *, ncols: int = 3, row_height: float = 2.4, sharey: bool = True
) -> tuple[Figure, SubFigure, list[Axes]]:
    """A detached figure with ``n`` panels in rows of ``ncols``, inside a subfigure.

    The subfigure holds the subtitle (its ``suptitle``), so that constrained layout keeps
    title, subtitle, panels and legend apart. Unused cells of the last row are left
    blank (axis off): :func:`decorate_panels` puts the legend in the first of them.
    """
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig = Figure(figsize=(FIGSIZE[0], 1.5 + nrows * row_height), layout="constrained")
    FigureCanvasAgg(fig)
    fig.get_layout_engine().set(rect=(0, FOOTER_SPACE, 1, 1 - FOOTER_SPACE))
    body = fig.subfigures()
    grid = body.subplots(nrows, ncols, sharey=sharey, squeeze=False)
    axes = list(grid.flat)
    for ax in axes[n:]:
        ax.set_axis_off()
    return fig, body, axes[:n]


def decorate_panels(
    fig: Figure,
    body: SubFigure,
    *,
    title: str,
    subtitle: str | None,
    footer: str | None,
    handles: Sequence[Artist],
    labels: Sequence[str],
) -> Figure:
    """Title, subtitle, footer and the legend (in a blank cell, or right of the panels).

    Call it last: it lays the figure out and lines the title up with the panels.
    """
    sub = {"ha": "left", "fontsize": 9.5, "fontweight": "normal", "color": SUBTITLE_COLOUR}
    if subtitle:
        body.suptitle(subtitle, x=0.01, **sub)
    if footer:
        fig.text(0.005, 0.008, footer, ha="left", va="bottom", fontsize=7.5, color=FOOTER_COLOUR)
    if len(handles) > 1:
        blank = [ax for ax in body.axes if not ax.axison]
        if blank:
            blank[0].legend(handles, labels, loc="upper left", borderaxespad=0)
        else:
            body.legend(handles, labels, loc="outside right upper")
    fig.suptitle(title, x=0.01, ha="left")
    fig.get_layout_engine().execute(fig)  # no dry draw needed: see placement.finish
    left = min(ax.get_position().x0 for ax in body.axes if ax.axison)
    fig.suptitle(title, x=left, ha="left")
    if subtitle:
        body.suptitle(subtitle, x=left, **sub)
    return fig


def one_panel(rows: float) -> tuple[Figure, SubFigure, Axes]:
    """A detached figure with one panel, tall enough for ``rows`` bars or rows of cells."""
    fig, body, (ax,) = new_panels(1, ncols=1, row_height=max(2.6, 0.3 * rows + 1.0))
    return fig, body, ax


def decorate_wrapped(
    fig: Figure, body: SubFigure, *, title: str, subtitle: str, footer: str
) -> Figure:
    """Title, subtitle (wrapped to the chart's width) and footer; the chart draws its legends."""
    return decorate_panels(
        fig,
        body,
        title=title,
        subtitle=wrap_subtitle(subtitle),
        footer=footer,
        handles=[],
        labels=[],
    )


def wrap_subtitle(text: str) -> str:
    """A subtitle in lines no wider than a chart."""
    return "\n".join(textwrap.wrap(text, 110))
